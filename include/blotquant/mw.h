/* mw.h - molecular-weight calibration from a ladder (marker) lane.
 *
 * A ladder is a list of marker sizes in kDa, largest first (it runs nearest
 * the wells, at the top). The band peaks found along a ladder lane are
 * matched to that list, robust to a marker that is missing (faint, cut off
 * by a strip edge) and to an extra peak (a dimer, a speck); then
 * log10(kDa) against migration (image row) is interpolated with a
 * monotone piecewise cubic (Fritsch-Carlson). Sizes beyond the outermost
 * matched markers are extrapolated along the end segment and flagged:
 * the caller decides whether to trust them. */
#ifndef BLOTQUANT_MW_H
#define BLOTQUANT_MW_H

#include "bands.h"
#include "error.h"
#include "export.h"
#include "image.h"
#include "lanes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BQ_MW_MAX_MARKERS 24
#define BQ_MW_MAX_PEAKS 48
#define BQ_MW_NAME_MAX 48

/* The ladder used when none is named ("auto"). */
#define BQ_MW_DEFAULT_LADDER "precision-plus"

/* A good match: at least this many markers matched, and a root-mean-square
 * residual of log10(kDa) about a smooth (quadratic) fit below this (0.02
 * is about 5 % in kDa). Worse matches are not used by "auto". */
#define BQ_MW_MIN_MATCHED 5
#define BQ_MW_GOOD_RESIDUAL 0.02

typedef struct bq_mw_ladder {
    char name[BQ_MW_NAME_MAX]; /* preset name, or "custom" for a list */
    int n;
    double kda[BQ_MW_MAX_MARKERS]; /* strictly falling */
} bq_mw_ladder_t;

/* Names of the built-in presets, NULL-terminated. */
BQ_API extern const char *const bq_mw_preset_names[];

/* Fill *out from a preset name or an explicit comma list of sizes in kDa
 * ("250,150,100,75"), at least 3, positive, given largest first. Returns 0
 * or BQ_ERR_INVALID with a message naming what is wrong. */
BQ_API int bq_mw_ladder_parse(const char *spec, bq_mw_ladder_t *out, bq_error_t *err);

/* A calibration: matched marker rows y (increasing; for a blot's ladder
 * lanes membrane rows, see bq_mw_membrane_row) and their log10(kDa)
 * (falling), with the interpolant's slopes at them. */
typedef struct bq_mw_calib {
    char ladder[BQ_MW_NAME_MAX];
    int n;                          /* matched markers */
    double y[BQ_MW_MAX_MARKERS];
    double logk[BQ_MW_MAX_MARKERS];
    double d[BQ_MW_MAX_MARKERS];    /* d logk / dy at y[i] (PCHIP) */
    double residual;                /* rms log10 residual about a quadratic fit */
    int n_peaks;                    /* peaks offered */
    int n_unmatched_peaks;          /* peaks that are no marker */
    int n_missing;                  /* markers inside the matched range not seen */
} bq_mw_calib_t;

/* Match peaks (rows along the ladder lane, any order, n_peaks of them) to
 * ladder and build the calibration in *out. BQ_ERR_NOT_FOUND when fewer
 * than 3 markers can be matched. */
BQ_API int bq_mw_calibrate(const double *peaks, int n_peaks, const bq_mw_ladder_t *ladder,
                    bq_mw_calib_t *out, bq_error_t *err);

/* 1 if c is good enough to use without the user asking for it. */
BQ_API int bq_mw_calib_good(const bq_mw_calib_t *c);

/* The size in kDa at row y. *extrapolated (may be NULL) is set to 1 when y
 * lies outside the matched markers' rows (the value then follows the end
 * segment's straight line in log10 kDa). */
BQ_API double bq_mw_kda_at(const bq_mw_calib_t *c, double y, int *extrapolated);

/* The row where size kda runs (the inverse of bq_mw_kda_at, extrapolating
 * the same way); NAN if c is empty. */
BQ_API double bq_mw_row_of(const bq_mw_calib_t *c, double kda);

/* ---- ladder lanes of a blot ------------------------------------------- */

/* Membrane rows: image rows with the gaps between cut strips taken out
 * (each strip moved up against the one above it), so a ladder's markers in
 * several strips lie on one migration curve. The calibrations of
 * bq_mw_calibrate_lanes are in membrane rows. With one strip both are the
 * identity. */
BQ_API double bq_mw_membrane_row(const bq_lanes_t *lanes, double y);
BQ_API double bq_mw_image_row(const bq_lanes_t *lanes, double v);

#define BQ_MW_MAX_LADDERS 8

/* The calibrations of every ladder lane of a blot. */
typedef struct bq_mw_result {
    int n;                           /* ladder lanes calibrated */
    int lane[BQ_MW_MAX_LADDERS];     /* 1-based lane index */
    double x[BQ_MW_MAX_LADDERS];     /* lane centre (first strip, its y_ref) */
    bq_mw_calib_t calib[BQ_MW_MAX_LADDERS];
    int n_failed;                    /* ladder lanes that could not be matched */
} bq_mw_result_t;

/* Find the band peaks along every lane marked is_ladder (from the lane's own
 * profile in img, bands bright) and calibrate each against ladder. out->n
 * is 0 when no ladder lane is found or none matches. 0 or BQ_ERR_NOMEM. */
BQ_API int bq_mw_calibrate_lanes(const bq_image_t *img, const bq_lanes_t *lanes,
                          const bq_mw_ladder_t *ladder, bq_mw_result_t *out,
                          bq_error_t *err);

/* Set mw_kda of every band of table from mw (and BQ_BAND_MW_EXTRAPOLATED
 * where it lies beyond the markers). A sample band is read on its row's
 * course across the lanes carried over to each ladder lane (so smile and
 * tilt between the band and the ladder do not count), and between two
 * ladders the sizes are interpolated by lane position. Bands stay NAN when
 * mw has no calibration. */
BQ_API void bq_mw_apply(const bq_mw_result_t *mw, const bq_lanes_t *lanes, bq_band_table_t *table);

/* Name band rows by size: row_kda[i] > 0 gives names[i] to the row whose
 * median mw_kda is nearest (relative), if within tol (0.15 = 15 %).
 * Returns 0 when every name found its own row; otherwise BQ_ERR_NOT_FOUND
 * with err saying which size found no row, and table unchanged. */
BQ_API int bq_mw_name_rows(bq_band_table_t *table, const char *const *names, const double *row_kda,
                    int n, double tol, bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
