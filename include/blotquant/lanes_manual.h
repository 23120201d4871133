/* lanes_manual.h - lanes set by hand instead of detected: from lane centres,
 * from a lanes file an earlier run wrote, or from a band table (bands.csv).
 *
 * The lanes file is a CSV table (RFC 4180), one row per lane per strip:
 *
 *   strip,y_top,y_bottom,lane,x_left,x_right,y_ref,slope,ladder,empty,roi_x,roi_y,roi_w,roi_h
 *
 *   strip             1-based, top to bottom; y_top..y_bottom its rows (inclusive)
 *   lane              1-based, left to right; every strip has the same lanes
 *   x_left, x_right   the lane's extent in pixels at row y_ref
 *   slope             dx/dy: a tilted lane's x moves by slope per row
 *   ladder, empty     1 for a marker lane / a lane with no band evidence, else 0
 *   roi_x..roi_h      the region that holds bands, the same on every row;
 *                     0,0,0,0 = the whole image
 *
 * Only strip, y_top, y_bottom, lane, x_left and x_right are required when
 * reading (y_ref defaults to the strip's middle row, the rest to 0), so a file
 * can be written by hand. Numbers are written so that they read back exactly:
 * the same lanes give the same band table. */
#ifndef BLOTQUANT_LANES_MANUAL_H
#define BLOTQUANT_LANES_MANUAL_H

#include <stdio.h>

#include "bands.h"
#include "csv.h"
#include "error.h"
#include "export.h"
#include "image.h"
#include "lanes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The lanes file header line (no newline). */
BQ_API extern const char BQ_LANES_CSV_HEADER[];

/* Most strips a lane set may have. */
#define BQ_LANES_MAX_STRIPS 64

/* Check lane centres before an image is at hand: 1..BQ_MAX_LANES of them,
 * finite, >= 0 and strictly increasing; width finite, 0 (the default) or
 * >= 1, and with the default the lanes must come out at least 1 px wide.
 * Returns 0 or BQ_ERR_INVALID with a message. */
BQ_API int bq_lanes_check_centres(const double *centres, int n, double width, bq_error_t *err);

/* The default lane width for n centres: 0.8 x the median spacing of the
 * centres, so neighbouring lanes keep a gap; for one centre, a tenth of
 * region_w (the width of the image, or of the region of interest), at
 * least 1. */
BQ_API double bq_lanes_default_width(const double *centres, int n, int region_w);

/* Vertical lanes (slope 0) width px wide (0 = bq_lanes_default_width) at the
 * centres, in one strip covering roi clipped to the img_w x img_h image (the
 * whole image when roi is NULL or its w or h is 0). A lane's extent is
 * clipped to the region. Lane set confidence 1, not uncertain. Errors:
 * BQ_ERR_INVALID for centres bq_lanes_check_centres refuses, a centre
 * outside the region or a region outside the image; BQ_ERR_NOMEM. */
BQ_API int bq_lanes_from_centres(const double *centres, int n, double width, int img_w, int img_h,
                                 const bq_roi_t *roi, bq_lanes_t **out, bq_error_t *err);

/* A deep copy of src (the caller frees it with bq_lanes_free). Errors:
 * BQ_ERR_INVALID if src is not a consistent lane set (see
 * bq_lanes_check), BQ_ERR_NOMEM. */
BQ_API int bq_lanes_copy(const bq_lanes_t *src, bq_lanes_t **out, bq_error_t *err);

/* Check that lanes is a lane set the band detector can take: 1..
 * BQ_LANES_MAX_STRIPS strips of 1..BQ_MAX_LANES lanes, n_lanes the same in
 * every strip, strips top to bottom without overlap, finite coordinates
 * within +-1e7 (slopes within +-1), lanes left to right on every row of
 * their strip (by centre: lanes may overlap, not cross). name labels
 * the message ("lanes.csv: strip 2 overlaps strip 1"), may be NULL.
 * Returns 0 or BQ_ERR_INVALID. */
BQ_API int bq_lanes_check(const bq_lanes_t *lanes, const char *name, bq_error_t *err);

/* Write lanes as a lanes file, header first. Returns 0 or BQ_ERR_IO. */
BQ_API int bq_lanes_write_csv(FILE *fp, const bq_lanes_t *lanes);

/* Write lanes to path as a lanes file, all or nothing
 * (bq_file_write_atomic). Returns 0 or a negative bq_err. */
BQ_API int bq_lanes_save(const char *path, const bq_lanes_t *lanes, bq_error_t *err);

/* Lanes from a parsed table: a lanes file, or a band table (bands.csv of
 * one image, see bq_lanes_from_bands), told apart by the header. Every
 * error names the table and, where one is at fault, the line
 * ("lanes.csv:4: x_right: 'abc' is not a number ..."): BQ_ERR_INVALID for
 * a table that is neither or holds bad values, BQ_ERR_NOMEM. */
BQ_API int bq_lanes_from_csv(const bq_csv_t *csv, bq_lanes_t **out, bq_error_t *err);

/* bq_csv_read_file, then bq_lanes_from_csv. */
BQ_API int bq_lanes_load(const char *path, bq_lanes_t **out, bq_error_t *err);

/* Lanes that reproduce the boxes of a band table. Per lane: the tilt fitted
 * to the box centres (when its bands span at least 20 rows, else 0) and
 * the median left and right edge of its boxes at the mean band row. One
 * strip spanning the boxes with a margin of the median box height (at
 * least 10 rows) above and below, clipped at row 0; the region is the
 * whole image. A lane is a ladder if any of its bands is. Lanes must be
 * numbered 1..n without gaps. Errors: BQ_ERR_INVALID (no bands, a lane
 * without bands, lanes out of order), BQ_ERR_NOMEM. */
BQ_API int bq_lanes_from_bands(const bq_band_table_t *table, bq_lanes_t **out, bq_error_t *err);

/* Lanes the user gives the pipeline instead of the detector
 * (bq_quant_options_t.manual_lanes). Either centres (built once the image
 * size is known, see bq_lanes_from_centres) or a whole lane set. */
typedef struct bq_lanes_manual {
    const double *centres;   /* lane centres in pixels, or NULL to use lanes */
    int n_centres;
    double width;            /* lane width in pixels; 0 = the default */
    const bq_lanes_t *lanes; /* a lane set, used when centres is NULL */
    const char *source;      /* names the lane set in messages (its file), may be NULL */
} bq_lanes_manual_t;

/* The lanes for img. From centres: bq_lanes_from_centres in roi (may be
 * NULL). From a lane set: a copy that must fit img (roi is not used; the
 * set holds its own region): strips and region are clipped to the image,
 * and a strip with no row in it or a lane whose centre lies outside it is
 * an error naming m->source (BQ_ERR_INVALID). Confidence 1, not uncertain. */
BQ_API int bq_lanes_manual_apply(const bq_lanes_manual_t *m, const bq_image_t *img,
                                 const bq_roi_t *roi, bq_lanes_t **out, bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
