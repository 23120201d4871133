/* lanes_confidence.c - how far the lanes found look like one comb.
 *
 * Lanes of a blot are loaded by a comb: about equally wide and equally
 * spaced. A detector that took a label for a lane, split one lane in two
 * or merged two, leaves a lane of odd width or an odd gap. The score is
 * 1 for a perfect comb and falls with the typical relative deviation of
 * the gaps and of the widths from their medians. One lane cannot be
 * checked against anything and scores BQ_LANES_UNCERTAIN exactly less a
 * little, so it is reported as uncertain. */
#include <math.h>

#include "blotquant/lanes.h"
#include "internal.h"

#define GAP_WEIGHT 2.5   /* a typical gap off by 40 % of the pitch scores 0 */
#define WIDTH_WEIGHT 1.5 /* a typical width off by 2/3 of the median scores 0 */

/* The upper quartile of |v - median| over the median; reorders v. The
 * quartile, not the median: lanes split in two alternate short and long
 * gaps, which half the gaps would hide; one missing lane in a row of four
 * or more still leaves it at zero. */
static double relative_spread(double *v, int n, double *scratch)
{
    double med = bq_median_inplace(v, (size_t)n);
    if (!(med > 0.0))
        return 1.0;
    for (int i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - med);
    return bq_quantile_inplace(scratch, (size_t)n, 0.75) / med;
}

static double strip_confidence(const bq_strip_t *st)
{
    int n = st->n_lanes;
    if (n < 2)
        return BQ_LANES_UNCERTAIN - 0.05;
    double gaps[BQ_MAX_LANES], widths[BQ_MAX_LANES], scratch[BQ_MAX_LANES];
    for (int i = 0; i < n; i++) {
        const bq_lane_t *l = &st->lanes[i];
        widths[i] = l->x_right - l->x_left;
        if (i + 1 < n)
            gaps[i] = 0.5 * (st->lanes[i + 1].x_left + st->lanes[i + 1].x_right) -
                      0.5 * (l->x_left + l->x_right);
    }
    double g = relative_spread(gaps, n - 1, scratch);
    double w = relative_spread(widths, n, scratch);
    return bq_clamp(1.0 - GAP_WEIGHT * g, 0.0, 1.0) * bq_clamp(1.0 - WIDTH_WEIGHT * w, 0.0, 1.0);
}

void bq_lanes_score(bq_lanes_t *lanes)
{
    if (!lanes)
        return;
    double worst = 1.0;
    for (int s = 0; s < lanes->n_strips; s++) {
        double c = strip_confidence(&lanes->strips[s]);
        worst = c < worst ? c : worst;
    }
    lanes->confidence = lanes->n_strips > 0 ? worst : 0.0;
    lanes->uncertain = lanes->confidence < BQ_LANES_UNCERTAIN;
}
