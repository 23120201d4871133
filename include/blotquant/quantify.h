/* quantify.h - background estimation and band integration, and the whole
 * quant pipeline (load -> polarity -> lanes -> bands -> integrate) in one call. */
#ifndef BLOTQUANT_QUANTIFY_H
#define BLOTQUANT_QUANTIFY_H

#include "bands.h"
#include "error.h"
#include "export.h"
#include "image.h"
#include "lanes.h"
#include "lanes_manual.h"
#include "mw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bq_background {
    BQ_BG_AUTO = 0,      /* the default: lane-profile baseline robust to gradients and smear */
    BQ_BG_ROLLING_BALL,  /* ImageJ-style rolling ball (radius 50 px by default) */
    BQ_BG_BORDER_MEDIAN, /* Image Studio-style: median of a 3-pixel border x area */
    BQ_BG_NONE,          /* no subtraction */
} bq_background;

/* Parse "auto", "rolling-ball", "border-median", "none"; -1 if unknown. */
BQ_API int bq_background_parse(const char *name);
BQ_API const char *bq_background_name(bq_background method);

/* The building blocks of the methods, for tests and for callers that bring
 * their own boxes (inclusive pixel coordinates). */

/* BQ_BG_BORDER_MEDIAN: the median of the valid pixels in a ring `border`
 * pixels wide around the box x0..x1, y0..y1 (the box excluded). */
BQ_API int bq_background_border_median(const bq_image_t *img, int x0, int x1, int y0,
                                       int y1, int border, double *level);

/* BQ_BG_AUTO: the summed background under the box, from the levels of
 * `flank` rows above and `flank` rows below it along the box's vertical
 * profile: interpolated linearly when y_step is NAN, else the upper level
 * down to row y_step (the band centre) and the lower level from there, which
 * follows lane smear trailing the band. The flanks stay within rows
 * lim_top..lim_bottom (keep them off neighbouring bands). Dust specks inside
 * the box (outliers along a row) are counted as background. */
BQ_API int bq_background_profile(const bq_image_t *img, int x0, int x1, int y0, int y1,
                                 int lim_top, int lim_bottom, int flank, double y_step,
                                 double *bg_sum);

/* BQ_BG_ROLLING_BALL: ImageJ's rolling-ball background of the whole image
 * (bands bright) as a new width*height array the caller frees. presmooth
 * applies ImageJ's default 3x3 mean first. */
BQ_API int bq_background_rolling_ball(const bq_image_t *img, double radius, int presmooth,
                                      float **out, bq_error_t *err);

#define BQ_ROLLING_BALL_RADIUS 50.0

/* Fill volume, background, net_volume, max_value, saturated_pixels and the
 * saturated flag of every band in table (net_volume = volume - background).
 * lanes may be NULL (the flanks are then limited by the other boxes only).
 * With BQ_BG_AUTO, the volume of a saturated band also holds the signal its
 * clipped pixels lost, estimated from its unclipped pixels (the band stays
 * flagged); the other methods report what the pixels hold. */
BQ_API int bq_quantify(const bq_image_t *img, const bq_lanes_t *lanes,
                       bq_background method, bq_band_table_t *table, bq_error_t *err);

typedef enum bq_polarity {
    BQ_POLARITY_AUTO = 0,
    BQ_POLARITY_INVERT,
    BQ_POLARITY_KEEP,
} bq_polarity;

typedef struct bq_quant_options {
    bq_load_options_t load;
    bq_polarity polarity;
    bq_lane_options_t lanes;
    bq_band_options_t bands;
    bq_background background;
    /* Lanes given by the user: when set, the pipeline uses these (see
     * bq_lanes_manual_apply) instead of detecting lanes, and ignores
     * lanes.n_lanes. Borrowed; must outlive the call. */
    const bq_lanes_manual_t *manual_lanes;
    /* Sizes: calibrate every ladder lane against this ladder and fill the
     * bands' mw_kda; NULL = no sizes. With ladder_auto set, a ladder lane
     * whose match is not good (bq_mw_calib_good) is not used. Borrowed. */
    const bq_mw_ladder_t *ladder;
    int ladder_auto;
    /* With bands.row_names: each name's size in kDa (n_row_names values).
     * Every row is then found and the names go to the rows nearest those
     * sizes (within BQ_MW_NAME_TOLERANCE); without a calibration, or when
     * a size finds no row of its own, the names go by order as without
     * sizes and mw_note says why. Borrowed. */
    const double *row_kda;
    /* With bands.row_names, for a two-colour composite: each name's colour
     * channel (n_row_names values, BQ_CHANNEL_RED_SIGNAL, _GREEN_SIGNAL or
     * _BLUE_SIGNAL). Lanes are then found once on the combined signal
     * (BQ_CHANNEL_COMBINED, whatever load.channel says), and each channel's
     * rows are found and measured on that channel alone: the names of one
     * channel go to its n strongest rows, top to bottom. The table holds
     * every named row, ordered top to bottom. Only bq_quant_file can do
     * this (it decodes the file once per channel); not with row_kda.
     * Borrowed. */
    const bq_channel *row_channel;
} bq_quant_options_t;

/* How far (relative) a row's size may lie from the size it is named by:
 * calibration errors stay within a few percent, and a protein's apparent
 * size varies by about 10 % between gels and modifications, while
 * neighbouring ladder markers lie 20-50 % apart. */
#define BQ_MW_NAME_TOLERANCE 0.15

/* Everything one image yields. Free with bq_quant_result_free. */
typedef struct bq_quant_result {
    bq_image_t *image;      /* in working polarity (bands bright) */
    bq_lanes_t *lanes;
    bq_band_table_t *table;
    int inverted;           /* 1 if the image was inverted */
    int polarity_auto;      /* 1 if that was decided automatically */
    bq_mw_result_t mw;      /* the ladder calibrations in use (mw.n 0: none) */
    char mw_note[BQ_ERROR_MSG_MAX]; /* when sizes were asked for but not (all)
                               used: why, in words; else "" */
    int rows_by_size;       /* 1 when the rows were named by size (row_kda) */
} bq_quant_result_t;

/* Run the pipeline on one file. opts may be NULL for defaults. */
BQ_API int bq_quant_file(const char *path, const bq_quant_options_t *opts,
                         bq_quant_result_t **out, bq_error_t *err);

/* Same on an already loaded image; takes ownership of img (even on failure). */
BQ_API int bq_quant_image(bq_image_t *img, const bq_quant_options_t *opts,
                          bq_quant_result_t **out, bq_error_t *err);

BQ_API void bq_quant_result_free(bq_quant_result_t *res);

/* Write the QC overlay of res as a PNG: the image as film (bands dark) with
 * the band region, a frame and number per strip, lane edges and numbers
 * (ladder and empty lanes marked), band boxes coloured by flag, row names
 * (with their sizes when calibrated), a kDa scale beside each calibrated
 * ladder lane, and a caption (polarity, lane and strip counts, lane confidence, box
 * colours) in a band above the image, so it never covers the blot; the
 * picture is that much taller (and wider where row names or a long
 * caption need room). res is borrowed. 0, BQ_ERR_INVALID when res has no image,
 * BQ_ERR_NOMEM, or BQ_ERR_IO when the file cannot be written. */
BQ_API int bq_quant_write_overlay(const bq_quant_result_t *res, const char *path, bq_error_t *err);

/* The QC overlay bq_quant_write_overlay writes, as a picture, for a caller
 * that puts it elsewhere (shrunk into a report, say). The image's pixel
 * (x, y) is the picture's (x + left margin, y + height - image height).
 * res is borrowed; caller frees with bq_rgb_free. NULL when res has no
 * image or memory ran out. */
BQ_API bq_rgb_t *bq_overlay_render(const bq_quant_result_t *res);

#ifdef __cplusplus
}
#endif
#endif
