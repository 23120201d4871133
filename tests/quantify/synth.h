/* synth.h - a tiny blot renderer for the quantify tests: lanes, band rows,
 * smile, tilt, gradients and noise with the exact band volumes known, so
 * the tests need neither the simulator nor the lane detector. */
#ifndef QUANTIFY_TEST_SYNTH_H
#define QUANTIFY_TEST_SYNTH_H

#include <stdio.h>

#include "blotquant/blotquant.h"

#define SYN_MAX_LANES 24
#define SYN_MAX_ROWS 4

typedef struct syn_params {
    int width, height;
    int n_lanes;
    double lane_width, pitch, x_first; /* lane centres x_first + i*pitch */
    int n_rows;
    double row_y[SYN_MAX_ROWS];        /* band centre rows at the middle lane */
    double sigma_y;                    /* band half-height (Gaussian sigma) */
    double amp[SYN_MAX_ROWS][SYN_MAX_LANES]; /* band peak heights */
    double smile;                      /* edge lanes this many px higher */
    double slope;                      /* tilt: dx/dy of the lanes */
    double bg0, bg_dx, bg_dy;          /* background a + b*x + c*y */
    double noise;                      /* Gaussian noise sigma */
    double clip;                       /* clip level (0 = none) */
    unsigned seed;
} syn_params_t;

typedef struct syn_blot {
    bq_image_t *img;
    bq_lanes_t lanes;                  /* hand-built from the truth */
    bq_strip_t strip;
    bq_lane_t lane[SYN_MAX_LANES];
    double yc[SYN_MAX_ROWS][SYN_MAX_LANES];     /* true band centres */
    double volume[SYN_MAX_ROWS][SYN_MAX_LANES]; /* true band volumes (unclipped) */
} syn_blot_t;

void syn_default(syn_params_t *p);
/* Render; returns 0 or -1 (no memory). */
int syn_render(const syn_params_t *p, syn_blot_t *out);
void syn_free(syn_blot_t *b);

#endif
