/* fuzz_fit.c - a dose/response table through what `blotquant fit` does: CSV
 * -> points (dose, response, unit, flags, replicate columns) -> bq_fit_4pl
 * -> fit.csv row, JSON and the SVG plot.
 *
 * The table-to-points step mirrors cmd_fit.c's (which is static there). The
 * fit options follow the input length, so each input also exercises fixed
 * top/bottom, Wald intervals and the hook switch without spending bytes of
 * the table on them. Checks: a result is always filled; an OK fit has finite
 * estimates, a positive DC50 inside its interval, and counts within the
 * listed arrays. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "blotquant/csv.h"
#include "blotquant/fit.h"
#include "blotquant/samples.h"
#include "fuzz.h"

static int is_missing(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || strcmp(s, "NA") == 0 || strcmp(s, "na") == 0 ||
           strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0;
}

static int parse_cell(const char *s, double *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* The points of the table, or -1 where the CLI would refuse the table. */
static int read_points(const bq_csv_t *csv, bq_fit_point_t *pts, size_t *n_out)
{
    int cd = bq_csv_column(csv, "dose");
    int cr = bq_csv_column(csv, "relative") >= 0 ? bq_csv_column(csv, "relative")
                                                 : bq_csv_column(csv, "response");
    if (cd < 0 || cr < 0)
        return -1;
    int cu = bq_csv_column(csv, "unit"), cf = bq_csv_column(csv, "flags");
    int crep = bq_csv_column(csv, "replicate");
    int unit = -1;
    for (int r = 0; r < csv->n_rows && unit < 0 && cu >= 0; r++) {
        double d;
        int u = bq_unit_parse(bq_csv_cell(csv, r, cu));
        if (u >= 0 && parse_cell(bq_csv_cell(csv, r, cd), &d) == 0 && d > 0)
            unit = u;
    }
    size_t n = 0;
    for (int r = 0; r < csv->n_rows; r++) {
        const char *ds = bq_csv_cell(csv, r, cd), *rs = bq_csv_cell(csv, r, cr);
        if (is_missing(rs))
            continue;
        bq_fit_point_t *p = &pts[n];
        memset(p, 0, sizeof *p);
        if (parse_cell(ds, &p->dose) != 0 || parse_cell(rs, &p->response) != 0)
            return -1;
        if (cu >= 0 && unit >= 0) {
            const char *us = bq_csv_cell(csv, r, cu);
            int u = bq_unit_parse(us);
            if (u < 0 && !is_missing(us))
                return -1;
            if (u >= 0)
                p->dose = bq_unit_convert(p->dose, (bq_unit)u, (bq_unit)unit);
        }
        if (cf >= 0 && strstr(bq_csv_cell(csv, r, cf), "excluded"))
            p->excluded = 1;
        double v;
        if (crep >= 0 && parse_cell(bq_csv_cell(csv, r, crep), &v) == 0 && fabs(v) < 1e9)
            p->replicate = (int)v;
        n++;
    }
    *n_out = n;
    return 0;
}

static void check_result(const bq_fit_result_t *res, int rc, const bq_fit_options_t *fo)
{
    FUZZ_CHECK(memchr(res->message, '\0', sizeof res->message), "message terminated");
    FUZZ_CHECK((rc == 0) == (res->status == BQ_FIT_OK), "return code matches status");
    FUZZ_CHECK(res->status >= BQ_FIT_OK && res->status <= BQ_FIT_FAILED, "status in range");
    FUZZ_CHECK(strcmp(bq_fit_status_name(res->status), "") != 0, "status has a name");
    FUZZ_CHECK(res->n_hook >= 0 && res->n_hook <= BQ_FIT_MAX_LISTED, "n_hook fits its array");
    FUZZ_CHECK(res->n_excluded >= 0 && res->n_excluded <= BQ_FIT_MAX_LISTED,
               "n_excluded fits its array");
    if (rc != 0) {
        FUZZ_CHECK(res->message[0] != '\0', "a failed fit says why");
        return;
    }
    FUZZ_CHECK(isfinite(res->top) && isfinite(res->bottom) && isfinite(res->hill),
               "finite estimates");
    FUZZ_CHECK(isfinite(res->dc50) && res->dc50 > 0, "positive DC50");
    FUZZ_CHECK(res->n >= 4 && res->n_doses >= 4, "at least four doses");
    if (fo->fix_top)
        FUZZ_CHECK(res->top == fo->top, "fixed top is kept");
    if (fo->fix_bottom)
        FUZZ_CHECK(res->bottom == fo->bottom, "fixed bottom is kept");
    double tol = 1e-6 * res->dc50;
    if (!isnan(res->dc50_low))
        FUZZ_CHECK(res->dc50_low <= res->dc50 + tol, "CI low end below DC50");
    if (!isnan(res->dc50_high))
        FUZZ_CHECK(res->dc50_high >= res->dc50 - tol, "CI high end above DC50");
    double y = bq_fit_4pl_eval(res, 0.0);
    FUZZ_CHECK(!isnan(y), "the curve at vehicle");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bq_csv_t *csv = NULL;
    bq_error_t err = {0};
    int rc = bq_csv_read_buffer((const char *)data, size, "fuzz-dose.csv", NULL, &csv, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc != 0)
        return 0;
    bq_fit_point_t *pts = calloc(csv->n_rows > 0 ? (size_t)csv->n_rows : 1, sizeof *pts);
    FUZZ_CHECK(pts != NULL, "memory for the points");
    size_t n = 0;
    if (read_points(csv, pts, &n) != 0) {
        free(pts);
        bq_csv_free(csv);
        return 0;
    }
    int has_relative = bq_csv_column(csv, "relative") >= 0;
    bq_csv_free(csv);

    bq_fit_options_t fo;
    bq_fit_options_init(&fo);
    unsigned variant = (unsigned)(size % 8);
    if (has_relative)
        fo.abs_level = 0.5;
    if (variant & 1)
        fo.ci = BQ_CI_WALD;
    if (variant & 2)
        fo.detect_hook = 0;
    if (variant == 4) {
        fo.fix_top = 1;
        fo.top = 1.0;
        fo.abs_level = NAN;
    }
    if (variant == 6) {
        fo.fix_bottom = 1;
        fo.bottom = 0.0;
    }

    bq_fit_result_t res;
    memset(&res, 0xA5, sizeof res); /* the fitter must fill every field it reports */
    bq_error_t ferr = {0};
    rc = bq_fit_4pl(pts, n, &fo, &res, &ferr);
    check_result(&res, rc, &fo);
    for (size_t i = 0; i < n; i++)
        (void)bq_fit_point_excluded(&res, &pts[i]);

    FILE *sink = fuzz_null_stream();
    FUZZ_CHECK(sink != NULL, "/dev/null");
    FUZZ_CHECK(bq_fit_write_csv(sink, &res, "MDM2", "ACTB", "nM", 1) == 0, "fit.csv row");
    FUZZ_CHECK(bq_fit_write_json(sink, &res, "MDM2", "ACTB", "nM") == 0, "fit JSON");
    bq_plot_labels_t labels = {"MDM2 / ACTB", "nM", NULL};
    FUZZ_CHECK(bq_plot_dose_response_svg(sink, pts, n, &res, &labels) == 0, "the plot");
    FUZZ_CHECK(bq_plot_dose_response_svg(sink, pts, n, NULL, NULL) == 0, "points-only plot");
    free(pts);
    return 0;
}
