/* lanes_peaks.c - stage 5 of the lane detector: the lanes of a column
 * profile.
 *
 * Lanes are the prominent peaks of the profile, spaced at least half a
 * pitch apart; their edges are where the profile falls to a quarter of the
 * lane's height above the valleys beside it. Peaks without a real dip
 * between them are one lane; the two lobes of a hollow band are one lane;
 * specks, label columns and the bright ends of a bent band do not fit the
 * comb and go. Works on any profile: the strips' summed one, one strip's,
 * or one band row's (lanes_comb.c). */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

#define EDGE_LEVEL 0.25         /* lane edge: this fraction of the lane's height */
#define SAME_LANE_DIP 0.35      /* peaks with a shallower dip between them are one lane */
#define PAIR_DIP_RATIO 0.75    /* lobes of one split lane: dip below this share of the lanes' dips */
#define MIN_PROM 0.01           /* smallest lane in compressed units (mean log signal) */

/* ---- 5. peaks -------------------------------------------------------- */

/* Noise of a profile from its first differences (robust to the lanes). */
double bq_lanes_profile_noise(const double *p, int a, int b, double *tmp)
{
    int m = 0;
    for (int i = a; i < b; i++)
        tmp[m++] = fabs(p[i + 1] - p[i]);
    if (m == 0)
        return 0.0;
    return 1.4826 * bq_lanes_median(tmp, m) / sqrt(2.0);
}

/* All local maxima of p[a..b] with their prominence, sorted by prominence
 * (largest first). Returns the count. */
int bq_lanes_find_peaks(const double *p, int a, int b, peak_t *out, int cap)
{
    int n = 0;
    for (int i = a; i <= b && n < cap; i++) {
        double v = p[i];
        if (i > a && p[i - 1] >= v)
            continue;
        /* a plateau counts once, at its middle */
        int j = i;
        while (j < b && p[j + 1] == v)
            j++;
        if (j < b && p[j + 1] > v)
            continue;
        double lmin = v, rmin = v;
        int k;
        for (k = i - 1; k >= a && p[k] <= v; k--)
            if (p[k] < lmin)
                lmin = p[k];
        if (k < a && lmin > p[a])
            lmin = p[a];
        for (k = j + 1; k <= b && p[k] <= v; k++)
            if (p[k] < rmin)
                rmin = p[k];
        double base = lmin > rmin ? lmin : rmin;
        out[n].pos = 0.5 * (i + j);
        out[n].height = v;
        out[n].prom = v - base;
        out[n].left = out[n].right = out[n].pos;
        out[n].faint = 0;
        out[n].empty = 0;
        n++;
        i = j;
    }
    /* sort by prominence, descending */
    for (int i = 1; i < n; i++) {
        peak_t x = out[i];
        int j = i - 1;
        while (j >= 0 && out[j].prom < x.prom) {
            out[j + 1] = out[j];
            j--;
        }
        out[j + 1] = x;
    }
    return n;
}

static int cmp_pos(const void *a, const void *b)
{
    double x = ((const peak_t *)a)->pos, y = ((const peak_t *)b)->pos;
    return (x > y) - (x < y);
}

/* Edges of each lane: where the profile falls to EDGE_LEVEL of the lane's
 * height above the valley between it and its neighbour (or the region
 * edge). */
void bq_lanes_lane_edges(const double *p, int a, int b, peak_t *l, int n)
{
    for (int i = 0; i < n; i++) {
        int c = (int)lround(l[i].pos);
        double pk = p[c];
        int lo = i > 0 ? (int)lround(l[i - 1].pos) : a;
        int hi = i < n - 1 ? (int)lround(l[i + 1].pos) : b;
        /* valleys */
        int vl = c, vr = c;
        for (int x = c; x >= lo; x--)
            if (p[x] < p[vl])
                vl = x;
        for (int x = c; x <= hi; x++)
            if (p[x] < p[vr])
                vr = x;
        double lev = p[vl] + EDGE_LEVEL * (pk - p[vl]);
        double xl = vl;
        for (int x = c; x > vl; x--)
            if (p[x - 1] <= lev) {
                double d = p[x] - p[x - 1];
                xl = (x - 1) + (d > 0 ? (lev - p[x - 1]) / d : 0.5);
                break;
            }
        lev = p[vr] + EDGE_LEVEL * (pk - p[vr]);
        double xr = vr;
        for (int x = c; x < vr; x++)
            if (p[x + 1] <= lev) {
                double d = p[x] - p[x + 1];
                xr = x + (d > 0 ? (p[x] - lev) / d : 0.5);
                break;
            }
        if (xl > l[i].pos) xl = l[i].pos;
        if (xr < l[i].pos) xr = l[i].pos;
        l[i].left = xl;
        l[i].right = xr;
    }
    /* a faint lane added from its band row may not stand out of the whole
     * column profile at all: it is as wide as the others; a comb tooth is
     * centred on its tooth as well */
    int nf = 0;
    for (int i = 0; i < n; i++)
        nf += l[i].faint != 0;
    if (nf > 0 && n - nf >= 2) {
        double wd[BQ_MAX_LANES];
        int k = 0;
        for (int i = 0; i < n; i++)
            if (!l[i].faint)
                wd[k++] = l[i].right - l[i].left;
        double mw = bq_lanes_median(wd, k);
        for (int i = 0; i < n; i++)
            if ((l[i].faint && l[i].right - l[i].left < 0.8 * mw) || l[i].faint == COMB_TOOTH) {
                l[i].left = l[i].pos - 0.5 * mw;
                l[i].right = l[i].pos + 0.5 * mw;
            }
    }
    /* the outermost lanes have no neighbour on their outer side: membrane
     * texture or a label beside them would widen them without limit, so
     * their outer edge comes no further than the others' widths allow */
    if (n >= 3) {
        double wd[BQ_MAX_LANES];
        for (int i = 1; i < n - 1; i++)
            wd[i - 1] = l[i].right - l[i].left;
        double cap = 1.4 * bq_lanes_median(wd, n - 2);
        if (l[0].right - l[0].left > cap)
            l[0].left = fmin(l[0].pos, l[0].right - cap);
        if (l[n - 1].right - l[n - 1].left > cap)
            l[n - 1].right = fmax(l[n - 1].pos, l[n - 1].left + cap);
    }
    /* lanes never overlap: a forced lane squeezed in between shares the
     * space at the midpoints */
    for (int i = 0; i + 1 < n; i++)
        if (l[i].right > l[i + 1].left) {
            double mid = 0.5 * (l[i].pos + l[i + 1].pos);
            if (l[i].right > mid) l[i].right = mid;
            if (l[i + 1].left < mid) l[i + 1].left = mid;
        }
}

/* How far the profile dips between lanes i and i+1, as a fraction of the
 * lower lane's height above the baseline: near 0 = one lane with an uneven
 * band, near 1 = two lanes with background between them. */
static double dip_between(const double *p, const peak_t *l, int i, double base)
{
    int x0 = (int)lround(l[i].pos), x1 = (int)lround(l[i + 1].pos);
    double valley = p[x0];
    for (int x = x0; x <= x1; x++)
        if (p[x] < valley)
            valley = p[x];
    double lower = p[x0] < p[x1] ? p[x0] : p[x1];
    if (lower - base <= 0.0)
        return 0.0;
    return (lower - valley) / (lower - base);
}

/* Merge lane i+1 into lane i (the higher of the two keeps its position). */
static int merge_pair(const double *p, peak_t *l, int n, int i)
{
    if (p[(int)lround(l[i + 1].pos)] > p[(int)lround(l[i].pos)]) {
        l[i + 1].prom = fmax(l[i].prom, l[i + 1].prom);
        l[i] = l[i + 1];
    } else {
        l[i].prom = fmax(l[i].prom, l[i + 1].prom);
    }
    memmove(l + i + 1, l + i + 2, (size_t)(n - i - 2) * sizeof *l);
    return n - 1;
}

/* Do lanes first, first+2, ... pair up with their right neighbours, every
 * pair closer and less separated than the pairs are from each other? */
static int pairs_alternate(const double *p, const peak_t *l, int n, int first, double base)
{
    double in_dip = 0.0, in_gap = 0.0, out_dip = HUGE_VAL, out_gap = HUGE_VAL;
    int pairs = 0;
    for (int i = 0; i + 1 < n; i++) {
        double d = dip_between(p, l, i, base), g = l[i + 1].pos - l[i].pos;
        if (i >= first && (i - first) % 2 == 0) {
            in_dip = fmax(in_dip, d);
            in_gap = fmax(in_gap, g);
            pairs++;
        } else {
            out_dip = fmin(out_dip, d);
            out_gap = fmin(out_gap, g);
        }
    }
    return pairs >= 2 && in_dip < PAIR_DIP_RATIO * out_dip && in_gap < out_gap;
}

/* A fat band with a hollow centre (an overloaded lane on film) shows two
 * lobes, and every lane of such a blot splits in two. The split is told
 * from real neighbours by the comb: lobes of one lane sit closer and with
 * a shallower dip between them than any two lanes do, so the dips alternate
 * shallow, deep, shallow along the row. Such pairs become one lane each,
 * centred between its lobes; a lone peak at either end stays a lane. */
static int merge_split_pairs(const double *p, peak_t *l, int n, double base)
{
    if (n < 4)
        return n;
    int first = pairs_alternate(p, l, n, 0, base) ? 0 : pairs_alternate(p, l, n, 1, base) ? 1 : -1;
    if (first < 0)
        return n;
    for (int i = first; i + 1 < n; i++) {
        double mid = 0.5 * (l[i].pos + l[i + 1].pos);
        n = merge_pair(p, l, n, i);
        l[i].pos = mid;
    }
    return n;
}

/* Lanes of one comb are about equally wide and spaced: a speck's narrow
 * spike, a label column crowding an end lane, and the two bright ends of a
 * bent band (two narrow peaks half a pitch apart) are not lanes. Repeated
 * until nothing changes, since each merge moves the edges the next test
 * reads. */
static int comb_pass(const double *p, int a, int b, peak_t *lanes, int n, double *tmp)
{
    /* a speck makes a narrow spike; a lane is about as wide as the
     * others. At either end a narrow peak crowding its neighbour is a
     * column of burned-in labels (kDa numbers) beside a ladder */
    for (int i = 0; i < n; i++)
        tmp[i] = lanes[i].right - lanes[i].left;
    double mw = bq_lanes_median(tmp, n);
    for (int i = 0; i + 1 < n; i++)
        tmp[i] = lanes[i + 1].pos - lanes[i].pos;
    double mp = bq_lanes_median(tmp, n - 1);
    int k = 0;
    for (int i = 0; i < n; i++) {
        double wd = lanes[i].right - lanes[i].left;
        double near = HUGE_VAL;
        if (i > 0)
            near = lanes[i].pos - lanes[i - 1].pos;
        if (i + 1 < n)
            near = fmin(near, lanes[i + 1].pos - lanes[i].pos);
        int end = i == 0 || i == n - 1;
        if (wd >= 0.3 * mw && (!end || wd >= 0.45 * mw || near >= 0.75 * mp))
            lanes[k++] = lanes[i];
    }
    if (k != n) {
        n = k;
        bq_lanes_lane_edges(p, a, b, lanes, n);
    }
    /* two narrow peaks half a pitch apart that together span one
     * lane's width are one lane whose band is brighter at both ends (a
     * bent or smiling band), not two lanes */
    for (int i = 0; i + 1 < n && n > 2; i++) {
        double w0 = lanes[i].right - lanes[i].left, w1 = lanes[i + 1].right - lanes[i + 1].left;
        /* centres, not peaks: a bent band peaks at its bright ends */
        double gap = 0.5 * (lanes[i + 1].left + lanes[i + 1].right - lanes[i].left - lanes[i].right);
        if (w0 < 0.6 * mw && w1 < 0.6 * mw && gap < 0.65 * mp &&
            lanes[i + 1].right - lanes[i].left < 1.3 * mw) {
            double mid = 0.5 * (lanes[i].left + lanes[i + 1].right);
            n = merge_pair(p, lanes, n, i);
            lanes[i].pos = mid;
            bq_lanes_lane_edges(p, a, b, lanes, n);
        }
    }
    return n;
}

int bq_lanes_comb_cleanup(const double *p, int a, int b, peak_t *lanes, int n, double *tmp)
{
    for (int pass = 0; pass < 4 && n > 2; pass++) {
        int before = n;
        n = comb_pass(p, a, b, lanes, n, tmp);
        if (n == before)
            break;
    }
    return n;
}

/* Choose the lanes of a profile: n forced (want > 0) or automatic. lanes
 * must hold BQ_MAX_LANES. Returns the count. */
int bq_lanes_choose_lanes(const double *p, int a, int b, double noise, peak_t *cand, int n_cand,
                          int want, peak_t *lanes, double *tmp)
{
    if (n_cand == 0 || !(cand[0].prom > 0.0))
        return 0;
    /* the baseline: what the gaps between lanes hold */
    int m = 0;
    for (int x = a; x <= b; x++)
        tmp[m++] = p[x];
    double base = m > 0 ? (double)tmp[0] : 0.0;
    if (m > 0) {
        bq_lanes_median(tmp, m); /* sorts */
        base = tmp[m / 10];
    }
    double pmax = cand[0].prom;
    double thr = 6.0 * noise;
    if (thr < 0.03 * pmax)
        thr = 0.03 * pmax;
    if (thr < MIN_PROM)
        thr = MIN_PROM;
    if (want <= 0 && pmax < thr)
        return 0;
    int n = 0;
    for (int i = 0; i < n_cand && n < BQ_MAX_LANES; i++)
        if (cand[i].prom >= thr || (want > 0 && i < want))
            lanes[n++] = cand[i];
    qsort(lanes, (size_t)n, sizeof *lanes, cmp_pos);
    /* peaks without a real dip between them are one lane with an uneven
     * band: merge, shallowest dip first */
    for (;;) {
        int bi = -1;
        double bd = want > 0 && n > want ? 1e9 : SAME_LANE_DIP;
        for (int i = 0; i + 1 < n; i++) {
            double d = dip_between(p, lanes, i, base);
            if (d < bd) {
                bd = d;
                bi = i;
            }
        }
        if (bi < 0)
            break;
        n = merge_pair(p, lanes, n, bi);
    }
    if (want <= 0)
        n = merge_split_pairs(p, lanes, n, base);
    /* forced count with more lanes left: drop the least prominent */
    while (want > 0 && n > want) {
        int wi = 0;
        for (int i = 1; i < n; i++)
            if (lanes[i].prom < lanes[wi].prom)
                wi = i;
        memmove(lanes + wi, lanes + wi + 1, (size_t)(n - wi - 1) * sizeof *lanes);
        n--;
    }
    bq_lanes_lane_edges(p, a, b, lanes, n);
    if (want <= 0)
        n = bq_lanes_comb_cleanup(p, a, b, lanes, n, tmp);
    /* forced count but too few peaks: split the widest gaps */
    while (want > 0 && n < want && n < BQ_MAX_LANES) {
        double at;
        int ins;
        if (n == 0) {
            at = 0.5 * (a + b);
            ins = 0;
        } else {
            double mw = 0.0;
            for (int i = 0; i < n; i++)
                mw += lanes[i].right - lanes[i].left;
            mw /= n;
            double best = lanes[0].left - a;
            at = lanes[0].left - 0.5 * mw - 1;
            ins = 0;
            for (int i = 0; i + 1 < n; i++) {
                double gp = lanes[i + 1].pos - lanes[i].pos;
                if (gp > best) {
                    best = gp;
                    at = 0.5 * (lanes[i].pos + lanes[i + 1].pos);
                    ins = i + 1;
                }
            }
            if (b - lanes[n - 1].right > best) {
                at = lanes[n - 1].right + 0.5 * mw + 1;
                ins = n;
            }
            at = bq_clamp(at, a, b);
        }
        memmove(lanes + ins + 1, lanes + ins, (size_t)(n - ins) * sizeof *lanes);
        lanes[ins].pos = at;
        lanes[ins].prom = 0.0;
        lanes[ins].faint = 0;
        lanes[ins].empty = 0;
        lanes[ins].height = p[(int)lround(at)];
        n++;
        bq_lanes_lane_edges(p, a, b, lanes, n);
    }
    return n;
}
