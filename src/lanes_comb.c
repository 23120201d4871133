/* lanes_comb.c - stages 5b and 5c of the lane detector: the comb.
 *
 * The lanes of a gel are cast by one comb, so they sit at about one pitch
 * from each other. The lanes chosen from the summed profile (lanes_peaks.c)
 * are checked against that: a faint lane seen only along the band row that
 * fills a gap in the grid is added (5b), a peak several pitches wide is cut
 * into lanes, and teeth missing in the middle of a regular comb or at its
 * ends become lanes where some strip shows signal there (5c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lanes_internal.h"

#define COMB_ODD_GAPS 5        /* a regular comb has at most one odd gap in this many */
#define COMB_TOL 0.2           /* gaps of a regular comb: within this share of a pitch of a multiple */
#define MERGED_WIDTH 1.7       /* a lane this many pitches (and typical widths) wide holds several */

/* ---- 5b. faint lanes in a regular grid -------------------------------- */

/* Mean compressed signal of strip sw's row y over columns [x0, x1] (cells,
 * at the strip's reference row; the tilt moves them). */
static double row_mean(const grid_t *g, const strip_work_t *sw, int y, double x0, double x1)
{
    double dx = sw->slope * (y - sw->yref);
    int a = (int)floor(x0 + dx), b = (int)ceil(x1 + dx);
    if (a < 0) a = 0;
    if (b > g->w - 1) b = g->w - 1;
    double s = 0.0;
    int k = 0;
    const float *t = g->t + (size_t)y * (size_t)g->w;
    const uint8_t *ok = g->ok + (size_t)y * (size_t)g->w;
    for (int x = a; x <= b; x++)
        if (ok[x]) {
            s += t[x];
            k++;
        }
    return k ? s / k : 0.0;
}

/* A dilution series fades out to a lane whose band is a few % of the
 * strongest: summed over the whole lane length it drowns in membrane
 * texture (or merges with its neighbour), but along the band row that the
 * other lanes share it still stands out. The band row is where most lanes
 * (the median over lanes, so ladders do not decide it) have signal; lanes
 * are found again in the column profile of that row alone, and that set
 * replaces the first when it keeps every lane found so far, adds lanes, and
 * its pitch is regular (a faint lane fills a gap in the grid). Added lanes
 * take their width from the others. lanes[] are in the strip's profile
 * coordinates minus sw->shift; out must hold BQ_MAX_LANES. Returns the new
 * count (nl when nothing changes). */
int bq_lanes_add_faint_lanes(const grid_t *g, const strip_work_t *sw, int bx0, int bx1,
                             peak_t *lanes, int nl, double *tmp, double *rowp, double *rp,
                             peak_t *cand, int cap, peak_t *out)
{
    if (nl < 3)
        return nl;
    int rows = sw->gy1 - sw->gy0 + 1;
    for (int y = sw->gy0; y <= sw->gy1; y++) {
        double v[BQ_MAX_LANES];
        for (int i = 0; i < nl; i++) {
            double c = lanes[i].pos + sw->shift, hw = 0.3 * (lanes[i].right - lanes[i].left);
            if (hw < 0.5)
                hw = 0.5;
            v[i] = row_mean(g, sw, y, c - hw, c + hw);
        }
        rowp[y - sw->gy0] = bq_lanes_median(v, nl);
    }
    bq_lanes_smooth3(rowp, tmp, rows, 1);
    int ym = 0;
    for (int i = 1; i < rows; i++)
        if (rowp[i] > rowp[ym])
            ym = i;
    double mx = rowp[ym];
    if (!(mx > 0.0))
        return nl;
    int r0 = ym, r1 = ym;
    while (r0 > 0 && rowp[r0 - 1] >= 0.5 * mx)
        r0--;
    while (r1 < rows - 1 && rowp[r1 + 1] >= 0.5 * mx)
        r1++;
    /* a band row is a band, not most of the lane: a strip cropped to its
     * band row has nothing to add */
    if ((r1 - r0 + 1) * 3 > rows)
        return nl;
    r0 = r0 > 0 ? r0 - 1 : 0;
    r1 = r1 < rows - 1 ? r1 + 1 : rows - 1;
    for (int x = 0; x < g->w; x++)
        rp[x] = 0.0;
    for (int x = bx0; x <= bx1; x++) {
        double s = 0.0;
        for (int y = r0; y <= r1; y++)
            s += row_mean(g, sw, sw->gy0 + y, x, x);
        rp[x] = s / (r1 - r0 + 1);
    }
    double noise = bq_lanes_profile_noise(rp, bx0, bx1, tmp);
    bq_lanes_smooth3(rp, tmp, g->w, 1);
    int np = bq_lanes_find_peaks(rp, bx0, bx1, cand, cap);
    int nr = bq_lanes_choose_lanes(rp, bx0, bx1, noise, cand, np, 0, out, tmp);
    if (nr <= nl)
        return nl;
    /* a band is flat-topped: its middle, not its highest bump, is the lane */
    for (int k = 0; k < nr; k++)
        out[k].pos = 0.5 * (out[k].left + out[k].right);
    for (int i = 0; i + 1 < nr; i++)
        tmp[i] = out[i + 1].pos - out[i].pos;
    double pitch = bq_lanes_median(tmp, nr - 1);
    for (int i = 0; i + 1 < nr; i++) {
        double d = out[i + 1].pos - out[i].pos;
        if (d < 0.7 * pitch || d > 1.3 * pitch)
            return nl;
    }
    /* every lane found so far is still there */
    for (int i = 0; i < nl; i++) {
        double c = lanes[i].pos + sw->shift, best = HUGE_VAL;
        for (int k = 0; k < nr; k++)
            best = fmin(best, fabs(out[k].pos - c));
        if (best > 0.3 * pitch)
            return nl;
    }
    int first = -1, last = -1;
    for (int k = 0; k < nr; k++) {
        double best = HUGE_VAL;
        for (int i = 0; i < nl; i++)
            best = fmin(best, fabs(out[k].pos - lanes[i].pos - sw->shift));
        out[k].faint = best > 0.3 * pitch;
        if (!out[k].faint) {
            if (first < 0)
                first = k;
            last = k;
        }
    }
    /* only gaps inside the grid: beyond the outermost lane found so far a
     * band-row peak may be a label or the membrane's edge */
    for (int k = 0; k < nr; k++) {
        if (out[k].faint && (k < first || k > last))
            return nl;
        out[k].pos -= sw->shift;
    }
    memcpy(lanes, out, (size_t)nr * sizeof *lanes);
    return nr;
}

/* ---- 5c. touching lanes ------------------------------------------------ */

/* The comb's pitch: the typical gap among the closer half of the gaps
 * between lane centres (midway between the edges: a saturated band's peak
 * can sit anywhere on its flat top) (a gap with a lane missing, or two lanes merged,
 * is a multiple of it, never a fraction). 0 when there are too few. */
/* Where a lane sits on the comb: its peak, or midway between its edges
 * (by_centre): a saturated band's peak can sit anywhere on its flat top,
 * while a lane widened by a smear keeps its peak where the band is. */
static double comb_at(const peak_t *l, int by_centre)
{
    return by_centre ? 0.5 * (l->left + l->right) : l->pos;
}

static double comb_pitch(const peak_t *l, int n, int by_centre, double *tmp)
{
    if (n < 3)
        return 0.0;
    for (int i = 0; i + 1 < n; i++)
        tmp[i] = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
    double q25 = bq_quantile_inplace(tmp, (size_t)(n - 1), 0.25);
    int k = 0;
    for (int i = 0; i + 1 < n; i++) {
        double g = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
        if (g >= 0.7 * q25 && g <= 1.4 * q25)
            tmp[k++] = g;
    }
    return k > 0 ? bq_median_inplace(tmp, (size_t)k) : 0.0;
}

/* Bands of neighbouring lanes that touch (saturated loading controls,
 * overloaded lanes) make one wide peak. A lane MERGED_WIDTH pitches wide
 * or more, and that much wider than the typical lane, holds several: it is
 * cut into as many lanes as pitches fit in it, evenly. */
int bq_lanes_split_merged_lanes(const double *p, peak_t *l, int n, double *tmp)
{
    double pitch = comb_pitch(l, n, 0, tmp);
    if (!(pitch > 0.0))
        return n;
    for (int i = 0; i < n; i++)
        tmp[i] = l[i].right - l[i].left;
    double mw = bq_median_inplace(tmp, (size_t)n);
    for (int i = 0; i < n; i++) {
        double wd = l[i].right - l[i].left;
        int k = (int)lround(wd / pitch);
        if (wd < MERGED_WIDTH * pitch || wd < MERGED_WIDTH * mw || k < 2 || n + k - 1 > BQ_MAX_LANES)
            continue;
        peak_t whole = l[i];
        memmove(l + i + k, l + i + 1, (size_t)(n - i - 1) * sizeof *l);
        for (int j = 0; j < k; j++) {
            l[i + j] = whole;
            l[i + j].left = whole.left + j * wd / k;
            l[i + j].right = whole.left + (j + 1) * wd / k;
            l[i + j].pos = 0.5 * (l[i + j].left + l[i + j].right);
            l[i + j].height = p[(int)lround(l[i + j].pos)];
        }
        n += k - 1;
        i += k - 1;
    }
    return n;
}

/* Each of the ns strips' baseline and typical lane height (the median of
 * the n lanes l as they are), for signal_at. */
static void comb_levels(const strip_work_t *sw, int ns, int bx0, int bx1, const peak_t *l, int n,
                        double *tmp, double *base, double *typical)
{
    for (int s = 0; s < ns; s++)
        bq_lanes_strip_levels(sw[s].prof, bx0, bx1, l, sw[s].shift, n, 0.5, tmp, &base[s],
                              &typical[s]);
}

/* Does some strip show lane signal around cell x (its shift applied)? Its
 * mean over the central half of a lane of width wd stands BLANK_LANE of
 * the strip's typical lane height above the strip's baseline. */
static int signal_at(const strip_work_t *sw, int ns, int bx0, int bx1, const double *base,
                     const double *typical, double x, double wd)
{
    for (int s = 0; s < ns; s++) {
        int a = (int)bq_clamp(lround(x + sw[s].shift - 0.25 * wd), bx0, bx1);
        int b = (int)bq_clamp(lround(x + sw[s].shift + 0.25 * wd), bx0, bx1);
        double sum = 0.0;
        for (int c = a; c <= b; c++)
            sum += sw[s].prof[c];
        if (typical[s] > 0.0 && sum / (b - a + 1) - base[s] >= BLANK_LANE * typical[s])
            return 1;
    }
    return 0;
}

/* How odd the gaps between lanes are: gaps that are not a whole number of
 * pitches, within COMB_TOL of a pitch, count 1 at either end of the comb
 * (an end lane whose wide or cut band moves its centre) and n inside it. A
 * comb scoring at most one in COMB_ODD_GAPS gaps is regular; only then are
 * missing teeth told from lanes loaded at uneven spacing (ladders between
 * sample groups, say). */
static int comb_odd_gaps(const peak_t *l, int n, double pitch, int by_centre)
{
    int off = 0;
    for (int i = 0; i + 1 < n; i++) {
        double r = (comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre)) / pitch;
        int odd = fabs(r - lround(r)) > COMB_TOL || lround(r) < 1;
        off += odd ? (i == 0 || i == n - 2 ? 1 : n) : 0; /* only an end gap may be odd */
    }
    return off;
}

/* Is the comb of the n lanes l regular (at most one odd gap in
 * COMB_ODD_GAPS)? Measured on the lanes' peaks or their centres, whichever
 * makes the more regular comb; sets its pitch, that choice, and the median
 * lane width. */
static int regular_comb(const peak_t *l, int n, double *tmp, double *pitch, int *by_centre,
                        double *wd)
{
    double pp = comb_pitch(l, n, 0, tmp), pc = comb_pitch(l, n, 1, tmp);
    int op = pp > 0.0 ? comb_odd_gaps(l, n, pp, 0) : n, oc = pc > 0.0 ? comb_odd_gaps(l, n, pc, 1) : n;
    *by_centre = oc < op;
    *pitch = *by_centre ? pc : pp;
    if (!(*pitch > 0.0) || (*by_centre ? oc : op) > (n - 1) / COMB_ODD_GAPS)
        return 0;
    for (int i = 0; i < n; i++)
        tmp[i] = l[i].right - l[i].left;
    *wd = bq_median_inplace(tmp, (size_t)n);
    return 1;
}

int bq_lanes_comb_regular(const peak_t *l, int n, double *tmp)
{
    double pitch, wd;
    int by_centre;
    return regular_comb(l, n, tmp, &pitch, &by_centre, &wd);
}

/* The comb as a line: lane i sits at a + b * k[i], k counting whole
 * pitches from the first lane. A line through all the lanes places the
 * next tooth better than one end lane, whose centre leans with its band
 * or with the texture beyond it (it has no neighbour on that side).
 * Returns the last lane's k. */
static int comb_line(const peak_t *l, int n, double pitch, int by_centre, double *a, double *b)
{
    double sk = 0.0, sx = 0.0, skk = 0.0, skx = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            long step = lround((comb_at(&l[i], by_centre) - comb_at(&l[i - 1], by_centre)) / pitch);
            k += step < 1 ? 1 : (int)step;
        }
        double x = comb_at(&l[i], by_centre);
        sk += k;
        sx += x;
        skk += (double)k * k;
        skx += k * x;
    }
    double det = n * skk - sk * sk;
    *b = det > 0.0 ? (n * skx - sk * sx) / det : pitch;
    *a = (sx - *b * sk) / n;
    return k;
}

/* The comb predicts where a tooth sits to within a fraction of a pitch
 * (lanes are loaded by hand); a peak of the profile that close is the
 * lane itself. */
#define SNAP_TOL 0.3

#define FOOT_MIN 0.25 /* a lane's foot lies this share of the pitch or more from its centre */

/* The middle of the signal of a lane with no peak of its own (a band
 * fading into a frame or an edge makes a plateau, or a slope, in the
 * profile): from the foot of the end lane at e (its first minimum on the
 * way to x) to where the profile p, going outward from x, falls half-way
 * from the highest point between them to its lowest within a pitch beyond
 * x. x itself when the signal does not end within a pitch, or ends where
 * no lane fits. */
static double centre_on_signal(const double *p, int bx0, int bx1, double x, double e,
                               double pitch)
{
    int dir = x > e ? 1 : -1, xi = (int)lround(x), ei = (int)lround(e);
    int far = (int)lround(x + dir * pitch);
    if (far < bx0) far = bx0;
    if (far > bx1) far = bx1;
    if (dir * (far - xi) < 1 || dir * (xi - ei) < 2)
        return x;
    int valley = ei;
    while (valley != xi && p[valley + dir] <= p[valley])
        valley += dir;
    /* a band fills half its pitch or more: a minimum nearer the end lane
     * is a wiggle on its flank, and what lies beyond it is that flank */
    if (dir * (valley - ei) < FOOT_MIN * pitch)
        return x;
    double top = p[xi], floor_ = p[xi];
    for (int c = valley; c != xi + dir; c += dir)
        top = fmax(top, p[c]);
    for (int c = xi; c != far + dir; c += dir)
        floor_ = fmin(floor_, p[c]);
    double half = 0.5 * (top + floor_);
    if (!(top > floor_) || p[valley] <= half)
        return x;
    int c = xi;
    while (c != far && p[c] > half)
        c += dir;
    if (p[c] > half)
        return x;
    double mid = 0.5 * (valley + c);
    double width = abs(c - valley);
    return width >= 0.5 * pitch && width <= 1.5 * pitch ? mid : x;
}

/* x moved to the highest local maximum of profile p within tol of it and
 * at least pitch - tol from the end lane at e (nearer, it is a wiggle on
 * that lane's own flank); when there is none (a maximum on the window's
 * edge is the flank of something beyond it, not a peak), towards the
 * middle of the signal there, by tol at most. */
static double snap_to_peak(const double *p, int bx0, int bx1, double x, double e, double pitch,
                           double tol)
{
    int lo = (int)ceil(x - tol), hi = (int)floor(x + tol), best = -1;
    for (int c = lo + 1; c < hi; c++)
        if (c > bx0 && c < bx1 && fabs(c - e) >= pitch - tol && p[c] >= p[c - 1] &&
            p[c] >= p[c + 1] && (best < 0 || p[c] > p[best]))
            best = c;
    if (best >= 0)
        return best;
    double mid = centre_on_signal(p, bx0, bx1, x, e, pitch);
    mid = fmin(fmax(mid, x - tol), x + tol);
    return fabs(mid - e) >= pitch - tol ? mid : x;
}

/* A regular comb whose end lane stands a pitch or more inside the region
 * may have lost a lane against the edge (a frame, a crop through the last
 * lane): one more tooth on that side, on the comb's line and snapped to a
 * peak of the summed profile p near it, where some strip shows signal
 * there and the tooth fits inside the region. */
/* How far lane l's strongest band stands over the lane's own median along
 * strip sw (its central 60 %, following the tilt); rowp holds the strip's
 * rows. */
double bq_lanes_band_standout(const grid_t *g, const strip_work_t *sw, const peak_t *l,
                              double *rowp)
{
    int rows = sw->gy1 - sw->gy0 + 1;
    double c = l->pos + sw->shift, half = fmax(0.3 * (l->right - l->left), 0.5);
    double mx = -HUGE_VAL;
    for (int y = sw->gy0; y <= sw->gy1; y++) {
        double v = row_mean(g, sw, y, c - half, c + half);
        rowp[y - sw->gy0] = v;
        /* lanes found along the band row have their band there */
        if (!sw->band_row || (y >= sw->row0 && y <= sw->row1))
            mx = fmax(mx, v);
    }
    return mx - bq_lanes_median(rowp, rows);
}

/* Does the tooth t beside end lane e show a band, share as strong as e's
 * (each over its lane's own median), in some strip? Signal there without
 * one is the membrane's border lit or stained evenly along its length (a
 * tray's glow, a film's edge), not a lane. rowp holds the grid's height. */
static int tooth_has_band(const grid_t *g, const strip_work_t *sw, int ns, const peak_t *t,
                          const peak_t *e, double share, double *rowp)
{
    for (int s = 0; s < ns; s++) {
        double be = bq_lanes_band_standout(g, &sw[s], e, rowp);
        if (be > 0.0 && bq_lanes_band_standout(g, &sw[s], t, rowp) >= share * be)
            return 1;
    }
    return 0;
}

int bq_lanes_extend_comb_ends(const grid_t *g, const strip_work_t *sw, int ns, const double *p,
                              int bx0, int bx1, peak_t *l, int n, double *rowp, double *tmp)
{
    double pitch, wd;
    int by_centre;
    if (!regular_comb(l, n, tmp, &pitch, &by_centre, &wd))
        return n;
    /* a marker is loaded at the end of the comb: beyond a ladder lies
     * blank membrane, its kDa labels or the membrane's edge, never a lane
     * lost against the edge */
    int counts[BQ_MAX_LANES], ladder[BQ_MAX_LANES];
    bq_lanes_band_counts(g, sw, ns, l, n, rowp, tmp, counts);
    bq_lanes_ladder_flags(counts, n, ns, ladder);
    int end_ladder[2] = {ladder[0], ladder[n - 1]};
    for (int side = 0; side < 2 && n < BQ_MAX_LANES; side++) {
        const peak_t *end = side ? &l[n - 1] : &l[0];
        if (end_ladder[side])
            continue;
        double a, b;
        int k_last = comb_line(l, n, pitch, by_centre, &a, &b);
        double x = side ? a + b * (k_last + 1) : a - b;
        /* an end lane off the comb's line (a ladder set apart) leaves no
         * room for a tooth beside it */
        if (fabs(x - end->pos) < (1.0 - SNAP_TOL) * b)
            continue;
        x = snap_to_peak(p, bx0, bx1, x, end->pos, b, SNAP_TOL * b);
        if (x - 0.4 * wd < bx0 || x + 0.4 * wd > bx1)
            continue;
        double base[LANES_MAX_STRIPS], typical[LANES_MAX_STRIPS];
        comb_levels(sw, ns, bx0, bx1, l, n, tmp, base, typical);
        peak_t t = *end;
        t.pos = x;
        t.left = x - 0.5 * wd;
        t.right = x + 0.5 * wd;
        t.faint = COMB_TOOTH;
        /* a tooth shows lane signal down its column, or a band standing
         * out as far as the end lane's (a marker: a few bands on blank
         * membrane) */
        if (!signal_at(sw, ns, bx0, bx1, base, typical, x, wd) &&
            !tooth_has_band(g, sw, ns, &t, end, 1.0, rowp))
            continue;
        if (!tooth_has_band(g, sw, ns, &t, end, BLANK_LANE, rowp))
            continue;
        if (side)
            l[n] = t;
        else {
            memmove(l + 1, l, (size_t)n * sizeof *l);
            l[0] = t;
        }
        n++;
    }
    return n;
}

/* A gap of two or more pitches between neighbouring lanes is a comb with
 * teeth missing: lanes blank in the summed profile (a target seen in a few
 * lanes only) or lost in it. Each missing tooth becomes a lane where some
 * strip shows signal there (a loading control in every lane, say). */
int bq_lanes_fill_comb_gaps(const strip_work_t *sw, int ns, int bx0, int bx1, peak_t *l, int n,
                            double *tmp)
{
    double pitch, wd;
    int by_centre;
    if (!regular_comb(l, n, tmp, &pitch, &by_centre, &wd))
        return n;
    double base[LANES_MAX_STRIPS], typical[LANES_MAX_STRIPS];
    comb_levels(sw, ns, bx0, bx1, l, n, tmp, base, typical);
    peak_t out[BQ_MAX_LANES];
    int m = 0;
    for (int i = 0; i < n && m < BQ_MAX_LANES; i++) {
        out[m++] = l[i];
        if (i + 1 == n)
            break;
        double gap = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
        int k = (int)lround(gap / pitch);
        if (fabs(gap / pitch - k) > COMB_TOL)
            continue;
        for (int j = 1; j < k && k >= 2 && m < BQ_MAX_LANES; j++) {
            double x = comb_at(&l[i], by_centre) + j * gap / k;
            int seen = signal_at(sw, ns, bx0, bx1, base, typical, x, wd);
            /* one tooth missing between two lanes is a lane left empty (or
             * too faint to see); a longer blank run may be a gap between
             * groups of lanes */
            if (!seen && k != 2)
                continue;
            out[m] = l[i];
            out[m].pos = x;
            out[m].left = x - 0.5 * wd;
            out[m].right = x + 0.5 * wd;
            out[m].faint = COMB_TOOTH;
            out[m].empty = !seen;
            m++;
        }
    }
    memcpy(l, out, (size_t)m * sizeof *l);
    return m;
}
