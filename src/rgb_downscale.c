/* rgb_downscale.c - a QC picture shrunk for a page, its annotations kept.
 *
 * A QC overlay is a gray blot with thin coloured lines on it. Averaging
 * squares of pixels would smear a line one pixel wide into a faint tint and
 * fill the picture with mixed colours (no palette, a PNG three times the
 * size); so a square keeps the colour it holds and only gray squares are
 * averaged. */
#include <stdlib.h>

#include "blotquant/image.h"
#include "internal.h"

static int is_gray(const uint8_t *p)
{
    return p[0] == p[1] && p[1] == p[2];
}

/* The smallest whole factor that brings width x height to max_pixels. */
static int shrink_factor(int width, int height, long max_pixels)
{
    int f = 1;
    for (;;) {
        long w = (width + f - 1) / f, h = (height + f - 1) / f;
        if (w * h <= max_pixels || (w == 1 && h == 1))
            return f;
        f++;
    }
}

/* The pixel of the copy standing for the f x f square at (x0, y0), clipped
 * to the picture: its first colour, else the mean gray. */
static void shrink_square(const bq_rgb_t *rgb, int x0, int y0, int f, uint8_t *out)
{
    int x1 = x0 + f < rgb->width ? x0 + f : rgb->width;
    int y1 = y0 + f < rgb->height ? y0 + f : rgb->height;
    unsigned long sum = 0, n = 0;
    for (int y = y0; y < y1; y++) {
        const uint8_t *p = rgb->data + 3 * ((size_t)y * (size_t)rgb->width + (size_t)x0);
        for (int x = x0; x < x1; x++, p += 3) {
            if (!is_gray(p)) {
                out[0] = p[0];
                out[1] = p[1];
                out[2] = p[2];
                return;
            }
            sum += p[0];
            n++;
        }
    }
    out[0] = out[1] = out[2] = (uint8_t)((sum + n / 2) / n);
}

bq_rgb_t *bq_rgb_downscale(const bq_rgb_t *rgb, long max_pixels)
{
    if (!rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0 || max_pixels < 1)
        return NULL;
    int f = shrink_factor(rgb->width, rgb->height, max_pixels);
    int w = (rgb->width + f - 1) / f, h = (rgb->height + f - 1) / f;
    bq_rgb_t *out = bq_rgb_new(w, h);
    if (!out)
        return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            shrink_square(rgb, x * f, y * f, f,
                          out->data + 3 * ((size_t)y * (size_t)w + (size_t)x));
    return out;
}
