/* tiff_floor.c - the speed floor for blotquant: read a TIFF with libtiff alone.
 *
 * Decodes every strip (or tile) of the first page of a 1-sample 8/16-bit
 * unsigned or 32-bit float TIFF into one buffer and converts it to float,
 * which is the least any quantifier must do before it can look at a pixel.
 * Nothing else: no polarity, no statistics, no copies beyond the float image.
 * bench/run.sh times it with hyperfine and reports blotquant as a multiple
 * of it.
 *
 * Build (run.sh does this):
 *     cc -O2 -o tiff_floor tiff_floor.c $(pkg-config --cflags --libs libtiff-4)
 * Usage: tiff_floor IMAGE.tif   (prints the pixel sum so nothing is optimised
 * away; exit 1 on any error)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/* Convert n decoded samples to float, by sample format. */
static void to_float(float *dst, const unsigned char *src, size_t n,
                     uint16_t bits, uint16_t fmt)
{
    size_t i;
    if (bits == 8) {
        for (i = 0; i < n; i++)
            dst[i] = (float)src[i];
    } else if (bits == 16) {
        const uint16_t *s = (const uint16_t *)(const void *)src;
        for (i = 0; i < n; i++)
            dst[i] = (float)s[i];
    } else if (fmt == SAMPLEFORMAT_IEEEFP) {
        memcpy(dst, src, n * sizeof(float));
    }
}

int main(int argc, char **argv)
{
    TIFF *tif;
    uint32_t w = 0, h = 0;
    uint16_t bits = 0, spp = 1, fmt = SAMPLEFORMAT_UINT;
    float *img = NULL;
    unsigned char *buf = NULL;
    double sum = 0.0;
    size_t i, npix;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: tiff_floor IMAGE.tif\n");
        return 2;
    }
    tif = TIFFOpen(argv[1], "r");
    if (!tif)
        return 1;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    if (spp != 1 || !(bits == 8 || bits == 16 || (bits == 32 && fmt == SAMPLEFORMAT_IEEEFP))) {
        fprintf(stderr, "tiff_floor: %s: only 1-sample 8/16-bit or float images\n", argv[1]);
        goto done;
    }
    npix = (size_t)w * h;
    img = malloc(npix * sizeof(float));
    if (!img)
        goto done;

    if (TIFFIsTiled(tif)) {
        uint32_t tw = 0, th = 0, x, y;
        tmsize_t tsize = TIFFTileSize(tif);
        float *row;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        buf = malloc((size_t)tsize);
        row = malloc((size_t)tw * sizeof(float));
        if (!buf || !row) {
            free(row);
            goto done;
        }
        for (y = 0; y < h; y += th) {
            for (x = 0; x < w; x += tw) {
                uint32_t r, cw = (w - x < tw) ? w - x : tw;
                if (TIFFReadTile(tif, buf, x, y, 0, 0) < 0) {
                    free(row);
                    goto done;
                }
                for (r = 0; r < th && y + r < h; r++) {
                    to_float(row, buf + (size_t)r * tw * (bits / 8), cw, bits, fmt);
                    memcpy(img + (size_t)(y + r) * w + x, row, cw * sizeof(float));
                }
            }
        }
        free(row);
    } else {
        tstrip_t s, ns = TIFFNumberOfStrips(tif);
        tmsize_t ssize = TIFFStripSize(tif);
        size_t done_px = 0;
        buf = malloc((size_t)ssize);
        if (!buf)
            goto done;
        for (s = 0; s < ns && done_px < npix; s++) {
            tmsize_t got = TIFFReadEncodedStrip(tif, s, buf, ssize);
            size_t n;
            if (got < 0)
                goto done;
            n = (size_t)got / (bits / 8);
            if (n > npix - done_px)
                n = npix - done_px;
            to_float(img + done_px, buf, n, bits, fmt);
            done_px += n;
        }
    }
    for (i = 0; i < npix; i++)
        sum += img[i];
    printf("%u x %u, sum %.6g\n", w, h, sum);
    rc = 0;
done:
    free(buf);
    free(img);
    TIFFClose(tif);
    return rc;
}
