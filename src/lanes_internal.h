/* lanes_internal.h - what the stages of the lane detector share; never
 * installed.
 *
 * bq_lanes_detect (lanes.c) runs the stages in order, each in its own file:
 *
 *   lanes_grid.c     1/1a. the block-averaged grid, the margin flooded from
 *                    the border, islands of membrane in it
 *   lanes_tray.c     1b. a tray around the membrane, gaps between cut strips
 *   lanes_flatten.c  2. background subtraction and log compression
 *   lanes_strips.c   3. the strips; aligning them; each strip's own lanes
 *   lanes_tilt.c     4. a strip's tilt and its column profile
 *   lanes_peaks.c    5. peaks of a column profile, lane edges, lane choice
 *   lanes_comb.c     5b/5c. the comb: faint lanes, touching lanes, teeth
 *                    missing in the middle or at the ends
 *   lanes_combfit.c  5d. a comb fitted to the whole column profile, for
 *                    touching lanes the peaks merged
 *   lanes_ladders.c  6/6b. ladders, label columns beside the end lanes
 *   lanes_util.c     small numeric helpers the stages share
 *
 * Everything works in grid cells (see grid_t) until lanes.c writes the
 * result in image pixels. The box bx0, by0, bx1, by1 passed around is the
 * membrane's bounding box in cells, inclusive. */
#ifndef BLOTQUANT_LANES_INTERNAL_H
#define BLOTQUANT_LANES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "blotquant/lanes.h"
#include "internal.h"

#define MAX_TILT 0.06           /* ~3.4 degrees, dx/dy: 2 degrees of tilt plus a hand-laid strip */
#define COMB_TOOTH 2           /* peak_t.faint of a lane placed by the comb: centred on its tooth */
#define BLANK_LANE 0.25        /* a lane this far below its strip's typical height is blank there */

/* The block-averaged working copy of the region. */
typedef struct grid {
    int w, h;        /* cells */
    int fx, fy;      /* pixels per cell */
    int x0, y0;      /* image position of cell (0,0) */
    float *v;        /* mean of the valid pixels of the cell */
    uint8_t *ok;     /* 1 = membrane: valid and not margin */
    float *t;        /* compressed signal above background, 0 where !ok */
    uint8_t *lab;    /* strip of the cell (0-based), NO_STRIP between strips */
} grid_t;

#define NO_STRIP 255
#define LANES_MAX_STRIPS 16    /* strips the detector keeps apart */

/* One candidate or final lane, in cell units along the strip's column profile. */
typedef struct peak {
    double pos;      /* centre (cells) */
    double left, right;
    double height;   /* profile value at the peak */
    double prom;     /* prominence */
    int faint;       /* added from the band-row profile (1) or as a comb tooth
                        (COMB_TOOTH): width from the others */
    int empty;       /* a comb tooth with no signal in any strip */
} peak_t;

/* Per-strip working state. */
typedef struct strip_work {
    int id;          /* label of its cells in grid.lab */
    int gy0, gy1;    /* cell rows, inclusive */
    double top, bottom; /* image rows of its boundaries (mid-gap edges) */
    double slope;    /* dx/dy in cells */
    double yref;     /* cell row of the reference line */
    double *prof;    /* column profile, grid.w */
    double noise;    /* noise of prof */
    peak_t *cand;
    int n_cand;
    double shift;    /* offset against the reference strip, cells */
    int band_row;    /* 1 when prof was taken along the main band row only ... */
    int row0, row1;  /* ... these cell rows (lanes_bandrow.c) */
} strip_work_t;

/* A gap between cut strips, as a line through the grid: centre row
 * y = a + b * (x - xc) (cells), reaching up cells above and down below. */
typedef struct gapline {
    double a, b, xc, up, down;
} gapline_t;

/* ---- lanes_util.c: small numeric helpers ---------------------------- */

/* The q-quantile of n floats, nearest rank; reorders v. */
float bq_lanes_quantile_f(float *v, size_t n, double q);
/* The median of v[0..n) (0 when n is 0); sorts v. */
double bq_lanes_median(double *v, int n);
/* Linear interpolation of a[0..n-1] at x; 0 outside. */
double bq_lanes_interp(const double *a, int n, double x);
/* passes of a [1 2 1]/4 smoothing of p[0..n); tmp holds n. */
void bq_lanes_smooth3(double *p, double *tmp, int n, int passes);

/* ---- lanes_grid.c: 1/1a. the grid and the membrane mask ------------- */

/* Block-average the region (rx, ry, rw, rh) of img into g and mask what is
 * not membrane (invalid cells, the margin connected to the border); the
 * membrane's box in cells goes to bx0..by1. On success g is owned by the
 * caller (bq_lanes_grid_free); on BQ_ERR_NOMEM nothing is left allocated. */
int bq_lanes_grid_membrane(const bq_image_t *img, int rx, int ry, int rw, int rh, grid_t *g,
                           int *bx0, int *by0, int *bx1, int *by1);
void bq_lanes_grid_free(grid_t *g);

/* ---- lanes_tray.c: 1b. trays and strip gaps -------------------------- */

/* Mask a tray around the membrane and the gaps between cut strips, label
 * every cell with its strip and shrink the box. gl receives at most gcap
 * gaps, *n_gaps their count. 0 or BQ_ERR_NOMEM. */
int bq_lanes_grid_tray(grid_t *g, int *bx0, int *by0, int *bx1, int *by1, gapline_t *gl, int gcap,
                       int *n_gaps);

/* ---- lanes_flatten.c: 2. background and compression ------------------ */

/* Fill g->t with the compressed signal above a smooth background over the
 * box. 0 or BQ_ERR_NOMEM. */
int bq_lanes_grid_flatten(grid_t *g, int bx0, int by0, int bx1, int by1);

/* ---- lanes_strips.c: 3. strips, their alignment, their own lanes ----- */

/* The strips of the box, at most cap, into sw (id, rows, boundaries).
 * Returns the count. */
int bq_lanes_find_strips(const grid_t *g, int bx0, int by0, int bx1, int by1, const gapline_t *gl,
                         int ng, strip_work_t *sw, int cap);
/* The shift (cells) that best aligns profile q onto p, within +-maxs. */
double bq_lanes_align_shift(const double *p, const double *q, int a, int b, int maxs);
/* A strip's baseline (the low tenth of profile p over a..b) and the
 * height above it of its typical lane: quantile q of the heights of the n
 * lanes l at their positions plus shift. tmp holds b - a + 1. */
void bq_lanes_strip_levels(const double *p, int a, int b, const peak_t *l, double shift, int n,
                           double q, double *tmp, double *base, double *typical);
/* Strip sw's own lanes (one of ns strips) from the shared ones: moved by
 * its shift, re-centred on its own peaks, with its own edges. sl receives
 * nl lanes; tmp holds the grid's width. */
void bq_lanes_strip_lanes(const strip_work_t *sw, int ns, int bx0, int bx1, const peak_t *lanes,
                          int nl, double *tmp, peak_t *sl);

/* ---- lanes_tilt.c: 4. tilt and column profile ------------------------ */

/* Sum of squares about the mean of p[0..n): how sharp a profile is. */
double bq_lanes_profile_sharpness(const double *p, int n);
/* Set sw->yref and sw->slope and fill sw->prof (grid.w). 0 or
 * BQ_ERR_NOMEM. */
int bq_lanes_strip_profile(const grid_t *g, int bx0, int bx1, strip_work_t *sw);

/* ---- lanes_bandrow.c: 4, second opinion --------------------------- */

/* Fill strip sw's column profile from its main band row only, upright
 * (slope 0, yref the row); a strip without a row standing out gets
 * bq_lanes_strip_profile's. 0 or BQ_ERR_NOMEM. */
int bq_lanes_strip_row_profile(const grid_t *g, int bx0, int bx1, strip_work_t *sw);

/* Lanes at either end of l (n) whose band row shows no band of their own,
 * in no strip (bq_lanes_band_standout under BLANK_LANE of the lanes' median):
 * a membrane's edge lit along its length, or a smear crossing the row.
 * They are dropped. rowp holds the grid's height. Returns the new count. */
int bq_lanes_trim_bandless_ends(const grid_t *g, const strip_work_t *sw, int ns, peak_t *l,
                                int n, double *rowp);

/* ---- lanes_peaks.c: 5. peaks and lanes of a profile ------------------ */

/* Noise of p[a..b] from its first differences; tmp holds b - a. */
double bq_lanes_profile_noise(const double *p, int a, int b, double *tmp);
/* Local maxima of p[a..b] (at most cap), by prominence. Returns the count. */
int bq_lanes_find_peaks(const double *p, int a, int b, peak_t *out, int cap);
/* Set the left and right edges of the n lanes l (sorted by position). */
void bq_lanes_lane_edges(const double *p, int a, int b, peak_t *l, int n);
/* Drop specks, label columns and halves of bent bands from a comb of n
 * lanes. Returns the new count. */
int bq_lanes_comb_cleanup(const double *p, int a, int b, peak_t *lanes, int n, double *tmp);
/* The lanes of profile p[a..b] from its peaks cand: want of them, or
 * automatic (want 0). Returns the count. */
int bq_lanes_choose_lanes(const double *p, int a, int b, double noise, peak_t *cand, int n_cand,
                          int want, peak_t *lanes, double *tmp);

/* ---- lanes_comb.c: 5b/5c. the comb ----------------------------------- */

/* Lanes too faint for the whole column profile, found along the band row
 * of strip sw. Returns the new count. */
int bq_lanes_add_faint_lanes(const grid_t *g, const strip_work_t *sw, int bx0, int bx1,
                             peak_t *lanes, int nl, double *tmp, double *rowp, double *rp,
                             peak_t *cand, int cap, peak_t *out);
/* Cut lanes several pitches wide into one lane a pitch. Returns the new count. */
int bq_lanes_split_merged_lanes(const double *p, peak_t *l, int n, double *tmp);
/* Teeth missing inside a regular comb. Returns the new count. */
int bq_lanes_fill_comb_gaps(const strip_work_t *sw, int ns, int bx0, int bx1, peak_t *l, int n,
                            double *tmp);
/* One more tooth at either end of a regular comb where a strip shows
 * signal and a band there, placed on the comb's line and snapped to a peak
 * of the summed profile p nearby; rowp holds the grid's height. Returns
 * the new count. */
int bq_lanes_extend_comb_ends(const grid_t *g, const strip_work_t *sw, int ns, const double *p,
                              int bx0, int bx1, peak_t *l, int n, double *rowp, double *tmp);

/* How far lane l's strongest band (along its band row, for a strip whose
 * profile came from one: sw->band_row) stands over the lane's own median
 * along strip sw; rowp holds the strip's rows. */
double bq_lanes_band_standout(const grid_t *g, const strip_work_t *sw, const peak_t *l,
                              double *rowp);

/* Is the comb of lanes l regular: at most one gap in COMB_ODD_GAPS not a
 * whole number of pitches? tmp holds n. */
int bq_lanes_comb_regular(const peak_t *l, int n, double *tmp);

/* ---- lanes_combfit.c: 5d. a comb fitted to the whole profile ---------- */

/* The comb whose teeth stand highest over the points half a pitch beside
 * them along profile v (w cells) over a..b, at a pitch between the
 * spacing of the peaks cand (nc, from bq_lanes_find_peaks) and that of the
 * lanes found so far (nl), its teeth where v shows
 * signal into out (BQ_MAX_LANES); 0 when no comb stands FIT_SNR times the
 * noise. Returns the count. */
int bq_lanes_fit_comb(const double *v, int w, int a, int b, double noise, const peak_t *cand,
                      int nc, const peak_t *lanes, int nl, peak_t *out);

/* ---- lanes_ladders.c: 6/6b. ladders and label columns ---------------- */

/* The bands along lane l of strip sw; rowp and tmp hold the grid's height. */
int bq_lanes_lane_band_count(const grid_t *g, const strip_work_t *sw, const peak_t *l, double *rowp,
                             double *tmp);
/* Which of nl lanes are ladders, from their band counts summed over ns
 * strips: is_ladder[i] 1 or 0. */
void bq_lanes_ladder_flags(const int *counts, int nl, int ns, int *is_ladder);
/* The band count of each of the n lanes l (the shared ones, moved by each
 * strip's shift) summed over the ns strips; rowp and tmp hold the grid's
 * height. */
void bq_lanes_band_counts(const grid_t *g, const strip_work_t *sw, int ns, const peak_t *l, int n,
                          double *rowp, double *tmp, int *counts);
/* Drop columns of burned-in text from the ends of res's lanes; counts
 * follows the lanes. placed[i] is nonzero for a lane the comb placed (its
 * width given, not measured). Returns the new lane count or BQ_ERR_NOMEM. */
int bq_lanes_drop_label_lanes(const bq_image_t *img, bq_lanes_t *res, int *counts,
                              const int *placed);
/* Keep lanes lo..hi of res (every strip, renumbered from 1); counts
 * follows. Returns the new lane count. */
int bq_lanes_keep_range(bq_lanes_t *res, int *counts, int lo, int hi);
/* Drop empty comb teeth left at either end of res (an unloaded well is
 * placed only between loaded lanes, where the comb's gap shows it; at an
 * end nothing does, once the lane beyond it is gone); counts follows.
 * Returns the new lane count. */
int bq_lanes_drop_empty_ends(bq_lanes_t *res, int *counts);

/* ---- lanes_frame.c: 6c. lanes beyond a figure's frame ---------------- */

/* Drop end lanes that lie beyond, or on, a frame line drawn down the
 * strips (a journal figure's box); counts follows the lanes. Returns the
 * new lane count or BQ_ERR_NOMEM. */
int bq_lanes_drop_framed_out(const bq_image_t *img, bq_lanes_t *res, int *counts);

#endif
