/* fit_table.h - a dose/response table (normalized.csv or any CSV with a
 * dose and a response column) turned into fit points. */
#ifndef BLOTQUANT_FIT_TABLE_H
#define BLOTQUANT_FIT_TABLE_H

#include <stddef.h>

#include "blotquant/csv.h"
#include "blotquant/error.h"
#include "blotquant/export.h"
#include "blotquant/fit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bq_fit_table_options {
    const char *dose_col;     /* default "dose" */
    const char *response_col; /* default "relative" if the table has it, else "response" */
    int unit;                 /* bq_unit to convert doses to; -1: the first dosed row's unit */
    int keep_flagged;         /* 1: rows whose flags say "leave out" are fitted too */
    const char *group;        /* with a `group` column: this series' rows, plus vehicle
                                 rows without a group; NULL: the table must hold one
                                 series (two or more groups is an error naming them) */
} bq_fit_table_options_t;

/* Defaults as above. */
BQ_API void bq_fit_table_options_init(bq_fit_table_options_t *o);

/* The points of csv (`name` labels messages): one per row with a response;
 * rows whose response is empty or NA/NaN are skipped and counted in
 * *skipped. Doses are converted to one unit when the table has a `unit`
 * column (*unit_out: that unit, -1 if none); a `flags` cell holding
 * "excluded" or a flag of BQ_NORM_EXCLUDE_MASK marks the point excluded
 * unless keep_flagged; a `replicate` column is copied. A missing column, a
 * cell that is not a number or an unknown unit is an error naming the table
 * and line. *out is malloc'ed (free it); on error nothing is returned. */
BQ_API int bq_fit_points_from_csv(const bq_csv_t *csv, const char *name,
                                  const bq_fit_table_options_t *o, bq_fit_point_t **out,
                                  size_t *n_out, int *unit_out, int *skipped,
                                  bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
