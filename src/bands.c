/* bands.c - the band detector: lane profiles -> band rows -> band boxes.
 *
 * Per strip, every lane gets a vertical profile (a trimmed mean across the
 * central 60 % of the lane, so dust specks and lane edges do not count). The
 * slowly varying part (background, smear) is removed with a 1-D opening and
 * what is left is where bands are. Neighbouring lanes are aligned by cross-
 * correlating these residual profiles, which measures smile and tilt from
 * the strongest rows (the loading control is strong in every lane); the
 * aligned residuals are summed into a consensus profile whose peaks are the
 * band rows. A row is then looked for in each lane near its aligned position:
 * found bands give their own position; lanes where nothing is found get the
 * position interpolated from their neighbours and are flagged weak, because a
 * fully degraded band is a measurement of ~0, not an absence. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/bands.h"
#include "internal.h"

#define MAX_SHIFT 14      /* largest row shift between neighbouring lanes, px */
#define SEARCH_TOL 4      /* how far a lane's band may sit from its prediction */
#define SMOOTH_SIGMA 1.5  /* profile smoothing before peak finding, px */
#define DETECT_SNR 4.0    /* peak height / noise for a lane to "have" the band */
#define ROW_MIN_FRAC 0.02 /* consensus peak vs the strongest row in the strip */
#define BOX_SIGMAS 3.5    /* box half-height in band sigmas */
#define PACKED_LANE_SHARE 0.15 /* in a packed strip a lane's band holds this share of the row's mean */
#define PIXEL_NOISE_SAMPLES 65536 /* pixel pairs for a packed strip's noise */
#define TEXT_RUNS 2.0     /* a row whose lanes show more strokes than this is text */

typedef struct cand {
    int strip;
    double y;        /* consensus position, absolute row */
    double up, down; /* box half-extents above / below the band centre */
    double height;   /* consensus peak height */
    double score;
    double rough;    /* median over the lanes of separate strokes across the lane */
    int n_found;
    double hu, hd;   /* consensus half-widths at half maximum, above / below */
    double *pos;     /* per lane: band centre (absolute row) */
    int valley_up, valley_down; /* the consensus box ended at a valley there */
    double *lo, *hi; /* per lane: the row's box where the row's fit crosses the lane */
    unsigned char *found;
} cand_t;

/* ---- profiles ------------------------------------------------------- */

/* Mean of the valid pixels of row y between xa..xb without the K highest
 * and K lowest: a dust speck is at most 4 px across, so dropping 4 on each
 * side removes it, in one pass instead of a sort per row. NAN if none. */
#define TRIM_K 4

static double trimmed_row(const bq_image_t *img, int y, int xa, int xb)
{
    /* The TRIM_K = 4 largest (hi, descending) and smallest (lo, ascending)
     * valid pixels; a narrow row drops only its k largest and smallest,
     * which are the first k of these. */
    _Static_assert(TRIM_K == 4, "trimmed_row keeps four of each in registers");
    float hi[4] = {0}, lo[4] = {0};
    int nh = 0, n = 0;
    int k = (xb - xa + 1) / 5;
    if (k > TRIM_K)
        k = TRIM_K;
    double s = 0;
    const float *row = img->data + (size_t)y * (size_t)img->width;
    const uint8_t *vrow = img->valid ? img->valid + (size_t)y * (size_t)img->width : NULL;
    int x = xa;
    /* the first four valid pixels fill both lists */
    for (; x <= xb && nh < 4; x++) {
        if (vrow && !vrow[x])
            continue;
        float v = row[x];
        s += v;
        n++;
        int j = nh;
        while (j > 0 && hi[j - 1] < v) {
            hi[j] = hi[j - 1];
            j--;
        }
        hi[j] = v;
        j = nh++;
        while (j > 0 && lo[j - 1] > v) {
            lo[j] = lo[j - 1];
            j--;
        }
        lo[j] = v;
    }
    /* then a pixel enters only past the current fourth extreme: two
     * compares a pixel in the common case, the lists in registers, a
     * newcomer bubbled into place as an insertion would put it (the sum
     * stays in pixel order) */
    float h0 = hi[0], h1 = hi[1], h2 = hi[2], h3 = hi[3];
    float l0 = lo[0], l1 = lo[1], l2 = lo[2], l3 = lo[3];
    for (; x <= xb; x++) {
        if (vrow && !vrow[x])
            continue;
        float v = row[x];
        s += v;
        n++;
        if (v > h3) {
            if (v > h2) {
                h3 = h2;
                if (v > h1) {
                    h2 = h1;
                    if (v > h0) {
                        h1 = h0;
                        h0 = v;
                    } else {
                        h1 = v;
                    }
                } else {
                    h2 = v;
                }
            } else {
                h3 = v;
            }
        }
        if (v < l3) {
            if (v < l2) {
                l3 = l2;
                if (v < l1) {
                    l2 = l1;
                    if (v < l0) {
                        l1 = l0;
                        l0 = v;
                    } else {
                        l1 = v;
                    }
                } else {
                    l2 = v;
                }
            } else {
                l3 = v;
            }
        }
    }
    if (n == 0)
        return NAN;
    hi[0] = h0, hi[1] = h1, hi[2] = h2, hi[3] = h3;
    lo[0] = l0, lo[1] = l1, lo[2] = l2, lo[3] = l3;
    int drop = n / 5 < k ? n / 5 : k;
    for (int i = 0; i < drop; i++)
        s -= hi[i] + lo[i];
    return s / (n - 2 * drop);
}

static void lane_profile(const bq_image_t *img, const bq_lane_t *lane, int y0, int h,
                         double *prof)
{
    for (int i = 0; i < h; i++) {
        int y = y0 + i;
        double xl, xr;
        bq_lane_extent_at(lane, y, &xl, &xr);
        double c = 0.5 * (xl + xr), hw = 0.3 * (xr - xl);
        if (hw < 1)
            hw = 1;
        int xa = (int)lround(c - hw), xb = (int)lround(c + hw);
        if (xa < 0)
            xa = 0;
        if (xb >= img->width)
            xb = img->width - 1;
        prof[i] = (xb >= xa) ? trimmed_row(img, y, xa, xb) : NAN;
    }
    /* fill gaps (invalid rows) from the nearest valid neighbour */
    double last = NAN;
    for (int i = 0; i < h; i++) {
        if (isnan(prof[i]))
            prof[i] = last;
        else
            last = prof[i];
    }
    last = NAN;
    for (int i = h - 1; i >= 0; i--) {
        if (isnan(prof[i]))
            prof[i] = last;
        else
            last = prof[i];
    }
    for (int i = 0; i < h; i++)
        if (isnan(prof[i]))
            prof[i] = 0;
}

static void gauss_smooth(const double *in, double *out, int n, double sigma)
{
    int r = (int)ceil(3 * sigma);
    double k[32];
    if (r > 15)
        r = 15;
    double ks = 0;
    for (int j = -r; j <= r; j++) {
        k[j + r] = exp(-0.5 * j * j / (sigma * sigma));
        ks += k[j + r];
    }
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = -r; j <= r; j++) {
            int t = i + j;
            t = t < 0 ? 0 : (t >= n ? n - 1 : t);
            s += k[j + r] * in[t];
        }
        out[i] = s / ks;
    }
}

/* Sliding minimum (sign = 1) or maximum (sign = -1) over a window of
 * 2r+1 with a monotone deque: linear in n whatever the window. */
static void sliding_extreme(const double *in, double *out, int *dq, int n, int r, int sign)
{
    int head = 0, tail = 0, next = 0;
    for (int i = 0; i < n; i++) {
        int hi = i + r < n - 1 ? i + r : n - 1;
        while (next <= hi) {
            while (tail > head && sign * in[dq[tail - 1]] >= sign * in[next])
                tail--;
            dq[tail++] = next++;
        }
        while (dq[head] < i - r)
            head++;
        out[i] = in[dq[head]];
    }
}

/* 1-D grey opening (erode then dilate, flat window 2r+1): the profile a
 * window of that size can reach from below, i.e. the part without bands. */
static void opening(const double *in, double *out, double *tmp, int *dq, int n, int r)
{
    sliding_extreme(in, tmp, dq, n, r, 1);
    sliding_extreme(tmp, out, dq, n, r, -1);
}

/* Pixel noise of a strip's lanes: 1.4826 * MAD of the differences between
 * horizontal neighbours inside the lanes, over sqrt(2); never below the
 * rounding noise of integer data (1/sqrt(12) of a step). Edges of lanes
 * and bands are few among the pairs, so the median sees the flat parts.
 * Used where a strip is packed with bands and the spread of its profiles
 * is the bands themselves. */
static double pixel_noise(const bq_image_t *img, const bq_strip_t *st, int y0, int h,
                          double *scratch, int cap)
{
    int k = 0, step = 1 + (int)((long)h * st->n_lanes * 64 / cap);
    for (int i = 0; i < h && k < cap; i += step)
        for (int l = 0; l < st->n_lanes && k < cap; l++) {
            double xl, xr;
            bq_lane_extent_at(&st->lanes[l], y0 + i, &xl, &xr);
            int xa = (int)bq_clamp(ceil(xl), 0, img->width - 2);
            int xb = (int)bq_clamp(floor(xr), 0, img->width - 2);
            const float *row = img->data + (size_t)(y0 + i) * (size_t)img->width;
            const uint8_t *vr = img->valid ? img->valid + (size_t)(y0 + i) * (size_t)img->width : NULL;
            for (int x = xa; x < xb && k < cap; x++)
                if (!vr || (vr[x] && vr[x + 1]))
                    scratch[k++] = fabs((double)row[x + 1] - row[x]);
        }
    double sig = k > 0 ? 1.4826 * bq_median_inplace(scratch, (size_t)k) / sqrt(2.0) : 0.0;
    double floor_q = img->max_value == 255.0 || img->max_value == 65535.0 ? 1.0 / sqrt(12.0) : 0.0;
    return sig > floor_q ? sig : floor_q;
}

/* The noise pixel noise leaves in a lane profile: the profile is a trimmed
 * mean over the central 60 % of the lane (about 0.6 of those pixels count)
 * smoothed by a Gaussian of SMOOTH_SIGMA rows (which keeps
 * 1 / sqrt(2 sqrt(pi) SMOOTH_SIGMA) of white noise). */
static double profile_noise_from_pixels(double px, double lane_width)
{
    double n = 0.36 * lane_width;
    if (n < 1.0)
        n = 1.0;
    return px / sqrt(n) / sqrt(2.0 * sqrt(M_PI) * SMOOTH_SIGMA);
}

/* noise of a residual profile: 1.4826 * MAD around its median */
static double robust_sigma(const double *r, int n, double *median, double *scratch)
{
    memcpy(scratch, r, (size_t)n * sizeof *scratch);
    double med = bq_median_inplace(scratch, (size_t)n);
    for (int i = 0; i < n; i++)
        scratch[i] = fabs(r[i] - med);
    double mad = bq_median_inplace(scratch, (size_t)n);
    if (median)
        *median = med;
    return 1.4826 * mad;
}

static double interp(const double *v, int n, double x)
{
    if (x <= 0)
        return v[0];
    if (x >= n - 1)
        return v[n - 1];
    int i = (int)x;
    double f = x - i;
    return v[i] * (1 - f) + v[i + 1] * f;
}

/* Shift d (rows) that best maps lane a onto lane b: b[i + d] ~ a[i]. Only the
 * positive part of the residuals counts so bands, not noise, align. ap and
 * bp are scratch of n each (the positive parts, taken once, not per shift). */
static double best_shift(const double *a, const double *b, int n, int maxs, double *ap,
                         double *bp)
{
    double best = -1, corr[2 * MAX_SHIFT + 1];
    int bi = 0;
    for (int i = 0; i < n; i++) {
        ap[i] = a[i] > 0 ? a[i] : 0;
        bp[i] = b[i] > 0 ? b[i] : 0;
    }
    for (int d = -maxs; d <= maxs; d++) {
        double s = 0, na = 0, nb = 0;
        /* the i with 0 <= i + d < n, in the same order as ever */
        int i0 = d < 0 ? -d : 0, i1 = d > 0 ? n - d : n;
        for (int i = i0; i < i1; i++) {
            double x = ap[i], y = bp[i + d];
            s += x * y;
            na += x * x;
            nb += y * y;
        }
        double c = (na > 0 && nb > 0) ? s / sqrt(na * nb) : 0;
        corr[d + maxs] = c;
        if (c > best) {
            best = c;
            bi = d;
        }
    }
    if (best < 0.2)
        return 0; /* nothing in common to align on */
    double sub = 0;
    int k = bi + maxs;
    if (k > 0 && k < 2 * maxs) {
        double l = corr[k - 1], c = corr[k], r = corr[k + 1];
        double den = l - 2 * c + r;
        if (den < 0)
            sub = 0.5 * (l - r) / den;
    }
    return bi + sub;
}

/* Distance from peak i to where v falls to level, walking in direction dir
 * (linear interpolation between rows). */
static double half_width(const double *v, int n, int i, int dir, double level)
{
    int j = i;
    while (j + dir >= 0 && j + dir < n && v[j + dir] > level)
        j += dir;
    if (j + dir < 0 || j + dir >= n)
        return fabs((double)(j - i)) + 0.5;
    double a = v[j], b = v[j + dir];
    double f = (a - b) > 0 ? (a - level) / (a - b) : 0.5;
    return fabs((double)(j - i)) + f;
}

/* ---- one strip ------------------------------------------------------ */

typedef struct strip_work {
    int y0, h, nl;
    double **res; /* per lane residual profile */
    double *sig;  /* per lane noise */
    double *med;  /* per lane residual median */
    double *off;  /* per lane row offset */
} strip_work_t;

static void strip_work_free(strip_work_t *w)
{
    if (w->res)
        for (int l = 0; l < w->nl; l++)
            free(w->res[l]);
    free(w->res);
    free(w->sig);
    free(w->med);
    free(w->off);
}

/* Find where a lane's band of a row is, near predicted row p (strip-relative).
 * Returns 1 and the sub-pixel position if a peak stands out of the noise. */
static int find_in_lane(const strip_work_t *w, int l, double p, double *pos, double *height)
{
    const double *r = w->res[l];
    int a = (int)floor(p - SEARCH_TOL), b = (int)ceil(p + SEARCH_TOL);
    if (a < 1)
        a = 1;
    if (b > w->h - 2)
        b = w->h - 2;
    int bi = -1;
    double bv = -INFINITY;
    for (int i = a; i <= b; i++)
        if (r[i] >= r[i - 1] && r[i] >= r[i + 1] && r[i] > bv) {
            bv = r[i];
            bi = i;
        }
    if (bi < 0)
        return 0;
    *height = bv - w->med[l];
    double den = r[bi - 1] - 2 * r[bi] + r[bi + 1];
    *pos = bi + (den < 0 ? 0.5 * (r[bi - 1] - r[bi + 1]) / den : 0);
    double noise = w->sig[l] > 1e-9 ? w->sig[l] : 1e-9;
    return *height >= DETECT_SNR * noise;
}

/* How many separate strokes row yc shows across one lane: runs of the
 * across-lane profile (mean of rows yc-1..yc+1) above 65 % of its range,
 * a run ending below 35 % (hysteresis, so noise on a plateau is not a new
 * stroke). A band is one plateau across the lane: 1. Burned-in text (dose
 * labels printed over the lanes, saturated, often as strong as a band) is a
 * row of glyphs, each one or two vertical strokes: 3 and more per lane. */
static double col_mean(const bq_image_t *img, int x, int ya, int yb)
{
    double s = 0;
    for (int y = ya; y <= yb; y++)
        s += img->data[(size_t)y * (size_t)img->width + (size_t)x];
    return s / (yb - ya + 1);
}

static double lane_strokes(const bq_image_t *img, const bq_lane_t *lane, double yc)
{
    double xl, xr;
    bq_lane_extent_at(lane, yc, &xl, &xr);
    int xa = (int)lround(xl), xb = (int)lround(xr);
    int ya = (int)lround(yc) - 1, yb = (int)lround(yc) + 1;
    if (xa < 0)
        xa = 0;
    if (xb >= img->width)
        xb = img->width - 1;
    if (ya < 0)
        ya = 0;
    if (yb >= img->height)
        yb = img->height - 1;
    if (xb - xa < 4 || yb < ya)
        return NAN;
    size_t n = (size_t)(xb - xa + 1);
    double *prof = malloc(n * sizeof *prof);
    if (!prof)
        return NAN;
    double mn = INFINITY, mx = -INFINITY;
    for (int x = xa; x <= xb; x++) {
        double v = col_mean(img, x, ya, yb);
        prof[x - xa] = v;
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    double runs = mx > mn ? bq_count_strokes(prof, n, mn + 0.35 * (mx - mn), mn + 0.65 * (mx - mn))
                          : NAN;
    free(prof);
    return runs;
}

/* How many lanes add into the consensus (ladders have their own pattern). */
static int n_cons_lanes(const bq_strip_t *st)
{
    int n = 0;
    for (int l = 0; l < st->n_lanes; l++)
        n += !st->lanes[l].is_ladder;
    return n > 0 ? n : 1;
}

/* A packed strip's lanes: noise from the pixels (prof_noise per lane),
 * baseline from the lowest tenth of the residual (its median sits on the
 * bands). */
static void packed_noise(strip_work_t *w, const bq_strip_t *st, double px, double *scratch)
{
    for (int l = 0; l < w->nl; l++) {
        double ns = profile_noise_from_pixels(px, st->lanes[l].x_right - st->lanes[l].x_left);
        if (ns < w->sig[l])
            w->sig[l] = ns;
        memcpy(scratch, w->res[l], (size_t)w->h * sizeof *scratch);
        w->med[l] = bq_quantile_inplace(scratch, (size_t)w->h, 0.1);
    }
}

/* Per lane of the strip: the lane's profile, smoothed, less its opening
 * (the background under the bands), with its noise and median. The opening
 * must be wider than any band, narrower than background structure; a sixth
 * of the strip with a floor covers both. */
static int lane_residuals(const bq_image_t *img, const bq_strip_t *st, strip_work_t *w,
                          double *prof, double *sm, double *base, double *tmp, int *dq)
{
    int h = w->h;
    int orad = h / 12;
    if (orad < 15)
        orad = 15;
    for (int l = 0; l < w->nl; l++) {
        w->res[l] = bq_alloc_array((size_t)h, sizeof **w->res);
        if (!w->res[l])
            return BQ_ERR_NOMEM;
        lane_profile(img, &st->lanes[l], w->y0, h, prof);
        gauss_smooth(prof, sm, h, SMOOTH_SIGMA);
        opening(sm, base, tmp, dq, h, orad);
        for (int i = 0; i < h; i++)
            w->res[l][i] = sm[i] - base[i];
        w->sig[l] = robust_sigma(w->res[l], h, &w->med[l], tmp);
    }
    return 0;
}

/* Ladder lanes take their row offset interpolated from the sample lanes
 * around them. */
static void ladder_offsets(const bq_strip_t *st, strip_work_t *w)
{
    for (int l = 0; l < w->nl; l++) {
        if (!st->lanes[l].is_ladder)
            continue;
        int a = -1, b = -1;
        for (int k = l - 1; k >= 0 && a < 0; k--)
            if (!st->lanes[k].is_ladder)
                a = k;
        for (int k = l + 1; k < w->nl && b < 0; k++)
            if (!st->lanes[k].is_ladder)
                b = k;
        if (a >= 0 && b >= 0)
            w->off[l] = w->off[a] + (w->off[b] - w->off[a]) * (l - a) / (double)(b - a);
        else
            w->off[l] = a >= 0 ? w->off[a] : w->off[b];
    }
}

/* Align neighbouring sample lanes (ladders have their own pattern): each
 * lane's row offset against the previous one, centred on their median.
 * prof and sm are scratch for best_shift. Returns 0 when the strip holds
 * only ladders (nothing to measure), 1 otherwise. */
static int align_lanes(const bq_strip_t *st, strip_work_t *w, double *prof, double *sm,
                       double *tmp)
{
    int h = w->h, nl = w->nl;
    int maxs = MAX_SHIFT < h / 4 ? MAX_SHIFT : h / 4;
    int prev = -1, first = -1;
    for (int l = 0; l < nl; l++) {
        if (st->lanes[l].is_ladder)
            continue;
        if (prev >= 0)
            w->off[l] = w->off[prev] + best_shift(w->res[prev], w->res[l], h, maxs, prof, sm);
        else
            first = l;
        prev = l;
    }
    if (first < 0)
        return 0;
    ladder_offsets(st, w);
    int ns = 0;
    for (int l = 0; l < nl; l++)
        if (!st->lanes[l].is_ladder)
            tmp[ns++] = w->off[l];
    double m = bq_median_inplace(tmp, (size_t)ns);
    for (int l = 0; l < nl; l++)
        w->off[l] -= m;
    return 1;
}

/* The row threshold of the consensus cons: five noise sigmas, at least
 * ROW_MIN_FRAC of the strongest row. When nothing stands out of the
 * spread, the strip is blank or cropped so tight around its bands that the
 * spread is the bands; the noise then comes from the pixels and the
 * strip's lanes are set up for it (*packed). Returns 1 when a row can
 * stand out, 0 when none can, or a negative bq_err. */
static int row_threshold(const bq_image_t *img, const bq_strip_t *st, strip_work_t *w,
                         const double *cons, double *tmp, int from_pixels, double *csig,
                         double *thr, int *packed)
{
    int h = w->h, nl = w->nl;
    double cmax = 0;
    for (int i = 0; i < h; i++)
        if (cons[i] > cmax)
            cmax = cons[i];
    *packed = 0;
    if (!from_pixels) {
        *csig = robust_sigma(cons, h, NULL, tmp);
        *thr = fmax(5.0 * *csig, ROW_MIN_FRAC * cmax);
        if (cmax > *thr)
            return 1;
    }
    double *pbuf = bq_alloc_array(PIXEL_NOISE_SAMPLES, sizeof *pbuf);
    if (!pbuf)
        return BQ_ERR_NOMEM;
    double px = pixel_noise(img, st, w->y0, h, pbuf, PIXEL_NOISE_SAMPLES);
    free(pbuf);
    double wsum = 0.0;
    for (int l = 0; l < nl; l++)
        wsum += st->lanes[l].x_right - st->lanes[l].x_left;
    *csig = profile_noise_from_pixels(px, wsum / nl) * sqrt((double)n_cons_lanes(st));
    *thr = fmax(5.0 * *csig, ROW_MIN_FRAC * cmax);
    if (!(cmax > *thr))
        return 0;
    packed_noise(w, st, px, tmp);
    *packed = 1;
    return 1;
}

/* Is row i of cons a row peak: the highest point within +-4 rows? */
static int row_peak(const double *cons, int h, int i)
{
    for (int j = i - 4; j <= i + 4; j++)
        if (j >= 0 && j < h && j != i && (cons[j] > cons[i] || (cons[j] == cons[i] && j < i)))
            return 0;
    return 1;
}

/* Drop the candidate rows c[from..*n-1]. */
static void cands_truncate(cand_t *c, int *n, int from)
{
    for (int i = from; i < *n; i++) {
        free(c[i].pos);
        free(c[i].lo);
        free(c[i].hi);
        free(c[i].found);
    }
    *n = from;
}

/* A new candidate row with room for nl lanes, appended to cands; NULL when
 * out of memory. */
static cand_t *cand_new(cand_t **cands, int *n_cands, int *cap_cands, int nl)
{
    if (*n_cands == *cap_cands) {
        int nc = *cap_cands ? *cap_cands * 2 : 16;
        cand_t *nv = realloc(*cands, (size_t)nc * sizeof *nv);
        if (!nv)
            return NULL;
        *cands = nv;
        *cap_cands = nc;
    }
    cand_t *c = &(*cands)[*n_cands];
    memset(c, 0, sizeof *c);
    c->pos = bq_alloc_array((size_t)nl, sizeof *c->pos);
    c->lo = bq_alloc_array((size_t)nl, sizeof *c->lo);
    c->hi = bq_alloc_array((size_t)nl, sizeof *c->hi);
    c->found = bq_calloc_array((size_t)nl, 1);
    if (!c->pos || !c->lo || !c->hi || !c->found) {
        free(c->pos);
        free(c->lo);
        free(c->hi);
        free(c->found);
        return NULL;
    }
    (*n_cands)++;
    return c;
}

/* The row's band in every lane: found where predicted (in a packed strip
 * only with a fair share of the row), else at the deviation interpolated
 * from the lanes around it. Sets pos, found, n_found and returns the summed
 * height of the found sample bands. dev holds nl. */
static double row_lanes(const bq_strip_t *st, const strip_work_t *w, cand_t *c, double yc,
                        double row_height, int packed, int n_samples, double *dev)
{
    int nl = w->nl;
    double hsum = 0;
    for (int l = 0; l < nl; l++) {
        double p = yc + w->off[l], pos, ht;
        dev[l] = NAN;
        if (find_in_lane(w, l, p, &pos, &ht) &&
            !(packed && ht < PACKED_LANE_SHARE * row_height / n_samples)) {
            c->found[l] = 1;
            dev[l] = pos - p;
            if (!st->lanes[l].is_ladder) {
                c->n_found++;
                hsum += ht;
            }
        }
    }
    for (int l = 0; l < nl; l++) {
        double d = dev[l];
        if (isnan(d) || st->lanes[l].is_ladder) {
            int la = -1, lb = -1;
            for (int k = l - 1; k >= 0 && la < 0; k--)
                if (!isnan(dev[k]) && !st->lanes[k].is_ladder)
                    la = k;
            for (int k = l + 1; k < nl && lb < 0; k++)
                if (!isnan(dev[k]) && !st->lanes[k].is_ladder)
                    lb = k;
            if (la >= 0 && lb >= 0)
                d = dev[la] + (dev[lb] - dev[la]) * (l - la) / (double)(lb - la);
            else if (la >= 0 || lb >= 0)
                d = dev[la >= 0 ? la : lb];
            else
                d = 0;
        }
        c->pos[l] = w->y0 + yc + w->off[l] + d;
    }
    return hsum;
}

/* The median stroke count of the row's found sample bands (burned-in text
 * shows several strokes per lane); NAN when none. tmp holds nl. */
static double row_roughness(const bq_image_t *img, const bq_strip_t *st, const cand_t *c,
                            int nl, double *tmp)
{
    int nr = 0;
    for (int l = 0; l < nl; l++)
        if (c->found[l] && !st->lanes[l].is_ladder) {
            double rg = lane_strokes(img, &st->lanes[l], c->pos[l]);
            if (!isnan(rg))
                tmp[nr++] = rg;
        }
    return nr ? bq_median_inplace(tmp, (size_t)nr) : NAN;
}

/* One candidate row at consensus peak i: its position and extent, its band
 * in every lane, its roughness and score. */
static int add_row(const bq_image_t *img, const bq_strip_t *st, int si, const strip_work_t *w,
                   const double *cons, int i, double csig, int packed, int n_samples,
                   cand_t **cands, int *n_cands, int *cap_cands, double *tmp)
{
    int h = w->h;
    double den = cons[i - 1] - 2 * cons[i] + cons[i + 1];
    double yc = i + (den < 0 ? 0.5 * (cons[i - 1] - cons[i + 1]) / den : 0);
    /* extent: the half-maximum widths give the band's sigma above and
     * below (bands are skewed, tails run downwards); the box reaches
     * BOX_SIGMAS sigmas so that a band a little wider than the row's
     * consensus still loses almost nothing, and stops at a valley */
    double half = 0.5 * cons[i];
    double hu = half_width(cons, h, i, -1, half), hd = half_width(cons, h, i, +1, half);
    double su = hu / 1.1774, sd = hd / 1.1774;
    int a = i, b = i;
    while (a > 0 && i - a < BOX_SIGMAS * su + 1 && cons[a - 1] <= cons[a] + 2 * csig)
        a--;
    while (b < h - 1 && b - i < BOX_SIGMAS * sd + 1 && cons[b + 1] <= cons[b] + 2 * csig)
        b++;
    cand_t *c = cand_new(cands, n_cands, cap_cands, w->nl);
    if (!c)
        return BQ_ERR_NOMEM;
    c->strip = si;
    c->y = w->y0 + yc;
    c->up = yc - a;
    c->down = b - yc;
    c->hu = hu;
    c->hd = hd;
    /* an edge the box reached by its sigmas is no edge of the row: only a
     * valley (the frame, the next row) bounds the lanes' boxes */
    c->valley_up = a > 0 && i - a < BOX_SIGMAS * su + 1;
    c->valley_down = b < h - 1 && b - i < BOX_SIGMAS * sd + 1;
    for (int l = 0; l < w->nl; l++) {
        c->lo[l] = -INFINITY;
        c->hi[l] = INFINITY;
    }
    c->height = cons[i];
    double hsum = row_lanes(st, w, c, yc, cons[i], packed, n_samples, tmp);
    c->rough = row_roughness(img, st, c, w->nl, tmp);
    /* strong, consistent rows first: the summed peak height counts the
     * loading control and the target, a lone speck row gets few lanes */
    c->score = hsum * (double)c->n_found / (double)n_samples;
    if (c->n_found < (n_samples >= 4 ? 2 : 1))
        c->score = -1; /* not a row: seen in at most one lane */
    if (c->rough > TEXT_RUNS)
        c->score = -1; /* burned-in text (dose labels), not a protein */
    return 0;
}

/* Does any of the candidate rows c[from..to-1] count as a row? (c is NULL
 * while there are none.) */
static int rows_scored(const cand_t *c, int from, int to)
{
    for (int i = from; i < to; i++)
        if (c[i].score >= 0)
            return 1;
    return 0;
}

/* The strip's candidates rows go to cands; its lane profiles stay in *wout
 * (the caller frees them) for the second look at each row. */
static int analyse_strip(const bq_image_t *img, const bq_strip_t *st, int si,
                         cand_t **cands, int *n_cands, int *cap_cands, strip_work_t *wout)
{
    int rc = BQ_ERR_NOMEM;
    strip_work_t w = {0};
    int y0 = st->y_top, h = st->y_bottom - st->y_top + 1;
    if (y0 < 0) {
        h += y0;
        y0 = 0;
    }
    if (y0 + h > img->height)
        h = img->height - y0;
    int nl = st->n_lanes;
    if (h < 8 || nl < 1)
        return 0;
    w.y0 = y0;
    w.h = h;
    w.nl = nl;
    double *prof = bq_alloc_array((size_t)h, sizeof *prof);
    double *sm = bq_alloc_array((size_t)h, sizeof *sm);
    double *base = bq_alloc_array((size_t)h, sizeof *base);
    /* tmp doubles as a per-lane scratch array: room for whichever is longer */
    double *tmp = bq_alloc_array((size_t)(h > nl ? h : nl), sizeof *tmp);
    double *cons = bq_calloc_array((size_t)h, sizeof *cons);
    int *dq = bq_alloc_array((size_t)h, sizeof *dq);
    w.res = bq_calloc_array((size_t)nl, sizeof *w.res);
    w.sig = bq_calloc_array((size_t)nl, sizeof *w.sig);
    w.med = bq_calloc_array((size_t)nl, sizeof *w.med);
    w.off = bq_calloc_array((size_t)nl, sizeof *w.off);
    if (!prof || !sm || !base || !tmp || !cons || !dq || !w.res || !w.sig || !w.med || !w.off)
        goto done;
    if (lane_residuals(img, st, &w, prof, sm, base, tmp, dq) != 0)
        goto done;
    if (!align_lanes(st, &w, prof, sm, tmp)) {
        rc = 0; /* only ladders: nothing to measure here */
        goto done;
    }
    /* consensus of the aligned sample lanes */
    for (int l = 0; l < nl; l++) {
        if (st->lanes[l].is_ladder)
            continue;
        for (int i = 0; i < h; i++)
            cons[i] += interp(w.res[l], h, i + w.off[l]) - w.med[l];
    }
    int first = *n_cands, n_samples = n_cons_lanes(st);
    for (int from_pixels = 0; from_pixels < 2; from_pixels++) {
        double csig, thr;
        int packed;
        int rows = row_threshold(img, st, &w, cons, tmp, from_pixels, &csig, &thr, &packed);
        if (rows <= 0) {
            rc = rows;
            goto done;
        }
        for (int i = 2; i < h - 2; i++)
            if (cons[i] >= thr && row_peak(cons, h, i) &&
                add_row(img, st, si, &w, cons, i, csig, packed, n_samples, cands, n_cands,
                        cap_cands, tmp) != 0)
                goto done;
        /* a tall strip full of smears and blobs spreads its consensus as
         * much as its bands: when no row stood out of that spread as a
         * row, the noise is taken from the pixels, as in a packed strip */
        if (packed || rows_scored(*cands, first, *n_cands))
            break;
        /* none of them counted: they are looked at again, against the
         * pixels' noise */
        cands_truncate(*cands, n_cands, first);
    }
    rc = 0;
done:
    free(prof);
    free(sm);
    free(base);
    free(tmp);
    free(cons);
    free(dq);
    if (rc == 0 && w.res) {
        *wout = w;
    } else {
        strip_work_free(&w);
    }
    return rc;
}

/* ---- row geometry --------------------------------------------------- */

/* Where a row runs across the lanes: y = a + b x + curv x^2. Smile bends
 * every row of a gel the same way (curv, measured once on the row seen in
 * most lanes); tilt slopes it (b, per row, from its own bands, or from the
 * lanes' slope when its bands are too few or too bunched to say). A lane
 * whose band is too faint to find gets its position from this model, not
 * from its neighbours' deviations: at the end of a row of faint bands
 * (a degrader's top doses) those only extrapolate the last found lane. */
typedef struct row_model {
    double a, b, curv;
} row_model_t;

static double lane_x(const bq_lane_t *lane, double y)
{
    double xl, xr;
    bq_lane_extent_at(lane, y, &xl, &xr);
    return 0.5 * (xl + xr);
}

/* Least squares of y - curv x^2 = a + b x over the sample lanes in use;
 * b fitted only when use holds >= 3 lanes spread over >= 30 % of the
 * sample lanes' width, else the row's slope at the sample lanes' centre is
 * b_prior. (x is absolute, so the smile term has slope 2 curv x: a prior
 * taken as b itself would hold at the image's left edge and tilt a row
 * known from a few central bands by 2 curv x_centre: 0.037 on hard seed 8,
 * its faint MDM2 boxes 12-25 px off at the row's end.) Returns lanes used. */
static int fit_row(const bq_strip_t *st, const cand_t *c, const unsigned char *use, double curv,
                   double b_prior, row_model_t *m)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, xmin = INFINITY, xmax = -INFINITY;
    double amin = INFINITY, amax = -INFINITY, xsum = 0;
    int n = 0, na = 0;
    for (int l = 0; l < st->n_lanes; l++) {
        if (st->lanes[l].is_ladder)
            continue;
        double x = lane_x(&st->lanes[l], c->y);
        amin = x < amin ? x : amin;
        amax = x > amax ? x : amax;
        xsum += x;
        na++;
        if (!use[l])
            continue;
        double y = c->pos[l] - curv * x * x;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        n++;
    }
    m->curv = curv;
    if (n == 0)
        return 0;
    double det = n * sxx - sx * sx;
    if (n >= 3 && xmax - xmin >= 0.3 * (amax - amin) && det > 0) {
        m->b = (n * sxy - sx * sy) / det;
        m->a = (sy - m->b * sx) / n;
    } else {
        m->b = b_prior - 2.0 * curv * (xsum / na);
        m->a = (sy - m->b * sx) / n;
    }
    return n;
}

static double row_at(const row_model_t *m, double x)
{
    return m->a + m->b * x + m->curv * x * x;
}

/* Fit, drop lanes more than 3 px off the fit (a neighbour's band or a
 * speck taken for the band), fit again. use is updated. */
static int fit_row_robust(const bq_strip_t *st, const cand_t *c, unsigned char *use, double curv,
                          double b_prior, row_model_t *m)
{
    int n = fit_row(st, c, use, curv, b_prior, m);
    if (n < 4)
        return n;
    int dropped = 0;
    for (int l = 0; l < st->n_lanes; l++)
        if (use[l] && fabs(c->pos[l] - row_at(m, lane_x(&st->lanes[l], c->y))) > 3.0) {
            use[l] = 0;
            dropped++;
        }
    if (dropped == 0 || n - dropped < 3) {
        for (int l = 0; l < st->n_lanes; l++)
            use[l] = use[l] || (c->found[l] && !st->lanes[l].is_ladder);
        return n;
    }
    return fit_row(st, c, use, curv, b_prior, m);
}

/* The smile's curvature from the row found in most lanes (>= 5): a free
 * quadratic fit over its bands. 0 when no row says. */
static double smile_curvature(const bq_lanes_t *lanes, const cand_t *c, int nc)
{
    int ref = -1;
    for (int i = 0; i < nc; i++)
        if (c[i].score > 0 && c[i].n_found >= 5 &&
            (ref < 0 || c[i].n_found > c[ref].n_found ||
             (c[i].n_found == c[ref].n_found && c[i].score > c[ref].score)))
            ref = i;
    if (ref < 0)
        return 0;
    const bq_strip_t *st = &lanes->strips[c[ref].strip];
    /* normal equations of y = a + b t + k t^2 in t = (x - xm) / 100 */
    double xm = 0;
    int n = 0;
    for (int l = 0; l < st->n_lanes; l++)
        if (c[ref].found[l] && !st->lanes[l].is_ladder) {
            xm += lane_x(&st->lanes[l], c[ref].y);
            n++;
        }
    xm /= n;
    double S[5] = {0}, T[3] = {0};
    for (int l = 0; l < st->n_lanes; l++) {
        if (!c[ref].found[l] || st->lanes[l].is_ladder)
            continue;
        double t = (lane_x(&st->lanes[l], c[ref].y) - xm) / 100.0, y = c[ref].pos[l];
        double tp = 1;
        for (int k = 0; k < 5; k++) {
            S[k] += tp;
            if (k < 3)
                T[k] += tp * y;
            tp *= t;
        }
    }
    /* k by Cramer's rule on [S0 S1 S2; S1 S2 S3; S2 S3 S4] (a, b, k) = T */
    double d = S[0] * (S[2] * S[4] - S[3] * S[3]) - S[1] * (S[1] * S[4] - S[3] * S[2]) +
               S[2] * (S[1] * S[3] - S[2] * S[2]);
    if (!(fabs(d) > 1e-12))
        return 0;
    double k = (S[0] * (S[2] * T[2] - T[1] * S[3]) - S[1] * (S[1] * T[2] - T[1] * S[2]) +
                T[0] * (S[1] * S[3] - S[2] * S[2])) / d;
    return k / 1e4; /* per px^2 */
}

/* Second look at a row: fit its geometry to the lanes where it was found,
 * search the other lanes where the fit puts the row, refit, and place the
 * lanes still without a band (and the ladders) on the fit. */
static void refine_row(const bq_strip_t *st, const strip_work_t *w, cand_t *c, double curv,
                       unsigned char *use)
{
    int nl = st->n_lanes;
    double sl[BQ_MAX_LANES];
    int ns = 0;
    for (int l = 0; l < nl && ns < BQ_MAX_LANES; l++)
        if (!st->lanes[l].is_ladder)
            sl[ns++] = st->lanes[l].slope;
    /* a row is perpendicular to the lanes: dy/dx = -(dx/dy of the lanes) */
    double b_prior = ns ? -bq_median_inplace(sl, (size_t)ns) : 0;
    for (int l = 0; l < nl; l++)
        use[l] = c->found[l] && !st->lanes[l].is_ladder;
    row_model_t m;
    if (fit_row_robust(st, c, use, curv, b_prior, &m) == 0)
        return; /* found nowhere: the consensus positions are all there is */
    int added = 0;
    for (int l = 0; l < nl; l++) {
        if (c->found[l] || st->lanes[l].is_ladder)
            continue;
        double p = row_at(&m, lane_x(&st->lanes[l], c->y)) - w->y0, pos, ht;
        if (find_in_lane(w, l, p, &pos, &ht)) {
            c->found[l] = 1;
            c->pos[l] = w->y0 + pos;
            use[l] = 1;
            added++;
        }
    }
    if (added)
        fit_row_robust(st, c, use, curv, b_prior, &m);
    for (int l = 0; l < nl; l++) {
        double fit = row_at(&m, lane_x(&st->lanes[l], c->y));
        if (!c->found[l] || st->lanes[l].is_ladder)
            c->pos[l] = fit;
        if (c->valley_up)
            c->lo[l] = fit - c->up;
        if (c->valley_down)
            c->hi[l] = fit + c->down;
    }
}

static int cmp_cand_y(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return (x->y > y->y) - (x->y < y->y);
}

static int cmp_cand_score(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

static void cands_free(cand_t *c, int n)
{
    cands_truncate(c, &n, 0);
    free(c);
}

/* A lane's box: the row's extent around the lane's band, but not past where
 * the consensus box ended in that lane (a valley, the next row, the strip's
 * frame): a band found a few pixels off its row would otherwise carry the
 * box over that edge. The band's own half-maximum extent is always kept. */
static void box_rows(const cand_t *c, int l, int *top, int *bottom)
{
    double yc = c->pos[l];
    double t = yc - c->up, b = yc + c->down;
    double tmax = yc - c->hu, bmin = yc + c->hd;
    if (c->found[l]) { /* a lane placed on the row's fit has not moved */
        if (t < c->lo[l])
            t = c->lo[l] < tmax ? c->lo[l] : tmax;
        if (b > c->hi[l])
            b = c->hi[l] > bmin ? c->hi[l] : bmin;
    }
    *top = (int)lround(t);
    *bottom = (int)lround(b);
}

/* Every strip's candidate rows, each refined on the row model, into
 * *cands (*n_cands of them). 0 or BQ_ERR_NOMEM. */
static int candidate_rows(const bq_image_t *img, const bq_lanes_t *lanes, cand_t **cands,
                          int *n_cands)
{
    int cap = 0;
    strip_work_t *works = bq_calloc_array((size_t)lanes->n_strips, sizeof *works);
    unsigned char *use = bq_alloc_array((size_t)lanes->n_lanes, 1);
    int rc = works && use ? 0 : BQ_ERR_NOMEM;
    for (int s = 0; s < lanes->n_strips && rc == 0; s++)
        rc = analyse_strip(img, &lanes->strips[s], s, cands, n_cands, &cap, &works[s]);
    if (rc == 0) {
        cand_t *c = *cands;
        double curv = smile_curvature(lanes, c, *n_cands);
        for (int i = 0; i < *n_cands; i++)
            if (c[i].score > 0 && works[c[i].strip].res)
                refine_row(&lanes->strips[c[i].strip], &works[c[i].strip], &c[i], curv, use);
    }
    if (works)
        for (int s = 0; s < lanes->n_strips; s++)
            strip_work_free(&works[s]);
    free(works);
    free(use);
    return rc;
}

/* The rows worth reporting, moved to the front of c in top-to-bottom
 * order: the want best-scoring ones when rows are named, else every row
 * that scores at least 1 % of the strongest (weaker ones are residual
 * junk, not proteins). Returns how many. */
static int select_rows(cand_t *c, int nc, int want)
{
    int keep = 0;
    if (nc > 1) /* c is NULL when no lane had a candidate: qsort(NULL, 0) is UB */
        qsort(c, (size_t)nc, sizeof *c, cmp_cand_score);
    while (keep < nc && c[keep].score > 0)
        keep++;
    if (want > 0 && keep > want)
        keep = want;
    if (want == 0 && keep > 0) {
        double top = c[0].score;
        int k = 0;
        while (k < keep && c[k].score >= 0.01 * top)
            k++;
        keep = k;
    }
    if (keep > 1)
        qsort(c, (size_t)keep, sizeof *c, cmp_cand_y);
    return keep;
}

/* Boxes of neighbouring rows of one strip must not overlap: where they
 * would, both are shortened in proportion to meet a row before the next. */
static void separate_rows(cand_t *c, int keep)
{
    for (int r = 0; r + 1 < keep; r++) {
        if (c[r].strip != c[r + 1].strip)
            continue;
        double room = c[r + 1].y - c[r].y - 1.0;
        if (c[r].down + c[r + 1].up > room) {
            double f = room / (c[r].down + c[r + 1].up);
            c[r].down *= f;
            c[r + 1].up *= f;
        }
    }
}

/* The image rectangle the lanes were searched in (the ROI, or all). */
typedef struct region {
    int x0, y0, x1, y1;
} region_t;

static region_t lanes_region(const bq_image_t *img, const bq_lanes_t *lanes)
{
    const bq_roi_t *roi = &lanes->roi;
    if (roi->w > 0 && roi->h > 0)
        return (region_t){roi->x, roi->y, roi->x + roi->w - 1, roi->y + roi->h - 1};
    return (region_t){0, 0, img->width - 1, img->height - 1};
}

/* Lane l's band of row r (c), its box clamped to the image and its flags:
 * edge when the box meets the region's or the strip's border, ladder, or
 * weak when the lane's band was not found. */
static void fill_band(const bq_image_t *img, const bq_strip_t *st, region_t rg,
                      const bq_band_options_t *opts, const cand_t *c, int r, int l, bq_band_t *b)
{
    const bq_lane_t *lane = &st->lanes[l];
    b->lane = lane->index > 0 ? lane->index : l + 1;
    b->row = r + 1;
    if (opts && opts->row_names && r < opts->n_row_names && opts->row_names[r])
        snprintf(b->protein, sizeof b->protein, "%s", opts->row_names[r]);
    else
        snprintf(b->protein, sizeof b->protein, "row%d", r + 1);
    double yc = c->pos[l], xl, xr;
    bq_lane_extent_at(lane, yc, &xl, &xr);
    b->x_left = (int)lround(xl);
    b->x_right = (int)lround(xr);
    box_rows(c, l, &b->y_top, &b->y_bottom);
    b->y_peak = yc;
    unsigned fl = 0;
    int sy0 = st->y_top > rg.y0 ? st->y_top : rg.y0;
    int sy1 = st->y_bottom < rg.y1 ? st->y_bottom : rg.y1;
    if (b->x_left <= rg.x0 || b->x_right >= rg.x1 || b->y_top <= sy0 || b->y_bottom >= sy1)
        fl |= BQ_BAND_EDGE;
    b->x_left = (int)bq_clamp(b->x_left, 0, img->width - 1);
    b->x_right = (int)bq_clamp(b->x_right, b->x_left, img->width - 1);
    b->y_top = (int)bq_clamp(b->y_top, 0, img->height - 1);
    b->y_bottom = (int)bq_clamp(b->y_bottom, b->y_top, img->height - 1);
    if (lane->is_ladder)
        fl |= BQ_BAND_LADDER;
    else if (!c->found[l])
        fl |= BQ_BAND_WEAK;
    b->flags = fl;
}

/* The band table of the keep rows in c, one band per lane per row. NULL
 * when out of memory. */
static bq_band_table_t *band_table(const bq_image_t *img, const bq_lanes_t *lanes,
                                   const bq_band_options_t *opts, const cand_t *c, int keep)
{
    int nl = lanes->n_lanes;
    bq_band_table_t *t = calloc(1, sizeof *t);
    size_t nb;
    if (!t || bq_mul_size((size_t)keep, (size_t)nl, &nb) != 0 ||
        !(t->bands = bq_calloc_array(nb, sizeof *t->bands))) {
        free(t);
        return NULL;
    }
    t->n_bands = (int)nb;
    t->n_lanes = nl;
    t->n_rows = keep;
    t->n_strips = lanes->n_strips;
    t->lanes_confidence = lanes->confidence;
    t->lanes_uncertain = lanes->uncertain;
    region_t rg = lanes_region(img, lanes);
    for (int r = 0; r < keep; r++)
        for (int l = 0; l < nl; l++)
            fill_band(img, &lanes->strips[c[r].strip], rg, opts, &c[r], r, l,
                      &t->bands[(size_t)r * (size_t)nl + (size_t)l]);
    return t;
}

int bq_bands_detect(const bq_image_t *img, const bq_lanes_t *lanes,
                    const bq_band_options_t *opts, bq_band_table_t **out,
                    bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "bands: no output");
    *out = NULL;
    if (!img || !img->data || !lanes || lanes->n_strips < 1 || lanes->n_lanes < 1)
        return bq_error_set(err, BQ_ERR_INVALID, "bands: no image or no lanes");
    for (int s = 0; s < lanes->n_strips; s++)
        if (lanes->strips[s].n_lanes != lanes->n_lanes || !lanes->strips[s].lanes)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "bands: strip %d has %d lanes, expected %d", s + 1,
                                lanes->strips[s].n_lanes, lanes->n_lanes);
    cand_t *c = NULL;
    int nc = 0;
    int rc = candidate_rows(img, lanes, &c, &nc);
    if (rc != 0) {
        cands_free(c, nc);
        return bq_error_set(err, rc, "bands: out of memory");
    }
    int want = (opts && opts->n_row_names > 0) ? opts->n_row_names : 0;
    int keep = select_rows(c, nc, want);
    if (keep == 0) {
        cands_free(c, nc);
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "no bands found");
    }
    separate_rows(c, keep);
    bq_band_table_t *t = band_table(img, lanes, opts, c, keep);
    cands_free(c, nc);
    if (!t)
        return bq_error_set(err, BQ_ERR_NOMEM, "bands: out of memory");
    *out = t;
    return 0;
}

void bq_band_table_free(bq_band_table_t *table)
{
    if (!table)
        return;
    free(table->bands);
    free(table);
}

const bq_band_t *bq_band_table_find(const bq_band_table_t *table, int row, int lane)
{
    if (!table)
        return NULL;
    for (int i = 0; i < table->n_bands; i++)
        if (table->bands[i].row == row && table->bands[i].lane == lane)
            return &table->bands[i];
    return NULL;
}

const char *bq_band_flags_str(unsigned flags, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {BQ_BAND_SATURATED, "saturated"},
        {BQ_BAND_WEAK, "weak"},
        {BQ_BAND_LADDER, "ladder"},
        {BQ_BAND_EDGE, "edge"},
        {BQ_BAND_MW_EXTRAPOLATED, "mw_extrapolated"},
    };
    if (!buf || size == 0)
        return "";
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ";" : "", names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    return buf;
}
