/* lanes.h - the lane detector: where the band-holding region is, how it is
 * cut into horizontal strips, and where each lane runs in each strip. */
#ifndef BLOTQUANT_LANES_H
#define BLOTQUANT_LANES_H

#include "error.h"
#include "export.h"
#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bq_roi {
    int x, y, w, h; /* w == 0 or h == 0 means "not set" */
} bq_roi_t;

typedef struct bq_lane {
    int index;              /* 1-based, left to right; the same lane has the same
                               index in every strip */
    double x_left, x_right; /* extent at y = y_ref */
    double y_ref;
    double slope;           /* dx/dy: a tilted lane's x moves by slope per row */
    int is_ladder;          /* recognised as a molecular-weight marker lane */
    int is_empty;           /* a comb position with no band evidence in any row */
} bq_lane_t;

/* A horizontal strip of membrane (a blot cut into one strip per protein is
 * imaged as several strips; an uncut blot is one strip). */
typedef struct bq_strip {
    int y_top, y_bottom;    /* inclusive rows */
    int n_lanes;
    bq_lane_t *lanes;
} bq_strip_t;

typedef struct bq_lanes {
    bq_roi_t roi;           /* the region that holds bands */
    int n_lanes;            /* lanes per strip (equal in every strip) */
    int n_strips;
    bq_strip_t *strips;
    double confidence;      /* 0..1: how well the lanes explain the band evidence */
    int uncertain;          /* confidence below BQ_LANES_UNCERTAIN: check the overlay */
} bq_lanes_t;

/* Below this confidence the lanes are reported as uncertain. */
#define BQ_LANES_UNCERTAIN 0.5

typedef struct bq_lane_options {
    int n_lanes;    /* force this many lanes; 0 = automatic */
    bq_roi_t roi;   /* restrict to this region; w/h 0 = find it automatically */
} bq_lane_options_t;

#define BQ_MAX_LANES 64

/* Detect lanes in img (bands bright). opts may be NULL. On success *out is
 * owned by the caller (bq_lanes_free). BQ_ERR_NOT_FOUND if no lanes. */
BQ_API int bq_lanes_detect(const bq_image_t *img, const bq_lane_options_t *opts,
                           bq_lanes_t **out, bq_error_t *err);

BQ_API void bq_lanes_free(bq_lanes_t *lanes);

/* Set lanes->confidence (the worst strip's: how evenly its lanes are
 * spaced and sized, 1 = a perfect comb) and lanes->uncertain. */
BQ_API void bq_lanes_score(bq_lanes_t *lanes);

/* The lane's left and right x at row y (applies the tilt). */
BQ_API void bq_lane_extent_at(const bq_lane_t *lane, double y, double *x_left, double *x_right);

/* The strip holding row y, or NULL. */
BQ_API const bq_strip_t *bq_lanes_strip_at(const bq_lanes_t *lanes, int y);

#ifdef __cplusplus
}
#endif
#endif
