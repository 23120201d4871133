/* fuzz_image.c - the image loader (TIFF, .gel, PNG) on arbitrary bytes
 * (JPEG and .scn, which a mutation may also reach, have fuzz_jpeg.c and
 * fuzz_scn.c).
 *
 * Built twice, as fuzz_tiff and fuzz_png: the code is the same (the loader
 * picks the format from the magic bytes), the seed corpora differ. The input
 * is written to a scratch file because bq_image_load reads paths. Besides
 * "no crash, no leak", it checks the loader's contract: a failure returns a
 * negative code, a message and no image; a success returns finite pixels,
 * a 0/1 valid mask and consistent levels, which polarity detection,
 * inversion and the overlay writer then take without complaint. */
#include <math.h>
#include <string.h>

#include "blotquant/image.h"
#include "fuzz.h"

/* Larger images are loaded and checked, but not rendered as an overlay. */
#define OVERLAY_MAX_PIXELS (512 * 512)

static void check_image(const bq_image_t *img, const bq_load_options_t *opts)
{
    FUZZ_CHECK(img->width > 0 && img->height > 0, "positive dimensions");
    uint64_t n = (uint64_t)img->width * (uint64_t)img->height;
    FUZZ_CHECK(n <= (opts->max_pixels ? opts->max_pixels : BQ_DEFAULT_MAX_PIXELS),
               "max_pixels respected");
    FUZZ_CHECK(img->data != NULL, "pixel data");
    for (uint64_t i = 0; i < n; i++) {
        FUZZ_CHECK(isfinite(img->data[i]), "finite pixels");
        if (img->valid) {
            FUZZ_CHECK(img->valid[i] <= 1, "valid mask is 0/1");
            FUZZ_CHECK(img->valid[i] || img->data[i] == 0.0f, "invalid pixels hold 0");
        }
    }
    /* a composite's channel signals are excesses over the pixel's smallest
     * channel: never negative, and bands high by definition */
    if (img->channel >= BQ_CHANNEL_COMBINED) {
        FUZZ_CHECK(img->bands_bright, "a composite signal is bands bright");
        for (uint64_t i = 0; i < n; i++)
            FUZZ_CHECK(img->data[i] >= 0.0f, "a composite signal is not negative");
    }
    FUZZ_CHECK(opts->channel != BQ_CHANNEL_AUTO || img->channel == BQ_CHANNEL_AUTO ||
                   img->channel == BQ_CHANNEL_COMBINED,
               "auto reads luminance or the combined signal");
    FUZZ_CHECK(isfinite(img->max_value) && img->max_value > 0, "max_value");
    FUZZ_CHECK(!isnan(img->clip_level) && !isnan(img->clip_low), "clip levels");
    FUZZ_CHECK(img->page >= 0 && img->page < img->n_pages, "page within n_pages");
    FUZZ_CHECK(img->format == BQ_FORMAT_TIFF || img->format == BQ_FORMAT_PNG ||
                   img->format == BQ_FORMAT_GEL || img->format == BQ_FORMAT_JPEG ||
                   img->format == BQ_FORMAT_SCN,
               "known format");
}

/* What a caller does next with a loaded image. */
static void use_image(bq_image_t *img)
{
    int pol = bq_image_detect_polarity(img);
    FUZZ_CHECK(pol == 0 || pol == 1, "polarity is 0/1");
    uint64_t n = (uint64_t)img->width * (uint64_t)img->height;
    /* (finding F1: float values spanning more than FLT_MAX invert to
     * infinities, so the loader refuses magnitudes above 1e30) */
    bq_image_invert(img);
    for (uint64_t i = 0; i < n; i++)
        FUZZ_CHECK(isfinite(img->data[i]), "finite pixels after inversion");
    if (n <= OVERLAY_MAX_PIXELS) {
        bq_rgb_t *rgb = bq_rgb_from_image(img);
        FUZZ_CHECK(rgb != NULL, "overlay of a small image");
        bq_rgb_rect(rgb, -5, -5, img->width + 5, img->height / 2, 255, 0, 0);
        bq_error_t err = {0};
        const char *out = fuzz_scratch_file("overlay.png", (const uint8_t *)"", 0);
        if (out) {
            int rc = bq_rgb_save_png(rgb, out, &err);
            FUZZ_CHECK_ERR(rc, err);
        }
        bq_rgb_free(rgb);
    }
}

static void load_and_check(const char *path, const bq_load_options_t *opts, int *n_pages)
{
    bq_image_t *img = fuzz_load_image(path, opts);
    if (!img)
        return;
    check_image(img, opts);
    if (n_pages)
        *n_pages = img->n_pages;
    use_image(img);
    bq_image_free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file("image", data, size);
    if (!path)
        return 0;
    bq_format fmt = bq_image_sniff(path);
    (void)bq_image_tiff_is_gel(path);

    /* the channel follows the input length, so every reduction gets its turn
     * without a byte of the file being spent on options */
    bq_load_options_t opts = {0};
    opts.channel = (bq_channel)(size % (BQ_CHANNEL_BLUE_SIGNAL + 1));
    int n_pages = 0;
    load_and_check(path, &opts, &n_pages);

    /* the last page of a multi-page TIFF takes a different path through the
     * directory chain */
    if (fmt != BQ_FORMAT_PNG && n_pages > 1) {
        opts.page = n_pages - 1;
        load_and_check(path, &opts, NULL);
    }
    /* one past the end must be a clean error */
    if (n_pages > 0) {
        opts.page = n_pages;
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        int rc = bq_image_load(path, &opts, &img, &err);
        FUZZ_CHECK(fmt == BQ_FORMAT_PNG || rc != 0, "a missing page is an error");
        FUZZ_CHECK_ERR(rc, err);
        bq_image_free(img);
    }
    return 0;
}
