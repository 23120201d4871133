/* test_strip_lanes.c - each strip's own lanes (bq_lanes_strip_lanes) on
 * drawn column profiles. In a strip where the last lane carries no band,
 * the membrane's edge beside it raises the background towards the edge
 * and leaves a small bump a few cells off the lane: the lane keeps the
 * place all strips agree on instead of moving onto the bump. A lane with
 * its own band a little off the shared place moves to its band. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lanes_internal.h"
#include "../check.h"

#define W 200
#define N_LANES 6
#define PITCH 25.0
#define FIRST 40.0
#define BUMP 5.0   /* the bump's offset from the blank lane's place */
#define OWN 3.0    /* lane 2's own band, off the shared place */

static double lane_x(int i)
{
    return FIRST + PITCH * i;
}

static double bell(double x, double c, double h, double s)
{
    return h * exp(-0.5 * (x - c) * (x - c) / (s * s));
}

/* Lanes 0..4 carry bands (lane 2 OWN cells right of its shared place), the
 * last is blank over a background rising to the edge, with a bump. */
static void draw(double *p)
{
    for (int x = 0; x < W; x++) {
        double v = 0.05;
        for (int i = 0; i < N_LANES - 1; i++)
            v += bell(x, lane_x(i) + (i == 2 ? OWN : 0.0), 1.0, 5.0);
        double edge = lane_x(N_LANES - 1) - 10.0;
        if (x > edge)
            v += 0.5 * fmin(1.0, (x - edge) / 6.0);
        v += bell(x, lane_x(N_LANES - 1) + BUMP, 0.25, 4.0);
        p[x] = v;
    }
}

int main(void)
{
    double prof[W], other[W], tmp[W + 2];
    draw(prof);
    for (int x = 0; x < W; x++) /* a second strip with every band in place */
        other[x] = 0.05;
    for (int x = 0; x < W; x++)
        for (int i = 0; i < N_LANES; i++)
            other[x] += bell(x, lane_x(i), 1.0, 5.0);
    strip_work_t sw[2];
    memset(sw, 0, sizeof sw);
    sw[0].prof = prof;
    sw[1].prof = other;
    for (int s = 0; s < 2; s++)
        sw[s].noise = bq_lanes_profile_noise(sw[s].prof, 2, W - 3, tmp);
    peak_t shared[N_LANES], sl[N_LANES];
    for (int i = 0; i < N_LANES; i++)
        shared[i] = (peak_t){lane_x(i), lane_x(i) - 8.0, lane_x(i) + 8.0, 1.0, 1.0, 0, 0};
    bq_lanes_strip_lanes(&sw[0], 2, 2, W - 3, shared, N_LANES, tmp, sl);
    double last = 0.5 * (sl[N_LANES - 1].left + sl[N_LANES - 1].right);
    CHECK(fabs(last - lane_x(N_LANES - 1)) <= 1.0, "blank last lane centred at %.1f, shared "
          "place %.1f (the bump on the raised edge is at %.1f)", last, lane_x(N_LANES - 1),
          lane_x(N_LANES - 1) + BUMP);
    CHECK(fabs(sl[2].pos - (lane_x(2) + OWN)) <= 1.0, "lane 3 at %.1f, its own band at %.1f",
          sl[2].pos, lane_x(2) + OWN);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
