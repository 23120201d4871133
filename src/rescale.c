/* rescale.c - a picture at twice its resolution, and results mapped back.
 *
 * The lane and band detectors measure in pixels (profile smoothing, how far
 * a band may sit from its row, the background opening), set for lanes a
 * few tens of pixels wide. A figure crop or a thumbnail can show lanes of
 * ten: detected on a copy at twice the resolution, its lanes and bands are
 * found as on an ordinary scan, then mapped back to the picture's own
 * pixels, where they are measured. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "blotquant/bands.h"
#include "blotquant/image.h"
#include "blotquant/lanes.h"
#include "internal.h"

/* A coordinate X at twice the resolution in the picture's own pixels: the
 * pixel centres of the two grids line up at (X + 0.5) / 2 - 0.5. Used both
 * to sample the copy and to map results on it back. */
static double half_coord(double X)
{
    return 0.5 * (X + 0.5) - 0.5;
}

static int src_valid(const bq_image_t *img, int x, int y)
{
    return !img->valid || img->valid[(size_t)y * (size_t)img->width + (size_t)x];
}

/* One target pixel by bilinear interpolation over the valid source pixels
 * around it; with none valid around it, the nearest source pixel's value
 * and validity. */
static float upsample_pixel(const bq_image_t *img, double sx, double sy, int *valid)
{
    int x0 = (int)floor(sx), y0 = (int)floor(sy);
    double fx = sx - x0, fy = sy - y0;
    double sum = 0.0, wsum = 0.0;
    for (int dy = 0; dy <= 1; dy++)
        for (int dx = 0; dx <= 1; dx++) {
            int x = (int)bq_clamp(x0 + dx, 0, img->width - 1);
            int y = (int)bq_clamp(y0 + dy, 0, img->height - 1);
            double w = (dx ? fx : 1.0 - fx) * (dy ? fy : 1.0 - fy);
            if (w > 0.0 && src_valid(img, x, y)) {
                sum += w * img->data[(size_t)y * (size_t)img->width + (size_t)x];
                wsum += w;
            }
        }
    int nx = (int)bq_clamp(lround(sx), 0, img->width - 1);
    int ny = (int)bq_clamp(lround(sy), 0, img->height - 1);
    *valid = src_valid(img, nx, ny);
    if (*valid && wsum > 0.0)
        return (float)(sum / wsum);
    return img->data[(size_t)ny * (size_t)img->width + (size_t)nx];
}

bq_image_t *bq_image_upsample2(const bq_image_t *img)
{
    if (!img || img->width > INT_MAX / 2 || img->height > INT_MAX / 2)
        return NULL;
    bq_image_t *up = bq_image_new(2 * img->width, 2 * img->height);
    if (!up)
        return NULL;
    if (img->valid) {
        up->valid = bq_alloc_array((size_t)up->width * (size_t)up->height, 1);
        if (!up->valid) {
            bq_image_free(up);
            return NULL;
        }
    }
    for (int y = 0; y < up->height; y++)
        for (int x = 0; x < up->width; x++) {
            size_t i = (size_t)y * (size_t)up->width + (size_t)x;
            int v;
            up->data[i] = upsample_pixel(img, half_coord(x), half_coord(y), &v);
            if (up->valid)
                up->valid[i] = (uint8_t)v;
        }
    /* everything else (levels, polarity, what the file held) as img's */
    bq_image_t pixels = *up;
    *up = *img;
    up->width = pixels.width;
    up->height = pixels.height;
    up->data = pixels.data;
    up->valid = pixels.valid;
    return up;
}

/* The pixel of the picture that target pixel X falls in. */
static int half_pixel(int X)
{
    return X >= 0 ? X / 2 : -((1 - X) / 2);
}

void bq_lanes_halve(bq_lanes_t *lanes)
{
    int x1 = half_pixel(lanes->roi.x + lanes->roi.w - 1);
    int y1 = half_pixel(lanes->roi.y + lanes->roi.h - 1);
    lanes->roi.x = half_pixel(lanes->roi.x);
    lanes->roi.y = half_pixel(lanes->roi.y);
    if (lanes->roi.w > 0)
        lanes->roi.w = x1 - lanes->roi.x + 1;
    if (lanes->roi.h > 0)
        lanes->roi.h = y1 - lanes->roi.y + 1;
    for (int s = 0; s < lanes->n_strips; s++) {
        bq_strip_t *st = &lanes->strips[s];
        st->y_top = half_pixel(st->y_top);
        st->y_bottom = half_pixel(st->y_bottom);
        for (int i = 0; i < st->n_lanes; i++) {
            bq_lane_t *ln = &st->lanes[i];
            ln->x_left = half_coord(ln->x_left);
            ln->x_right = half_coord(ln->x_right);
            ln->y_ref = half_coord(ln->y_ref);
            /* slope is dx/dy: the same at any resolution */
        }
    }
}

void bq_band_table_halve(bq_band_table_t *table)
{
    for (int i = 0; i < table->n_bands; i++) {
        bq_band_t *b = &table->bands[i];
        b->x_left = half_pixel(b->x_left);
        b->x_right = half_pixel(b->x_right);
        b->y_top = half_pixel(b->y_top);
        b->y_bottom = half_pixel(b->y_bottom);
        b->y_peak = half_coord(b->y_peak);
    }
}
