/* normalize.h - from a band table and a sample sheet to one row per lane:
 * target / loading control, relative to the vehicle lanes of the same blot.
 *
 *   ratio    = target net volume / control net volume
 *   relative = ratio / mean ratio of the usable vehicle (dose 0) lanes
 *
 * A lane whose control band is saturated, or too faint to trust, gets a flag
 * and is left out of the fit by default: its ratio is not an honest measure
 * of the target. */
#ifndef BLOTQUANT_NORMALIZE_H
#define BLOTQUANT_NORMALIZE_H

#include <stdio.h>

#include "bands.h"
#include "error.h"
#include "export.h"
#include "samples.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bq_norm_flags {
    BQ_NORM_CONTROL_SATURATED = 1u << 0, /* control band has clipped pixels */
    BQ_NORM_CONTROL_FAINT = 1u << 1,     /* control net volume too small to divide by */
    BQ_NORM_TARGET_SATURATED = 1u << 2,  /* target band clipped: ratio underestimated */
    BQ_NORM_TARGET_WEAK = 1u << 3,       /* target not detected; measured at the row (kept) */
    BQ_NORM_NO_VEHICLE = 1u << 4,        /* no usable vehicle lane: relative undefined */
    BQ_NORM_REFERENCE_FITTED = 1u << 5,  /* no usable vehicle lane: relative is ratio / the
                                            fitted top of this blot's own curve */
};

/* Flags that take a lane out of the fit unless the user keeps them. */
#define BQ_NORM_EXCLUDE_MASK \
    (BQ_NORM_CONTROL_SATURATED | BQ_NORM_CONTROL_FAINT | BQ_NORM_TARGET_SATURATED | \
     BQ_NORM_NO_VEHICLE)

/* A control band is "faint" below this fraction of the median control net
 * volume of the blot. */
#define BQ_NORM_FAINT_FRACTION 0.1

typedef struct bq_norm_row {
    int lane;
    double dose;           /* in the sheet's display unit */
    double dose_nm;
    double target, control;/* net volumes */
    double ratio, relative;/* NaN when undefined */
    int replicate;         /* from the sheet, else the caller's blot number */
    unsigned flags;        /* bq_norm_flags */
    char group[BQ_SAMPLE_GROUP_MAX]; /* the sheet's group ("" = none): one
                                        dose series each, e.g. a compound */
} bq_norm_row_t;

typedef struct bq_norm_table {
    char *image;           /* the blot these rows came from */
    char unit[32];         /* display unit label */
    int n;
    bq_norm_row_t *rows;   /* by lane */
    int n_vehicle;         /* usable vehicle lanes behind the reference ratio */
} bq_norm_table_t;

/* Normalise one blot's band table. target and control name band rows
 * (bq_band_t.protein). Lanes not in the sheet and ladder lanes are skipped;
 * replicate labels rows whose sheet gives none. Caller owns *out
 * (bq_norm_table_free). Errors: BQ_ERR_NOT_FOUND when a row name is not in
 * the table or no lane of the sheet is in the image. */
BQ_API int bq_normalize(const bq_band_table_t *bands, const char *image,
                        const bq_sample_sheet_t *sheet, const char *target,
                        const char *control, int replicate, bq_norm_table_t **out,
                        bq_error_t *err);

BQ_API void bq_norm_table_free(bq_norm_table_t *table);

/* For a blot without a usable vehicle lane (e.g. every vehicle control band
 * saturated): express relative as ratio / reference, where reference is the
 * top of a curve fitted to this blot's ratios, and mark the rows
 * BQ_NORM_REFERENCE_FITTED instead of BQ_NORM_NO_VEHICLE. reference must be
 * > 0. */
BQ_API void bq_norm_table_set_reference(bq_norm_table_t *table, double reference);

/* Render flags as ';'-separated words ("control_saturated;target_weak"). */
BQ_API const char *bq_norm_flags_str(unsigned flags, char *buf, size_t size);

/* The normalized.csv header (no newline). */
BQ_API extern const char BQ_NORMALIZED_CSV_HEADER[];

/* Write the rows (header first if header != 0). target/control name the
 * proteins in the target/control columns' sense. 0 or BQ_ERR_IO. */
BQ_API int bq_norm_table_write_csv(FILE *fp, const bq_norm_table_t *table, int header);

#ifdef __cplusplus
}
#endif
#endif
