/* test_fit.c - the 4PL fitter against published reference values, against
 * synthetic series with known truth, with and without a hook, and on
 * degenerate input.
 *
 * Usage: test_fit DATA_DIR   (holds ryegrass.csv and nist_rat42.csv) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"
#include "../check.h"

static void check_rel(const char *what, double got, double want, double tol)
{
    double rel = fabs(got - want) / fabs(want);
    CHECK(rel <= tol, "%s = %.12g, want %.12g (rel. error %.2g > %.2g)", what, got, want, rel,
          tol);
    printf("  %-22s %.12g  (reference %.12g, rel. dev. %.1e)\n", what, got, want, rel);
}

/* Two numeric columns of a reference CSV as points; dose = exp(x) if
 * exp_dose (NIST Rat42 as a 4PL). */
static bq_fit_point_t *load(const char *dir, const char *file, int exp_dose, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    bq_csv_t *csv;
    bq_error_t err = {0};
    if (bq_csv_read_file(path, NULL, &csv, &err) != 0) {
        printf("FAIL cannot read %s: %s\n", path, err.msg);
        exit(1);
    }
    bq_fit_point_t *p = calloc((size_t)csv->n_rows, sizeof *p);
    for (int i = 0; i < csv->n_rows; i++) {
        p[i].dose = strtod(bq_csv_cell(csv, i, 0), NULL);
        if (exp_dose)
            p[i].dose = exp(p[i].dose);
        p[i].response = strtod(bq_csv_cell(csv, i, 1), NULL);
    }
    *n = (size_t)csv->n_rows;
    bq_csv_free(csv);
    return p;
}

static void test_ryegrass(const char *dir)
{
    printf("ryegrass (drc), 4PL:\n");
    size_t n;
    bq_fit_point_t *p = load(dir, "ryegrass.csv", 0, &n);
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    bq_fit_result_t r;
    bq_error_t err = {0};
    int rc = bq_fit_4pl(p, n, &o, &r, &err);
    CHECK(rc == 0 && r.status == BQ_FIT_OK, "ryegrass fit failed: %s", r.message);
    /* converged least-squares optimum, reference/README.md */
    check_rel("hill", r.hill, 2.9822286662225, 1e-6);
    check_rel("bottom", r.bottom, 0.48140994293872, 1e-6);
    check_rel("top", r.top, 7.7929623277378, 1e-6);
    check_rel("dc50", r.dc50, 3.0579551693354, 1e-6);
    check_rel("rss", r.rss, 5.4002146277715, 1e-8);
    check_rel("sigma", r.sigma, 0.51962556845, 1e-8);
    check_rel("se top", r.se_top, 0.189733260, 1e-6);
    check_rel("se bottom", r.se_bottom, 0.209506044, 1e-6);
    check_rel("se hill", r.se_hill, 0.458428817, 1e-6);
    /* SE of dc50 by the delta method from SE(log dc50) */
    check_rel("se dc50 (delta)", r.se_log_dc50 * r.dc50, 0.185828903, 1e-6);
    CHECK(r.n == 24 && r.df == 20, "n %d df %d", r.n, r.df);
    CHECK(!r.hook, "ryegrass has no hook");
    check_rel("profile CI low", r.dc50_low, 2.6910983, 1e-4);
    check_rel("profile CI high", r.dc50_high, 3.4753869, 1e-4);

    o.ci = BQ_CI_WALD;
    rc = bq_fit_4pl(p, n, &o, &r, &err);
    CHECK(rc == 0, "ryegrass wald fit failed: %s", r.message);
    check_rel("Wald(log) CI low", r.dc50_low, 2.69388534, 1e-6);
    check_rel("Wald(log) CI high", r.dc50_high, 3.47122785, 1e-6);

    /* LL.3: bottom fixed at 0 */
    bq_fit_options_init(&o);
    o.fix_bottom = 1;
    o.bottom = 0;
    rc = bq_fit_4pl(p, n, &o, &r, &err);
    CHECK(rc == 0, "ryegrass LL.3 failed: %s", r.message);
    printf("ryegrass LL.3 (bottom = 0):\n");
    check_rel("hill", r.hill, 2.470324314, 1e-6);
    check_rel("top", r.top, 7.855427606, 1e-6);
    check_rel("dc50", r.dc50, 3.263355667, 1e-6);
    CHECK(r.bottom == 0 && isnan(r.se_bottom), "fixed bottom stays 0 without SE");
    free(p);
}

static void test_rat42(const char *dir)
{
    printf("NIST Rat42 as 4PL (bottom 0, dose = exp(x)):\n");
    size_t n;
    bq_fit_point_t *p = load(dir, "nist_rat42.csv", 1, &n);
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.fix_bottom = 1;
    o.bottom = 0;
    bq_fit_result_t r;
    int rc = bq_fit_4pl(p, n, &o, &r, NULL);
    CHECK(rc == 0, "Rat42 fit failed: %s", r.message);
    /* certified values to 11 digits; our tolerance 1e-8 */
    check_rel("b1 = top", r.top, 72.462237576, 1e-8);
    check_rel("b3 = -hill", -r.hill, 0.067359200066, 1e-8);
    check_rel("b2 = log(dc50) b3", log(r.dc50) * -r.hill, 2.6180768402, 1e-8);
    check_rel("rss", r.rss, 8.0565229338, 1e-9);
    check_rel("residual SD", r.sigma, 1.1587725499, 1e-9);
    check_rel("SD b1", r.se_top, 1.7340283401, 1e-6);
    check_rel("SD b3", r.se_hill, 0.0034465663377, 1e-6);
    CHECK(r.df == 6, "df %d", r.df);
    free(p);
}

/* ---- synthetic series ---------------------------------------------------- */

static unsigned long long rng_state;

static double uniform(void)
{
    /* xorshift64*: deterministic across platforms */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((rng_state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    double u = uniform(), v = uniform();
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static double truth(double x, double top, double bottom, double hill, double dc50)
{
    return x <= 0 ? top : bottom + (top - bottom) / (1 + pow(x / dc50, hill));
}

/* 9 doses (vehicle + 1..3000 nM, 3-fold) x 3 replicates; with hook > 0 the
 * two highest doses recover by that much. */
static size_t make_series(bq_fit_point_t *p, unsigned long long seed, double dc50, double sd,
                          double hook)
{
    static const double doses[] = {0, 1, 3, 10, 30, 100, 300, 1000, 3000};
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    size_t n = 0;
    for (int rep = 1; rep <= 3; rep++) {
        for (size_t k = 0; k < sizeof doses / sizeof doses[0]; k++) {
            double y = truth(doses[k], 1.0, 0.1, 1.2, dc50);
            if (hook > 0 && k == 7)
                y += 0.5 * hook;
            if (hook > 0 && k == 8)
                y += hook;
            p[n].dose = doses[k];
            p[n].response = y + sd * gauss();
            p[n].replicate = rep;
            p[n].excluded = 0;
            n++;
        }
    }
    return n;
}

static void test_synthetic(void)
{
    printf("synthetic series, truth dc50 = 30 nM, hill 1.2, Dmax 0.9, SD 0.05:\n");
    bq_fit_point_t p[64];
    int covered = 0, seeds = 20;
    double worst = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        size_t n = make_series(p, (unsigned long long)seed, 30.0, 0.05, 0);
        bq_fit_result_t r;
        int rc = bq_fit_4pl(p, n, NULL, &r, NULL);
        CHECK(rc == 0, "seed %d: %s", seed, r.message);
        double dev = fabs(log10(r.dc50 / 30.0));
        worst = fmax(worst, dev);
        CHECK(dev < 0.1, "seed %d: dc50 %g is %.3f log10 from 30", seed, r.dc50, dev);
        CHECK(!r.hook, "seed %d: false hook (p = %g)", seed, r.hook_p);
        CHECK(r.n_excluded == 0, "seed %d: %d doses excluded", seed, r.n_excluded);
        CHECK(r.dc50_low < r.dc50 && r.dc50 < r.dc50_high, "seed %d: CI [%g, %g] around %g",
              seed, r.dc50_low, r.dc50_high, r.dc50);
        covered += r.dc50_low <= 30.0 && 30.0 <= r.dc50_high;
        CHECK(fabs(r.dmax - 0.9) < 0.08, "seed %d: dmax %g", seed, r.dmax);
    }
    printf("  worst |log10 dc50 error| %.3f; 95%% profile CI covered the truth %d/%d\n", worst,
           covered, seeds);
    CHECK(covered >= 16, "CI coverage %d/%d is too low for a 95%% interval", covered, seeds);

    /* noise-free: exact recovery */
    for (size_t i = 0; i < 27; i++)
        p[i].response = truth(p[i].dose, 1.0, 0.1, 1.2, 30.0);
    bq_fit_result_t r;
    int rc = bq_fit_4pl(p, 27, NULL, &r, NULL);
    CHECK(rc == 0 && fabs(r.dc50 / 30.0 - 1) < 1e-6 && fabs(r.hill - 1.2) < 1e-6,
          "noise-free: dc50 %g hill %g (%s)", r.dc50, r.hill, r.message);
    CHECK(!r.hook, "noise-free: false hook");
    /* dc50_abs: where 50 % remains (abs level 0.5 of a top of 1) */
    double want_abs = 30.0 * pow((1.0 - 0.1) / (0.5 - 0.1) - 1.0, 1.0 / 1.2);
    CHECK(fabs(r.dc50_abs / want_abs - 1) < 1e-5, "dc50_abs %g want %g", r.dc50_abs, want_abs);
    CHECK(fabs(bq_fit_4pl_eval(&r, r.dc50_abs) - 0.5) < 1e-9, "curve at dc50_abs is not 0.5");
    CHECK(fabs(bq_fit_4pl_eval(&r, 0.0) - r.top) < 1e-12, "vehicle is not the top");

    /* shallow degradation: never reaches 50 % -> dc50_abs undefined */
    for (size_t i = 0; i < 27; i++)
        p[i].response = truth(p[i].dose, 1.0, 0.7, 1.2, 30.0);
    rc = bq_fit_4pl(p, 27, NULL, &r, NULL);
    CHECK(rc == 0 && isnan(r.dc50_abs), "Dmax 30 %%: dc50_abs %g should be NA", r.dc50_abs);

    /* fixed top and flagged points */
    size_t n = make_series(p, 99, 30.0, 0.05, 0);
    p[3].excluded = 1;
    p[3].response = 50.0; /* must not matter */
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.fix_top = 1;
    o.top = 1.0;
    rc = bq_fit_4pl(p, n, &o, &r, NULL);
    CHECK(rc == 0 && r.top == 1.0 && fabs(log10(r.dc50 / 30)) < 0.1,
          "fixed top: top %g dc50 %g (%s)", r.top, r.dc50, r.message);
    CHECK(r.n == (int)n - 1 && r.n_flagged == 1, "flagged point: n %d flagged %d", r.n,
          r.n_flagged);
    CHECK(r.n_excluded == 1 && r.excluded[0] == p[3].dose, "flagged dose listed");
}

static void test_hook(void)
{
    printf("hooked synthetic series (recovery +0.25/+0.5 at the two top doses):\n");
    bq_fit_point_t p[64];
    int seeds = 20;
    double worst = 0, worst_nohook = 0, sum = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        size_t n = make_series(p, (unsigned long long)seed + 1000, 30.0, 0.05, 0.5);
        bq_fit_result_t r;
        int rc = bq_fit_4pl(p, n, NULL, &r, NULL);
        CHECK(rc == 0, "seed %d: %s", seed, r.message);
        CHECK(r.hook, "seed %d: hook not detected (p = %g)", seed, r.hook_p);
        /* this step-like recovery is not the bell shape: either model may
         * be chosen, and the message must say which */
        CHECK(r.model == BQ_FIT_MODEL_BELL || r.model == BQ_FIT_MODEL_4PL_EXCLUDED,
              "seed %d: model %s", seed, bq_fit_model_name(r.model));
        CHECK(strstr(r.message, r.model == BQ_FIT_MODEL_BELL ? "bell" : "excluded") != NULL,
              "seed %d: message '%s' does not name the model", seed, r.message);
        CHECK(r.model == BQ_FIT_MODEL_BELL ||
                  (r.n_hook >= 1 && r.hook_doses[r.n_hook - 1] == 3000),
              "seed %d: highest dose not excluded", seed);
        CHECK(r.n_excluded == r.n_hook, "seed %d: excluded list", seed);
        CHECK(r.model != BQ_FIT_MODEL_BELL || r.n_hook == 0,
              "seed %d: bell fit excludes doses", seed);
        for (int k = 0; k < r.n_hook; k++)
            CHECK(r.hook_doses[k] >= 1000, "seed %d: dose %g excluded as hook", seed,
                  r.hook_doses[k]);
        CHECK(strstr(r.message, "hook") != NULL, "seed %d: message does not mention the hook",
              seed);
        double dev = fabs(log10(r.dc50 / 30.0));
        worst = fmax(worst, dev);
        sum += dev;
        /* 7 doses are left and the bottom plateau is thin: the scatter grows,
         * but the estimate is the one the hook-free doses give */
        CHECK(dev < 0.2, "seed %d: hooked dc50 %g is %.3f log10 off", seed, r.dc50, dev);
        bq_fit_point_t q[64];
        memcpy(q, p, n * sizeof *p);
        for (size_t i = 0; i < n; i++)
            q[i].excluded = bq_fit_point_excluded(&r, &p[i]);
        bq_fit_result_t oracle;
        bq_fit_4pl(q, n, NULL, &oracle, NULL);
        CHECK(r.model == BQ_FIT_MODEL_BELL || fabs(oracle.dc50 / r.dc50 - 1) < 1e-6,
              "seed %d: hook fit %g differs from a fit without those doses %g", seed, r.dc50,
              oracle.dc50);
        /* the point of the exercise: without hook handling the DC50 is biased */
        bq_fit_options_t o;
        bq_fit_options_init(&o);
        o.detect_hook = 0;
        bq_fit_result_t r0;
        bq_fit_4pl(p, n, &o, &r0, NULL);
        CHECK(!r0.hook, "detect_hook = 0 still reports a hook");
        if (r0.status == BQ_FIT_OK)
            worst_nohook = fmax(worst_nohook, fabs(log10(r0.dc50 / 30.0)));
    }
    printf("  |log10 dc50 error| with hook handling: mean %.3f, worst %.3f; without: worst %.3f\n",
           sum / seeds, worst, worst_nohook);
    CHECK(sum / seeds < 0.08, "mean hooked dc50 error %.3f", sum / seeds);
    CHECK(worst_nohook > worst, "ignoring the hook should hurt");
}

/* The degrader physics behind a hook (and the simulator's): a fraction of
 * the degraded protein returns at high dose,
 *   f = bottom + (1 - bottom) / (1 + (x/dc50)^hill),  f += (1 - f) r s/(1+s),
 * s = (x/hc)^h2. 12 lanes (vehicle + 0.01..1000 nM half-log), one per dose. */
static void make_bell(bq_fit_point_t *p, double dc50, double hc, double h2, double sd,
                      unsigned long long seed)
{
    rng_state = seed * 104729 + 5;
    for (int k = 0; k < 12; k++) {
        double d = k == 0 ? 0 : pow(10.0, -2 + 0.5 * (k - 1));
        double f = truth(d, 1.0, 0.08, 1.0, dc50);
        if (d > 0) {
            double s = pow(d / hc, h2);
            f += (1 - f) * 0.6 * s / (1 + s);
        }
        p[k].dose = d;
        p[k].response = f + sd * gauss();
        p[k].replicate = 1;
        p[k].excluded = 0;
    }
}

static void test_bell(void)
{
    printf("bell-shaped (hooked) series, 12 single lanes:\n");
    bq_fit_point_t p[12];
    bq_fit_result_t r;
    /* near noise-free, the simulator's hook: the recovery already lifts
     * 10-30 nM, which biased the exclusion fit by ~0.05 log10 */
    double worst = 0;
    int covered = 0, seeds = 10;
    for (int seed = 1; seed <= seeds; seed++) {
        make_bell(p, 1.0, 150.0, 1.5, 0.003, (unsigned long long)seed);
        int rc = bq_fit_4pl(p, 12, NULL, &r, NULL);
        CHECK(rc == 0, "seed %d: %s", seed, r.message);
        CHECK(r.hook && r.model == BQ_FIT_MODEL_BELL, "seed %d: hook %d model %s (%s)", seed,
              r.hook, bq_fit_model_name(r.model), r.message);
        CHECK(r.n_excluded == 0 && r.n_hook == 0, "seed %d: bell fit excluded doses", seed);
        CHECK(strstr(r.message, "bell") != NULL, "seed %d: message '%s'", seed, r.message);
        worst = fmax(worst, fabs(log10(r.dc50)));
        covered += r.dc50_low <= 1.0 && 1.0 <= r.dc50_high;
        CHECK(fabs(r.dmax - 0.92) < 0.02, "seed %d: dmax %g, truth 0.92", seed, r.dmax);
        CHECK(r.dmax_obs < r.dmax, "seed %d: observed dmax %g not below dmax %g", seed,
              r.dmax_obs, r.dmax);
        CHECK(fabs(r.hook_recovery - 0.6) < 0.1 && fabs(log10(r.hook_dc / 150.0)) < 0.2,
              "seed %d: recovery %g at %g, truth 0.6 at 150", seed, r.hook_recovery, r.hook_dc);
        /* the curve is the bell: it follows the recovered top dose */
        CHECK(fabs(bq_fit_4pl_eval(&r, 1000.0) - p[11].response) < 0.02,
              "seed %d: curve at 1000 nM %g, point %g", seed, bq_fit_4pl_eval(&r, 1000.0),
              p[11].response);
        CHECK(fabs(bq_fit_4pl_eval(&r, r.dc50_abs) - r.abs_level) < 1e-6, "seed %d: dc50_abs", seed);
    }
    printf("  near noise-free (SD 0.003): worst |log10 dc50 error| %.4f, CI covered %d/%d\n",
           worst, covered, seeds);
    CHECK(worst < 0.05, "bell dc50 off by %.3f log10", worst);
    CHECK(covered >= seeds - 1, "bell CI covered the truth %d/%d", covered, seeds);

    /* noisier, and recovery slopes other than the default: bounded error */
    static const double h2s[] = {1.0, 1.5, 2.5};
    for (size_t j = 0; j < 3; j++) {
        double sum = 0;
        int nb = 0;
        covered = 0;
        for (int seed = 1; seed <= 20; seed++) {
            make_bell(p, 1.0, 150.0, h2s[j], 0.01, (unsigned long long)seed);
            int rc = bq_fit_4pl(p, 12, NULL, &r, NULL);
            CHECK(rc == 0 && r.hook, "h2 %g seed %d: %s", h2s[j], seed, r.message);
            sum += fabs(log10(r.dc50));
            nb += r.model == BQ_FIT_MODEL_BELL;
            covered += r.dc50_low <= 1.0 && 1.0 <= r.dc50_high;
        }
        printf("  SD 0.01, recovery slope %.1f: mean |log10 dc50 error| %.3f, bell %d/20, "
               "CI covered %d/20\n",
               h2s[j], sum / 20, nb, covered);
        CHECK(sum / 20 < 0.06, "h2 %g: mean dc50 error %.3f", h2s[j], sum / 20);
        CHECK(covered >= 15, "h2 %g: coverage %d/20", h2s[j], covered);
    }

    /* switched off: the post-hook doses are excluded instead */
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.bell = 0;
    make_bell(p, 1.0, 150.0, 1.5, 0.003, 1);
    bq_fit_4pl(p, 12, &o, &r, NULL);
    CHECK(r.hook && r.model == BQ_FIT_MODEL_4PL_EXCLUDED && r.n_excluded >= 2,
          "bell = 0: model %s, %d excluded", bq_fit_model_name(r.model), r.n_excluded);
    /* and a series without a hook stays a plain 4PL */
    make_bell(p, 1.0, 1e9, 1.5, 0.01, 1);
    bq_fit_4pl(p, 12, NULL, &r, NULL);
    CHECK(!r.hook && r.model == BQ_FIT_MODEL_4PL, "clean series: hook %d model %s", r.hook,
          bq_fit_model_name(r.model));
    CHECK(isnan(r.hook_recovery), "clean series: a recovery is reported");
}

/* One lane per dose, as on a single 12-lane blot: half-log doses
 * 0.01..1000 nM; with hook the top three doses recover. */
static void test_single_lane_hook(void)
{
    printf("single-lane series (12 lanes, SD 0.03), with and without a hook:\n");
    int found = 0, false_hooks = 0, seeds = 20;
    double worst_hook = 0, worst_clean = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        for (int hook = 0; hook < 2; hook++) {
            bq_fit_point_t p[12];
            rng_state = (unsigned long long)seed * 7919 + 77 + hook;
            for (int k = 0; k < 12; k++) {
                double d = k == 0 ? 0 : pow(10.0, -2 + 0.5 * (k - 1));
                double y = truth(d, 1.0, 0.1, 1.0, 1.0);
                if (hook && k >= 9)
                    y += 0.15 * (k - 8);
                p[k].dose = d;
                p[k].response = y + 0.03 * gauss();
                p[k].replicate = 1;
                p[k].excluded = 0;
            }
            bq_fit_result_t r;
            int rc = bq_fit_4pl(p, 12, NULL, &r, NULL);
            CHECK(rc == 0, "seed %d hook %d: %s", seed, hook, r.message);
            if (hook) {
                found += r.hook;
                if (r.hook)
                    /* fewer doses remain after the exclusion: wider scatter */
                    CHECK(fabs(log10(r.dc50)) < 0.2, "seed %d: hooked single-lane dc50 %g (%s)",
                          seed, r.dc50, r.message);
                worst_hook = fmax(worst_hook, fabs(log10(r.dc50)));
            } else {
                false_hooks += r.hook;
                CHECK(r.hook || r.model == BQ_FIT_MODEL_4PL, "seed %d: clean series model %s",
                      seed, bq_fit_model_name(r.model));
                worst_clean = fmax(worst_clean, fabs(log10(r.dc50)));
            }
        }
    }
    printf("  hook found %d/%d; false hooks on clean series %d/%d; worst |log10 dc50 error| "
           "%.3f hooked, %.3f clean\n",
           found, seeds, false_hooks, seeds, worst_hook, worst_clean);
    CHECK(found >= seeds - 1, "hook missed too often");
    CHECK(false_hooks <= 2, "too many false hooks");
}

/* Doses that stop before the bottom plateau: the free bottom runs below
 * zero, so the fit holds it at 0 and says so; --free-bottom (nonneg_bottom
 * = 0) and data with negative responses leave it free. */
static void test_bottom_held(void)
{
    printf("bottom below zero:\n");
    static const double doses[] = {0, 1, 3, 10, 30, 60};
    bq_fit_point_t p[64]; /* make_series below writes 27 */
    size_t n = 0;
    rng_state = 4242;
    for (int rep = 1; rep <= 3; rep++)
        for (size_t k = 0; k < sizeof doses / sizeof doses[0]; k++) {
            /* a curve that would end at -0.3, sampled where it is >= 0.1 */
            p[n].dose = doses[k];
            p[n].response = fmax(0.0, truth(doses[k], 1.0, -0.3, 1.0, 30.0) + 0.01 * gauss());
            p[n].replicate = rep;
            p[n].excluded = 0;
            n++;
        }
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.nonneg_bottom = 0;
    bq_fit_result_t r;
    CHECK(bq_fit_4pl(p, n, &o, &r, NULL) == 0, "free fit: %s", r.message);
    CHECK(r.bottom < -0.1 && !r.bottom_held, "free bottom %g (held %d)", r.bottom, r.bottom_held);
    double free_bottom = r.bottom;

    CHECK(bq_fit_4pl(p, n, NULL, &r, NULL) == 0, "held fit: %s", r.message);
    CHECK(r.bottom_held && r.bottom == 0.0 && !r.fixed_bottom, "bottom %g, held %d, fixed %d",
          r.bottom, r.bottom_held, r.fixed_bottom);
    CHECK(strstr(r.message, "bottom held at 0") != NULL, "message: '%s'", r.message);
    CHECK(isfinite(r.dc50) && r.dc50 > 0 && isfinite(r.se_log_dc50) && !isfinite(r.se_bottom),
          "dc50 %g, se log dc50 %g, se bottom %g", r.dc50, r.se_log_dc50, r.se_bottom);
    CHECK(fabs(r.dmax - 1.0) < 1e-12, "dmax %g with bottom 0", r.dmax);
    printf("  free bottom %.3f -> held at 0: dc50 %.3g, hill %.3g, message '%s'\n", free_bottom,
           r.dc50, r.hill, r.message);
    char buf[4096];
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    bq_fit_write_csv_group(fp, &r, "MDM2", "ACTB", "nM", "KT-253", 1);
    fclose(fp);
    size_t len = strlen(buf);
    CHECK(len > 12 && strstr(buf, ",bottom_held,group\n") &&
              strcmp(buf + len - 12, ",yes,KT-253\n") == 0,
          "bottom_held and group columns: %s", buf);

    /* the same shape shifted below zero: not a protein level, left free */
    for (size_t i = 0; i < n; i++)
        p[i].response -= 0.5;
    CHECK(bq_fit_4pl(p, n, NULL, &r, NULL) == 0, "shifted fit: %s", r.message);
    CHECK(!r.bottom_held && r.bottom < -0.5, "shifted: bottom %g held %d", r.bottom,
          r.bottom_held);

    /* a bottom the doses reach is never touched */
    n = make_series(p, 99, 30.0, 0.02, 0);
    CHECK(bq_fit_4pl(p, n, NULL, &r, NULL) == 0 && !r.bottom_held,
          "plateau reached: held %d (%s)", r.bottom_held, r.message);
}

/* A hook whose lanes are flagged (saturated loading control at the top
 * doses) but for one: the flagged points show where the response turns, the
 * remaining post-hook point is treated as post-hook, and no flagged point
 * enters the fit. */
static void test_hook_from_flagged(void)
{
    printf("hook hidden by flagged points:\n");
    static const double doses[] = {0, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000};
    bq_fit_point_t p[11];
    rng_state = 31337;
    for (int k = 0; k < 11; k++) {
        double y = truth(doses[k], 1.0, 0.05, 1.0, 3.0);
        if (doses[k] >= 300)
            y += 0.6 * (1.0 - y) * (doses[k] >= 3000 ? 0.8 : doses[k] >= 1000 ? 0.55 : 0.3);
        p[k].dose = doses[k];
        p[k].response = y + 0.01 * gauss();
        p[k].replicate = 1;
        /* the dip and the recovery flagged, save the 1000 nM lane */
        p[k].excluded = doses[k] == 30 || doses[k] == 100 || doses[k] == 300 || doses[k] == 3000;
    }
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.hook_from_flagged = 0;
    bq_fit_result_t r0, r;
    bq_fit_4pl(p, 11, &o, &r0, NULL);
    CHECK(!r0.hook, "unflagged points alone show a hook (p %g)", r0.hook_p);
    int rc = bq_fit_4pl(p, 11, NULL, &r, NULL);
    CHECK(rc == 0 && r.hook && strstr(r.message, "seen with the flagged points"),
          "hook not taken from the flagged points: %s", r.message);
    CHECK(r.hook_turn >= 10 && r.hook_turn <= 300, "turning dose %g", r.hook_turn);
    CHECK(r.n_hook == 1 && r.hook_doses[0] == 1000, "post-hook doses: %d, first %g", r.n_hook,
          r.n_hook ? r.hook_doses[0] : NAN);
    CHECK(r.n == 6, "%d points fitted, want the 6 unflagged pre-hook ones", r.n);
    double e0 = fabs(log10(r0.dc50 / 3.0)), e = fabs(log10(r.dc50 / 3.0));
    CHECK(e < e0, "dc50 error %.3f with the hint, %.3f without", e, e0);
    printf("  without: dc50 %.3g (%.3f log10 off); with: dc50 %.3g (%.3f), %s\n", r0.dc50, e0,
           r.dc50, e, r.message);
}

/* normalized.csv-like tables into points: units, flags, gaps, errors. */
static void test_points_from_csv(void)
{
    printf("tables to points:\n");
    static const char good[] =
        "image,lane,dose,unit,relative,flags,replicate\n"
        "a.tif,1,0,nM,1.0,,1\n"
        "a.tif,2,10,nM,0.8,,1\n"
        "a.tif,3,0.1,uM,0.5,control_saturated,2\n"
        "a.tif,4,1000,pM,,control_faint,2\n"
        "a.tif,5,1,uM,0.2,target_weak,2\n";
    bq_csv_t *csv = NULL;
    CHECK(bq_csv_read_buffer(good, strlen(good), "norm.csv", NULL, &csv, NULL) == 0, "csv");
    bq_fit_point_t *pts = NULL;
    size_t n = 0;
    int unit = -2, skipped = -1;
    bq_error_t err = {0};
    int rc = bq_fit_points_from_csv(csv, "norm.csv", NULL, &pts, &n, &unit, &skipped, &err);
    CHECK(rc == 0 && n == 4 && skipped == 1 && unit == BQ_UNIT_NM, "rc %d n %zu skipped %d unit %d (%s)",
          rc, n, skipped, unit, err.msg);
    if (rc == 0 && n == 4) {
        CHECK(fabs(pts[2].dose - 100.0) < 1e-9 && pts[2].excluded && pts[2].replicate == 2,
              "0.1 uM row: dose %g excluded %d rep %d", pts[2].dose, pts[2].excluded,
              pts[2].replicate);
        CHECK(!pts[3].excluded && fabs(pts[3].dose - 1000.0) < 1e-9,
              "target_weak is data, not excluded (dose %g)", pts[3].dose);
        CHECK(pts[1].response == 0.8 && !pts[0].excluded, "plain rows");
    }
    free(pts);
    bq_fit_table_options_t o;
    bq_fit_table_options_init(&o);
    o.keep_flagged = 1;
    o.unit = BQ_UNIT_UM;
    rc = bq_fit_points_from_csv(csv, "norm.csv", &o, &pts, &n, &unit, &skipped, NULL);
    CHECK(rc == 0 && n == 4 && !pts[2].excluded && fabs(pts[2].dose - 0.1) < 1e-12 &&
              unit == BQ_UNIT_UM, "keep flagged, in uM: dose %g excluded %d", rc == 0 ? pts[2].dose : NAN,
          rc == 0 ? pts[2].excluded : -1);
    if (rc == 0)
        free(pts);
    bq_csv_free(csv);

    static const char bad[] = "dose,unit,response\n0,nM,1\n3,parsec,0.5\n";
    CHECK(bq_csv_read_buffer(bad, strlen(bad), "bad.csv", NULL, &csv, NULL) == 0, "csv");
    pts = (bq_fit_point_t *)&o; /* must be cleared on error */
    rc = bq_fit_points_from_csv(csv, "bad.csv", NULL, &pts, &n, &unit, &skipped, &err);
    CHECK(rc != 0 && pts == NULL && strstr(err.msg, "bad.csv:3") && strstr(err.msg, "parsec"),
          "unknown unit: rc %d '%s'", rc, err.msg);
    printf("  %s\n", err.msg);
    bq_csv_free(csv);
    /* groups: one series at a time, the shared vehicle in each */
    static const char grouped[] = "dose,response,group\n0,1,\n1,0.5,A\n10,0.1,A\n"
                                  "0,0.9,B\n1,0.8,B\n10,0.6,B\n";
    CHECK(bq_csv_read_buffer(grouped, strlen(grouped), "g.csv", NULL, &csv, NULL) == 0, "csv");
    rc = bq_fit_points_from_csv(csv, "g.csv", NULL, &pts, &n, &unit, &skipped, &err);
    CHECK(rc != 0 && strstr(err.msg, "more than one dose series") && strstr(err.msg, "--group"),
          "pooled groups: rc %d '%s'", rc, err.msg);
    bq_fit_table_options_init(&o);
    o.group = "B";
    rc = bq_fit_points_from_csv(csv, "g.csv", &o, &pts, &n, &unit, &skipped, &err);
    CHECK(rc == 0 && n == 4 && pts[0].response == 1 && pts[1].response == 0.9 &&
              pts[3].response == 0.6,
          "group B: rc %d n %zu", rc, n);
    if (rc == 0)
        free(pts);
    bq_csv_free(csv);

    static const char nocol[] = "conc,response\n1,2\n";
    CHECK(bq_csv_read_buffer(nocol, strlen(nocol), "nocol.csv", NULL, &csv, NULL) == 0, "csv");
    rc = bq_fit_points_from_csv(csv, "nocol.csv", NULL, &pts, &n, &unit, &skipped, &err);
    CHECK(rc != 0 && strstr(err.msg, "nocol.csv: no 'dose' column"), "no dose column: '%s'",
          err.msg);
    bq_csv_free(csv);
}

static void test_degenerate(void)
{
    printf("degenerate input:\n");
    bq_fit_point_t p[40];
    bq_fit_result_t r;
    bq_error_t err = {0};
    memset(p, 0, sizeof p);

    /* 3 distinct doses */
    for (int i = 0; i < 9; i++) {
        p[i].dose = (double)(i % 3) * 10;
        p[i].response = 1.0 - 0.3 * (i % 3);
    }
    int rc = bq_fit_4pl(p, 9, NULL, &r, &err);
    CHECK(rc == BQ_ERR_INVALID && r.status == BQ_FIT_TOO_FEW_DOSES && isnan(r.dc50) &&
              strstr(r.message, "3 distinct doses") && strstr(err.msg, "3 distinct doses"),
          "3 doses: rc %d status %s msg '%s'", rc, bq_fit_status_name(r.status), r.message);
    printf("  3 doses -> %s: %s\n", bq_fit_status_name(r.status), r.message);

    /* everything flagged: the message says so */
    for (int i = 0; i < 9; i++)
        p[i].excluded = i >= 3;
    rc = bq_fit_4pl(p, 9, NULL, &r, NULL);
    CHECK(r.status == BQ_FIT_TOO_FEW_DOSES && strstr(r.message, "6 flagged points"),
          "flagged: %s", r.message);
    for (int i = 0; i < 9; i++)
        p[i].excluded = 0;

    /* the whole drop between vehicle and the first dose: the DC50 is
     * somewhere below 1000 nM and the data cannot say where */
    rng_state = 77;
    for (int i = 0; i < 20; i++) {
        p[i].dose = i < 4 ? 0.0 : 1000.0 * pow(3.0, (double)(i % 4));
        p[i].response = (i < 4 ? 1.0 : 0.1) + 0.01 * gauss();
    }
    rc = bq_fit_4pl(p, 20, NULL, &r, NULL);
    /* either no number, or one no further than 100-fold below the doses,
     * called extrapolated and with an interval left open */
    CHECK(r.status != BQ_FIT_OK
              ? isnan(r.dc50) && (strstr(r.message, "not identifiable") ||
                                  strstr(r.message, "no significant"))
              : r.dc50 >= 10.0 && strstr(r.message, "extrapolated") &&
                    strstr(r.message, "do not bound"),
          "drop before the first dose: %s %g (%s)", bq_fit_status_name(r.status), r.dc50,
          r.message);
    printf("  drop before the first dose -> %s: %s\n", bq_fit_status_name(r.status), r.message);

    /* hardly any drop against a fixed 1..0 range: the fit runs the DC50
     * off to ~1e7 nM for doses of 1..100, which is no estimate */
    {
        static const double d6[] = {0, 1, 3, 10, 30, 100};
        static const double y6[] = {1, 0.999, 0.9985, 0.996, 0.994, 0.99};
        for (int i = 0; i < 12; i++) {
            p[i].dose = d6[i % 6];
            p[i].response = y6[i % 6] + (i < 6 ? 0.0 : 0.0007 * ((i % 3) - 1));
        }
        bq_fit_options_t o;
        bq_fit_options_init(&o);
        o.fix_top = o.fix_bottom = 1;
        o.top = 1.0;
        o.bottom = 0.0;
        rc = bq_fit_4pl(p, 12, &o, &r, NULL);
        CHECK(rc != 0 && r.status == BQ_FIT_FAILED && isnan(r.dc50) &&
                  strstr(r.message, "100-fold outside"),
              "run-off dc50: %s (%s)", bq_fit_status_name(r.status), r.message);
        printf("  run-off -> %s: %s\n", bq_fit_status_name(r.status), r.message);
    }
    memset(p, 0, sizeof p);

    /* nothing at all */
    rc = bq_fit_4pl(p, 0, NULL, &r, NULL);
    CHECK(rc != 0 && r.status == BQ_FIT_TOO_FEW_DOSES, "no points");

    /* flat */
    for (int i = 0; i < 18; i++) {
        p[i].dose = (double)(i % 6) * 10;
        p[i].response = 0.8;
    }
    rc = bq_fit_4pl(p, 18, NULL, &r, NULL);
    CHECK(rc == BQ_ERR_NUMERIC && r.status == BQ_FIT_FLAT && isnan(r.dc50) && isnan(r.top),
          "flat: status %s", bq_fit_status_name(r.status));
    printf("  flat -> %s: %s\n", bq_fit_status_name(r.status), r.message);

    /* noise without any trend: no degradation */
    rng_state = 12345;
    for (int i = 0; i < 24; i++) {
        p[i].dose = i % 8 == 0 ? 0 : pow(3.0, i % 8);
        p[i].response = 1.0 + 0.05 * gauss();
    }
    rc = bq_fit_4pl(p, 24, NULL, &r, NULL);
    CHECK(rc == BQ_ERR_NUMERIC && r.status == BQ_FIT_NO_RESPONSE && isnan(r.dc50) &&
              isnan(r.dc50_low),
          "noise only: status %s dc50 %g", bq_fit_status_name(r.status), r.dc50);
    printf("  noise only -> %s: %s\n", bq_fit_status_name(r.status), r.message);

    /* NaN / Inf / negative dose */
    for (int i = 0; i < 24; i++)
        p[i].response = truth(p[i].dose, 1, 0.1, 1, 30);
    p[5].response = NAN;
    rc = bq_fit_4pl(p, 24, NULL, &r, NULL);
    CHECK(rc == BQ_ERR_INVALID && r.status == BQ_FIT_BAD_INPUT && strstr(r.message, "point 6"),
          "NaN: %s", r.message);
    printf("  NaN -> %s: %s\n", bq_fit_status_name(r.status), r.message);
    p[5].excluded = 1; /* a flagged NaN is simply left out */
    rc = bq_fit_4pl(p, 24, NULL, &r, NULL);
    CHECK(rc == 0, "excluded NaN should not matter: %s", r.message);
    p[5].excluded = 0;
    p[5].response = 0.5;
    p[7].dose = INFINITY;
    rc = bq_fit_4pl(p, 24, NULL, &r, NULL);
    CHECK(r.status == BQ_FIT_BAD_INPUT && strstr(r.message, "dose"), "Inf dose: %s", r.message);
    p[7].dose = -1;
    rc = bq_fit_4pl(p, 24, NULL, &r, NULL);
    CHECK(r.status == BQ_FIT_BAD_INPUT && strstr(r.message, "negative"), "negative dose: %s",
          r.message);
    bq_fit_options_t o;
    bq_fit_options_init(&o);
    o.fix_top = 1;
    o.top = NAN;
    p[7].dose = 3;
    rc = bq_fit_4pl(p, 24, &o, &r, NULL);
    CHECK(r.status == BQ_FIT_BAD_INPUT, "NaN fixed top accepted");

    /* a degenerate row still writes, with empty numbers and the reason */
    char buf[4096];
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    bq_fit_write_csv(fp, &r, "MDM2", "ACTB", "nM", 1);
    fclose(fp);
    CHECK(strstr(buf, ",bad_input,") && strstr(buf, "MDM2,ACTB,") && !strstr(buf, "nan"),
          "degenerate row: %s", buf);
}

static void test_writers(void)
{
    bq_fit_point_t p[64];
    size_t n = make_series(p, 7, 30.0, 0.05, 0.5);
    bq_fit_result_t r;
    bq_fit_4pl(p, n, NULL, &r, NULL);
    char buf[8192];
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    bq_fit_write_csv(fp, &r, "MDM2", "ACTB", "nM", 1);
    fclose(fp);
    CHECK(strncmp(buf,
                  "target,control,n,top,bottom,hill,dc50,dc50_low,dc50_high,dc50_abs,dmax,r2,"
                  "rmse,hook,excluded,unit",
                  strlen("target,control,n,top,bottom,hill,dc50,dc50_low,dc50_high,dc50_abs,"
                         "dmax,r2,rmse,hook,excluded,unit")) == 0,
          "fit.csv header: %s", buf);
    CHECK(strstr(buf, ",yes,") && strstr(buf, "3000,nM,ok,"), "hook row: %s", buf);
    /* a consumer reads it back with our own CSV reader */
    bq_csv_t *csv;
    CHECK(bq_csv_read_buffer(buf, strlen(buf), "fit.csv", NULL, &csv, NULL) == 0, "re-read");
    if (csv) {
        CHECK(csv->n_rows == 1, "rows %d", csv->n_rows);
        CHECK(strcmp(bq_csv_cell(csv, 0, bq_csv_column(csv, "hook")), "yes") == 0, "hook col");
        double dc50 = strtod(bq_csv_cell(csv, 0, bq_csv_column(csv, "dc50")), NULL);
        CHECK(fabs(dc50 / r.dc50 - 1) < 1e-9, "dc50 round trip %g vs %g", dc50, r.dc50);
        bq_csv_free(csv);
    }
    fp = fmemopen(buf, sizeof buf, "w");
    bq_fit_write_json(fp, &r, "MDM2", "ACTB", "nM");
    fclose(fp);
    CHECK(buf[0] == '{' && strstr(buf, "\"hook\":true") && strstr(buf, "\"excluded\":["),
          "json: %s", buf);

    /* the plot: well-formed enough, hollow markers for excluded points */
    static char svg[200000];
    fp = fmemopen(svg, sizeof svg, "w");
    bq_plot_labels_t lab = {"MDM2 / ACTB", "nM", NULL};
    int rc = bq_plot_dose_response_svg(fp, p, n, &r, &lab);
    fclose(fp);
    CHECK(rc == 0 && strstr(svg, "<svg") && strstr(svg, "</svg>") && strstr(svg, "polyline") &&
              strstr(svg, "fill=\"white\" stroke") && strstr(svg, "DC50") &&
              strstr(svg, "vehicle") && strstr(svg, "MDM2 / ACTB"),
          "svg is missing parts");
    fp = fmemopen(svg, sizeof svg, "w");
    rc = bq_plot_dose_response_svg(fp, p, 0, NULL, NULL);
    fclose(fp);
    CHECK(rc == 0 && strstr(svg, "</svg>"), "empty svg");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: test_fit DATA_DIR\n");
        return 2;
    }
    test_ryegrass(argv[1]);
    test_rat42(argv[1]);
    test_synthetic();
    test_hook();
    test_bottom_held();
    test_hook_from_flagged();
    test_points_from_csv();
    test_single_lane_hook();
    test_bell();
    test_degenerate();
    test_writers();
    if (check_failures) {
        printf("%d check(s) failed\n", check_failures);
        return 1;
    }
    printf("all fit checks passed\n");
    return 0;
}
