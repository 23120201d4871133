/* mw.c - molecular-weight ladders: the presets, matching a ladder lane's
 * peaks to a ladder, and the monotone log10(kDa)-against-row interpolant. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/mw.h"
#include "internal.h"
#include "mw_internal.h"

/* ---- presets ------------------------------------------------------------
 *
 * Apparent sizes in kDa as the vendors print them for their standard gel
 * system (a prestained marker's apparent size depends on the gel and
 * buffer; the vendors' tables differ by a few percent between systems).
 * Each list was checked against a compiled catalogue of ladders
 * (a public repository's ladder list that quotes each vendor's page by
 * URL), not read from the vendor's own document here:
 *  - PageRuler Plus Prestained, Thermo 26619 (thermofisher.com .../26619):
 *    250, 130, 100, 70, 55, 35, 25, 15, 10
 *  - PageRuler Prestained, Thermo 26616 (thermofisher.com .../26616):
 *    180, 130, 100, 70, 55, 40, 35, 25, 15, 10
 *  - Precision Plus Protein Dual Color 1610374 and All Blue 1610373, Bio-Rad
 *    (bio-rad.com sku pages and bulletin 4110025): 250, 150, 100, 75, 50,
 *    37, 25, 20, 15, 10
 *  - Spectra Multicolor Broad Range, Thermo 26623 (thermofisher.com
 *    .../26623): 260, 140, 100, 70, 50, 40, 35, 25, 15, 10
 *  - SeeBlue Plus2 Prestained, Invitrogen LC5925 (thermofisher.com
 *    .../LC5925): 198, 98, 62, 49, 38, 28, 17, 14, 6, 3
 *  - Chameleon Duo Pre-stained, LI-COR 928-60000 (licorbio.com, the
 *    ladder's support page): 260, 160, 125, 90, 70, 50, 38, 30, 25, 15, 8.
 *    A different list also circulates for this ladder (260, 125, 100, 70,
 *    50, 40, 25, 15, 10, 8); the one above is the one the catalogue
 *    attributes to LI-COR's page. Neither was read from LI-COR's own
 *    document: check the insert of your lot, or give the sizes as a list. */
typedef struct preset {
    const char *name;
    int n;
    double kda[BQ_MW_MAX_MARKERS];
} preset_t;

static const preset_t presets[] = {
    {"pageruler-plus", 9, {250, 130, 100, 70, 55, 35, 25, 15, 10}},
    {"pageruler", 10, {180, 130, 100, 70, 55, 40, 35, 25, 15, 10}},
    {"precision-plus", 10, {250, 150, 100, 75, 50, 37, 25, 20, 15, 10}},
    {"spectra-broad", 10, {260, 140, 100, 70, 50, 40, 35, 25, 15, 10}},
    {"seeblue-plus2", 10, {198, 98, 62, 49, 38, 28, 17, 14, 6, 3}},
    {"chameleon-duo", 11, {260, 160, 125, 90, 70, 50, 38, 30, 25, 15, 8}},
};
#define N_PRESETS ((int)(sizeof presets / sizeof presets[0]))

const char *const bq_mw_preset_names[] = {
    "pageruler-plus", "pageruler", "precision-plus", "spectra-broad",
    "seeblue-plus2", "chameleon-duo", NULL,
};

static int parse_list(const char *spec, bq_mw_ladder_t *out, bq_error_t *err)
{
    const char *p = spec;
    out->n = 0;
    snprintf(out->name, sizeof out->name, "custom");
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v <= 0 || v > 10000)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "ladder '%s': not a preset name nor a list of sizes in kDa", spec);
        if (out->n == BQ_MW_MAX_MARKERS)
            return bq_error_set(err, BQ_ERR_INVALID, "ladder: at most %d sizes",
                                BQ_MW_MAX_MARKERS);
        if (out->n > 0 && v >= out->kda[out->n - 1])
            return bq_error_set(err, BQ_ERR_INVALID,
                                "ladder '%s': give the sizes largest first, each smaller", spec);
        out->kda[out->n++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return bq_error_set(err, BQ_ERR_INVALID, "ladder '%s': unexpected '%c'", spec, *p);
    }
    if (out->n < 3)
        return bq_error_set(err, BQ_ERR_INVALID, "ladder '%s': at least 3 sizes", spec);
    return BQ_OK;
}

int bq_mw_ladder_parse(const char *spec, bq_mw_ladder_t *out, bq_error_t *err)
{
    if (!spec || !out)
        return bq_error_set(err, BQ_ERR_INVALID, "ladder: nothing given");
    memset(out, 0, sizeof *out);
    for (int i = 0; i < N_PRESETS; i++)
        if (strcmp(spec, presets[i].name) == 0) {
            snprintf(out->name, sizeof out->name, "%s", presets[i].name);
            out->n = presets[i].n;
            memcpy(out->kda, presets[i].kda, sizeof presets[i].kda);
            return BQ_OK;
        }
    return parse_list(spec, out, err);
}

/* ---- a smooth reference fit -------------------------------------------- */

double bq_mw_quad_eval(const mw_quad_t *q, double y)
{
    double t = (y - q->u0) / q->s;
    return q->c[0] + t * (q->c[1] + t * q->c[2]);
}

/* Solve the k x k system a x = b (k <= 3) by elimination with pivoting;
 * 0 on success. */
static int solve(double a[3][3], double b[3], int k, double *x)
{
    for (int i = 0; i < k; i++) {
        int p = i;
        for (int r = i + 1; r < k; r++)
            if (fabs(a[r][i]) > fabs(a[p][i]))
                p = r;
        if (fabs(a[p][i]) < 1e-12)
            return -1;
        for (int c = 0; c < k; c++) {
            double t = a[i][c];
            a[i][c] = a[p][c];
            a[p][c] = t;
        }
        double t = b[i];
        b[i] = b[p];
        b[p] = t;
        for (int r = i + 1; r < k; r++) {
            double f = a[r][i] / a[i][i];
            for (int c = i; c < k; c++)
                a[r][c] -= f * a[i][c];
            b[r] -= f * b[i];
        }
    }
    for (int i = k - 1; i >= 0; i--) {
        double s = b[i];
        for (int c = i + 1; c < k; c++)
            s -= a[i][c] * x[c];
        x[i] = s / a[i][i];
    }
    return 0;
}

double bq_mw_quad_fit(const double *y, const double *x, int n, mw_quad_t *q)
{
    memset(q, 0, sizeof *q);
    q->s = 1.0;
    if (n < 1)
        return HUGE_VAL;
    double lo = y[0], hi = y[0];
    for (int i = 0; i < n; i++) {
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
        q->u0 += y[i] / n;
    }
    q->s = hi > lo ? 0.5 * (hi - lo) : 1.0;
    int k = n >= 4 ? 3 : (n >= 2 ? 2 : 1);
    double a[3][3] = {{0}}, b[3] = {0};
    for (int i = 0; i < n; i++) {
        double t = (y[i] - q->u0) / q->s, p[3] = {1.0, t, t * t};
        for (int r = 0; r < k; r++) {
            b[r] += p[r] * x[i];
            for (int c = 0; c < k; c++)
                a[r][c] += p[r] * p[c];
        }
    }
    if (solve(a, b, k, q->c) != 0)
        return HUGE_VAL;
    double ss = 0.0;
    for (int i = 0; i < n; i++) {
        double e = x[i] - bq_mw_quad_eval(q, y[i]);
        ss += e * e;
    }
    return sqrt(ss / n);
}

/* ---- matching peaks to markers ------------------------------------------ */

typedef struct match {
    int m;
    int marker[BQ_MW_MAX_PEAKS]; /* per peak: marker index or -1 */
    double rms;
    double score;
} match_t;

/* A marker is accepted for a peak when the prediction lies within this
 * share of the log gap to its nearer neighbour marker. */
#define MATCH_TOL 0.35

/* Assign each peak (rows y, increasing) the marker nearest to pred(y) in
 * log10 kDa, within MATCH_TOL of the local gap; a marker claimed twice
 * keeps the nearer peak. Fills mt->marker and mt->m. */
static void assign(const double *y, int np, const double *lk, int nk, const mw_quad_t *q,
                   match_t *mt)
{
    double best[BQ_MW_MAX_MARKERS];
    int owner[BQ_MW_MAX_MARKERS];
    for (int j = 0; j < nk; j++) {
        best[j] = HUGE_VAL;
        owner[j] = -1;
    }
    for (int i = 0; i < np; i++) {
        mt->marker[i] = -1;
        double p = bq_mw_quad_eval(q, y[i]);
        int bj = 0;
        for (int j = 1; j < nk; j++)
            if (fabs(lk[j] - p) < fabs(lk[bj] - p))
                bj = j;
        double gap = HUGE_VAL;
        if (bj > 0)
            gap = fmin(gap, lk[bj - 1] - lk[bj]);
        if (bj < nk - 1)
            gap = fmin(gap, lk[bj] - lk[bj + 1]);
        double e = fabs(lk[bj] - p);
        if (e < MATCH_TOL * gap && e < best[bj]) {
            best[bj] = e;
            owner[bj] = i;
        }
    }
    mt->m = 0;
    for (int j = 0; j < nk; j++)
        if (owner[j] >= 0) {
            mt->marker[owner[j]] = j;
            mt->m++;
        }
}

/* The matched pairs of mt as arrays (y increasing); returns their count. */
static int pairs(const double *y, int np, const double *lk, const match_t *mt, double *py,
                 double *px)
{
    int m = 0;
    for (int i = 0; i < np; i++)
        if (mt->marker[i] >= 0) {
            py[m] = y[i];
            px[m++] = lk[mt->marker[i]];
        }
    return m;
}

/* A match is worth more with every marker it explains and less with its
 * scatter about a smooth curve: one more marker is worth 0.02 of rms
 * (about 5 % in kDa), the scatter of a clearly wrong alignment. */
#define RMS_WEIGHT 50.0

/* Start from the straight line through (y[a], lk[p]) and (y[b], lk[q]),
 * assign, refit a quadratic to the matched pairs and assign again. */
static void try_anchor(const double *y, int np, const double *lk, int nk, int a, int b, int p,
                       int q, match_t *mt)
{
    mw_quad_t f = {{0}, y[a], 1.0};
    f.c[0] = lk[p];
    f.c[1] = (lk[q] - lk[p]) / (y[b] - y[a]);
    mt->m = 0;
    mt->score = -HUGE_VAL;
    double py[BQ_MW_MAX_PEAKS], px[BQ_MW_MAX_PEAKS];
    for (int it = 0; it < 3; it++) {
        assign(y, np, lk, nk, &f, mt);
        int m = pairs(y, np, lk, mt, py, px);
        if (m < 3)
            return;
        mt->rms = bq_mw_quad_fit(py, px, m, &f);
        /* a calibration must fall with migration over the matched range */
        if (bq_mw_quad_eval(&f, py[m - 1]) >= bq_mw_quad_eval(&f, py[0]))
            return;
    }
    mt->score = mt->m - RMS_WEIGHT * mt->rms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Every pair of peaks against every pair of markers as the anchor of a
 * straight line: exhaustive, so a missing or an extra band cannot lead
 * it astray (a dozen peaks and markers: a few thousand tries). */
static void best_match(const double *y, int np, const double *lk, int nk, match_t *best)
{
    best->m = 0;
    best->score = -HUGE_VAL;
    match_t mt;
    for (int a = 0; a < np; a++)
        for (int b = a + 1; b < np; b++)
            for (int p = 0; p < nk; p++)
                for (int q = p + 1; q < nk; q++) {
                    try_anchor(y, np, lk, nk, a, b, p, q, &mt);
                    if (mt.score > best->score)
                        *best = mt;
                }
}

/* ---- the interpolant ---------------------------------------------------- */

/* Fritsch-Carlson slopes: the weighted harmonic mean of the neighbouring
 * secants where they agree in sign, 0 at a local extreme, the secant at the
 * ends; the cubic between two rows then never overshoots. */
static void pchip_slopes(bq_mw_calib_t *c)
{
    int n = c->n;
    if (n < 2) {
        c->d[0] = 0.0;
        return;
    }
    double del[BQ_MW_MAX_MARKERS], h[BQ_MW_MAX_MARKERS];
    for (int k = 0; k < n - 1; k++) {
        h[k] = c->y[k + 1] - c->y[k];
        del[k] = (c->logk[k + 1] - c->logk[k]) / h[k];
    }
    c->d[0] = del[0];
    c->d[n - 1] = del[n - 2];
    for (int k = 1; k < n - 1; k++) {
        if (del[k - 1] * del[k] <= 0) {
            c->d[k] = 0.0;
            continue;
        }
        double w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
        c->d[k] = (w1 + w2) / (w1 / del[k - 1] + w2 / del[k]);
    }
}

int bq_mw_calibrate(const double *peaks, int n_peaks, const bq_mw_ladder_t *ladder,
                    bq_mw_calib_t *out, bq_error_t *err)
{
    if (!out || !ladder || ladder->n < 3 || ladder->n > BQ_MW_MAX_MARKERS || n_peaks < 0 ||
        (n_peaks > 0 && !peaks))
        return bq_error_set(err, BQ_ERR_INVALID, "mw: bad arguments");
    memset(out, 0, sizeof *out);
    snprintf(out->ladder, sizeof out->ladder, "%s", ladder->name);
    double y[BQ_MW_MAX_PEAKS], lk[BQ_MW_MAX_MARKERS];
    int np = n_peaks < BQ_MW_MAX_PEAKS ? n_peaks : BQ_MW_MAX_PEAKS;
    memcpy(y, peaks, (size_t)np * sizeof *y);
    qsort(y, (size_t)np, sizeof *y, cmp_double);
    for (int j = 0; j < ladder->n; j++)
        lk[j] = log10(ladder->kda[j]);
    out->n_peaks = np;
    match_t mt;
    best_match(y, np, lk, ladder->n, &mt);
    if (mt.m < 3 || !isfinite(mt.score))
        return bq_error_set(err, BQ_ERR_NOT_FOUND,
                            "mw: %d peaks along the ladder lane match no 3 markers of %s", np,
                            ladder->name);
    out->n = pairs(y, np, lk, &mt, out->y, out->logk);
    out->residual = mt.rms;
    out->n_unmatched_peaks = np - out->n;
    int first = -1, last = -1;
    for (int i = 0; i < np; i++)
        if (mt.marker[i] >= 0) {
            if (first < 0)
                first = mt.marker[i];
            last = mt.marker[i];
        }
    out->n_missing = last - first + 1 - out->n;
    pchip_slopes(out);
    return BQ_OK;
}

int bq_mw_calib_good(const bq_mw_calib_t *c)
{
    return c && c->n >= BQ_MW_MIN_MATCHED && c->residual <= BQ_MW_GOOD_RESIDUAL;
}

/* log10 kDa at y on segment k (Hermite cubic with the PCHIP slopes). */
static double segment_at(const bq_mw_calib_t *c, int k, double y)
{
    double h = c->y[k + 1] - c->y[k], t = (y - c->y[k]) / h;
    double t2 = t * t, t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * c->logk[k] + (t3 - 2 * t2 + t) * h * c->d[k] +
           (-2 * t3 + 3 * t2) * c->logk[k + 1] + (t3 - t2) * h * c->d[k + 1];
}

/* log10 kDa at y: the interpolant inside, the end segment's line outside. */
static double logk_at(const bq_mw_calib_t *c, double y, int *extrapolated)
{
    int n = c->n;
    int ex = y < c->y[0] || y > c->y[n - 1];
    if (extrapolated)
        *extrapolated = ex;
    if (n == 1)
        return c->logk[0];
    if (y <= c->y[0])
        return c->logk[0] + (y - c->y[0]) * (c->logk[1] - c->logk[0]) / (c->y[1] - c->y[0]);
    if (y >= c->y[n - 1])
        return c->logk[n - 1] + (y - c->y[n - 1]) * (c->logk[n - 1] - c->logk[n - 2]) /
                                    (c->y[n - 1] - c->y[n - 2]);
    int k = 0;
    while (k < n - 2 && y > c->y[k + 1])
        k++;
    return segment_at(c, k, y);
}

double bq_mw_kda_at(const bq_mw_calib_t *c, double y, int *extrapolated)
{
    if (extrapolated)
        *extrapolated = 0;
    if (!c || c->n < 1 || !isfinite(y))
        return NAN;
    return pow(10.0, logk_at(c, y, extrapolated));
}

double bq_mw_row_of(const bq_mw_calib_t *c, double kda)
{
    if (!c || c->n < 2 || !(kda > 0))
        return NAN;
    double x = log10(kda);
    /* logk falls with y: bisect on a range wide enough for the end lines */
    double span = c->y[c->n - 1] - c->y[0];
    double lo = c->y[0] - 4 * span, hi = c->y[c->n - 1] + 4 * span;
    if (logk_at(c, lo, NULL) < x || logk_at(c, hi, NULL) > x)
        return NAN;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        if (logk_at(c, mid, NULL) > x)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}
