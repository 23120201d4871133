/* test_confidence - bq_lanes_score: a regular comb is confident, a comb
 * with a lane split in two, a label taken for a lane or a single lane is
 * uncertain. */
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/blotquant.h"

#include "../check.h"

/* A check of one score: what it should be, and the score. */
#define expect(ok, what, got) CHECK(ok, "%s (confidence %.3f)", what, got)

/* One strip with lanes at the given centres, each `width` wide. */
static double score(const double *centres, const double *widths, int n)
{
    bq_lane_t lanes[BQ_MAX_LANES];
    bq_strip_t strip = {.y_top = 0, .y_bottom = 99, .n_lanes = n, .lanes = lanes};
    bq_lanes_t set = {.n_lanes = n, .n_strips = 1, .strips = &strip};
    for (int i = 0; i < n; i++)
        lanes[i] = (bq_lane_t){.index = i + 1, .x_left = centres[i] - 0.5 * widths[i],
                               .x_right = centres[i] + 0.5 * widths[i]};
    bq_lanes_score(&set);
    if (set.uncertain != (set.confidence < BQ_LANES_UNCERTAIN))
        check_failures++;
    return set.confidence;
}

int main(void)
{
    /* a hand-loaded comb: centres off by up to 2 px, widths 30-32 px */
    const double jitter[8] = {0, 1, -1, 2, 0, -2, 1, -1};
    double c[8], w[8];
    for (int i = 0; i < 8; i++) {
        c[i] = 50 + 40 * i + jitter[i];
        w[i] = 30 + (i % 3);
    }
    double regular = score(c, w, 8);
    /* gaps 38-43 px (upper quartile of the deviation 4 px, 10.5 %) give
     * 1 - 2.5 x 0.105 = 0.74, widths 30-32 px 0.95 of that: 0.70. The bar
     * sits just below, well above BQ_LANES_UNCERTAIN */
    expect(regular >= 0.65, "a regular 8-lane comb is confident", regular);

    /* every lane split into two lobes: gaps alternate 12 / 28, widths 12 */
    double cs[8], ws[8];
    for (int i = 0; i < 8; i++) {
        cs[i] = 50 + 40 * (i / 2) + (i % 2 ? 6 : -6);
        ws[i] = 12;
    }
    double split = score(cs, ws, 8);
    expect(split < BQ_LANES_UNCERTAIN, "lanes split in two lobes are uncertain", split);

    /* a narrow label column squeezed between two lanes */
    double cl[6] = {50, 90, 105, 130, 170, 210}, wl[6] = {30, 30, 6, 30, 30, 30};
    double label = score(cl, wl, 6);
    expect(label < BQ_LANES_UNCERTAIN, "a label taken for a lane is uncertain", label);

    double one = score(c, w, 1);
    expect(one < BQ_LANES_UNCERTAIN, "a single lane is uncertain", one);

    /* one lane missing from a long comb still scores well */
    double cm[9] = {50, 90, 130, 170, 250, 290, 330, 370, 410}, wm[9];
    for (int i = 0; i < 9; i++)
        wm[i] = 30;
    double gap = score(cm, wm, 9);
    expect(gap >= 0.95, "an empty position in a long comb stays confident", gap);

    if (check_failures == 0)
        printf("confidence: regular %.2f, split %.2f, label %.2f, one %.2f, gap %.2f\n",
               regular, split, label, one, gap);
    return check_failures ? 1 : 0;
}
