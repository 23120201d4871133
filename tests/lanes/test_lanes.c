/* test_lanes - the lane detector on synthetic blots drawn here (no files):
 * lane count and centres against the drawing, forced counts, ROI, tilt,
 * strips, and a blank image that must give BQ_ERR_NOT_FOUND. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"
#include "../check.h"

/* A small deterministic generator so the pictures are the same everywhere. */
static uint64_t rng_state = 88172645463325252ULL;
static double rng_unit(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static double rng_gauss(void)
{
    double u = rng_unit() + 1e-12, v = rng_unit();
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

typedef struct spec {
    int w, h, n_lanes;
    double x0, x1;         /* lane centres spread evenly from x0 to x1 */
    double fill;           /* lane width / pitch */
    double tilt;           /* dx/dy */
    int n_rows;
    double row_y[4];       /* band centre rows */
    double amp[32];        /* per-lane amplitude of every band */
    double offset, noise, gradient;
} spec_t;

static double lane_centre(const spec_t *s, int i)
{
    return s->n_lanes == 1 ? 0.5 * (s->x0 + s->x1)
                           : s->x0 + (s->x1 - s->x0) * i / (s->n_lanes - 1);
}

static bq_image_t *draw(const spec_t *s)
{
    bq_image_t *img = bq_image_new(s->w, s->h);
    if (!img)
        return NULL;
    double pitch = s->n_lanes > 1 ? (s->x1 - s->x0) / (s->n_lanes - 1) : s->w / 2.0;
    double half = 0.5 * s->fill * pitch;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            double v = s->offset + s->gradient * x / s->w + s->noise * rng_gauss();
            for (int i = 0; i < s->n_lanes; i++) {
                double cx = lane_centre(s, i) + s->tilt * (y - 0.5 * s->h);
                double du = fabs(x - cx);
                if (du > half + 6)
                    continue;
                double hx = 0.5 * (erf((half - du) / 2.0) + 1.0);
                for (int r = 0; r < s->n_rows; r++) {
                    double dy = (y - s->row_y[r]) / 5.0;
                    v += s->amp[i] * hx * exp(-0.5 * dy * dy);
                }
            }
            img->data[(size_t)y * s->w + x] = (float)(v < 0 ? 0 : v > 65535 ? 65535 : v);
        }
    return img;
}

static void base_spec(spec_t *s, int n)
{
    memset(s, 0, sizeof *s);
    s->w = 900;
    s->h = 500;
    s->n_lanes = n;
    double pitch = 800.0 / n;
    s->x0 = 50 + 0.5 * pitch;
    s->x1 = 850 - 0.5 * pitch;
    s->fill = 0.7;
    s->n_rows = 2;
    s->row_y[0] = 150;
    s->row_y[1] = 330;
    for (int i = 0; i < 32; i++)
        s->amp[i] = 20000.0 * (0.6 + 0.4 * ((i * 7) % 5) / 4.0);
    s->offset = 3000;
    s->noise = 150;
}

/* Detect and compare with the drawing: count exact, centres within tol px. */
static void expect_lanes(const char *what, const spec_t *s, const bq_lane_options_t *o, double tol)
{
    bq_image_t *img = draw(s);
    CHECK(img != NULL, "%s: could not draw", what);
    if (!img)
        return;
    bq_lanes_t *l = NULL;
    bq_error_t err;
    bq_error_clear(&err);
    int rc = bq_lanes_detect(img, o, &l, &err);
    CHECK(rc == 0, "%s: detect failed: %s", what, err.msg);
    if (rc == 0) {
        CHECK(l->n_lanes == s->n_lanes, "%s: %d lanes, want %d", what, l->n_lanes, s->n_lanes);
        for (int st = 0; st < l->n_strips && l->n_lanes == s->n_lanes; st++)
            for (int i = 0; i < l->n_lanes; i++) {
                const bq_lane_t *ln = &l->strips[st].lanes[i];
                double y = s->row_y[0];
                double a, b;
                bq_lane_extent_at(ln, y, &a, &b);
                double want = lane_centre(s, i) + s->tilt * (y - 0.5 * s->h);
                CHECK(fabs(0.5 * (a + b) - want) <= tol,
                      "%s: lane %d centre %.1f at y %.0f, want %.1f (tol %.1f)", what, i + 1,
                      0.5 * (a + b), y, want, tol);
                CHECK(ln->index == i + 1, "%s: lane %d has index %d", what, i + 1, ln->index);
            }
    }
    bq_lanes_free(l);
    bq_image_free(img);
}

static void test_counts(void)
{
    for (int n = 2; n <= 30; n += (n < 6 ? 1 : 4)) {
        spec_t s;
        base_spec(&s, n);
        char what[64];
        snprintf(what, sizeof what, "%d lanes", n);
        double pitch = 800.0 / n;
        expect_lanes(what, &s, NULL, 0.15 * pitch);
    }
}

static void test_faint_and_gradient(void)
{
    spec_t s;
    base_spec(&s, 10);
    s.amp[3] = 600;       /* ~3 % of the others, 4 sigma of noise */
    s.amp[7] = 1500;
    s.gradient = 15000;   /* background rises by most of a band across */
    expect_lanes("faint lanes on a gradient", &s, NULL, 8.0);
}

static void test_tilt(void)
{
    spec_t s;
    base_spec(&s, 8);
    s.tilt = tan(1.8 * M_PI / 180.0);
    expect_lanes("tilt 1.8 deg", &s, NULL, 5.0);
    s.tilt = -s.tilt;
    expect_lanes("tilt -1.8 deg", &s, NULL, 5.0);
}

static void test_forced(void)
{
    spec_t s;
    base_spec(&s, 9);
    bq_lane_options_t o;
    memset(&o, 0, sizeof o);
    o.n_lanes = 9;
    expect_lanes("forced 9 of 9", &s, &o, 8.0);
    /* forcing a count the picture does not show still gives that count */
    o.n_lanes = 11;
    bq_image_t *img = draw(&s);
    bq_lanes_t *l = NULL;
    bq_error_t err;
    int rc = img ? bq_lanes_detect(img, &o, &l, &err) : -1;
    CHECK(rc == 0 && l && l->n_lanes == 11, "forced 11 on 9 lanes: rc %d, %d lanes", rc,
          l ? l->n_lanes : -1);
    for (int i = 0; l && i + 1 < l->n_lanes; i++)
        CHECK(l->strips[0].lanes[i].x_right <= l->strips[0].lanes[i + 1].x_left + 1e-9,
              "forced 11: lanes %d and %d overlap", i + 1, i + 2);
    bq_lanes_free(l);
    bq_image_free(img);
}

static void test_roi(void)
{
    spec_t s;
    base_spec(&s, 10);
    bq_image_t *img = draw(&s);
    bq_lane_options_t o;
    memset(&o, 0, sizeof o);
    /* lanes 3..6 (centres 170, 250, 330, 410; pitch 80) */
    o.roi.x = 130;
    o.roi.y = 0;
    o.roi.w = 320;
    o.roi.h = 500;
    bq_lanes_t *l = NULL;
    bq_error_t err;
    int rc = img ? bq_lanes_detect(img, &o, &l, &err) : -1;
    CHECK(rc == 0 && l && l->n_lanes == 4, "roi: rc %d, %d lanes, want 4", rc, l ? l->n_lanes : -1);
    if (l && l->n_lanes == 4) {
        for (int i = 0; i < 4; i++) {
            double c = 0.5 * (l->strips[0].lanes[i].x_left + l->strips[0].lanes[i].x_right);
            CHECK(fabs(c - (170 + 80 * i)) < 6, "roi: lane %d centre %.1f, want %d", i + 1, c,
                  170 + 80 * i);
        }
        CHECK(l->roi.x >= 130 && l->roi.x + l->roi.w <= 450, "roi: result region %d+%d outside the request",
              l->roi.x, l->roi.w);
    }
    bq_lanes_free(l);
    bq_image_free(img);
}

static void test_blank(void)
{
    spec_t s;
    base_spec(&s, 5);
    s.n_rows = 0;
    bq_image_t *img = draw(&s);
    bq_lanes_t *l = NULL;
    bq_error_t err;
    bq_error_clear(&err);
    int rc = img ? bq_lanes_detect(img, NULL, &l, &err) : -1;
    CHECK(rc == BQ_ERR_NOT_FOUND, "blank noisy image: rc %d, want BQ_ERR_NOT_FOUND", rc);
    CHECK(l == NULL, "blank: *out must be NULL on failure");
    CHECK(rc == 0 || strlen(err.msg) > 0, "blank: no message");
    bq_image_free(img);
    /* all zeros */
    img = bq_image_new(300, 200);
    rc = img ? bq_lanes_detect(img, NULL, &l, &err) : -1;
    CHECK(rc == BQ_ERR_NOT_FOUND, "zero image: rc %d, want BQ_ERR_NOT_FOUND", rc);
    bq_image_free(img);
    /* bad arguments */
    rc = bq_lanes_detect(NULL, NULL, &l, &err);
    CHECK(rc == BQ_ERR_INVALID, "NULL image: rc %d", rc);
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "dump") == 0) {
        /* development: write one drawing as TIFF (dump N_LANES PATH [tilt]) */
        spec_t s;
        base_spec(&s, atoi(argv[2]));
        if (argc > 4)
            s.tilt = strtod(argv[4], NULL);
        if (argc > 5 && strcmp(argv[5], "faint") == 0) {
            s.amp[3] = 600;
            s.amp[7] = 1500;
            s.gradient = 15000;
        }
        if (s.n_lanes == 0)
            s.n_rows = 0;
        bq_image_t *img = draw(&s);
        bq_error_t err;
        return img && bq_image_save_tiff16(img, argv[3], &err) == 0 ? 0 : 1;
    }
    test_counts();
    test_faint_and_gradient();
    test_tilt();
    test_forced();
    test_roi();
    test_blank();
    if (check_failures) {
        fprintf(stderr, "%d failure(s)\n", check_failures);
        return 1;
    }
    printf("lanes: all tests passed\n");
    return 0;
}
