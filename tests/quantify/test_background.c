/* test_background.c - the background methods on images with a known answer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "synth.h"


static void test_names(void)
{
    const char *names[] = {"auto", "rolling-ball", "border-median", "none"};
    for (int i = 0; i < 4; i++) {
        int m = bq_background_parse(names[i]);
        CHECK(m >= 0, "parse %s", names[i]);
        CHECK(m >= 0 && strcmp(bq_background_name((bq_background)m), names[i]) == 0,
              "name of %s", names[i]);
    }
    CHECK(bq_background_parse("ball") == -1, "unknown name accepted");
    CHECK(bq_background_parse(NULL) == -1, "NULL name accepted");
}

/* One lane, one band on background a + b x + c y: integrate a box of
 * +-4 sigma and compare net volume with the rendered band volume. */
static void one_band(double bg_dx, double bg_dy, double noise, double tol_auto,
                     double tol_rb, double tol_bm, const char *what)
{
    syn_params_t p;
    syn_default(&p);
    p.width = 220;
    p.height = 240;
    p.n_lanes = 1;
    p.x_first = 110;
    p.n_rows = 1;
    p.row_y[0] = 120;
    p.amp[0][0] = 10000;
    p.bg0 = 2000;
    p.bg_dx = bg_dx;
    p.bg_dy = bg_dy;
    p.noise = noise;
    syn_blot_t b;
    if (syn_render(&p, &b) != 0) {
        CHECK(0, "render");
        return;
    }
    bq_band_t band;
    memset(&band, 0, sizeof band);
    band.lane = 1;
    band.row = 1;
    band.x_left = (int)(p.x_first - p.lane_width / 2 - 4);
    band.x_right = (int)(p.x_first + p.lane_width / 2 + 4);
    band.y_top = (int)(p.row_y[0] - 4 * p.sigma_y);
    band.y_bottom = (int)(p.row_y[0] + 4 * p.sigma_y);
    band.y_peak = p.row_y[0];
    bq_band_table_t t = {.n_bands = 1, .bands = &band, .n_lanes = 1, .n_rows = 1};
    double truth = b.volume[0][0];
    struct {
        bq_background m;
        double tol;
    } ms[] = {{BQ_BG_AUTO, tol_auto}, {BQ_BG_ROLLING_BALL, tol_rb}, {BQ_BG_BORDER_MEDIAN, tol_bm}};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        if (ms[i].tol <= 0)
            continue;
        bq_error_t err = {0};
        int rc = bq_quantify(b.img, &b.lanes, ms[i].m, &t, &err);
        CHECK(rc == 0, "%s: quantify failed: %s", what, err.msg);
        double rel = (band.net_volume - truth) / truth;
        printf("%-28s %-14s net %.1f truth %.1f error %+.3f %%\n", what,
               bq_background_name(ms[i].m), band.net_volume, truth, 100 * rel);
        CHECK(fabs(rel) <= ms[i].tol, "%s: %s net volume off by %.3f %% (tolerance %.2f %%)",
              what, bq_background_name(ms[i].m), 100 * rel, 100 * ms[i].tol);
        CHECK(!(band.flags & BQ_BAND_SATURATED), "%s: unsaturated band flagged", what);
        CHECK(fabs(band.volume - band.background - band.net_volume) < 1e-6 * band.volume,
              "%s: volume - background != net", what);
    }
    syn_free(&b);
}

/* A clipped band is flagged and its clipped pixels counted; its neighbour
 * is not. */
static void test_saturation(void)
{
    syn_params_t p;
    syn_default(&p);
    p.n_lanes = 2;
    p.n_rows = 1;
    p.amp[0][0] = 6000;
    p.amp[0][1] = 30000;
    p.clip = 20000;
    syn_blot_t b;
    if (syn_render(&p, &b) != 0) {
        CHECK(0, "render");
        return;
    }
    bq_band_t bands[2];
    memset(bands, 0, sizeof bands);
    long expect_sat[2] = {0, 0};
    for (int l = 0; l < 2; l++) {
        bands[l].lane = l + 1;
        bands[l].row = 1;
        bands[l].x_left = (int)(p.x_first + l * p.pitch - p.lane_width / 2);
        bands[l].x_right = (int)(p.x_first + l * p.pitch + p.lane_width / 2);
        bands[l].y_top = (int)(p.row_y[0] - 16);
        bands[l].y_bottom = (int)(p.row_y[0] + 16);
        bands[l].y_peak = p.row_y[0];
        for (int y = bands[l].y_top; y <= bands[l].y_bottom; y++)
            for (int x = bands[l].x_left; x <= bands[l].x_right; x++)
                expect_sat[l] += b.img->data[(size_t)y * p.width + x] >= 20000;
    }
    bq_band_table_t t = {.n_bands = 2, .bands = bands, .n_lanes = 2, .n_rows = 1};
    bq_error_t err = {0};
    CHECK(bq_quantify(b.img, &b.lanes, BQ_BG_AUTO, &t, &err) == 0, "quantify: %s", err.msg);
    CHECK(!(bands[0].flags & BQ_BAND_SATURATED) && bands[0].saturated_pixels == 0,
          "unsaturated band flagged (%ld px)", bands[0].saturated_pixels);
    CHECK((bands[1].flags & BQ_BAND_SATURATED) && bands[1].saturated_pixels == expect_sat[1] &&
              expect_sat[1] > 0,
          "saturated band: %ld clipped pixels reported, %ld expected", bands[1].saturated_pixels,
          expect_sat[1]);
    CHECK(bands[1].max_value == 20000, "max value %.1f, expected 20000", bands[1].max_value);
    syn_free(&b);
}

/* Invalid pixels (outside the picture) never count. */
static void test_invalid(void)
{
    bq_image_t *img = bq_image_new(60, 60);
    if (!img) {
        CHECK(0, "alloc");
        return;
    }
    img->valid = calloc(3600, 1);
    for (int i = 0; i < 3600; i++) {
        img->data[i] = 100;
        img->valid[i] = 1;
    }
    for (int x = 20; x < 40; x++) { /* a row of holes holding garbage */
        img->data[30 * 60 + x] = 0;
        img->valid[30 * 60 + x] = 0;
    }
    bq_band_t band;
    memset(&band, 0, sizeof band);
    band.x_left = 20;
    band.x_right = 39;
    band.y_top = 25;
    band.y_bottom = 35;
    band.y_peak = 30;
    bq_band_table_t t = {.n_bands = 1, .bands = &band, .n_lanes = 1, .n_rows = 1};
    bq_error_t err = {0};
    CHECK(bq_quantify(img, NULL, BQ_BG_BORDER_MEDIAN, &t, &err) == 0, "quantify: %s", err.msg);
    CHECK(fabs(band.volume - 100.0 * 20 * 10) < 1e-6, "volume %.1f counts invalid pixels", band.volume);
    CHECK(fabs(band.net_volume) < 1e-6, "net %.3f on a flat image", band.net_volume);
    bq_image_free(img);
}

int main(void)
{
    test_names();
    /* Tolerances (fractions of the true volume) are about 3x the error each
     * method makes on these pictures, which are the same on every run
     * (auto / rolling-ball / border-median, measured in %):
     * flat: 0.005 / 0.021 / 0.005 */
    one_band(0, 0, 0, 0.00015, 0.0006, 0.00015, "flat");
    /* x gradient: 0.005 / 0.154 / 0.005 */
    one_band(3.0, 0, 0, 0.00015, 0.005, 0.00015, "x gradient");
    /* x+y gradient: 0.015 / 0.666 / (a y gradient is not border-median's case) */
    one_band(1.5, 6.0, 0, 0.0005, 0.02, 0, "x+y gradient");
    /* x+y gradient, noise of one fixed seed: 0.034 (auto only) */
    one_band(1.5, 6.0, 40, 0.001, 0, 0, "x+y gradient, noise 40");
    test_saturation();
    test_invalid();
    if (check_failures) {
        fprintf(stderr, "%d check(s) failed\n", check_failures);
        return 1;
    }
    printf("all background checks passed\n");
    return 0;
}
