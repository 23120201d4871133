/* test_lanes_manual - lanes set by hand (lanes_manual.h): centres and their
 * checks, the lanes file written and read back exactly, lanes rebuilt from a
 * band table, lane sets fitted to an image, and hostile tables refused with
 * a message naming the line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"
#include "../check.h"

/* rc must be BQ_ERR_INVALID and the message must hold want. */
static void expect_refused(const char *what, int rc, const bq_error_t *err, const char *want)
{
    CHECK(rc == BQ_ERR_INVALID, "%s: rc %d, want BQ_ERR_INVALID (%s)", what, rc, err->msg);
    CHECK(strstr(err->msg, want) != NULL, "%s: message '%s' lacks '%s'", what, err->msg, want);
}

static void test_check_centres(void)
{
    bq_error_t err = {0};
    double ok[3] = {10, 20, 35}, down[3] = {10, 30, 20}, neg[2] = {-1, 5};
    double close[2] = {10, 10.5}, bad[2] = {1, NAN}, many[BQ_MAX_LANES + 1];
    for (int i = 0; i <= BQ_MAX_LANES; i++)
        many[i] = 10.0 * i;
    CHECK(bq_lanes_check_centres(ok, 3, 0, &err) == 0, "increasing centres: %s", err.msg);
    CHECK(bq_lanes_check_centres(ok, 3, 4, &err) == 0, "with a width: %s", err.msg);
    CHECK(bq_lanes_check_centres(many, BQ_MAX_LANES, 0, &err) == 0, "64 lanes: %s", err.msg);
    expect_refused("none", bq_lanes_check_centres(ok, 0, 0, &err), &err, "want 1 to 64");
    expect_refused("65", bq_lanes_check_centres(many, BQ_MAX_LANES + 1, 0, &err), &err,
                   "want 1 to 64");
    expect_refused("decreasing", bq_lanes_check_centres(down, 3, 0, &err), &err,
                   "must increase left to right: 20 follows 30");
    expect_refused("negative", bq_lanes_check_centres(neg, 2, 0, &err), &err,
                   "lane centre 1 (-1) is not a pixel column");
    expect_refused("nan", bq_lanes_check_centres(bad, 2, 0, &err), &err, "lane centre 2");
    expect_refused("too close", bq_lanes_check_centres(close, 2, 0, &err), &err, "too close");
    expect_refused("thin", bq_lanes_check_centres(ok, 3, 0.5, &err), &err, "at least 1 px");
    CHECK(fabs(bq_lanes_default_width(ok, 3, 500) - 0.8 * 12.5) < 1e-12, "median spacing");
    CHECK(bq_lanes_default_width(ok, 1, 500) == 50, "one centre: a tenth of the width");
}

static void expect_lane(const bq_lanes_t *l, int k, double xl, double xr)
{
    const bq_lane_t *ln = &l->strips[0].lanes[k];
    CHECK(fabs(ln->x_left - xl) < 1e-9 && fabs(ln->x_right - xr) < 1e-9,
          "lane %d: %g..%g, want %g..%g", k + 1, ln->x_left, ln->x_right, xl, xr);
    CHECK(ln->slope == 0 && ln->index == k + 1 && !ln->is_ladder, "lane %d: vertical, indexed",
          k + 1);
}

static void test_from_centres(void)
{
    bq_error_t err = {0};
    bq_lanes_t *l = NULL;
    double c[4] = {100, 200, 300, 420};
    int rc = bq_lanes_from_centres(c, 4, 0, 500, 400, NULL, &l, &err);
    CHECK(rc == 0, "four centres: %s", err.msg);
    if (rc == 0) {
        CHECK(l->n_lanes == 4 && l->n_strips == 1 && l->strips[0].n_lanes == 4, "one strip of 4");
        CHECK(l->strips[0].y_top == 0 && l->strips[0].y_bottom == 399, "whole height");
        CHECK(l->roi.x == 0 && l->roi.w == 500 && l->roi.h == 400, "whole image region");
        CHECK(l->confidence == 1 && l->uncertain == 0, "confident");
        expect_lane(l, 0, 60, 140); /* width 0.8 x median spacing 100 */
        expect_lane(l, 3, 380, 460);
    }
    bq_lanes_free(l);

    double one[1] = {10}; /* a tenth of 500 wide, clipped at the left edge */
    rc = bq_lanes_from_centres(one, 1, 0, 500, 400, NULL, &l, &err);
    CHECK(rc == 0, "one centre: %s", err.msg);
    if (rc == 0)
        expect_lane(l, 0, 0, 35);
    bq_lanes_free(l);

    bq_roi_t roi = {50, 20, 300, 200};
    rc = bq_lanes_from_centres(c, 3, 30, 500, 400, &roi, &l, &err);
    CHECK(rc == 0, "in a region: %s", err.msg);
    if (rc == 0) {
        CHECK(l->strips[0].y_top == 20 && l->strips[0].y_bottom == 219, "region rows");
        CHECK(l->roi.x == 50 && l->roi.w == 300, "region kept");
        expect_lane(l, 1, 185, 215);
    }
    bq_lanes_free(l);
    rc = bq_lanes_from_centres(c, 4, 0, 500, 400, &roi, &l, &err);
    expect_refused("outside the region", rc, &err, "lane centre 420 lies outside the region");
    CHECK(l == NULL, "no lanes on failure");
    rc = bq_lanes_from_centres(c, 4, 0, 400, 400, NULL, &l, &err);
    expect_refused("outside the image", rc, &err, "lies outside the image (x 0..399)");
}

/* Two strips, a tilt, odd doubles, flags and a region. */
static bq_lanes_t *odd_lanes(void)
{
    double c[3] = {40, 90, 140};
    bq_lanes_t *a = NULL;
    bq_error_t err = {0};
    bq_roi_t roi = {5, 10, 190, 180};
    if (bq_lanes_from_centres(c, 3, 0, 200, 200, &roi, &a, &err) != 0)
        return NULL;
    bq_lanes_t *l = calloc(1, sizeof *l);
    l->strips = calloc(2, sizeof *l->strips);
    l->n_strips = 2;
    l->n_lanes = 3;
    l->roi = roi;
    for (int s = 0; s < 2; s++) {
        bq_strip_t *st = &l->strips[s];
        st->n_lanes = 3;
        st->lanes = calloc(3, sizeof *st->lanes);
        memcpy(st->lanes, a->strips[0].lanes, 3 * sizeof *st->lanes);
        st->y_top = s ? 101 : 10;
        st->y_bottom = s ? 189 : 95;
        for (int k = 0; k < 3; k++) {
            st->lanes[k].x_left += 1.0 / 3.0 + s;
            st->lanes[k].slope = -0.0123456789 * (k + 1);
            st->lanes[k].y_ref = 55.5 + 0.1 * s;
        }
    }
    l->strips[0].lanes[0].is_ladder = 1;
    l->strips[1].lanes[2].is_empty = 1;
    bq_lanes_free(a);
    return l;
}

static char *write_text(const bq_lanes_t *l, size_t *len)
{
    char *text = NULL;
    FILE *fp = open_memstream(&text, len);
    if (!fp)
        return NULL;
    int rc = bq_lanes_write_csv(fp, l);
    fclose(fp);
    CHECK(rc == 0, "write: rc %d", rc);
    return text;
}

static int read_text(const char *text, bq_lanes_t **out, bq_error_t *err)
{
    bq_csv_t *csv = NULL;
    int rc = bq_csv_read_buffer(text, strlen(text), "lanes.csv", NULL, &csv, err);
    if (rc == 0)
        rc = bq_lanes_from_csv(csv, out, err);
    bq_csv_free(csv);
    return rc;
}

static int same_lanes(const bq_lanes_t *a, const bq_lanes_t *b)
{
    if (a->n_strips != b->n_strips || a->n_lanes != b->n_lanes ||
        memcmp(&a->roi, &b->roi, sizeof a->roi) != 0)
        return 0;
    for (int s = 0; s < a->n_strips; s++) {
        const bq_strip_t *x = &a->strips[s], *y = &b->strips[s];
        if (x->y_top != y->y_top || x->y_bottom != y->y_bottom || x->n_lanes != y->n_lanes)
            return 0;
        for (int k = 0; k < a->n_lanes; k++) {
            const bq_lane_t *p = &x->lanes[k], *q = &y->lanes[k];
            if (p->index != q->index || p->x_left != q->x_left || p->x_right != q->x_right ||
                p->y_ref != q->y_ref || p->slope != q->slope ||
                p->is_ladder != q->is_ladder || p->is_empty != q->is_empty)
                return 0;
        }
    }
    return 1;
}

static void test_round_trip(void)
{
    bq_lanes_t *l = odd_lanes(), *back = NULL;
    bq_error_t err = {0};
    CHECK(l && bq_lanes_check(l, "odd", &err) == 0, "the odd lanes are a lane set: %s", err.msg);
    if (!l)
        return;
    size_t len = 0, len2 = 0;
    char *text = write_text(l, &len);
    CHECK(text && strncmp(text, BQ_LANES_CSV_HEADER, strlen(BQ_LANES_CSV_HEADER)) == 0,
          "header first");
    CHECK(text && strstr(text, "\n1,10,95,1,20.333333333333332,60,55.5,-0.0123456789,1,0,5,10,190,180\n"),
          "first lane row as documented:\n%s", text ? text : "");
    int rc = text ? read_text(text, &back, &err) : -1;
    CHECK(rc == 0, "read back: %s", err.msg);
    if (rc == 0) {
        CHECK(same_lanes(l, back), "lanes read back exactly");
        CHECK(back->confidence == 1 && back->uncertain == 0, "read lanes are confident");
        char *text2 = write_text(back, &len2);
        CHECK(text2 && len2 == len && memcmp(text, text2, len) == 0, "written again: same bytes");
        free(text2);
    }
    bq_lanes_t *copy = NULL;
    rc = bq_lanes_copy(l, &copy, &err);
    CHECK(rc == 0 && same_lanes(l, copy), "copy: %s", err.msg);
    bq_lanes_free(copy);
    bq_lanes_free(back);
    bq_lanes_free(l);
    free(text);

    /* written by hand: only the six required columns */
    rc = read_text("strip,y_top,y_bottom,lane,x_left,x_right\n1,0,99, 2 ,50,70\n1,0,99,1,10,30\n",
                   &back, &err);
    CHECK(rc == 0, "minimal file: %s", err.msg);
    if (rc == 0)
        CHECK(back->strips[0].lanes[1].x_left == 50 && back->strips[0].lanes[0].y_ref == 49.5 &&
                  back->roi.w == 0,
              "minimal file: defaults");
    bq_lanes_free(back);
}

typedef struct bad_case {
    const char *text, *want;
} bad_case_t;

#define LH "strip,y_top,y_bottom,lane,x_left,x_right,y_ref,slope,ladder,empty,roi_x,roi_y,roi_w,roi_h\n"
#define BH "image,lane,band,protein,x_left,x_right,y_top,y_bottom,y_peak,flags\n"

static const bad_case_t bad_cases[] = {
    {"a,b\n1,2\n", "lanes.csv:1: neither a lanes file"},
    {LH, "lanes.csv: no lanes (only a header)"},
    {"strip,y_top,y_bottom,lane,x_left\n1,0,9,1,3\n", "lanes.csv:1: no column 'x_right'"},
    {LH "0,0,99,1,10,20,0,0,0,0,0,0,0,0\n", "lanes.csv:2: strip: '0' is not a whole number from 1 to 64"},
    {LH "1,0,99,1,10,20,0,0,0,0,0,0,0,0\n1,0,99,2,abc,40,0,0,0,0,0,0,0,0\n", "lanes.csv:3: x_left: 'abc' is not a number"},
    {LH "1,0,99,1,nan,20,0,0,0,0,0,0,0,0\n", "lanes.csv:2: x_left: 'nan'"},
    {LH "1,0,99,1,1e308,20,0,0,0,0,0,0,0,0\n", "lanes.csv:2: x_left: '1e308'"},
    {LH "1,0,99,65,10,20,0,0,0,0,0,0,0,0\n", "lanes.csv:2: lane: '65' is not a whole number from 1 to 64"},
    {LH "1,0,99,1,10,20,0,0,0,0,0,0,0,0\n1,0,99,1,30,40,0,0,0,0,0,0,0,0\n", "lanes.csv:3: strip 1 lane 1 is given twice"},
    {LH "1,0,9,1,10,20,0,0,0,0,0,0,0,0\n2,20,29,1,10,20,0,0,0,0,0,0,0,0\n2,20,29,2,30,40,0,0,0,0,0,0,0,0\n", "lanes.csv: strip 1 has no lane 2"},
    {LH "1,0,99,1,10,20,0,0,0,0,0,0,0,0\n1,0,98,2,30,40,0,0,0,0,0,0,0,0\n", "lanes.csv:3: strip 1 has rows 0..98 here, 0..99 on an earlier line"},
    {LH "1,50,40,1,10,20,0,0,0,0,0,0,0,0\n", "lanes.csv:2: y_bottom 40 is above y_top 50"},
    {LH "1,0,50,1,10,20,0,0,0,0,0,0,0,0\n2,50,99,1,10,20,0,0,0,0,0,0,0,0\n", "lanes.csv: strip 2 (rows 50..99) overlaps strip 1"},
    {LH "1,0,99,1,30,40,0,0,0,0,0,0,0,0\n1,0,99,2,10,20,0,0,0,0,0,0,0,0\n", "lanes.csv: strip 1: lane 2 (centre x 15.0 at row 0) is not right of lane 1 (35.0)"},
    {LH "1,0,99,1,20,19.5,0,0,0,0,0,0,0,0\n", "lanes.csv: strip 1 lane 1: x_right 19.5 is left of x_left 20"},
    {LH "1,0,99,1,10,20,0,5,0,0,0,0,0,0\n", "lanes.csv:2: slope: '5' is not a number from -1 to 1"},
    {LH "1,0,99,1,10,20,0,0,2,0,0,0,0,0\n", "lanes.csv:2: ladder: '2'"},
    {LH "1,0,99,1,10,20,0,0,0,0,0,0,0,0\n1,0,99,2,30,40,0,0,0,0,1,0,0,0\n", "lanes.csv:3: the region differs"},
    {LH "1,0,99,1,10.5,20,0,0,0,0,0.5,0,0,0\n", "lanes.csv:2: roi_x: '0.5' is not a whole number"},
    {BH "a.tif,1,1,MDM2,10,20,5,15,10,\nb.tif,2,1,MDM2,30,40,5,15,10,\n", "lanes.csv:3: bands of a second image ('b.tif' after 'a.tif')"},
    {BH "a.tif,1,1,MDM2,10,20,5,15,10,\na.tif,3,1,MDM2,50,60,5,15,10,\n", "lanes.csv: band table: lane 2 has no bands"},
    {BH "a.tif,1,1,MDM2,10,20,15,5,10,\n", "lanes.csv:2: the box is upside down"},
    {BH "a.tif,1,1,MDM2,10.5,20,5,15,10,\n", "lanes.csv:2: x_left: '10.5' is not a whole number"},
    {BH "a.tif,1,1,MDM2,50,60,5,15,10,\na.tif,2,1,MDM2,10,20,5,15,10,\n", "lanes.csv: band table: strip 1: lane 2"},
    /* in order in the middle, crossed at the bottom (clipped to an image, they would cross) */
    {LH "1,0,99,1,10,20,0,0.5,0,0,0,0,0,0\n1,0,99,2,30,40,0,0,0,0,0,0,0,0\n", "lanes.csv: strip 1: lane 2 (centre x 35.0 at row 99) is not right of lane 1 (64.5)"},
    {BH, "lanes.csv: 0 bands: want 1 to 16384"},
};

static void test_hostile(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        bq_lanes_t *l = NULL;
        bq_error_t err = {0};
        int rc = read_text(bad_cases[i].text, &l, &err);
        char what[32];
        snprintf(what, sizeof what, "bad case %zu", i + 1);
        expect_refused(what, rc, &err, bad_cases[i].want);
        CHECK(l == NULL, "%s: no lanes on failure", what);
        bq_lanes_free(l);
    }
}

/* Lanes rebuilt from boxes drawn along tilted lanes, as bq_bands_detect
 * reports them (integer boxes around the band rows). */
static void test_from_bands(void)
{
    bq_band_t b[8] = {0};
    double tilt = 0.1, rows[2] = {150, 300};
    for (int k = 0; k < 4; k++)
        for (int r = 0; r < 2; r++) {
            bq_band_t *x = &b[2 * k + r];
            double c = 100 + 60 * k + tilt * (rows[r] - 200);
            x->lane = k + 1;
            x->row = r + 1;
            x->x_left = (int)lround(c - 20);
            x->x_right = (int)lround(c + 20);
            x->y_peak = rows[r];
            x->y_top = (int)rows[r] - 12;
            x->y_bottom = (int)rows[r] + 12;
            x->flags = k == 0 ? BQ_BAND_LADDER : 0;
        }
    bq_band_table_t t = {.n_bands = 8, .bands = b, .n_lanes = 4, .n_rows = 2};
    bq_lanes_t *l = NULL;
    bq_error_t err = {0};
    int rc = bq_lanes_from_bands(&t, &l, &err);
    CHECK(rc == 0, "from bands: %s", err.msg);
    if (rc != 0)
        return;
    CHECK(l->n_lanes == 4 && l->n_strips == 1, "4 lanes, one strip");
    /* margin: the median box height, 25 rows */
    CHECK(l->strips[0].y_top == 138 - 25 && l->strips[0].y_bottom == 312 + 25,
          "strip rows %d..%d", l->strips[0].y_top, l->strips[0].y_bottom);
    for (int k = 0; k < 4; k++) {
        const bq_lane_t *ln = &l->strips[0].lanes[k];
        CHECK(fabs(ln->slope - tilt) < 0.01, "lane %d tilt %g", k + 1, ln->slope);
        for (int r = 0; r < 2; r++) {
            double xl, xr;
            bq_lane_extent_at(ln, rows[r], &xl, &xr);
            const bq_band_t *x = &b[2 * k + r];
            CHECK(lround(xl) == x->x_left && lround(xr) == x->x_right,
                  "lane %d row %d: %.2f..%.2f, box %d..%d", k + 1, r + 1, xl, xr, x->x_left,
                  x->x_right);
        }
        CHECK(ln->is_ladder == (k == 0), "lane %d ladder flag", k + 1);
    }
    bq_lanes_free(l);
}

static void test_apply(void)
{
    bq_image_t *img = bq_image_new(120, 80);
    bq_lanes_t *l = NULL, *got = NULL;
    bq_error_t err = {0};
    int rc = read_text(LH "1,10,99,1,10,30,50,0,0,0,0,0,0,0\n1,10,99,2,50,70,50,0,0,0,0,0,0,0\n"
                          "2,110,130,1,10,30,50,0,0,0,0,0,0,0\n2,110,130,2,50,70,50,0,0,0,0,0,0,0\n",
                       &l, &err);
    CHECK(rc == 0 && img, "lanes for apply: %s", err.msg);
    if (rc != 0 || !img)
        return;
    bq_lanes_manual_t m = {.lanes = l, .source = "a.lanes.csv"};
    rc = bq_lanes_manual_apply(&m, img, NULL, &got, &err);
    expect_refused("strip below", rc, &err,
                   "lanes from a.lanes.csv: strip 2 (rows 110..130) lies below the 120x80 image");
    l->n_strips = 1; /* the second strip stays allocated and is freed with l */
    l->roi = (bq_roi_t){5, 6, 200, 50};
    rc = bq_lanes_manual_apply(&m, img, NULL, &got, &err);
    CHECK(rc == 0, "one strip: %s", err.msg);
    if (rc == 0) {
        CHECK(got->strips[0].y_bottom == 79 && got->strips[0].lanes[1].x_left == 50,
              "clipped to the image");
        CHECK(got->roi.x == 5 && got->roi.y == 6 && got->roi.w == 115 && got->roi.h == 50,
              "region clipped to the image: %d,%d,%d,%d", got->roi.x, got->roi.y, got->roi.w,
              got->roi.h);
        CHECK(l->roi.w == 200 && l->strips[0].y_bottom == 99, "the given lanes are untouched");
    }
    bq_lanes_free(got);
    l->roi = (bq_roi_t){130, 0, 20, 20};
    rc = bq_lanes_manual_apply(&m, img, NULL, &got, &err);
    expect_refused("region off the image", rc, &err,
                   "the region 130,0,20,20 lies outside the 120x80 image");
    l->roi = (bq_roi_t){0, 0, 0, 0};
    l->strips[0].lanes[1].x_left = 130;
    l->strips[0].lanes[1].x_right = 150;
    rc = bq_lanes_manual_apply(&m, img, NULL, &got, &err);
    expect_refused("lane off the image", rc, &err,
                   "lane 2 (centre x 140.0 in strip 1) lies outside the 120x80 image");
    double c[2] = {20, 200};
    bq_lanes_manual_t mc = {.centres = c, .n_centres = 2};
    rc = bq_lanes_manual_apply(&mc, img, NULL, &got, &err);
    expect_refused("centre off the image", rc, &err, "lane centre 200 lies outside the image");
    l->n_strips = 2;
    bq_lanes_free(l);
    bq_image_free(img);
}

int main(void)
{
    test_check_centres();
    test_from_centres();
    test_round_trip();
    test_hostile();
    test_from_bands();
    test_apply();
    if (check_failures) {
        fprintf(stderr, "%d failure(s)\n", check_failures);
        return 1;
    }
    printf("lanes_manual: all tests passed\n");
    return 0;
}
