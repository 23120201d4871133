/* fit.c - the 4PL dose-response fitter; the only file that touches GSL.
 *
 * Parameters internally: p = (bottom, top, hill, L = log dc50). Working on
 * L keeps dc50 positive and makes the least-squares surface much closer to
 * quadratic. Any parameter can be held fixed (top/bottom by the user, L
 * while profiling). Starting values come from a grid over (hill, L): for a
 * given (hill, L) the model is linear in bottom and top, so they are solved
 * exactly and each grid cell is a fair candidate (variable projection); the
 * best few cells seed GSL's trust-region Levenberg-Marquardt. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_vector.h>

#include "blotquant/fit.h"
#include "blotquant/table.h"
#include "internal.h"

/* The bell model adds a recovery term (see fit.h); the 4PL is the bell
 * model with the recovery fraction held at 0, so one set of machinery
 * (grid, LM, profile) serves both. */
enum {
    P_BOTTOM = 0,
    P_TOP = 1,
    P_HILL = 2,
    P_LOGDC50 = 3,
    P_REC = 4,   /* recovery fraction r */
    P_LOGHC = 5, /* log of the recovery midpoint */
    P_HHILL = 6, /* recovery slope (held fixed) */
    NPAR = 7
};

void bq_fit_options_init(bq_fit_options_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->top = NAN;
    opts->bottom = NAN;
    opts->ci = BQ_CI_PROFILE;
    opts->level = 0.95;
    opts->detect_hook = 1;
    opts->hook_alpha = 0.05;
    opts->hook_min_rise = 0.1;
    opts->abs_level = NAN;
    opts->no_response_alpha = 0.01;
    opts->bell = 1;
    opts->hook_hill = 0.0;
    opts->nonneg_bottom = 1;
    opts->hook_from_flagged = 1;
    opts->hook_turn = NAN;
    opts->hook_turn_p = NAN;
}

const char *bq_fit_model_name(bq_fit_model model)
{
    switch (model) {
    case BQ_FIT_MODEL_4PL: return "4pl";
    case BQ_FIT_MODEL_4PL_EXCLUDED: return "4pl-excluded";
    case BQ_FIT_MODEL_BELL: return "bell";
    }
    return "unknown";
}

const char *bq_fit_status_name(bq_fit_status status)
{
    switch (status) {
    case BQ_FIT_OK: return "ok";
    case BQ_FIT_BAD_INPUT: return "bad_input";
    case BQ_FIT_TOO_FEW_DOSES: return "too_few_doses";
    case BQ_FIT_FLAT: return "flat";
    case BQ_FIT_NO_RESPONSE: return "no_response";
    case BQ_FIT_FAILED: return "failed";
    }
    return "unknown";
}

/* ---- the model ---------------------------------------------------------- */

/* s = 1 / (1 + (x/dc50)^hill) and w = s (1 - s), computed without overflow
 * and without cancellation in 1 - s. At x = 0 the limit is taken: s = 1 for
 * hill > 0 (vehicle = top), s = 0 for hill < 0; the derivatives vanish
 * there (the 0 * log 0 of the hill derivative is 0). */
static void logistic(double x, double hill, double L, double *s, double *w, double *lx)
{
    if (x <= 0.0) {
        *s = hill > 0 ? 1.0 : (hill < 0 ? 0.0 : 0.5);
        *w = 0.0;
        *lx = 0.0;
        return;
    }
    double d = log(x) - L;
    double z = hill * d;
    double s1, oms; /* s and 1 - s */
    if (z < 0) {
        double e = exp(z);
        s1 = 1.0 / (1.0 + e);
        oms = e / (1.0 + e);
    } else {
        double e = exp(-z);
        s1 = e / (1.0 + e);
        oms = 1.0 / (1.0 + e);
    }
    *s = s1;
    *w = s1 * oms;
    *lx = d;
}

/* Rising recovery logistic q = s/(1+s), s = (x/hc)^h2; q = 0 at x = 0. */
static double recovery_q(double x, double LH, double h2, double *dq_dLH, double *dq_dh2)
{
    double q, w, d;
    logistic(x, -h2, LH, &q, &w, &d);
    if (dq_dLH)
        *dq_dLH = -h2 * w;
    if (dq_dh2)
        *dq_dh2 = w * d;
    return q;
}

/* y = g + (top - g) r q with g the 4PL degradation term: the recovery gives
 * back the fraction r q of the protein the degrader removed. */
static double model_eval(const double p[NPAR], double x)
{
    double s, w, d;
    logistic(x, p[P_HILL], p[P_LOGDC50], &s, &w, &d);
    double y = p[P_BOTTOM] + (p[P_TOP] - p[P_BOTTOM]) * s;
    if (p[P_REC] != 0)
        y += (p[P_TOP] - p[P_BOTTOM]) * (1.0 - s) * p[P_REC] *
             recovery_q(x, p[P_LOGHC], p[P_HHILL], NULL, NULL);
    return y;
}

/* ---- one least-squares problem ----------------------------------------- */

typedef struct problem {
    const double *x, *y;
    size_t n;
    int is_free[NPAR];
    double fixed[NPAR]; /* values of the fixed parameters */
    int idx[NPAR];      /* free slot -> parameter */
    int np;
} problem_t;

static void problem_setup(problem_t *pr, const double *x, const double *y, size_t n,
                          const int is_free[NPAR], const double fixed[NPAR])
{
    memset(pr, 0, sizeof *pr);
    pr->x = x;
    pr->y = y;
    pr->n = n;
    for (int k = 0; k < NPAR; k++) {
        pr->is_free[k] = is_free[k];
        pr->fixed[k] = fixed[k];
        if (is_free[k])
            pr->idx[pr->np++] = k;
    }
}

static void unpack(const problem_t *pr, const gsl_vector *v, double p[NPAR])
{
    for (int k = 0; k < NPAR; k++)
        p[k] = pr->fixed[k];
    for (int k = 0; k < pr->np; k++)
        p[pr->idx[k]] = gsl_vector_get(v, (size_t)k);
}

static int cb_f(const gsl_vector *v, void *data, gsl_vector *f)
{
    const problem_t *pr = data;
    double p[NPAR];
    unpack(pr, v, p);
    for (size_t i = 0; i < pr->n; i++)
        gsl_vector_set(f, i, model_eval(p, pr->x[i]) - pr->y[i]);
    return GSL_SUCCESS;
}

static int cb_df(const gsl_vector *v, void *data, gsl_matrix *J)
{
    const problem_t *pr = data;
    double p[NPAR];
    unpack(pr, v, p);
    double span = p[P_TOP] - p[P_BOTTOM];
    for (size_t i = 0; i < pr->n; i++) {
        double s, w, d, qL = 0, qh = 0, q = 0;
        logistic(pr->x[i], p[P_HILL], p[P_LOGDC50], &s, &w, &d);
        if (p[P_REC] != 0 || pr->is_free[P_REC])
            q = recovery_q(pr->x[i], p[P_LOGHC], p[P_HHILL], &qL, &qh);
        double rq = p[P_REC] * q;
        double g[NPAR];
        g[P_BOTTOM] = (1.0 - s) * (1.0 - rq);
        g[P_TOP] = s + (1.0 - s) * rq;
        g[P_HILL] = -span * (1.0 - rq) * w * d;
        g[P_LOGDC50] = span * (1.0 - rq) * w * p[P_HILL];
        g[P_REC] = span * (1.0 - s) * q;
        g[P_LOGHC] = span * (1.0 - s) * p[P_REC] * qL;
        g[P_HHILL] = span * (1.0 - s) * p[P_REC] * qh;
        for (int k = 0; k < pr->np; k++)
            gsl_matrix_set(J, i, (size_t)k, g[pr->idx[k]]);
    }
    return GSL_SUCCESS;
}

static double rss_of(const problem_t *pr, const double p[NPAR])
{
    double rss = 0;
    for (size_t i = 0; i < pr->n; i++) {
        double r = model_eval(p, pr->x[i]) - pr->y[i];
        rss += r * r;
    }
    return rss;
}

/* Run LM from p (full vector; fixed entries are taken from pr). On success
 * p holds the optimum, *rss its residual sum of squares and, if cov is not
 * NULL, cov (np x np) the unscaled (J'J)^-1. Returns 0, or -1 if GSL failed
 * or the result is not finite. */
static int lm_solve(const problem_t *pr, double p[NPAR], double *rss, gsl_matrix *cov)
{
    if (pr->n < (size_t)pr->np || pr->np == 0)
        return -1;
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = gsl_multifit_nlinear_trs_lm;
    gsl_multifit_nlinear_workspace *ws =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, pr->n, (size_t)pr->np);
    gsl_vector *v = gsl_vector_alloc((size_t)pr->np);
    int rc = -1;
    if (!ws || !v)
        goto done;
    for (int k = 0; k < pr->np; k++)
        gsl_vector_set(v, (size_t)k, p[pr->idx[k]]);
    gsl_multifit_nlinear_fdf fdf;
    memset(&fdf, 0, sizeof fdf);
    fdf.f = cb_f;
    fdf.df = cb_df;
    fdf.n = pr->n;
    fdf.p = (size_t)pr->np;
    fdf.params = (void *)pr;
    if (gsl_multifit_nlinear_init(v, &fdf, ws) != GSL_SUCCESS)
        goto done;
    int info = 0;
    /* Tight tolerances: the reference values are matched to 1e-6 and the
     * profile CI needs accurate RSS differences. GSL_ENOPROG and
     * GSL_EMAXITER at such tolerances usually mean "at the optimum already",
     * so the result is judged by its finiteness, not by the status. */
    (void)gsl_multifit_nlinear_driver(1000, 1e-14, 1e-14, 0.0, NULL, NULL, &info, ws);
    const gsl_vector *xs = gsl_multifit_nlinear_position(ws);
    double q[NPAR];
    unpack(pr, xs, q);
    for (int k = 0; k < NPAR; k++)
        if (!isfinite(q[k]))
            goto done;
    double r = rss_of(pr, q);
    if (!isfinite(r))
        goto done;
    if (cov) {
        gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
        if (gsl_multifit_nlinear_covar(J, 0.0, cov) != GSL_SUCCESS)
            goto done;
    }
    memcpy(p, q, sizeof q);
    *rss = r;
    rc = 0;
done:
    gsl_vector_free(v);
    if (ws)
        gsl_multifit_nlinear_free(ws);
    return rc;
}

/* For given hill and L, the least-squares bottom/top (honouring fixed
 * ones); returns the RSS or +inf if undetermined. */
static double linear_bt(const problem_t *pr, double p[NPAR])
{
    double saa = 0, sab = 0, sbb = 0, say = 0, sby = 0;
    int fb = !pr->is_free[P_BOTTOM], ft = !pr->is_free[P_TOP];
    double b = pr->fixed[P_BOTTOM], t = pr->fixed[P_TOP];
    for (size_t i = 0; i < pr->n; i++) {
        double s, w, d;
        logistic(pr->x[i], p[P_HILL], p[P_LOGDC50], &s, &w, &d);
        if (p[P_REC] != 0) {
            /* a fixed recovery moves weight from the bottom to the top */
            double rq = p[P_REC] * recovery_q(pr->x[i], p[P_LOGHC], p[P_HHILL], NULL, NULL);
            s += (1.0 - s) * rq;
        }
        double a = 1.0 - s, yy = pr->y[i];
        if (fb)
            yy -= b * a;
        if (ft)
            yy -= t * s;
        saa += a * a;
        sab += a * s;
        sbb += s * s;
        say += a * yy;
        sby += s * yy;
    }
    if (!fb && !ft) {
        double det = saa * sbb - sab * sab;
        if (!(fabs(det) > 1e-12 * (saa * sbb + 1e-300)))
            return INFINITY;
        b = (say * sbb - sby * sab) / det;
        t = (saa * sby - sab * say) / det;
    } else if (!fb) {
        if (!(saa > 1e-12))
            return INFINITY;
        b = say / saa;
    } else if (!ft) {
        if (!(sbb > 1e-12))
            return INFINITY;
        t = sby / sbb;
    }
    p[P_BOTTOM] = b;
    p[P_TOP] = t;
    double r = rss_of(pr, p);
    return isfinite(r) ? r : INFINITY;
}

/* The bell model for given hill, L, log hc and slope is linear in bottom,
 * top and e = (top - bottom) r:  y = bottom (1-s) + top s + e (1-s) q.
 * Solve for the free ones among them (normal equations, at most 3x3) and
 * return the RSS, or +inf if undetermined. */
static double linear_bte(const problem_t *pr, double p[NPAR])
{
    double A[3][3] = {{0}}, bv[3] = {0};
    int fb = !pr->is_free[P_BOTTOM], ft = !pr->is_free[P_TOP];
    int k = 0, kb = -1, kt = -1, ke;
    if (!fb)
        kb = k++;
    if (!ft)
        kt = k++;
    ke = k++;
    for (size_t i = 0; i < pr->n; i++) {
        double s, w, d;
        logistic(pr->x[i], p[P_HILL], p[P_LOGDC50], &s, &w, &d);
        double q = recovery_q(pr->x[i], p[P_LOGHC], p[P_HHILL], NULL, NULL);
        double col[3], yy = pr->y[i];
        if (fb)
            yy -= pr->fixed[P_BOTTOM] * (1.0 - s);
        else
            col[kb] = 1.0 - s;
        if (ft)
            yy -= pr->fixed[P_TOP] * s;
        else
            col[kt] = s;
        col[ke] = (1.0 - s) * q;
        for (int a = 0; a < k; a++) {
            bv[a] += col[a] * yy;
            for (int b = 0; b < k; b++)
                A[a][b] += col[a] * col[b];
        }
    }
    /* Gaussian elimination with partial pivoting */
    double scale = 0;
    for (int a = 0; a < k; a++)
        scale = fmax(scale, A[a][a]);
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int a = c + 1; a < k; a++)
            if (fabs(A[a][c]) > fabs(A[piv][c]))
                piv = a;
        if (!(fabs(A[piv][c]) > 1e-10 * scale))
            return INFINITY;
        if (piv != c) {
            for (int b = 0; b < k; b++) {
                double t = A[c][b];
                A[c][b] = A[piv][b];
                A[piv][b] = t;
            }
            double t = bv[c];
            bv[c] = bv[piv];
            bv[piv] = t;
        }
        for (int a = c + 1; a < k; a++) {
            double f = A[a][c] / A[c][c];
            for (int b = c; b < k; b++)
                A[a][b] -= f * A[c][b];
            bv[a] -= f * bv[c];
        }
    }
    double sol[3];
    for (int a = k - 1; a >= 0; a--) {
        double v = bv[a];
        for (int b = a + 1; b < k; b++)
            v -= A[a][b] * sol[b];
        sol[a] = v / A[a][a];
    }
    double b0 = fb ? pr->fixed[P_BOTTOM] : sol[kb];
    double t0 = ft ? pr->fixed[P_TOP] : sol[kt];
    double span = t0 - b0;
    if (!(fabs(span) > 1e-12))
        return INFINITY;
    p[P_BOTTOM] = b0;
    p[P_TOP] = t0;
    p[P_REC] = sol[ke] / span;
    double r = rss_of(pr, p);
    return isfinite(r) ? r : INFINITY;
}

typedef struct cand {
    double p[NPAR];
    double rss;
} cand_t;

static void keep_best(cand_t *best, int nbest, const double p[NPAR], double rss)
{
    for (int k = 0; k < nbest; k++) {
        if (rss < best[k].rss) {
            memmove(&best[k + 1], &best[k], (size_t)(nbest - k - 1) * sizeof *best);
            memcpy(best[k].p, p, sizeof best[k].p);
            best[k].rss = rss;
            return;
        }
    }
}

/* Fit pr from a grid of starting values plus, if given, a warm start.
 * hill_sign > 0 restricts the grid to rising-hill (falling-curve) starts,
 * which is all that is needed when both asymptotes are free (the model is
 * symmetric under (bottom, top, hill) -> (top, bottom, -hill)). */
static int fit_best(const problem_t *pr, const double *warm, int hill_sign, double p[NPAR],
                    double *rss, gsl_matrix *cov)
{
    static const double hills[] = {0.3, 0.6, 1.0, 1.5, 2.5, 4.0, 7.0};
    enum { NB = 3, NL = 41, NHC = 12 };
    cand_t best[NB];
    for (int k = 0; k < NB; k++)
        best[k].rss = INFINITY;
    double xmin = INFINITY, xmax = 0;
    for (size_t i = 0; i < pr->n; i++) {
        if (pr->x[i] > 0 && pr->x[i] < xmin)
            xmin = pr->x[i];
        if (pr->x[i] > xmax)
            xmax = pr->x[i];
    }
    if (!(xmax > 0))
        return -1;
    double lo = log(xmin) - 1.0, hi = log(xmax) + 1.0;
    int nl = pr->is_free[P_LOGDC50] ? NL : 1;
    /* bell: the recovery midpoint is searched over the tested doses and a
     * little beyond; the recovery fraction is linear (linear_bte) */
    int bell = pr->is_free[P_REC];
    int nh = bell && pr->is_free[P_LOGHC] ? NHC : 1;
    static const double h2s[] = {1.0, 1.5, 2.5, 4.0};
    int n2 = bell && pr->is_free[P_HHILL] ? 4 : 1;
    for (int sgn = 0; sgn < 2; sgn++) {
        if (sgn == 1 && hill_sign > 0)
            break;
        for (size_t h = 0; h < sizeof hills / sizeof hills[0]; h++) {
            for (int l = 0; l < nl; l++) {
                for (int j = 0; j < nh * n2; j++) {
                    double q[NPAR];
                    memcpy(q, pr->fixed, sizeof q);
                    if (pr->is_free[P_HILL])
                        q[P_HILL] = sgn ? -hills[h] : hills[h];
                    if (pr->is_free[P_LOGDC50])
                        q[P_LOGDC50] = lo + (hi - lo) * l / (NL - 1);
                    if (bell && pr->is_free[P_LOGHC])
                        q[P_LOGHC] = lo + 1.0 + (hi - lo) * (j % nh) / (NHC - 1);
                    if (bell && pr->is_free[P_HHILL])
                        q[P_HHILL] = h2s[j / nh];
                    double r = bell ? linear_bte(pr, q) : linear_bt(pr, q);
                    if (bell && !(q[P_REC] > 0))
                        continue; /* a bell start must recover */
                    if (isfinite(r))
                        keep_best(best, NB, q, r);
                }
            }
            if (!pr->is_free[P_HILL])
                break;
        }
    }
    double bestp[NPAR];
    double bestr = INFINITY;
    int found = 0;
    for (int k = -1; k < NB; k++) {
        double q[NPAR];
        if (k < 0) {
            if (!warm)
                continue;
            memcpy(q, warm, sizeof q);
            for (int j = 0; j < NPAR; j++)
                if (!pr->is_free[j])
                    q[j] = pr->fixed[j];
        } else {
            if (!isfinite(best[k].rss))
                continue;
            memcpy(q, best[k].p, sizeof q);
        }
        double r;
        if (lm_solve(pr, q, &r, NULL) == 0 && r < bestr) {
            bestr = r;
            memcpy(bestp, q, sizeof q);
            found = 1;
        }
    }
    if (!found)
        return -1;
    if (cov) {
        /* one more (instant) solve from the optimum gives J there */
        double r;
        if (lm_solve(pr, bestp, &r, cov) != 0)
            return -1;
        if (r < bestr)
            bestr = r;
    }
    memcpy(p, bestp, sizeof bestp);
    *rss = bestr;
    return 0;
}

/* ---- the public fit ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void result_clear_numbers(bq_fit_result_t *r)
{
    r->top = r->bottom = r->hill = r->dc50 = NAN;
    r->se_top = r->se_bottom = r->se_hill = r->se_log_dc50 = NAN;
    r->dc50_low = r->dc50_high = r->dc50_abs = NAN;
    r->dmax = r->rss = r->r2 = r->rmse = r->sigma = NAN;
    r->hook_recovery = r->hook_dc = r->hook_hill = r->dmax_obs = NAN;
}

static void add_sorted_unique(double *list, int *n, double v)
{
    for (int k = 0; k < *n; k++)
        if (list[k] == v)
            return;
    if (*n >= BQ_FIT_MAX_LISTED)
        return;
    list[(*n)++] = v;
    qsort(list, (size_t)*n, sizeof *list, cmp_double);
}

static void note(bq_fit_result_t *r, const char *text)
{
    size_t len = strlen(r->message);
    snprintf(r->message + len, sizeof r->message - len, "%s%s", len ? "; " : "", text);
}

/* Everything one fit needs in one place. */
typedef struct fitctx {
    const bq_fit_options_t *o;
    int is_free[NPAR];
    double fixed[NPAR];
    int hill_sign; /* +1: both asymptotes free, canonical hill > 0 */
} fitctx_t;

/* Fit the 4PL to (x, y); p/rss/cov as fit_best. */
static int fit_points(const fitctx_t *fc, const double *x, const double *y, size_t n,
                      const double *warm, double p[NPAR], double *rss, gsl_matrix *cov)
{
    problem_t pr;
    problem_setup(&pr, x, y, n, fc->is_free, fc->fixed);
    if (n <= (size_t)pr.np)
        return -1;
    if (fit_best(&pr, warm, fc->hill_sign, p, rss, cov) != 0)
        return -1;
    return 0;
}

/* The profile RSS at L: everything else re-optimised, warm-started. */
typedef struct profile {
    const fitctx_t *fc;
    const double *x, *y;
    size_t n;
    double warm[NPAR];
    double threshold;
    int failed;
} profile_t;

static double profile_rss(profile_t *pf, double L)
{
    int is_free[NPAR];
    double fixed[NPAR];
    memcpy(is_free, pf->fc->is_free, sizeof is_free);
    memcpy(fixed, pf->fc->fixed, sizeof fixed);
    is_free[P_LOGDC50] = 0;
    fixed[P_LOGDC50] = L;
    problem_t pr;
    problem_setup(&pr, pf->x, pf->y, pf->n, is_free, fixed);
    double p[NPAR], rss;
    if (fit_best(&pr, pf->warm, pf->fc->hill_sign, p, &rss, NULL) != 0) {
        pf->failed = 1;
        return NAN;
    }
    memcpy(pf->warm, p, sizeof p);
    return rss;
}

static double profile_root_fn(double L, void *data)
{
    profile_t *pf = data;
    double r = profile_rss(pf, L);
    return isfinite(r) ? r - pf->threshold : 1e300;
}

/* Does profile_root_fn change sign over [a, b], as gsl_root_fsolver_set
 * demands (it calls GSL's error handler when not)? Each value depends on
 * the warm start the previous one left, so the check runs the same two
 * calls, in the same order, on a copy: the solver then sees these values. */
static int brackets_root(const profile_t *pf, double a, double b)
{
    profile_t copy = *pf;
    double fa = profile_root_fn(a, &copy), fb = profile_root_fn(b, &copy);
    return a < b && !((fa < 0 && fb < 0) || (fa > 0 && fb > 0));
}

/* Walk from the optimum L0 in direction dir until the profile RSS exceeds
 * the threshold, then find the crossing with Brent's method. NaN if the
 * profile stays below the threshold within `limit` (the data do not bound
 * dc50 on that side) or the profile could not be computed. */
static double profile_bound(profile_t *pf, const double p0[NPAR], double se, double dir,
                            double limit)
{
    memcpy(pf->warm, p0, sizeof pf->warm);
    double L0 = p0[P_LOGDC50];
    double step = bq_clamp(isfinite(se) ? se : 0.2, 0.01, 1.0) * 0.5;
    double inside = L0, outside = NAN;
    double warm_inside[NPAR];
    memcpy(warm_inside, p0, sizeof warm_inside);
    for (int it = 0; it < 80; it++) {
        double L = inside + dir * step;
        if (dir * (L - limit) > 0)
            L = limit;
        double r = profile_rss(pf, L);
        if (!isfinite(r))
            return NAN;
        if (r > pf->threshold) {
            outside = L;
            break;
        }
        inside = L;
        memcpy(warm_inside, pf->warm, sizeof warm_inside);
        if (L == limit)
            return NAN;
        step *= 1.5;
    }
    if (!isfinite(outside))
        return NAN;
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_function F;
    F.function = profile_root_fn;
    F.params = pf;
    double a = dir > 0 ? inside : outside, b = dir > 0 ? outside : inside;
    memcpy(pf->warm, warm_inside, sizeof pf->warm);
    double root = NAN;
    if (brackets_root(pf, a, b) && gsl_root_fsolver_set(s, &F, a, b) == GSL_SUCCESS) {
        for (int it = 0; it < 100; it++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            double lo = gsl_root_fsolver_x_lower(s), hi = gsl_root_fsolver_x_upper(s);
            if (gsl_root_test_interval(lo, hi, 1e-11, 0) == GSL_SUCCESS) {
                root = gsl_root_fsolver_root(s);
                break;
            }
        }
    }
    gsl_root_fsolver_free(s);
    return pf->failed ? NAN : root;
}

/* Profile-likelihood CI of log dc50 for the fit p (RSS rss, df residual
 * degrees of freedom) of fc to the n points: *lo, *hi, NaN where open. */
static void profile_ci(const fitctx_t *fc, const double *x, const double *y, size_t n,
                       const double p[NPAR], double rss, int df, double level, double se,
                       double *lo, double *hi)
{
    double Fq = gsl_cdf_fdist_Pinv(level, 1.0, (double)df);
    profile_t pf;
    memset(&pf, 0, sizeof pf);
    pf.fc = fc;
    pf.x = x;
    pf.y = y;
    pf.n = n;
    pf.threshold = rss * (1.0 + Fq / df);
    /* the data cannot bound dc50 far beyond the tested doses: stop
     * 3 decades out and call that side open */
    double xmin = INFINITY, xmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > 0)
            xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
    }
    double L0 = p[P_LOGDC50];
    double lim_lo = fmin(log(xmin) - 3 * log(10.0), L0 - 1.0);
    double lim_hi = fmax(log(xmax) + 3 * log(10.0), L0 + 1.0);
    *lo = profile_bound(&pf, p, se, -1.0, lim_lo);
    pf.failed = 0;
    *hi = profile_bound(&pf, p, se, +1.0, lim_hi);
}

/* Sort key for working with doses. */
typedef struct xy {
    double x, y;
} xy_t;

static int cmp_xy(const void *a, const void *b)
{
    const xy_t *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* Distinct doses of sorted points: d[k], mean m[k], count c[k], first
 * point first[k]. Returns the number of doses. */
static int dose_groups(const xy_t *pts, size_t n, double *d, double *m, int *c, size_t *first)
{
    int nd = 0;
    for (size_t i = 0; i < n; i++) {
        if (nd == 0 || pts[i].x != d[nd - 1]) {
            d[nd] = pts[i].x;
            m[nd] = 0;
            c[nd] = 0;
            first[nd] = i;
            nd++;
        }
        m[nd - 1] += pts[i].y;
        c[nd - 1]++;
    }
    for (int k = 0; k < nd; k++)
        m[k] /= c[k];
    return nd;
}

/* Where the bell curve p first falls to level a: the recovery only lifts
 * the curve, so the crossing lies at or above the degradation term's
 * crossing x4; bisect on log dose up to the curve's lowest point. NaN if
 * the curve never gets down to a. */
static double bell_crossing(const double p[NPAR], double a, double x4)
{
    double lo = log(x4), hi = lo, fmin_v = INFINITY, lmin = lo;
    for (int k = 0; k <= 300; k++) {
        double l = lo + k * (log(1e6) / 300.0);
        double v = model_eval(p, exp(l));
        if (v < fmin_v) {
            fmin_v = v;
            lmin = l;
        }
        if (v <= a) {
            hi = l;
            break;
        }
    }
    if (hi == lo && model_eval(p, exp(lo)) > a) {
        if (!(fmin_v <= a))
            return NAN;
        hi = lmin;
    }
    if (hi == lo)
        return exp(lo);
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi);
        if (model_eval(p, exp(mid)) > a)
            lo = mid;
        else
            hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

/* Fit the bell model to all n points after a hook was found past dose
 * d_turn, K doses past it. ps: the 4PL on the pre-hook points (start);
 * rss_all: the 4PL on all points; rss_b, k_b: the exclusion model (4PL on
 * the pre-hook points plus a free mean per post-hook dose). On success p
 * and *rss hold the bell fit and NULL is returned; otherwise the reason
 * the bell model was not used (p untouched). */
/* try_bell's reason when the bottom went below zero (compared by address:
 * bq_fit_4pl may then retry with the bottom held at zero). */
static const char BOTTOM_BELOW_ZERO[] = "degradation bottom extrapolated below zero";

static const char *try_bell(const fitctx_t *fc, const double *x, const double *y, size_t n,
                            const double ps[NPAR], double d_turn, int K, double rss_all,
                            double rss_b, int k_b, double alpha, int free_h2, double p[NPAR],
                            double *rss)
{
    fitctx_t fb = *fc;
    fb.is_free[P_REC] = 1;
    fb.is_free[P_LOGHC] = 1;
    fb.is_free[P_HHILL] = free_h2;
    fb.hill_sign = 1;
    int np = 0;
    for (int k = 0; k < NPAR; k++)
        np += fb.is_free[k];
    /* two recovery parameters need at least two doses to rest on */
    if (K < 2)
        return "only one dose past the turning point";
    if (n < (size_t)np + 2)
        return "too few points";
    double warm[NPAR], pb[NPAR], rb;
    memcpy(warm, ps, sizeof warm);
    warm[P_REC] = 0.5;
    warm[P_LOGHC] = log(d_turn) + 1.0;
    if (fit_points(&fb, x, y, n, warm, pb, &rb, NULL) != 0)
        return "the fit did not converge";
    double xmin = INFINITY, xmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > 0)
            xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
    }
    /* identifiable: the recovery has to be visible within the doses and
     * give back no more than was degraded; the degradation must fall */
    if (!(pb[P_REC] > 0 && pb[P_REC] <= 1.0 + 1e-9))
        return "recovery fraction outside 0..1";
    if (!(pb[P_LOGHC] < log(xmax) + log(10.0)) || !(pb[P_LOGHC] > log(xmin)))
        return "recovery midpoint outside the tested doses";
    if (!(pb[P_HHILL] > 0.3 && pb[P_HHILL] < 10))
        return "recovery slope outside 0.3..10";
    if (!(pb[P_HILL] > 0) || !(pb[P_TOP] > pb[P_BOTTOM]))
        return "no falling degradation term";
    /* the bottom hides under the recovery; one extrapolated below zero
     * (more than all the protein gone) is the trade-off, not a finding */
    if (pb[P_BOTTOM] < -0.05 * (pb[P_TOP] - pb[P_BOTTOM]))
        return BOTTOM_BELOW_ZERO;
    if (!(exp(pb[P_LOGDC50]) < d_turn))
        return "DC50 not below the turning point";
    /* better than the 4PL on every point (nested: r = 0) ... */
    long df = (long)n - np;
    if (df > 0 && rb > 0) {
        double F = ((rss_all - rb) / 2.0) / (rb / (double)df);
        double pv = F > 0 ? gsl_cdf_fdist_Q(F, 2.0, (double)df) : 1.0;
        if (!(pv < alpha))
            return "no better than the 4PL";
    }
    /* ... and not significantly worse than the exclusion model, which
     * fits every post-hook dose with its own mean: a recovery the bell
     * shape cannot follow shows up here (the models are not nested, so
     * this is an approximate lack-of-fit F-test) */
    if (n > (size_t)k_b && rb > rss_b && rss_b > 0) {
        int ndf = k_b > np ? k_b - np : 1;
        double F = ((rb - rss_b) / ndf) / (rss_b / (double)((long)n - k_b));
        if (gsl_cdf_fdist_Q(F, (double)ndf, (double)((long)n - k_b)) < alpha)
            return "fits worse than excluding the post-hook doses";
    }
    /* When the recovery sets in before the bottom plateau is reached, the
     * bottom and the recovery trade off and the data no longer pin DC50:
     * the profile then stays open on one side. */
    if (df > 0) {
        double level = fc->o->level > 0 && fc->o->level < 1 ? fc->o->level : 0.95;
        double lo, hi;
        profile_ci(&fb, x, y, n, pb, rb, (int)df, level, NAN, &lo, &hi);
        if (!isfinite(lo) || !isfinite(hi))
            return "DC50 not bounded by the data under it";
    }
    memcpy(p, pb, sizeof pb);
    *rss = rb;
    return NULL;
}

/* How a hook found only with the flagged points is credited. */
#define HINT_NOTE ", seen with the flagged points included; they stay out of the fit"

/* How far beyond the tested doses a DC50 may lie and still be reported
 * (as extrapolated): two decades, the width of a typical dose series. */
#define DC50_REACH 100.0

static int fail(bq_fit_result_t *res, bq_error_t *err, bq_fit_status st, int code)
{
    res->status = st;
    result_clear_numbers(res);
    return bq_error_set(err, code, "%s", res->message);
}

/* What one analysis (fit_once) works on, handed between its steps. */
typedef struct fit_work {
    const bq_fit_options_t *o;
    bq_fit_result_t *res;
    bq_error_t *err;
    xy_t *xy;            /* the points that enter, sorted by dose */
    double *x, *y;       /* the same as two arrays */
    double *d, *m;       /* distinct doses and their mean responses */
    int *c;              /* points per dose */
    size_t *first;       /* first point of each dose */
    size_t nu, n_fit;    /* points that enter; points of the final fit */
    int nd, np;          /* distinct doses; free parameters */
    fitctx_t fc;
    double p[NPAR], rss; /* the current fit */
    gsl_matrix *cov;
    int bell_below_zero;
} fit_work_t;

/* Fail with res->message set from fmt. */
static int refuse(fit_work_t *w, bq_fit_status st, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(fit_work_t *w, bq_fit_status st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->res->message, sizeof w->res->message, fmt, ap);
    va_end(ap);
    return fail(w->res, w->err, st, code);
}

static void result_start(bq_fit_result_t *res, const bq_fit_options_t *opts)
{
    memset(res, 0, sizeof *res);
    result_clear_numbers(res);
    res->hook_p = NAN;
    res->hook_turn = NAN;
    res->abs_level = NAN;
    res->ci_method = opts->ci;
    res->level = opts->level > 0 && opts->level < 1 ? opts->level : 0.95;
    res->fixed_top = opts->fix_top;
    res->fixed_bottom = opts->fix_bottom;
}

static int work_alloc(fit_work_t *w, size_t n)
{
    size_t k = n ? n : 1;
    w->xy = bq_alloc_array(k, sizeof *w->xy);
    w->x = bq_alloc_array(k, sizeof *w->x);
    w->y = bq_alloc_array(k, sizeof *w->y);
    w->d = bq_alloc_array(k, sizeof *w->d);
    w->m = bq_alloc_array(k, sizeof *w->m);
    w->c = bq_alloc_array(k, sizeof *w->c);
    w->first = bq_alloc_array(k, sizeof *w->first);
    if (!w->xy || !w->x || !w->y || !w->d || !w->m || !w->c || !w->first)
        return refuse(w, BQ_FIT_FAILED, BQ_ERR_NOMEM, "out of memory");
    return 0;
}

static void work_free(fit_work_t *w)
{
    gsl_matrix_free(w->cov);
    free(w->xy);
    free(w->x);
    free(w->y);
    free(w->d);
    free(w->m);
    free(w->c);
    free(w->first);
}

/* The points that enter, checked and sorted by dose, and their doses. */
static int take_points(fit_work_t *w, const bq_fit_point_t *pts, size_t n)
{
    bq_fit_result_t *res = w->res;
    for (size_t i = 0; i < n; i++) {
        if (pts[i].excluded) {
            res->n_flagged++;
            if (isfinite(pts[i].dose))
                add_sorted_unique(res->excluded, &res->n_excluded, pts[i].dose);
            continue;
        }
        if (!isfinite(pts[i].dose) || !isfinite(pts[i].response))
            return refuse(w, BQ_FIT_BAD_INPUT, BQ_ERR_INVALID, "point %zu: %s is not a finite number",
                          i + 1, isfinite(pts[i].dose) ? "response" : "dose");
        if (pts[i].dose < 0)
            return refuse(w, BQ_FIT_BAD_INPUT, BQ_ERR_INVALID, "point %zu: dose %g is negative",
                          i + 1, pts[i].dose);
        w->xy[w->nu].x = pts[i].dose;
        w->xy[w->nu].y = pts[i].response;
        w->nu++;
    }
    qsort(w->xy, w->nu, sizeof *w->xy, cmp_xy);
    w->nd = dose_groups(w->xy, w->nu, w->d, w->m, w->c, w->first);
    res->n = (int)w->nu;
    res->n_doses = w->nd;
    return 0;
}

/* The 4PL's parameters, free or held as the options say. */
static void ctx_init(fit_work_t *w)
{
    const bq_fit_options_t *opts = w->o;
    fitctx_t *fc = &w->fc;
    fc->o = opts;
    fc->is_free[P_BOTTOM] = !opts->fix_bottom;
    fc->is_free[P_TOP] = !opts->fix_top;
    fc->is_free[P_HILL] = 1;
    fc->is_free[P_LOGDC50] = 1;
    fc->fixed[P_BOTTOM] = opts->fix_bottom ? opts->bottom : 0;
    fc->fixed[P_TOP] = opts->fix_top ? opts->top : 0;
    fc->fixed[P_HILL] = 0;
    fc->fixed[P_LOGDC50] = 0;
    fc->is_free[P_REC] = 0;
    fc->is_free[P_LOGHC] = 0;
    fc->is_free[P_HHILL] = 0;
    fc->fixed[P_REC] = 0;
    fc->fixed[P_LOGHC] = 0;
    fc->fixed[P_HHILL] = opts->hook_hill > 0 ? opts->hook_hill : 1.5;
    fc->hill_sign = (!opts->fix_top && !opts->fix_bottom) ? 1 : 0;
    w->np = 2 + !opts->fix_top + !opts->fix_bottom;
}

/* Enough doses, degrees of freedom and spread to fit; x and y filled. */
static int check_fittable(fit_work_t *w)
{
    int nd = w->nd, nf = w->res->n_flagged;
    if (nd < 4 && nf > 0)
        return refuse(w, BQ_FIT_TOO_FEW_DOSES, BQ_ERR_INVALID,
                      "only %d distinct dose%s left after leaving out %d flagged point%s "
                      "(a 4PL fit needs at least 4)",
                      nd, nd == 1 ? "" : "s", nf, nf == 1 ? "" : "s");
    if (nd < 4)
        return refuse(w, BQ_FIT_TOO_FEW_DOSES, BQ_ERR_INVALID,
                      "only %d distinct dose%s (a 4PL fit needs at least 4)", nd,
                      nd == 1 ? "" : "s");
    if (w->nu <= (size_t)w->np)
        return refuse(w, BQ_FIT_TOO_FEW_DOSES, BQ_ERR_INVALID,
                      "only %zu points for %d parameters (no degrees of freedom left)", w->nu,
                      w->np);
    double ymin = INFINITY, ymax = -INFINITY, yabs = 0;
    for (size_t i = 0; i < w->nu; i++) {
        ymin = fmin(ymin, w->xy[i].y);
        ymax = fmax(ymax, w->xy[i].y);
        yabs = fmax(yabs, fabs(w->xy[i].y));
    }
    if (ymax - ymin <= 1e-12 * yabs || ymax == ymin)
        return refuse(w, BQ_FIT_FLAT, BQ_ERR_NUMERIC,
                      "the response is constant (%g at every dose): nothing to fit", ymin);
    for (size_t i = 0; i < w->nu; i++) {
        w->x[i] = w->xy[i].x;
        w->y[i] = w->xy[i].y;
    }
    return 0;
}

/* ---- fit_once: the hook ------------------------------------------------ */

/* How many of the top doses lie past the turning point (at most nd - 4, so
 * four doses remain for the 4PL); *sgn is +1 for a falling curve (a hook
 * rises), -1 for a rising one. The turning point is the extreme of the dose
 * means smoothed over neighbouring doses: with one lane per dose, a noisy
 * point near the bottom must not be taken for the start of the hook. A
 * turning point found with the flagged points (opts->hook_turn, from
 * bq_fit_4pl) overrides: the doses past it are post-hook whatever these
 * points alone show. */
static int post_hook_doses(const fit_work_t *w, double *sgn)
{
    int nd = w->nd, imin = 0, imax = 0;
    double smin = INFINITY, smax = -INFINITY;
    for (int k = 0; k < nd; k++) {
        int a = k > 0 ? k - 1 : k, b = k < nd - 1 ? k + 1 : k;
        double sm = 0;
        for (int j = a; j <= b; j++)
            sm += w->m[j];
        sm /= (b - a + 1);
        if (sm < smin) {
            smin = sm;
            imin = k;
        }
        if (sm > smax) {
            smax = sm;
            imax = k;
        }
    }
    *sgn = imin > imax ? 1.0 : -1.0;
    int K = nd - 1 - (imin > imax ? imin : imax);
    if (isfinite(w->o->hook_turn)) {
        *sgn = 1.0;
        K = 0;
        while (K < nd && w->d[nd - 1 - K] > w->o->hook_turn)
            K++;
    }
    return K > nd - 4 ? nd - 4 : K;
}

/* The F-test of the 4PL on every point (w->rss) against the 4PL below the
 * K post-hook doses plus a mean per post-hook dose (rss_s of the first ns
 * points, plus the spread within those doses, into *rss_b). */
static double hook_pvalue(const fit_work_t *w, int K, size_t ns, double rss_s, double *rss_b)
{
    int nd = w->nd;
    double within = 0;
    for (size_t i = ns; i < w->nu; i++) {
        int k = nd - K;
        while (k < nd - 1 && w->first[k + 1] <= i)
            k++;
        within += (w->y[i] - w->m[k]) * (w->y[i] - w->m[k]);
    }
    *rss_b = rss_s + within;
    long df_b = (long)w->nu - w->np - K;
    if (df_b > 0 && *rss_b > 0 && w->rss > *rss_b) {
        double F = ((w->rss - *rss_b) / K) / (*rss_b / (double)df_b);
        return gsl_cdf_fdist_Q(F, (double)K, (double)df_b);
    }
    if (*rss_b <= 0 && w->rss > 0)
        return 0.0;
    return df_b > 0 ? 1.0 : NAN;
}

/* A hook found: fit the bell model on every point, or, where it is refused,
 * leave the post-hook doses out (ps / rss_s: the 4PL without them; sgn as
 * post_hook_doses). */
static void hook_model(fit_work_t *w, const double ps[NPAR], double rss_s, double rss_b, int K,
                       double pval, double sgn)
{
    const bq_fit_options_t *opts = w->o;
    bq_fit_result_t *res = w->res;
    int hinted = isfinite(opts->hook_turn), start = w->nd - K;
    res->hook = 1;
    /* with a hint the turn lies among the flagged doses */
    double turn = hinted ? opts->hook_turn : w->d[start - 1];
    res->hook_turn = turn;
    char buf[320];
    const char *why = NULL;
    int free_h2 = !(opts->hook_hill > 0);
    if (opts->bell && sgn > 0) {
        double rss_all = w->rss;
        why = try_bell(&w->fc, w->x, w->y, w->nu, ps, turn, K, rss_all, rss_b, w->np + K,
                       opts->hook_alpha, free_h2, w->p, &w->rss);
        /* a recovery slope the data cannot pin: hold it */
        if (why && free_h2) {
            free_h2 = 0;
            why = try_bell(&w->fc, w->x, w->y, w->nu, ps, turn, K, rss_all, rss_b, w->np + K,
                           opts->hook_alpha, 0, w->p, &w->rss);
        }
        w->bell_below_zero = why == BOTTOM_BELOW_ZERO;
    } else
        why = opts->bell ? "the response rises with dose" : "bell model switched off";
    if (!why) {
        /* every point stays in: the bell model describes the recovery, so
         * the degradation term is not pulled by it */
        w->fc.is_free[P_REC] = 1;
        w->fc.is_free[P_LOGHC] = 1;
        w->fc.is_free[P_HHILL] = free_h2;
        w->fc.hill_sign = 1;
        w->np += 2 + free_h2;
        res->model = BQ_FIT_MODEL_BELL;
        snprintf(buf, sizeof buf,
                 "hook: response recovers above dose %g (F-test p = %.2g%s); "
                 "fitted the bell-shaped model",
                 turn, pval, hinted ? HINT_NOTE : "");
    } else {
        /* every dose past the turning point goes: one that has risen less
         * than the noise can still bias the bottom */
        for (int k = start; k < w->nd; k++) {
            res->hook_doses[res->n_hook++] = w->d[k];
            add_sorted_unique(res->excluded, &res->n_excluded, w->d[k]);
        }
        w->n_fit = w->first[start];
        memcpy(w->p, ps, sizeof w->p);
        w->rss = rss_s;
        res->model = BQ_FIT_MODEL_4PL_EXCLUDED;
        snprintf(buf, sizeof buf,
                 "hook: response recovers above dose %g (F-test p = %.2g%s); "
                 "post-hook doses excluded (bell model not used: %s)",
                 turn, pval, hinted ? HINT_NOTE : "", why);
    }
    note(res, buf);
}

/* Does the response come back at the top doses beyond noise? If so,
 * hook_model changes the fit. */
static void hook_step(fit_work_t *w)
{
    const bq_fit_options_t *opts = w->o;
    double sgn;
    int K = post_hook_doses(w, &sgn);
    if (K <= 0)
        return;
    size_t ns = w->first[w->nd - K]; /* points below the first dropped dose */
    double ps[NPAR], rss_s, rss_b;
    if (fit_points(&w->fc, w->x, w->y, ns, w->p, ps, &rss_s, NULL) != 0)
        return;
    double pval = hook_pvalue(w, K, ns, rss_s, &rss_b);
    double span = fabs(ps[P_TOP] - ps[P_BOTTOM]);
    double maxrise = -INFINITY;
    for (int k = w->nd - K; k < w->nd; k++)
        maxrise = fmax(maxrise, sgn * (w->m[k] - model_eval(ps, w->d[k])));
    int hinted = isfinite(opts->hook_turn);
    if (hinted)
        pval = opts->hook_turn_p;
    w->res->hook_p = pval;
    if (hinted ||
        (isfinite(pval) && pval < opts->hook_alpha && maxrise > opts->hook_min_rise * span))
        hook_model(w, ps, rss_s, rss_b, K, pval, sgn);
}

/* ---- fit_once: the final fit and what follows from it ----------------- */

/* Refit the chosen model with its covariance, in canonical form (top is
 * the vehicle-side asymptote, hill > 0); res->n, n_doses, df. */
static int final_fit(fit_work_t *w)
{
    w->cov = gsl_matrix_alloc((size_t)w->np, (size_t)w->np);
    if (!w->cov)
        return refuse(w, BQ_FIT_FAILED, BQ_ERR_NOMEM, "out of memory");
    problem_t pr;
    problem_setup(&pr, w->x, w->y, w->n_fit, w->fc.is_free, w->fc.fixed);
    double q[NPAR], r2;
    memcpy(q, w->p, sizeof q);
    if (lm_solve(&pr, q, &r2, w->cov) != 0)
        return refuse(w, BQ_FIT_FAILED, BQ_ERR_NUMERIC, "the 4PL fit did not converge");
    if (r2 <= w->rss) {
        memcpy(w->p, q, sizeof q);
        w->rss = r2;
    }
    double *p = w->p;
    if (w->fc.hill_sign > 0 && !w->fc.is_free[P_REC] && p[P_HILL] < 0) {
        double t = p[P_TOP];
        p[P_TOP] = p[P_BOTTOM];
        p[P_BOTTOM] = t;
        p[P_HILL] = -p[P_HILL];
    }
    int ndf = 0;
    for (size_t i = 0; i < w->n_fit; i++)
        ndf += i == 0 || w->x[i] != w->x[i - 1];
    w->res->n = (int)w->n_fit;
    w->res->n_doses = ndf;
    w->res->df = (int)w->n_fit - w->np;
    return 0;
}

/* Sum of squares of the final fit's responses about their mean. */
static double total_ss(const fit_work_t *w)
{
    double ybar = 0, sst = 0;
    for (size_t i = 0; i < w->n_fit; i++)
        ybar += w->y[i];
    ybar /= (double)w->n_fit;
    for (size_t i = 0; i < w->n_fit; i++)
        sst += (w->y[i] - ybar) * (w->y[i] - ybar);
    return sst;
}

/* Is there a dose response at all? The 4PL against a constant. */
static int response_test(fit_work_t *w, double sst)
{
    int df = w->res->df, np = w->np;
    if (!(sst > 0 && df > 0 && np > 1))
        return 0;
    double pval;
    if (w->rss <= 0) {
        pval = 0;
    } else {
        double F = ((sst - w->rss) / (np - 1)) / (w->rss / df);
        pval = F > 0 ? gsl_cdf_fdist_Q(F, (double)(np - 1), (double)df) : 1.0;
    }
    if (!(pval > w->o->no_response_alpha))
        return 0;
    bq_fit_result_t *res = w->res;
    size_t len = strlen(res->message);
    snprintf(res->message + len, sizeof res->message - len,
             "%sno significant dose response (4PL vs. constant, p = %.2g): "
             "no DC50 can be estimated",
             res->message[0] ? "; " : "", pval);
    int nn = res->n;
    int rc = fail(res, w->err, BQ_FIT_NO_RESPONSE, BQ_ERR_NUMERIC);
    res->n = nn;
    return rc;
}

/* The deepest point of the curve over the tested doses, as 1 - it / top. */
static double deepest_point(const fit_work_t *w)
{
    double xmin = INFINITY, xmax = 0, ylo = INFINITY;
    for (size_t i = 0; i < w->nu; i++) {
        if (w->x[i] > 0)
            xmin = fmin(xmin, w->x[i]);
        xmax = fmax(xmax, w->x[i]);
    }
    if (xmax > xmin)
        for (int k = 0; k <= 400; k++)
            ylo = fmin(ylo, model_eval(w->p, xmin * pow(xmax / xmin, k / 400.0)));
    double top = w->res->top;
    return top != 0 && isfinite(ylo) ? 1.0 - ylo / top : NAN;
}

/* Standard errors of the free 4PL parameters from the covariance. */
static void standard_errors(fit_work_t *w)
{
    bq_fit_result_t *res = w->res;
    double s2 = w->rss / res->df;
    int slot = 0;
    double se[NPAR] = {NAN, NAN, NAN, NAN};
    for (int k = 0; k < NPAR; k++) {
        if (!w->fc.is_free[k])
            continue;
        double v = gsl_matrix_get(w->cov, (size_t)slot, (size_t)slot) * s2;
        se[k] = v >= 0 ? sqrt(v) : NAN;
        slot++;
    }
    res->se_bottom = se[P_BOTTOM];
    res->se_top = se[P_TOP];
    res->se_hill = se[P_HILL];
    res->se_log_dc50 = se[P_LOGDC50];
}

/* The estimates of the final fit into res. */
static void estimates(fit_work_t *w, double sst)
{
    bq_fit_result_t *res = w->res;
    const double *p = w->p;
    int df = res->df;
    res->top = p[P_TOP];
    res->bottom = p[P_BOTTOM];
    res->hill = p[P_HILL];
    res->dc50 = exp(p[P_LOGDC50]);
    res->rss = w->rss;
    res->r2 = sst > 0 ? 1.0 - w->rss / sst : NAN;
    res->rmse = sqrt(w->rss / (double)w->n_fit);
    res->sigma = df > 0 ? sqrt(w->rss / df) : NAN;
    res->dmax = res->top != 0 ? 1.0 - res->bottom / res->top : NAN;
    if (res->model == BQ_FIT_MODEL_BELL) {
        res->hook_recovery = p[P_REC];
        res->hook_dc = exp(p[P_LOGHC]);
        res->hook_hill = p[P_HHILL];
    }
    res->dmax_obs = deepest_point(w);
    if (df > 0)
        standard_errors(w);
}

/* dc50_abs: where the curve crosses abs_level (half of top unless set). */
static void dc50_abs(fit_work_t *w)
{
    bq_fit_result_t *res = w->res;
    double a = isfinite(w->o->abs_level) ? w->o->abs_level : 0.5 * res->top;
    res->abs_level = a;
    double u = (res->top - res->bottom) / (a - res->bottom) - 1.0;
    if (isfinite(u) && u > 0 && res->hill != 0)
        res->dc50_abs = res->dc50 * pow(u, 1.0 / res->hill);
    if (isfinite(res->dc50_abs) && res->model == BQ_FIT_MODEL_BELL)
        res->dc50_abs = bell_crossing(w->p, a, res->dc50_abs);
    if (!isfinite(res->dc50_abs))
        note(res, "the curve never reaches the 50 % level: dc50_abs undefined");
}

/* The confidence interval of dc50, Wald on log(dc50) or profile. */
static void dc50_ci(fit_work_t *w)
{
    bq_fit_result_t *res = w->res;
    int df = res->df;
    if (df <= 0) {
        note(res, "no residual degrees of freedom: no confidence interval");
        return;
    }
    double L0 = w->p[P_LOGDC50];
    if (w->o->ci == BQ_CI_WALD) {
        double tq = gsl_cdf_tdist_Pinv(1.0 - (1.0 - res->level) / 2.0, (double)df);
        if (isfinite(res->se_log_dc50)) {
            res->dc50_low = exp(L0 - tq * res->se_log_dc50);
            res->dc50_high = exp(L0 + tq * res->se_log_dc50);
        }
    } else {
        double lo, hi;
        profile_ci(&w->fc, w->x, w->y, w->n_fit, w->p, w->rss, df, res->level,
                   res->se_log_dc50, &lo, &hi);
        res->dc50_low = isfinite(lo) ? exp(lo) : NAN;
        res->dc50_high = isfinite(hi) ? exp(hi) : NAN;
    }
    if (!isfinite(res->dc50_low) || !isfinite(res->dc50_high))
        note(res, "the data do not bound the DC50 confidence interval on both sides");
}

/* Notes on where dc50 lies, and refusal of a dc50 the doses do not
 * locate. */
static int dc50_placed(fit_work_t *w)
{
    bq_fit_result_t *res = w->res;
    /* the tested doses of the final fit (vehicle aside) */
    double tested_lo = INFINITY, tested_hi = 0;
    for (size_t i = 0; i < w->n_fit; i++) {
        if (w->x[i] > 0)
            tested_lo = fmin(tested_lo, w->x[i]);
        tested_hi = fmax(tested_hi, w->x[i]);
    }
    if (res->dc50 > tested_hi || res->dc50 < tested_lo)
        note(res, "dc50 lies outside the tested doses (extrapolated)");
    if (w->fc.hill_sign > 0 && res->top < res->bottom)
        note(res, "the response rises with dose (no degradation)");
    /* the optimiser works on log(dc50): when the doses do not locate the
     * DC50 (the whole drop between vehicle and the first dose, or a fixed
     * asymptote the data contradict) log(dc50) runs off and exp() gives 0
     * or Inf, which is no estimate */
    if (!(isfinite(res->dc50) && res->dc50 > 0) || !isfinite(res->hill))
        return refuse(w, BQ_FIT_FAILED, BQ_ERR_NUMERIC,
                      "the DC50 is not identifiable from these doses (the fit drives it to %g)",
                      res->dc50);
    /* a finite but absurd value (1e-300, 1e30) is the same run-off: more
     * than DC50_REACH-fold beyond the tested doses nothing in the data
     * speaks for the number */
    if (tested_hi > 0 &&
        (res->dc50 < tested_lo / DC50_REACH || res->dc50 > tested_hi * DC50_REACH))
        return refuse(w, BQ_FIT_FAILED, BQ_ERR_NUMERIC,
                      "the DC50 is not identifiable from these doses (the fit puts it at %g, "
                      "more than %g-fold outside the tested %g to %g)",
                      res->dc50, DC50_REACH, tested_lo, tested_hi);
    return 0;
}

/* From the final fit to the result: the response test, estimates, dc50_abs,
 * the CI and the checks on dc50. *below_zero as fit_once. */
static int conclude(fit_work_t *w, int *below_zero)
{
    double sst = total_ss(w);
    int rc = response_test(w, sst);
    if (rc != 0)
        return rc;
    if (w->fc.is_free[P_BOTTOM] && w->p[P_BOTTOM] < 0)
        *below_zero = 1;
    estimates(w, sst);
    dc50_abs(w);
    dc50_ci(w);
    rc = dc50_placed(w);
    if (rc != 0)
        return rc;
    w->res->status = BQ_FIT_OK;
    bq_error_clear(w->err);
    return 0;
}

/* One complete analysis with the options as given. *below_zero is set
 * when the final fit's free bottom asymptote came out below zero,
 * *bell_below_zero when the bell model was refused for that reason. */
static int fit_once(const bq_fit_point_t *pts, size_t n, const bq_fit_options_t *opts,
                    bq_fit_result_t *res, bq_error_t *err, int *below_zero,
                    int *bell_below_zero)
{
    *below_zero = 0;
    result_start(res, opts);
    fit_work_t w;
    memset(&w, 0, sizeof w);
    w.o = opts;
    w.res = res;
    w.err = err;
    int rc;
    if ((opts->fix_top && !isfinite(opts->top)) || (opts->fix_bottom && !isfinite(opts->bottom)))
        rc = refuse(&w, BQ_FIT_BAD_INPUT, BQ_ERR_INVALID,
                    "a fixed top or bottom is not a finite number");
    else
        rc = work_alloc(&w, n);
    if (rc == 0)
        rc = take_points(&w, pts, n);
    if (rc == 0) {
        ctx_init(&w);
        rc = check_fittable(&w);
    }
    if (rc == 0 && fit_points(&w.fc, w.x, w.y, w.nu, NULL, w.p, &w.rss, NULL) != 0)
        rc = refuse(&w, BQ_FIT_FAILED, BQ_ERR_NUMERIC, "the 4PL fit did not converge");
    if (rc == 0) {
        w.n_fit = w.nu;
        if (opts->detect_hook && w.nd >= 5)
            hook_step(&w);
        rc = final_fit(&w);
    }
    if (rc == 0)
        rc = conclude(&w, below_zero);
    *bell_below_zero = w.bell_below_zero;
    work_free(&w);
    return rc;
}

/* fit_once, then the bottom held at zero where a protein level went below it. */
static int fit_nonneg(const bq_fit_point_t *pts, size_t n, const bq_fit_options_t *opts,
                      bq_fit_result_t *res, bq_error_t *err)
{
    int below_zero = 0, bell_below_zero = 0;
    int rc = fit_once(pts, n, opts, res, err, &below_zero, &bell_below_zero);
    /* The bottom is a protein level (relative to vehicle): it cannot be
     * negative. When the free fit still puts it below zero, the doses do
     * not reach the bottom plateau and the constrained estimate lies on
     * the boundary: refit with the bottom held at 0, as an analyst would
     * constrain it by hand. The same when the analysis failed after the
     * bell model was refused for a bottom below zero (the hook left too
     * few doses to fit without it). A bell refused that way is otherwise
     * left refused: a recovery the bell shape does not follow also drags
     * the bottom down, and excluding the post-hook doses is then better. */
    int retry = below_zero || (bell_below_zero && res->status != BQ_FIT_OK);
    if (!retry || !opts->nonneg_bottom || opts->fix_bottom)
        return rc;
    /* with negative responses (a difference, a log ratio) nothing is implied */
    for (size_t i = 0; i < n; i++)
        if (!pts[i].excluded && isfinite(pts[i].response) && pts[i].response < 0)
            return rc;
    double free_bottom = res->status == BQ_FIT_OK ? res->bottom : NAN;
    bq_fit_options_t held = *opts;
    held.fix_bottom = 1;
    held.bottom = 0.0;
    bq_fit_result_t *r0 = malloc(sizeof *r0);
    if (!r0)
        return rc; /* the free fit stands */
    bq_error_t e0;
    bq_error_clear(&e0);
    int rc0 = fit_once(pts, n, &held, r0, &e0, &below_zero, &bell_below_zero);
    if (rc0 == 0) {
        memcpy(res, r0, sizeof *res);
        res->fixed_bottom = 0; /* not the user's choice: see bottom_held */
        res->bottom_held = 1;
        char buf[160];
        if (isfinite(free_bottom))
            snprintf(buf, sizeof buf,
                     "bottom held at 0 (the free fit put it at %.3g, below any protein level)",
                     free_bottom);
        else
            snprintf(buf, sizeof buf,
                     "bottom held at 0 (the free bell fit put it below zero and without the "
                     "post-hook doses too few remained)");
        note(res, buf);
        bq_error_clear(err);
        rc = 0;
    }
    free(r0);
    return rc;
}

/* bq_fit_4pl without the locale scope. */
static int fit_4pl(const bq_fit_point_t *pts, size_t n, const bq_fit_options_t *opts,
                   bq_fit_result_t *res, bq_error_t *err)
{
    int rc = fit_nonneg(pts, n, opts, res, err);
    if (res->hook || !opts->detect_hook || !opts->hook_from_flagged || isfinite(opts->hook_turn))
        return rc;
    /* A hook hidden by flagged points: when the lanes past the turning
     * point are the flagged ones (saturated loading control at the top
     * doses), the remaining post-hook lane looks like the bottom plateau
     * and lifts it. The flagged points are still measurements, good
     * enough to say where the response turns: test for a hook on every
     * point, and if there is one, treat the unflagged doses past its
     * turning point as post-hook. The flagged points are never fitted. */
    size_t n_flag = 0;
    for (size_t i = 0; i < n; i++)
        n_flag += pts[i].excluded && isfinite(pts[i].dose) && isfinite(pts[i].response);
    if (n_flag == 0)
        return rc;
    bq_fit_point_t *all = bq_alloc_array(n, sizeof *all);
    bq_fit_result_t *r_all = malloc(sizeof *r_all), *r_hint = malloc(sizeof *r_hint);
    if (all && r_all && r_hint) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!pts[i].excluded || (isfinite(pts[i].dose) && isfinite(pts[i].response))) {
                all[k] = pts[i];
                all[k].excluded = 0;
                k++;
            }
        bq_fit_options_t o_all = *opts;
        o_all.hook_from_flagged = 0;
        fit_nonneg(all, k, &o_all, r_all, NULL);
        if (r_all->hook && isfinite(r_all->hook_turn)) {
            bq_fit_options_t o_hint = o_all;
            o_hint.hook_turn = r_all->hook_turn;
            o_hint.hook_turn_p = r_all->hook_p;
            bq_error_t e_hint;
            bq_error_clear(&e_hint);
            int rc_hint = fit_nonneg(pts, n, &o_hint, r_hint, &e_hint);
            /* only when the unflagged points have doses past the turn */
            if (r_hint->hook && (rc_hint == 0 || rc != 0)) {
                memcpy(res, r_hint, sizeof *res);
                rc = rc_hint;
                if (err)
                    *err = e_hint;
            }
        }
    }
    free(all);
    free(r_all);
    free(r_hint);
    return rc;
}

/* GSL's error handler is the program's to set (fit.h): the checks in
 * fit_once and lm_solve, and the bracket test in profile_bound, keep every
 * GSL call off its error paths, allocation failures aside. */
int bq_fit_4pl(const bq_fit_point_t *pts, size_t n, const bq_fit_options_t *opts,
               bq_fit_result_t *res, bq_error_t *err)
{
    bq_fit_options_t defaults;
    if (!opts) {
        bq_fit_options_init(&defaults);
        opts = &defaults;
    }
    /* the messages name doses and p-values */
    locale_t previous = bq_numbers_begin();
    int rc = fit_4pl(pts, n, opts, res, err);
    bq_numbers_end(previous);
    return rc;
}

double bq_fit_4pl_eval(const bq_fit_result_t *res, double dose)
{
    if (!res || !isfinite(res->dc50) || !(res->dc50 > 0))
        return NAN;
    double p[NPAR] = {res->bottom, res->top, res->hill, log(res->dc50), 0, 0, 1};
    if (res->model == BQ_FIT_MODEL_BELL && isfinite(res->hook_recovery) &&
        res->hook_dc > 0 && isfinite(res->hook_hill)) {
        p[P_REC] = res->hook_recovery;
        p[P_LOGHC] = log(res->hook_dc);
        p[P_HHILL] = res->hook_hill;
    }
    return model_eval(p, dose);
}

int bq_fit_point_excluded(const bq_fit_result_t *res, const bq_fit_point_t *pt)
{
    if (pt->excluded)
        return 1;
    if (!res)
        return 0;
    for (int k = 0; k < res->n_hook; k++)
        if (res->hook_doses[k] == pt->dose)
            return 1;
    return 0;
}

/* ---- writers ------------------------------------------------------------ */

const char BQ_FIT_CSV_HEADER[] =
    "target,control,n,top,bottom,hill,dc50,dc50_low,dc50_high,dc50_abs,dmax,r2,rmse,hook,"
    "excluded,unit,status,message,ci_method,ci_level,se_log_dc50,sigma,rss,df,n_doses,"
    "hook_p,n_flagged,model,dmax_obs,hook_recovery,hook_dc,bottom_held,group";

/* Not-available numbers are empty cells, as in bands.csv; the status and
 * message columns say why. */
static void put_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
}

static void put_str(FILE *fp, const char *s)
{
    bq_csv_put_field(fp, s ? s : "");
}

static void excluded_str(const bq_fit_result_t *res, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < res->n_excluded && len + 1 < size; k++) {
        int w = snprintf(buf + len, size - len, "%s%.10g", k ? ";" : "", res->excluded[k]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

int bq_fit_write_csv(FILE *fp, const bq_fit_result_t *res, const char *target,
                     const char *control, const char *unit, int header)
{
    return bq_fit_write_csv_group(fp, res, target, control, unit, NULL, header);
}

int bq_fit_write_csv_group(FILE *fp, const bq_fit_result_t *res, const char *target,
                           const char *control, const char *unit, const char *group,
                           int header)
{
    locale_t previous = bq_numbers_begin();
    if (header) {
        fputs(BQ_FIT_CSV_HEADER, fp);
        fputc('\n', fp);
    }
    char exc[BQ_FIT_MAX_LISTED * 24];
    excluded_str(res, exc, sizeof exc);
    put_str(fp, target);
    fputc(',', fp);
    put_str(fp, control);
    fprintf(fp, ",%d", res->n);
    const double nums[] = {res->top,  res->bottom,    res->hill,     res->dc50,
                           res->dc50_low, res->dc50_high, res->dc50_abs, res->dmax,
                           res->r2,   res->rmse};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        fputc(',', fp);
        put_num(fp, nums[k]);
    }
    fprintf(fp, ",%s,", res->hook ? "yes" : "no");
    put_str(fp, exc);
    fputc(',', fp);
    put_str(fp, unit);
    fprintf(fp, ",%s,", bq_fit_status_name(res->status));
    put_str(fp, res->message);
    fprintf(fp, ",%s,", res->ci_method == BQ_CI_WALD ? "wald-log" : "profile");
    put_num(fp, res->level);
    fputc(',', fp);
    put_num(fp, res->se_log_dc50);
    fputc(',', fp);
    put_num(fp, res->sigma);
    fputc(',', fp);
    put_num(fp, res->rss);
    fprintf(fp, ",%d,%d,", res->df, res->n_doses);
    put_num(fp, res->hook_p);
    fprintf(fp, ",%d,%s,", res->n_flagged, bq_fit_model_name(res->model));
    put_num(fp, res->dmax_obs);
    fputc(',', fp);
    put_num(fp, res->hook_recovery);
    fputc(',', fp);
    put_num(fp, res->hook_dc);
    fprintf(fp, ",%s,", res->bottom_held ? "yes" : "no");
    put_str(fp, group);
    fputc('\n', fp);
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : 0;
}

/* s as a JSON string, "" for NULL. */
static void json_str(FILE *fp, const char *s)
{
    bq_json_put_string(fp, s ? s : "");
}

static void json_num(FILE *fp, const char *key, double v)
{
    fprintf(fp, ",\"%s\":", key);
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
    else
        fputs("null", fp);
}

int bq_fit_write_json(FILE *fp, const bq_fit_result_t *res, const char *target,
                      const char *control, const char *unit)
{
    return bq_fit_write_json_group(fp, res, target, control, unit, NULL);
}

int bq_fit_write_json_group(FILE *fp, const bq_fit_result_t *res, const char *target,
                            const char *control, const char *unit, const char *group)
{
    locale_t previous = bq_numbers_begin();
    fputs("{\"target\":", fp);
    json_str(fp, target);
    fputs(",\"control\":", fp);
    json_str(fp, control);
    fprintf(fp, ",\"n\":%d", res->n);
    json_num(fp, "top", res->top);
    json_num(fp, "bottom", res->bottom);
    json_num(fp, "hill", res->hill);
    json_num(fp, "dc50", res->dc50);
    json_num(fp, "dc50_low", res->dc50_low);
    json_num(fp, "dc50_high", res->dc50_high);
    json_num(fp, "dc50_abs", res->dc50_abs);
    json_num(fp, "dmax", res->dmax);
    json_num(fp, "r2", res->r2);
    json_num(fp, "rmse", res->rmse);
    fprintf(fp, ",\"hook\":%s,\"excluded\":[", res->hook ? "true" : "false");
    for (int k = 0; k < res->n_excluded; k++)
        fprintf(fp, "%s%.10g", k ? "," : "", res->excluded[k]);
    fputs("],\"unit\":", fp);
    json_str(fp, unit);
    fputs(",\"status\":", fp);
    json_str(fp, bq_fit_status_name(res->status));
    fputs(",\"message\":", fp);
    json_str(fp, res->message);
    fprintf(fp, ",\"ci_method\":\"%s\"", res->ci_method == BQ_CI_WALD ? "wald-log" : "profile");
    json_num(fp, "ci_level", res->level);
    json_num(fp, "se_log_dc50", res->se_log_dc50);
    json_num(fp, "sigma", res->sigma);
    json_num(fp, "rss", res->rss);
    fprintf(fp, ",\"df\":%d,\"n_doses\":%d", res->df, res->n_doses);
    json_num(fp, "hook_p", res->hook_p);
    fprintf(fp, ",\"n_flagged\":%d,\"model\":\"%s\"", res->n_flagged,
            bq_fit_model_name(res->model));
    json_num(fp, "dmax_obs", res->dmax_obs);
    json_num(fp, "hook_recovery", res->hook_recovery);
    json_num(fp, "hook_dc", res->hook_dc);
    fprintf(fp, ",\"bottom_held\":%s,\"group\":", res->bottom_held ? "true" : "false");
    json_str(fp, group);
    fputs("}\n", fp);
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : 0;
}
