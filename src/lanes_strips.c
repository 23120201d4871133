/* lanes_strips.c - stage 3 of the lane detector and what is done strip by
 * strip once the lanes are chosen.
 *
 * A blot cut into one strip per protein is imaged as several strips; an
 * uncut blot is one. The strips are the runs of rows that hold membrane,
 * split where a gap of masked rows crosses the region (bq_lanes_find_strips).
 * Strips laid down by hand sit a little apart sideways: each is aligned to
 * the strongest (bq_lanes_align_shift) before their profiles are summed, and
 * the lanes chosen on the sum are then placed in each strip on its own
 * profile (bq_lanes_strip_lanes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lanes_internal.h"

#define STRIP_WIDTH_RATIO 0.6  /* a strip's own lane width outside this ratio of the shared one is noise */

/* Strips: the cells labelled with each strip, bounded in the band table's
 * terms (level rows) by the gaps' edges at the middle of the box. A strip
 * with only a few rows of membrane is dropped. Returns the count. */
/* Is cell row y of label s membrane across at least a tenth of the width? */
static int strip_row(const grid_t *g, int bx0, int bx1, int y, int s)
{
    int k = 0;
    size_t row = (size_t)y * (size_t)g->w;
    for (int x = bx0; x <= bx1; x++)
        k += g->ok[row + (size_t)x] && g->lab[row + (size_t)x] == s;
    return k * 10 >= bx1 - bx0 + 1;
}

/* One strip of label s over cell rows y0..y1; its outer limits follow the
 * gap lines when it is the first (last) strip of the label. */
static void strip_init(const grid_t *g, const gapline_t *gl, int ng, int s, int y0, int y1,
                       int first, int last, double xm, strip_work_t *st)
{
    st->id = s;
    st->gy0 = y0;
    st->gy1 = y1;
    st->top = g->y0 + (double)y0 * g->fy;
    st->bottom = g->y0 + (double)(y1 + 1) * g->fy - 1;
    if (s > 0 && first) {
        const gapline_t *k = &gl[s - 1];
        double cy = k->a + k->b * (xm - k->xc);
        st->top = g->y0 + (cy + k->down + 1.0) * g->fy;
    }
    if (s < ng && last) {
        const gapline_t *k = &gl[s];
        double cy = k->a + k->b * (xm - k->xc);
        st->bottom = g->y0 + (cy - k->up) * g->fy - 1;
    }
}

/* The strips: per gap-line label, the runs of rows that hold membrane. Rows
 * with no membrane across the region (page between stacked strips, masked
 * by the membrane stage) separate strips within a label too. At most cap. */
int bq_lanes_find_strips(const grid_t *g, int bx0, int by0, int bx1, int by1, const gapline_t *gl,
                         int ng, strip_work_t *sw, int cap)
{
    int n = 0;
    int min_h = (by1 - by0 + 1) / 25;
    if (min_h < 2)
        min_h = 2;
    double xm = 0.5 * (bx0 + bx1);
    for (int s = 0; s <= ng; s++) {
        int first = 1, y = by0;
        while (y <= by1 && n < cap) {
            while (y <= by1 && !strip_row(g, bx0, bx1, y, s))
                y++;
            int y0 = y;
            while (y <= by1 && strip_row(g, bx0, bx1, y, s))
                y++;
            int y1 = y - 1;
            if (y1 < y0 || y1 - y0 + 1 < min_h)
                continue;
            int more = 0; /* is another run of this label below? */
            for (int k = y; k <= by1 && !more; k++)
                more = strip_row(g, bx0, bx1, k, s);
            strip_init(g, gl, ng, s, y0, y1, first, !more, xm, &sw[n++]);
            first = 0;
        }
    }
    return n;
}

/* A strip's baseline (the low tenth of its profile p) and the height above
 * it of its typical lane: quantile q of the lanes' heights at their
 * positions, shifted by shift (the upper quartile for a lane with a band,
 * half the lanes may be blank in a strip; the median for the lanes as they
 * come). */
void bq_lanes_strip_levels(const double *p, int a, int b, const peak_t *l, double shift, int n,
                           double q, double *tmp, double *base, double *typical)
{
    int m = 0;
    for (int x = a; x <= b; x++)
        tmp[m++] = p[x];
    *base = bq_quantile_inplace(tmp, (size_t)m, 0.1);
    for (int i = 0; i < n; i++)
        tmp[i] = p[(int)bq_clamp(lround(l[i].pos + shift), a, b)] - *base;
    *typical = bq_quantile_inplace(tmp, (size_t)n, q);
}

/* How far p stands at x above the higher of the lowest points within half
 * a pitch on either side: a lane's own band, where the strip's baseline
 * would also count a membrane edge's raised background. */
static double local_height(const double *p, int a, int b, double x, double pitch)
{
    int c = (int)lround(x), r = (int)lround(0.5 * pitch);
    double lo_l = p[c], lo_r = p[c];
    for (int k = c - r; k < c; k++)
        if (k >= a)
            lo_l = fmin(lo_l, p[k]);
    for (int k = c + 1; k <= c + r; k++)
        if (k <= b)
            lo_r = fmin(lo_r, p[k]);
    return p[c] - fmax(lo_l, lo_r);
}

/* In a strip where some lanes carry no band (a target seen in half the
 * lanes, say), those lanes' own profile is flat membrane and its edges are
 * noise. A lane standing less than BLANK_LANE of the strip's typical lane
 * with a band (the upper quartile of the lane heights: half the lanes may
 * be blank) above the strip's baseline, or above the profile's lows half a
 * pitch to either side (a bump on the raised background by a membrane's
 * edge is no band), keeps the extent found on all strips together
 * (shared, moved by the strip's shift); so does a lane whose edges in this
 * strip make it far narrower or wider than the typical lane (a hollow or
 * half-loaded band, a neighbour's smear). */
static void blank_lanes_keep_shared(const double *p, int a, int b, const peak_t *shared,
                                    double shift, peak_t *sl, int n, double *tmp)
{
    double base, typical;
    bq_lanes_strip_levels(p, a, b, sl, 0.0, n, 0.75, tmp, &base, &typical);
    for (int i = 0; i < n; i++)
        tmp[i] = shared[i].right - shared[i].left;
    double wa = bq_median_inplace(tmp, (size_t)n);
    double pitch = n > 1 ? (shared[n - 1].pos - shared[0].pos) / (n - 1) : wa;
    for (int i = 0; i < n; i++) {
        double ht = fmin(p[(int)lround(sl[i].pos)] - base, local_height(p, a, b, sl[i].pos, pitch));
        double ws = sl[i].right - sl[i].left;
        int odd_width = ws < STRIP_WIDTH_RATIO * wa || ws > wa / STRIP_WIDTH_RATIO;
        if (typical > 0.0 && ht >= BLANK_LANE * typical && !odd_width)
            continue;
        sl[i].pos = bq_clamp(shared[i].pos + shift, a, b);
        sl[i].left = bq_clamp(shared[i].left + shift, a, b);
        sl[i].right = bq_clamp(shared[i].right + shift, a, b);
    }
}

/* The shift (cells) that best aligns profile q onto p, within +-maxs. */
double bq_lanes_align_shift(const double *p, const double *q, int a, int b, int maxs)
{
    double best = -HUGE_VAL;
    int bs = 0;
    double sc[2 * 64 + 1];
    if (maxs > 64)
        maxs = 64;
    for (int s = -maxs; s <= maxs; s++) {
        double v = 0.0;
        for (int x = a; x <= b; x++) {
            int y = x + s;
            if (y >= a && y <= b)
                v += p[x] * q[y];
        }
        sc[s + maxs] = v;
        if (v > best || (v == best && abs(s) < abs(bs))) {
            best = v;
            bs = s;
        }
    }
    /* an optimum at the edge of the window is no alignment: the overlap
     * still grows beyond it, towards lanes of the other strip that carry
     * bands where this one has none (a target in every other lane) */
    if (maxs > 1 && (bs == -maxs || bs == maxs))
        return 0.0;
    double f = 0.0;
    if (bs > -maxs && bs < maxs) {
        double l = sc[bs + maxs - 1], c = sc[bs + maxs], r = sc[bs + maxs + 1];
        double den = l - 2 * c + r;
        if (den < 0)
            f = bq_clamp(0.5 * (l - r) / den, -0.5, 0.5);
    }
    return bs + f;
}

void bq_lanes_strip_lanes(const strip_work_t *sw, int ns, int bx0, int bx1, const peak_t *lanes,
                          int nl, double *tmp, peak_t *sl)
{
    /* this strip's lanes: the shared ones moved by the strip's shift,
     * each re-centred on the strip's own peak when it has one nearby */
    double pitch = nl > 1 ? (lanes[nl - 1].pos - lanes[0].pos) / (nl - 1) : (bx1 - bx0 + 1);
    double base = 0.0, typical = 0.0;
    bq_lanes_strip_levels(sw->prof, bx0, bx1, lanes, sw->shift, nl, 0.75, tmp, &base, &typical);
    for (int i = 0; i < nl; i++) {
        sl[i] = lanes[i];
        sl[i].pos = lanes[i].pos + sw->shift;
        /* the strip's shift can push an edge lane's centre out of
         * bx0..bx1, where the profile has no entries */
        if (sl[i].pos < bx0)
            sl[i].pos = bx0;
        else if (sl[i].pos > bx1)
            sl[i].pos = bx1;
        if (ns > 1) {
            int r = (int)(0.2 * pitch);
            int c = (int)lround(sl[i].pos), bi = c;
            for (int x = c - r; x <= c + r; x++)
                if (x >= bx0 && x <= bx1 && sw->prof[x] > sw->prof[bi])
                    bi = x;
            if (bi != c && bi > bx0 && bi < bx1 && sw->prof[bi] > 6.0 * sw->noise &&
                sw->prof[bi] - base >= BLANK_LANE * typical)
                sl[i].pos = bi;
        }
    }
    bq_lanes_lane_edges(sw->prof, bx0, bx1, sl, nl);
    if (ns > 1)
        blank_lanes_keep_shared(sw->prof, bx0, bx1, lanes, sw->shift, sl, nl, tmp);
}
