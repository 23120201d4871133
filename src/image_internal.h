/* image_internal.h - the pieces bq_image_load is built from, shared by
 * image.c, image_tiff.c, image_png.c and image_jpeg.c; never installed. */
#ifndef BLOTQUANT_IMAGE_INTERNAL_H
#define BLOTQUANT_IMAGE_INTERNAL_H

#include "blotquant/image.h"

/* ---- Format back-ends ------------------------------------------------------
 * The pieces bq_image_load is built from. Callers normally want bq_image_load;
 * these exist so image_tiff.c, image_png.c and image_jpeg.c (the only files
 * that touch libtiff, libpng and libjpeg) share one implementation of the
 * common steps. */

/* Load a TIFF / .gel (image_tiff.c), a PNG (image_png.c) or a JPEG
 * (image_jpeg.c) without sniffing. They fill data, valid, bits_per_sample,
 * samples_per_pixel, is_float, format, page, n_pages, gel_scale, lossy;
 * bq_image_load then sets max_value,
 * clip_level and clip_low and rejects NaN/Inf. Integer data is delivered on
 * an 8-bit (0..255) or 16-bit (0..65535) scale. opts must not be NULL. */
int bq_image_load_tiff(const char *path, const bq_load_options_t *opts,
                       bq_image_t **out, bq_error_t *err);
int bq_image_load_png(const char *path, const bq_load_options_t *opts,
                      bq_image_t **out, bq_error_t *err);
int bq_image_load_jpeg(const char *path, const bq_load_options_t *opts,
                       bq_image_t **out, bq_error_t *err);

/* A Bio-Rad Image Lab .scn (image_scn.c); also sets bands_bright and scan. */
int bq_image_load_scn(const char *path, const bq_load_options_t *opts,
                      bq_image_t **out, bq_error_t *err);

/* 1 if the first n bytes b of a file mark it as an Image Lab .scn. */
int bq_image_is_scn_magic(const uint8_t *b, size_t n);

/* Check width x height against max_pixels (0 = default) and this machine's
 * address space, before anything is allocated. 0 or a negative bq_err. */
int bq_image_check_size(int64_t width, int64_t height, uint64_t max_pixels,
                        const char *path, bq_error_t *err);

/* Check width x height against max_pixels (0 = default) and allocate an
 * image for loading, with a valid mask of ones if with_valid. The pixels are
 * not cleared: the loader must write every one. Errors name path. */
int bq_image_alloc_for_load(int width, int height, uint64_t max_pixels,
                            int with_valid, const char *path, bq_image_t **out,
                            bq_error_t *err);

/* Store row y from interleaved float samples (n_color 1 or 3 colour samples
 * per pixel, plus one alpha sample if has_alpha), reducing colour per channel
 * (AUTO: luminance; bq_image_load decides whether to load again combined).
 * full_scale is the samples' full scale (255, 65535, 1 for float). Pixels
 * with alpha 0 become invalid (img->valid must then be allocated). */
void bq_image_put_row(bq_image_t *img, int y, const float *samples, int n_color,
                      int has_alpha, bq_channel channel, float full_scale);

/* The colour half of bq_image_put_row (image_colour.c): also gathers
 * img->colour over the valid pixels. */
void bq_image_put_colour_row(bq_image_t *img, int y, const float *samples, int has_alpha,
                             bq_channel channel, float full_scale);

#endif
