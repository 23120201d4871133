/* fuzz_jpeg.c - the JPEG loader on arbitrary bytes.
 *
 * The seeds are JPEGs (baseline, progressive, arithmetic, CMYK/YCCK, EXIF
 * orientations), so most inputs reach libjpeg through image_jpeg.c. Besides
 * "no crash, no leak, no exit()" (libjpeg's own handler would exit), it
 * checks what a loaded JPEG promises: 8-bit values on 0..255, lossy, no
 * mask, one page; and that a tight pixel limit is a clean BQ_ERR_LIMIT. */
#include <math.h>
#include <string.h>

#include "blotquant/image.h"
#include "fuzz.h"

/* A limit small enough that many inputs hit it. */
#define TIGHT_MAX_PIXELS 4096

static void check_jpeg(const bq_image_t *img, uint64_t max_pixels)
{
    uint64_t n = (uint64_t)img->width * (uint64_t)img->height;
    FUZZ_CHECK(img->width > 0 && img->height > 0 && n <= max_pixels, "size within limit");
    FUZZ_CHECK(img->format == BQ_FORMAT_JPEG && img->lossy == 1, "a lossy JPEG");
    FUZZ_CHECK(img->bits_per_sample == 8 && img->max_value == 255.0 &&
                   img->clip_level == 255.0 && img->clip_low == 0.0,
               "8-bit levels");
    FUZZ_CHECK(img->valid == NULL && img->page == 0 && img->n_pages == 1, "one plain page");
    for (uint64_t i = 0; i < n; i++)
        FUZZ_CHECK(img->data[i] >= 0.0f && img->data[i] <= 255.0f, "values on 0..255");
}

/* Load with the given limit; returns the image (caller frees) or NULL. */
static bq_image_t *load(const char *path, bq_channel channel, uint64_t max_pixels)
{
    bq_load_options_t opts = {0};
    opts.channel = channel;
    opts.max_pixels = max_pixels;
    return fuzz_load_image(path, &opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file("jpeg", data, size);
    if (!path)
        return 0;
    if (bq_image_sniff(path) != BQ_FORMAT_JPEG)
        return 0; /* the other loaders have their own targets */
    bq_channel channel = (bq_channel)(size % (BQ_CHANNEL_BLUE_SIGNAL + 1));
    bq_image_t *img = load(path, channel, 0);
    if (!img)
        return 0;
    check_jpeg(img, BQ_DEFAULT_MAX_PIXELS);
    uint64_t n = (uint64_t)img->width * (uint64_t)img->height;
    int pol = bq_image_detect_polarity(img);
    FUZZ_CHECK(pol == 0 || pol == 1, "polarity is 0/1");
    bq_image_invert(img);
    bq_image_free(img);

    /* the same file under a tight limit: refused before decoding, or the same size */
    img = load(path, channel, TIGHT_MAX_PIXELS);
    FUZZ_CHECK((img != NULL) == (n <= TIGHT_MAX_PIXELS), "the limit decides");
    if (img) {
        check_jpeg(img, TIGHT_MAX_PIXELS);
        bq_image_free(img);
    }
    return 0;
}
