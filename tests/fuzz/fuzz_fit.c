/* fuzz_fit.c - a dose/response table through what `blotquant fit` does: CSV
 * -> points (dose, response, unit, flags, replicate columns) -> bq_fit_4pl
 * -> fit.csv row, JSON and the SVG plot.
 *
 * The table-to-points step is the library's (bq_fit_points_from_csv), as
 * in the CLI. The fit options follow the input length, so each input also exercises fixed
 * top/bottom, Wald intervals and the hook switch without spending bytes of
 * the table on them. Checks: a result is always filled; an OK fit has finite
 * estimates, a positive DC50 inside its interval, and counts within the
 * listed arrays. */
#include <math.h>
#include <string.h>

#include "blotquant/csv.h"
#include "blotquant/fit.h"
#include "blotquant/fit_table.h"
#include "blotquant/samples.h"
#include "fuzz.h"

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
    bq_fit_point_t *pts = NULL;
    size_t n = 0;
    int unit = -1, skipped = 0;
    bq_error_t terr = {0};
    rc = bq_fit_points_from_csv(csv, "fuzz-dose.csv", NULL, &pts, &n, &unit, &skipped, &terr);
    FUZZ_CHECK_ERR(rc, terr);
    if (rc != 0) {
        FUZZ_CHECK(pts == NULL && n == 0, "nothing returned on error");
        bq_csv_free(csv);
        return 0;
    }
    FUZZ_CHECK(n + (size_t)skipped == (size_t)csv->n_rows, "every row a point or skipped");
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
