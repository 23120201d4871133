/* fit_readback.c - an analysis's fit.csv back into its outcome. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fit_readback.h"

/* The number in column `name` of row r; NaN when empty, absent or not a
 * number. */
static double number(const bq_csv_t *csv, int r, const char *name)
{
    int c = bq_csv_column(csv, name);
    double v;
    if (c < 0 || cli_parse_double(bq_csv_cell(csv, r, c), -HUGE_VAL, HUGE_VAL, &v) != 0)
        return NAN;
    return v;
}

static const char *text(const bq_csv_t *csv, int r, const char *name)
{
    int c = bq_csv_column(csv, name);
    const char *s = c >= 0 ? bq_csv_cell(csv, r, c) : NULL;
    return s ? s : "";
}

static bq_fit_status status_named(const char *s)
{
    static const bq_fit_status all[] = {BQ_FIT_OK, BQ_FIT_BAD_INPUT, BQ_FIT_TOO_FEW_DOSES,
                                        BQ_FIT_FLAT, BQ_FIT_NO_RESPONSE, BQ_FIT_FAILED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, bq_fit_status_name(all[i])) == 0)
            return all[i];
    return BQ_FIT_FAILED;
}

/* Row r of the table as series s of out. */
static void read_series(const bq_csv_t *csv, int r, analyze_outcome_t *out, int s)
{
    bq_fit_result_t *f = &out->group_fit[s];
    memset(f, 0, sizeof *f);
    f->status = status_named(text(csv, r, "status"));
    f->dc50 = number(csv, r, "dc50");
    f->dc50_low = number(csv, r, "dc50_low");
    f->dc50_high = number(csv, r, "dc50_high");
    f->dmax = number(csv, r, "dmax");
    f->hook = strcmp(text(csv, r, "hook"), "yes") == 0;
    double flagged = number(csv, r, "n_flagged");
    f->n_flagged = isfinite(flagged) ? (int)flagged : 0;
    /* the vehicle lanes count in every series: the largest count, not the sum */
    if (f->n_flagged > out->n_flagged_lanes)
        out->n_flagged_lanes = f->n_flagged;
    snprintf(out->groups[s], sizeof out->groups[s], "%s", text(csv, r, "group"));
}

int fit_readback(const char *dir, analyze_outcome_t *out)
{
    out->fitted = 0;
    out->n_groups = 0;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/fit.csv", dir) >= (int)sizeof path)
        return -1;
    bq_csv_t *csv = NULL;
    bq_error_t err = {0};
    if (bq_csv_read_file(path, NULL, &csv, &err) != 0)
        return -1;
    int ok = bq_csv_column(csv, "dc50") >= 0 && bq_csv_column(csv, "status") >= 0 &&
             csv->n_rows > 0;
    for (int r = 0; ok && r < csv->n_rows && r < ANALYZE_MAX_GROUPS; r++)
        read_series(csv, r, out, out->n_groups++);
    if (ok) {
        out->fitted = 1;
        out->fit = out->group_fit[0];
        snprintf(out->unit, sizeof out->unit, "%s", text(csv, 0, "unit"));
        snprintf(out->target, sizeof out->target, "%s", text(csv, 0, "target"));
        snprintf(out->control, sizeof out->control, "%s", text(csv, 0, "control"));
    }
    bq_csv_free(csv);
    return ok ? 0 : -1;
}
