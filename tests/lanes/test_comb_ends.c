/* test_comb_ends.c - a tooth added at the end of a regular comb
 * (bq_lanes_extend_comb_ends) on drawn grids. The sample lanes carry signal
 * down their whole length (lysate smear) and one band. Beyond the comb's
 * left end a marker lane shows a few thin bands on blank membrane: too
 * little down its column to count as lane signal, but its bands stand out
 * of its own column as far as a sample lane's do, so it is a lane. Beyond
 * the right end the membrane's edge is lit along its length with no band:
 * not a lane. Without the marker, nothing is added on the left. A last
 * lane whose band fades towards the edge, with no peak of its own, is
 * centred on its signal, not left where the comb's line puts it. An empty
 * tooth left at an end of the final lanes goes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "drawn_grid.h"

#define GW 150
#define GH 60
#define N_LANES 6
#define PITCH 16.0
#define FIRST 40.0
#define HALF_WIDTH 4 /* cells either side of a lane's centre */
#define MARKER_X (FIRST - PITCH)
#define EDGE_X (FIRST + N_LANES * PITCH) /* the lit edge, where a tooth would go */

static double lane_x(int i)
{
    return FIRST + PITCH * i;
}

static int in_lane(int x, double c)
{
    return fabs(x - c) <= HALF_WIDTH;
}

/* Faint texture, the sample lanes (smear rows 5..54, band rows 28..31),
 * the marker's two thin bands, the lit edge. */
static float cell_value(int x, int y, int with_marker)
{
    double v = 0.05 + 0.02 * sin(0.9 * x + 1.7 * y) * cos(0.4 * y);
    for (int i = 0; i < N_LANES; i++)
        if (in_lane(x, lane_x(i)) && y >= 5 && y <= 54)
            v += 0.5 + (y >= 28 && y <= 31 ? 1.0 : 0.0);
    if (with_marker && in_lane(x, MARKER_X) && ((y >= 14 && y <= 15) || (y >= 40 && y <= 41)))
        v += 1.2;
    if (in_lane(x, EDGE_X) && y >= 5 && y <= 54)
        v += 0.5;
    return (float)v;
}

/* A last lane loaded a little short of the comb's line (FADED_X, not
 * EDGE_X), its band brightest at its inner side and fading outward, on
 * blank membrane beyond the comb (no texture there: every wiggle of the
 * profile would be a peak). */
#define FADED_X (EDGE_X - 4.0)
#define FADED_HALF 6

static float faded_value(int x, int y, int unused)
{
    (void)unused;
    if (x <= lane_x(N_LANES - 1) + HALF_WIDTH)
        return cell_value(x, y, 0) - (in_lane(x, EDGE_X) && y >= 5 && y <= 54 ? 0.5f : 0.0f);
    double v = 0.05;
    if (fabs(x - FADED_X) <= FADED_HALF && y >= 5 && y <= 54)
        v += (0.5 + (y >= 28 && y <= 31 ? 1.0 : 0.0)) * (1.0 - 0.04 * (x - (FADED_X - FADED_HALF)));
    return (float)v;
}

/* The comb's teeth after extension on the grid draw(x, y, ctx) draws. */
static int extend_on(float (*draw)(int, int, int), int ctx, peak_t *lanes)
{
    grid_t g;
    double prof[GW], rowp[GW + GH + 4], tmp[GW + GH + 4];
    strip_work_t sw;
    CHECK(drawn_grid_make(&g, GW, GH, draw, ctx) == 0, "grid");
    memset(&sw, 0, sizeof sw);
    sw.gy1 = GH - 1;
    sw.prof = prof;
    CHECK(bq_lanes_strip_profile(&g, 2, GW - 3, &sw) == 0, "profile");
    bq_lanes_smooth3(prof, tmp, GW, 1); /* as the detector smooths it */
    for (int i = 0; i < N_LANES; i++) {
        double c = lane_x(i);
        lanes[i] = (peak_t){c, c - HALF_WIDTH, c + HALF_WIDTH, prof[(int)c], 1.0, 0, 0};
    }
    int n = bq_lanes_extend_comb_ends(&g, &sw, 1, prof, 2, GW - 3, lanes, N_LANES, rowp, tmp);
    drawn_grid_free(&g);
    return n;
}

/* The comb's teeth after extension, with or without the marker drawn. */
static int extend(int with_marker, peak_t *lanes)
{
    return extend_on(cell_value, with_marker, lanes);
}

static void test_marker_added(void)
{
    peak_t lanes[BQ_MAX_LANES];
    int n = extend(1, lanes);
    CHECK(n == N_LANES + 1, "%d lanes after extension, expected %d (marker added, edge not)", n,
          N_LANES + 1);
    CHECK(fabs(lanes[0].pos - MARKER_X) <= 2.0, "first lane at %.1f, the marker is at %.1f",
          lanes[0].pos, MARKER_X);
    CHECK(lanes[0].faint == COMB_TOOTH, "the marker is a comb tooth");
    CHECK(fabs(lanes[n - 1].pos - lane_x(N_LANES - 1)) < 1e-9,
          "last lane at %.1f: the lit edge was taken for a lane", lanes[n - 1].pos);
}

static void test_blank_end(void)
{
    peak_t lanes[BQ_MAX_LANES];
    int n = extend(0, lanes);
    CHECK(n == N_LANES, "%d lanes on blank membrane beside the comb, expected %d", n, N_LANES);
    CHECK(fabs(lanes[0].pos - lane_x(0)) < 1e-9, "first lane moved to %.1f", lanes[0].pos);
}

static void test_faded_end(void)
{
    peak_t lanes[BQ_MAX_LANES];
    int n = extend_on(faded_value, 0, lanes);
    CHECK(n == N_LANES + 1, "%d lanes with the faded lane at the end, expected %d", n,
          N_LANES + 1);
    CHECK(fabs(lanes[n - 1].pos - FADED_X) <= 1.0,
          "faded last lane placed at %.1f, its band's middle is %.1f (the comb's line: %.1f)",
          lanes[n - 1].pos, FADED_X, EDGE_X);
}

/* Empty teeth left at the comb's ends go; one between loaded lanes stays. */
static void test_empty_ends(void)
{
    bq_lane_t ln[5];
    int counts[5] = {0, 1, 0, 1, 0};
    for (int i = 0; i < 5; i++)
        ln[i] = (bq_lane_t){.index = i + 1, .x_left = 20.0 * i, .x_right = 20.0 * i + 10.0,
                            .is_empty = i % 2 == 0};
    bq_strip_t st = {.y_top = 0, .y_bottom = 50, .n_lanes = 5, .lanes = ln};
    bq_lanes_t res = {.n_lanes = 5, .n_strips = 1, .strips = &st};
    int n = bq_lanes_drop_empty_ends(&res, counts);
    CHECK(n == 3 && res.n_lanes == 3 && st.n_lanes == 3, "%d lanes kept, want 3", n);
    CHECK(ln[0].x_left == 20.0 && ln[2].x_left == 60.0, "kept lanes start at %g .. %g",
          ln[0].x_left, ln[2].x_left);
    CHECK(ln[1].is_empty && ln[0].index == 1 && ln[2].index == 3,
          "the interior empty lane kept, lanes renumbered");
    CHECK(counts[0] == 1 && counts[1] == 0 && counts[2] == 1, "counts follow the lanes");
}

int main(void)
{
    test_marker_added();
    test_blank_end();
    test_faded_end();
    test_empty_ends();
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
