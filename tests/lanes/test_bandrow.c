/* test_bandrow.c - the band-row second opinion (lanes_bandrow.c) on drawn
 * grids: a tall strip with one thin band row, crossed by long smears and a
 * scratch that own the whole-column profile. The main band row is the one
 * the lanes share; its profile peaks at the lanes, not at the smears; the
 * lane on the lit membrane edge, with no band of its own in that row, is
 * trimmed from the comb's end; a strip whose rows are all alike keeps the
 * whole-strip profile. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "drawn_grid.h"

#define GW 130
#define GH 80
#define N_LANES 7
#define PITCH 15.0
#define FIRST 15.0
#define ROW_Y0 50 /* the band row's cells */
#define ROW_Y1 53
#define EDGE_X 122 /* the lit membrane edge */

static double lane_x(int i)
{
    return FIRST + PITCH * i;
}

/* A faint texture everywhere (deterministic), the band row's blobs, two
 * smears running down the whole strip between lanes, and the edge. */
static float cell_value(int x, int y, int with_row)
{
    double v = 0.05 + 0.03 * sin(0.9 * x + 1.7 * y) * cos(0.4 * y);
    if (with_row && y >= ROW_Y0 && y <= ROW_Y1)
        for (int i = 0; i < N_LANES; i++)
            if (fabs(x - lane_x(i)) <= 4.0)
                v += 1.0;
    if (x == 52 || x == 53 || x == 97) /* smears, brighter than the row on average */
        v += 0.45;
    if (x >= EDGE_X && x <= EDGE_X + 2)
        v += 0.6;
    return (float)v;
}

static void strip_init(strip_work_t *sw, double *prof)
{
    memset(sw, 0, sizeof *sw);
    sw->id = 0;
    sw->gy0 = 0;
    sw->gy1 = GH - 1;
    sw->prof = prof;
}

/* Is there a peak of prof on the blob drawn at x (4 cells either side)? */
static int peak_near(const peak_t *pk, int n, double x)
{
    for (int i = 0; i < n; i++)
        if (fabs(pk[i].pos - x) <= 4.0)
            return 1;
    return 0;
}

static void test_row_profile(void)
{
    grid_t g;
    double prof[GW];
    strip_work_t sw;
    CHECK(drawn_grid_make(&g, GW, GH, cell_value, 1) == 0, "grid");
    strip_init(&sw, prof);
    CHECK(bq_lanes_strip_row_profile(&g, 2, GW - 3, &sw) == 0, "row profile");
    CHECK(sw.band_row == 1, "no band row chosen");
    CHECK(sw.row0 >= ROW_Y0 - 1 && sw.row1 <= ROW_Y1 + 1 && sw.row0 <= ROW_Y0 + 1 &&
              sw.row1 >= ROW_Y1 - 1,
          "band row %d..%d, drawn %d..%d", sw.row0, sw.row1, ROW_Y0, ROW_Y1);
    CHECK(sw.slope == 0.0, "the band row is taken upright, slope %g", sw.slope);
    peak_t pk[GW + 1];
    int n = bq_lanes_find_peaks(prof, 2, GW - 3, pk, GW + 1);
    for (int i = 0; i < N_LANES; i++)
        CHECK(peak_near(pk, n, lane_x(i)), "no peak at lane %d (x %.0f)", i + 1, lane_x(i));
    /* along the row the lanes stand above the smears; down the whole strip
     * the smears stand above the lanes (what the second opinion is for) */
    CHECK(prof[(int)lane_x(2)] > 1.5 * prof[52], "row: lane %.2f, smear %.2f",
          prof[(int)lane_x(2)], prof[52]);
    strip_work_t whole;
    double wprof[GW];
    strip_init(&whole, wprof);
    CHECK(bq_lanes_strip_profile(&g, 2, GW - 3, &whole) == 0, "whole profile");
    CHECK(wprof[52] > 2.0 * wprof[(int)lane_x(2)], "whole strip: smear %.2f, lane %.2f",
          wprof[52], wprof[(int)lane_x(2)]);

    /* the lanes plus the lit edge at the comb's end: the edge goes */
    peak_t lanes[N_LANES + 1];
    for (int i = 0; i <= N_LANES; i++) {
        double c = i < N_LANES ? lane_x(i) : EDGE_X + 1;
        lanes[i] = (peak_t){c, c - 4, c + 4, 1.0, 1.0, 0, 0};
    }
    double rowp[GH + 2];
    int kept = bq_lanes_trim_bandless_ends(&g, &sw, 1, lanes, N_LANES + 1, rowp);
    CHECK(kept == N_LANES, "trimmed to %d lanes, expected %d", kept, N_LANES);
    CHECK(fabs(lanes[0].pos - lane_x(0)) < 1e-9 && fabs(lanes[kept - 1].pos - lane_x(6)) < 1e-9,
          "the band lanes were kept in place");
    drawn_grid_free(&g);
}

/* A strip whose rows are all alike has no band row: the whole-strip
 * profile. (Any row above the typical one counts: a tight crop is mostly
 * band row, so its best row stands only a little above the rest.) */
static void test_no_row(void)
{
    grid_t g;
    double prof[GW];
    strip_work_t sw;
    CHECK(drawn_grid_make(&g, GW, GH, cell_value, 0) == 0, "grid");
    for (int y = 1; y < GH; y++) /* every row the same as the first */
        memcpy(g.t + (size_t)y * GW, g.t, GW * sizeof *g.t);
    strip_init(&sw, prof);
    CHECK(bq_lanes_strip_row_profile(&g, 2, GW - 3, &sw) == 0, "row profile");
    CHECK(sw.band_row == 0, "a band row %d..%d chosen on a strip without one", sw.row0,
          sw.row1);
    drawn_grid_free(&g);
}

int main(void)
{
    test_row_profile();
    test_no_row();
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
