/* fit_table.c - a dose/response table into fit points: the one reading of
 * such tables, shared by `blotquant fit` and the fuzz target. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/fit_table.h"
#include "blotquant/normalize.h"
#include "blotquant/samples.h"
#include "internal.h"

void bq_fit_table_options_init(bq_fit_table_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->unit = -1;
}

/* Empty, NA or NaN: no measurement (normalized.csv writes an empty cell). */
static int is_missing(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || strcmp(s, "NA") == 0 || strcmp(s, "na") == 0 || strcmp(s, "NaN") == 0 ||
           strcmp(s, "nan") == 0;
}

/* A whole cell as a number (blanks around it allowed); -1 if it is not one. */
static int parse_cell(const char *s, double *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end;
    errno = 0;
    double v = bq_strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* Does a flags cell mark a lane to leave out of the fit? "excluded", or
 * any flag of BQ_NORM_EXCLUDE_MASK (words ';'-separated). */
static int flagged_out(const char *flags)
{
    char mask[256];
    bq_norm_flags_str(BQ_NORM_EXCLUDE_MASK, mask, sizeof mask);
    const char *p = flags;
    while (*p) {
        size_t len = strcspn(p, ";");
        char word[64];
        if (len > 0 && len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (strcmp(word, "excluded") == 0)
                return 1;
            for (const char *m = mask; *m;) {
                size_t ml = strcspn(m, ";");
                if (ml == len && strncmp(m, word, len) == 0)
                    return 1;
                m += ml + (m[ml] == ';');
            }
        }
        p += len + (p[len] == ';');
    }
    return 0;
}

/* Is row r in the series `group`: its own group, or a vehicle row (dose
 * 0) without a group, which every series shares? */
static int in_group(const bq_csv_t *csv, int r, int cd, int cg, const char *group)
{
    const char *g = bq_csv_cell(csv, r, cg);
    if (strcmp(g, group) == 0)
        return 1;
    double d;
    return g[0] == '\0' && parse_cell(bq_csv_cell(csv, r, cd), &d) == 0 && d == 0;
}

/* Without a chosen group the dosed rows must form one series: two groups
 * pooled into one curve would be a silent mistake. */
static int one_series(const bq_csv_t *csv, const char *name, int cd, int cg, bq_error_t *err)
{
    const char *first = NULL;
    for (int r = 0; r < csv->n_rows; r++) {
        double d;
        if (parse_cell(bq_csv_cell(csv, r, cd), &d) != 0 || !(d > 0))
            continue;
        const char *g = bq_csv_cell(csv, r, cg);
        if (!first)
            first = g;
        else if (strcmp(g, first) != 0)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "%s: more than one dose series in the group column ('%.40s', "
                                "'%.40s', ...): choose one with --group NAME",
                                name, first, g);
    }
    return 0;
}

int bq_fit_points_from_csv(const bq_csv_t *csv, const char *name,
                           const bq_fit_table_options_t *o, bq_fit_point_t **out, size_t *n_out,
                           int *unit_out, int *skipped, bq_error_t *err)
{
    bq_fit_table_options_t defaults;
    if (!o) {
        bq_fit_table_options_init(&defaults);
        o = &defaults;
    }
    *out = NULL;
    *n_out = 0;
    *skipped = 0;
    *unit_out = -1;
    if (!csv)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no table", name);
    const char *dose_col = o->dose_col ? o->dose_col : "dose";
    const char *resp_col = o->response_col;
    if (!resp_col)
        resp_col = bq_csv_column(csv, "relative") >= 0 ? "relative" : "response";
    int cd = bq_csv_column(csv, dose_col);
    int cr = bq_csv_column(csv, resp_col);
    if (cd < 0 || cr < 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no '%s' column", name,
                            cd < 0 ? dose_col : resp_col);
    int cu = bq_csv_column(csv, "unit");
    int cg = bq_csv_column(csv, "group");
    if (cg >= 0 && !o->group) {
        int rc = one_series(csv, name, cd, cg, err);
        if (rc != 0)
            return rc;
    }
    int cf = bq_csv_column(csv, "flags");
    int crep = bq_csv_column(csv, "replicate");
    /* the report unit: the caller's, else the first dosed row's */
    int unit = o->unit;
    for (int r = 0; r < csv->n_rows && unit < 0 && cu >= 0; r++) {
        double d;
        int u = bq_unit_parse(bq_csv_cell(csv, r, cu));
        if (u >= 0 && parse_cell(bq_csv_cell(csv, r, cd), &d) == 0 && d > 0)
            unit = u;
    }
    /* vehicle rows only: their unit, so an unknown one is still caught */
    for (int r = 0; r < csv->n_rows && unit < 0 && cu >= 0; r++)
        unit = bq_unit_parse(bq_csv_cell(csv, r, cu));
    bq_fit_point_t *pts = calloc(csv->n_rows > 0 ? (size_t)csv->n_rows : 1, sizeof *pts);
    if (!pts)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
    size_t n = 0;
    int skip = 0, rc = 0;
    for (int r = 0; r < csv->n_rows && rc == 0; r++) {
        int line = bq_csv_line(csv, r);
        const char *ds = bq_csv_cell(csv, r, cd), *rs = bq_csv_cell(csv, r, cr);
        if (cg >= 0 && o->group && !in_group(csv, r, cd, cg, o->group))
            continue;
        if (is_missing(rs)) {
            skip++;
            continue;
        }
        bq_fit_point_t *p = &pts[n];
        if (parse_cell(ds, &p->dose) != 0) {
            rc = bq_error_set(err, BQ_ERR_INVALID, "%s:%d: dose '%.40s' is not a number", name,
                              line, ds);
            break;
        }
        if (parse_cell(rs, &p->response) != 0) {
            rc = bq_error_set(err, BQ_ERR_INVALID, "%s:%d: %s '%.40s' is not a number", name,
                              line, resp_col, rs);
            break;
        }
        if (cu >= 0) {
            const char *us = bq_csv_cell(csv, r, cu);
            int u = bq_unit_parse(us);
            if (u < 0 && !is_missing(us)) {
                rc = bq_error_set(err, BQ_ERR_INVALID, "%s:%d: unknown unit '%.20s'", name, line,
                                  us);
                break;
            }
            if (u >= 0 && unit >= 0)
                p->dose = bq_unit_convert(p->dose, (bq_unit)u, (bq_unit)unit);
        }
        if (cf >= 0 && !o->keep_flagged && flagged_out(bq_csv_cell(csv, r, cf)))
            p->excluded = 1;
        double v;
        if (crep >= 0 && parse_cell(bq_csv_cell(csv, r, crep), &v) == 0 && fabs(v) < 1e9)
            p->replicate = (int)v;
        n++;
    }
    if (rc != 0) {
        free(pts);
        return rc;
    }
    *out = pts;
    *n_out = n;
    *unit_out = unit;
    *skipped = skip;
    return 0;
}
