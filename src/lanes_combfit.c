/* lanes_combfit.c - stage 5d of the lane detector: a comb fitted to the
 * whole column profile.
 *
 * Lanes that touch (overloaded lanes, a membrane loaded edge to edge) dip
 * only a little between each other, and the peaks chosen one by one from
 * the profile merge neighbours into wide lanes of uneven width; lanes
 * fainter than their neighbours in the sum (a group of weak lanes between
 * saturated ones) stand as no peak at all. The comb
 * that cast the lanes is still there as a period: teeth at pitch p from
 * phase f, each a little higher than the points half a pitch either side.
 * The pitch and phase that make that contrast strongest over all teeth,
 * weighed by how many teeth agree, are the comb; its teeth where the
 * profile shows signal are the lanes. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

#define FIT_MIN_TEETH 3        /* a comb has at least this many teeth */
#define FIT_STEP 0.25          /* pitch and phase search step, cells */
#define FIT_MIN_PITCH 4.0      /* cells: narrower lanes are not resolved on the grid */
#define FIT_SNR 4.0            /* the comb's summed contrast over its noise */
#define FIT_SNAP 0.25          /* a tooth moves to its own peak within this share of a pitch */
#define FIT_NEAR_BEST 0.9      /* a finer comb scoring this share of the best is the comb */
#define FIT_MERGED 1.25        /* a lane this many pitches wide may hold merged lanes */
#define FIT_PEAK_NOISE 2.0     /* peaks this many noise sigmas prominent suggest the pitch */
#define FIT_HINT_LO 0.75       /* the pitch is searched from this share of the peaks' spacing */
#define FIT_HINT_HI 1.35       /* ... to this (lanes loaded by hand, uneven smiles) */

/* Mean tooth contrast of the comb (p, f) on profile v over a..b, times
 * the square root of the number of teeth (the contrast's signal to noise
 * grows so); *k gets the number of teeth. */
static double comb_contrast(const double *v, int w, int a, int b, double p, double f, int *k)
{
    double s = 0.0;
    int n = 0;
    for (double t = a + f; t + 0.5 * p <= b; t += p) {
        if (t - 0.5 * p < a)
            continue;
        s += bq_lanes_interp(v, w, t) -
             0.5 * (bq_lanes_interp(v, w, t - 0.5 * p) + bq_lanes_interp(v, w, t + 0.5 * p));
        n++;
    }
    *k = n;
    return n ? s / n * sqrt((double)n) : 0.0;
}

/* The pitch the profile's own peaks suggest: the median gap between
 * neighbouring peaks that stand out of the noise (a lane or two merged or
 * missing moves a few gaps, not the median). 0 when too few. cand holds
 * the peaks of v (bq_lanes_find_peaks), sorted by prominence. */
static double peak_spacing(const peak_t *cand, int nc, double noise)
{
    double pos[BQ_MAX_LANES * 4], gap[BQ_MAX_LANES * 4];
    int n = 0;
    for (int i = 0; i < nc && n < BQ_MAX_LANES * 4; i++)
        if (cand[i].prom >= FIT_PEAK_NOISE * noise)
            pos[n++] = cand[i].pos;
    if (n < FIT_MIN_TEETH)
        return 0.0;
    bq_lanes_median(pos, n); /* sorts */
    for (int i = 0; i + 1 < n; i++)
        gap[i] = pos[i + 1] - pos[i];
    return bq_lanes_median(gap, n - 1);
}

/* The best phase for pitch pp: its score, *f the phase. */
static double best_phase(const double *v, int w, int a, int b, double pp, double *f)
{
    double best = 0.0;
    for (double ff = 0.0; ff < pp; ff += FIT_STEP) {
        int k;
        double s = comb_contrast(v, w, a, b, pp, ff, &k);
        if (k >= FIT_MIN_TEETH && s > best) {
            best = s;
            *f = ff;
        }
    }
    return best;
}

/* The comb on v over a..b with a pitch from FIT_HINT_LO * lo to
 * FIT_HINT_HI * hi: pitch *p and phase *f (from a). Returns its score, 0
 * when no comb of FIT_MIN_TEETH teeth fits. (Searched over every pitch, the
 * comb's contrast is outdone by the broad humps of the profile at pitches
 * of several lanes.) */
static double best_comb(const double *v, int w, int a, int b, double lo, double hi, double *p,
                        double *f)
{
    double span = b - a;
    double pmin = fmax(FIT_MIN_PITCH, FIT_HINT_LO * lo);
    double pmax = fmin(span / FIT_MIN_TEETH, FIT_HINT_HI * hi);
    enum { MAX_PITCHES = 4096 };
    double score[MAX_PITCHES], phase[MAX_PITCHES];
    int np = 0;
    double best = 0.0;
    for (double pp = pmin; pp <= pmax && np < MAX_PITCHES; pp += FIT_STEP) {
        score[np] = best_phase(v, w, a, b, pp, &phase[np]);
        best = fmax(best, score[np]);
        np++;
    }
    /* the finest comb that does about as well: a comb of several lanes'
     * pitch scores on the profile's broad humps, never on finer teeth */
    for (int i = 0; i < np; i++) {
        int peak = (i == 0 || score[i] >= score[i - 1]) && (i == np - 1 || score[i] >= score[i + 1]);
        if (peak && score[i] >= FIT_NEAR_BEST * best && score[i] > 0.0) {
            *p = pmin + i * FIT_STEP;
            *f = phase[i];
            return score[i];
        }
    }
    return 0.0;
}

/* x moved to the highest point of v within tol of it. */
static double snap(const double *v, int a, int b, double x, double tol)
{
    int lo = (int)ceil(x - tol), hi = (int)floor(x + tol), bi = -1;
    for (int c = lo; c <= hi; c++)
        if (c >= a && c <= b && (bi < 0 || v[c] > v[bi]))
            bi = c;
    return bi < 0 ? x : bi;
}

/* The median gap between the n lanes l. */
static double lane_spacing(const peak_t *l, int n)
{
    double gap[BQ_MAX_LANES];
    for (int i = 0; i + 1 < n; i++)
        gap[i] = l[i + 1].pos - l[i].pos;
    return n > 1 ? bq_lanes_median(gap, n - 1) : 0.0;
}

/* Does some tooth of the m teeth t (pitch p) stand on lane i of the nl
 * lanes l: within its extent, or within FIT_SNAP of a pitch of its
 * centre? */
static int tooth_on_lane(const peak_t *t, int m, const peak_t *li, double p, int *inside)
{
    int in = 0, near = 0;
    for (int k = 0; k < m; k++) {
        in += t[k].pos >= li->left && t[k].pos <= li->right;
        near |= fabs(t[k].pos - li->pos) <= FIT_SNAP * p;
    }
    *inside = in;
    return in || near;
}

/* Is the comb of m teeth t (pitch p) a refinement of the nl lanes l: every
 * lane keeps a tooth, and the comb mends what the peaks got wrong, on at
 * most half of the lanes: some lane FIT_MERGED pitches wide holds two
 * teeth or more (touching lanes the peaks merged, the case the comb is
 * fitted for; a lane about a pitch wide can hold two teeth at its edges of
 * a comb a little off where lanes are spaced unevenly), or a tooth with
 * signal stands between two lanes on none of them (lanes too faint in the
 * summed profile to stand as peaks of their own, the gap they leave not a
 * whole number of the pitch the other lanes show). Lanes found at uneven
 * spacing for a reason (ladders set apart, groups of lanes) keep no comb
 * on all of them and are kept. */
static int refines_lanes(const peak_t *l, int nl, const peak_t *t, int m, double p)
{
    int split = 0, filled = 0;
    for (int i = 0; i < nl; i++) {
        int in;
        if (!tooth_on_lane(t, m, &l[i], p, &in))
            return 0;
        split += in >= 2 && l[i].right - l[i].left >= FIT_MERGED * p;
    }
    for (int k = 0; k < m; k++) {
        if (t[k].empty || t[k].pos <= l[0].right || t[k].pos >= l[nl - 1].left)
            continue;
        int on = 0, in;
        for (int i = 0; i < nl && !on; i++)
            on = tooth_on_lane(&t[k], 1, &l[i], p, &in);
        filled += !on;
    }
    /* a comb that splits most lanes in two has found the two lobes of
     * hollow bands (or of a double band in every lane), not merged lanes */
    return (split >= 1 || filled >= 1) && 2 * split <= nl && 2 * filled <= nl;
}

/* The teeth of comb (p, f) on v over a..b that lie on lanes: from the
 * first to the last whose height over the profile's floor reaches
 * BLANK_LANE of the typical tooth's (beyond them the comb runs on over
 * membrane with no lane; a weak tooth inside is an empty lane). Writes
 * them to out; returns the count. */
static int lane_teeth(const double *v, int w, int a, int b, double p, double f, peak_t *out)
{
    double tooth[BQ_MAX_LANES], sorted[BQ_MAX_LANES];
    int n = 0;
    for (double t = a + f; t <= b && n < BQ_MAX_LANES; t += p)
        tooth[n++] = bq_lanes_interp(v, w, t);
    if (n == 0)
        return 0;
    memcpy(sorted, tooth, (size_t)n * sizeof *sorted);
    double typical = bq_lanes_median(sorted, n);
    double floor_v = HUGE_VAL;
    for (int x = a; x <= b; x++)
        floor_v = fmin(floor_v, v[x]);
    double cut = floor_v + BLANK_LANE * (typical - floor_v);
    int first = 0, last = n - 1;
    while (first < n && tooth[first] < cut)
        first++;
    while (last > first && tooth[last] < cut)
        last--;
    int m = 0;
    for (int i = first; i <= last; i++) {
        double t = snap(v, a, b, a + f + i * p, FIT_SNAP * p);
        peak_t *o = &out[m++];
        memset(o, 0, sizeof *o);
        o->pos = t;
        o->left = t - 0.45 * p;
        o->right = t + 0.45 * p;
        o->height = v[(int)lround(bq_clamp(t, a, b))];
        o->faint = COMB_TOOTH;
        o->empty = tooth[i] < cut;
    }
    return m;
}

int bq_lanes_fit_comb(const double *v, int w, int a, int b, double noise, const peak_t *cand,
                      int nc, const peak_t *lanes, int nl, peak_t *out)
{
    /* the pitch lies between what the profile's peaks and the lanes found
     * from them say (merged lanes widen the one, texture narrows the other) */
    double hp = peak_spacing(cand, nc, noise), hl = lane_spacing(lanes, nl);
    if (!(hp > 0.0) || !(hl > 0.0))
        return 0;
    double p = 0.0, f = 0.0;
    double score = best_comb(v, w, a, b, fmin(hp, hl), fmax(hp, hl), &p, &f);
    if (!(score >= FIT_SNR * noise))
        return 0;
    int m = lane_teeth(v, w, a, b, p, f, out);
    return m >= FIT_MIN_TEETH && refines_lanes(lanes, nl, out, m, p) ? m : 0;
}
