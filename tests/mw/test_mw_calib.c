/* test_mw_calib.c - the ladder matcher and the kDa interpolant on peaks
 * made up from a known migration curve: every marker, one missing, an extra
 * peak, the ends cut off; presets and lists parsed; values between the
 * markers read back. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "blotquant/mw.h"

/* A migration curve with some curvature: row of size kda. */
static double row_of(double kda)
{
    double u = log10(250.0 / kda);
    return 80.0 + 420.0 * u + 60.0 * u * u;
}

static double max_err(const bq_mw_calib_t *c)
{
    double worst = 0.0;
    for (double k = 12.0; k <= 240.0; k *= 1.07) {
        int ex;
        double got = bq_mw_kda_at(c, row_of(k), &ex);
        if (!ex)
            worst = fmax(worst, fabs(got / k - 1.0));
    }
    return worst;
}

static void check_case(const char *what, const double *kda, int n, double extra, int drop,
                       int expect_n)
{
    bq_mw_ladder_t lad;
    bq_error_t err = {0};
    CHECK(bq_mw_ladder_parse("precision-plus", &lad, &err) == 0, "%s", err.msg);
    double y[32];
    int np = 0;
    for (int i = 0; i < n; i++)
        if (i != drop)
            y[np++] = row_of(kda[i]) + 0.6 * sin(7.0 * i); /* peak-finding jitter */
    if (extra > 0)
        y[np++] = row_of(extra);
    bq_mw_calib_t c;
    int rc = bq_mw_calibrate(y, np, &lad, &c, &err);
    CHECK(rc == 0, "%s: %s", what, err.msg);
    CHECK(c.n == expect_n, "%s: %d markers matched, expected %d", what, c.n, expect_n);
    double e = max_err(&c);
    printf("%s: %d of %d peaks matched, residual %.4f, max kDa error %.2f %%\n", what, c.n, np,
           c.residual, 100.0 * e);
    CHECK(e < 0.03, "%s: kDa error %.3f", what, e);
    CHECK(bq_mw_calib_good(&c), "%s: calibration not good (residual %.4f)", what, c.residual);
    double r = bq_mw_row_of(&c, 42.0);
    CHECK(fabs(r - row_of(42.0)) < 3.0, "%s: 42 kDa at row %.1f, expected %.1f", what, r,
          row_of(42.0));
}

/* Between two ladders a band's size is interpolated by position: ladders
 * at x 50 and 250 that read the same row 10 rows apart (a smile across the
 * gel) give the band midway the geometric mean of their readings, and a
 * band beyond the outer ladder the nearer ladder's. */
static void check_between_ladders(void)
{
    static const double pp[] = {250, 150, 100, 75, 50, 37, 25, 20, 15, 10};
    bq_mw_ladder_t lad;
    bq_mw_ladder_parse("precision-plus", &lad, NULL);
    bq_mw_result_t mw = {.n = 2, .lane = {1, 5}, .x = {50, 250}};
    for (int k = 0; k < 2; k++) {
        double y[10];
        for (int i = 0; i < 10; i++)
            y[i] = row_of(pp[i]) + 10.0 * k;
        CHECK(bq_mw_calibrate(y, 10, &lad, &mw.calib[k], NULL) == 0, "ladder %d", k);
    }
    bq_band_t bands[3] = {
        {.lane = 2, .row = 1, .x_left = 90, .x_right = 110, .y_peak = row_of(60.0)},
        {.lane = 3, .row = 1, .x_left = 140, .x_right = 160, .y_peak = row_of(60.0)},
        {.lane = 6, .row = 1, .x_left = 290, .x_right = 310, .y_peak = row_of(60.0)},
    };
    bq_band_table_t t = {.n_bands = 3, .bands = bands, .n_lanes = 6, .n_rows = 1};
    bq_mw_apply(&mw, NULL, &t);
    double a = bq_mw_kda_at(&mw.calib[0], row_of(60.0), NULL);
    double b = bq_mw_kda_at(&mw.calib[1], row_of(60.0), NULL);
    double mid = sqrt(a * b);
    CHECK(fabs(bands[1].mw_kda / mid - 1.0) < 1e-6, "midway: %g kDa, expected %g",
          bands[1].mw_kda, mid);
    CHECK(fabs(bands[2].mw_kda / b - 1.0) < 1e-6, "beyond the right ladder: %g, expected %g",
          bands[2].mw_kda, b);
    CHECK(b > a && bands[0].mw_kda > a && bands[0].mw_kda < bands[1].mw_kda,
          "sizes do not follow position: %g %g %g", bands[0].mw_kda, bands[1].mw_kda,
          bands[2].mw_kda);
}

/* Membrane rows close the gaps between cut strips, and image rows undo it. */
static void check_membrane_rows(void)
{
    bq_strip_t st[3] = {{.y_top = 10, .y_bottom = 199}, {.y_top = 230, .y_bottom = 399},
                        {.y_top = 410, .y_bottom = 600}};
    bq_lanes_t lanes = {.n_strips = 3, .strips = st};
    CHECK(bq_mw_membrane_row(&lanes, 150.0) == 150.0, "first strip moved");
    CHECK(bq_mw_membrane_row(&lanes, 240.0) == 210.0, "second strip: %g",
          bq_mw_membrane_row(&lanes, 240.0));
    CHECK(bq_mw_membrane_row(&lanes, 500.0) == 460.0, "third strip: %g",
          bq_mw_membrane_row(&lanes, 500.0));
    for (double y = 10.0; y <= 600.0; y += 7.5)
        if (bq_lanes_strip_at(&lanes, (int)y))
            CHECK(fabs(bq_mw_image_row(&lanes, bq_mw_membrane_row(&lanes, y)) - y) < 1e-9,
                  "row %g does not come back", y);
}

int main(void)
{
    check_between_ladders();
    check_membrane_rows();
    static const double pp[] = {250, 150, 100, 75, 50, 37, 25, 20, 15, 10};
    check_case("all markers", pp, 10, 0, -1, 10);
    check_case("75 missing", pp, 10, 0, 3, 9);
    check_case("extra at 60", pp, 10, 60.0, -1, 10);
    check_case("extra and missing", pp, 10, 120.0, 6, 9);
    check_case("top two cut off", pp + 2, 8, 0, -1, 8);

    bq_mw_ladder_t lad;
    bq_error_t err = {0};
    CHECK(bq_mw_ladder_parse("250,150,100,75", &lad, &err) == 0 && lad.n == 4, "list");
    CHECK(bq_mw_ladder_parse("150,250,100", &lad, &err) != 0, "rising list accepted");
    CHECK(bq_mw_ladder_parse("nosuch", &lad, &err) != 0, "unknown name accepted");
    for (int i = 0; bq_mw_preset_names[i]; i++)
        CHECK(bq_mw_ladder_parse(bq_mw_preset_names[i], &lad, &err) == 0 && lad.n >= 9,
              "preset %s", bq_mw_preset_names[i]);
    /* outside the markers: a value and the flag */
    CHECK(bq_mw_ladder_parse("precision-plus", &lad, &err) == 0, "preset");
    double y[10];
    for (int i = 0; i < 10; i++)
        y[i] = row_of(pp[i]);
    bq_mw_calib_t c;
    CHECK(bq_mw_calibrate(y, 10, &lad, &c, &err) == 0, "%s", err.msg);
    int ex = 0;
    double k = bq_mw_kda_at(&c, row_of(8.0), &ex);
    CHECK(ex == 1 && k > 0 && k < 10.0, "below the ladder: %g kDa, flag %d", k, ex);
    return check_failures ? 1 : 0;
}
