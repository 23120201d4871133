/* fit.h - the dose-response fitter: four-parameter log-logistic (4PL),
 * hook-effect detection, confidence intervals, fit.csv and the plot.
 *
 *     y = bottom + (top - bottom) / (1 + (x / dc50)^hill)
 *
 * (drc LL.4; GraphPad "log(inhibitor) vs response, variable slope" with
 * HillSlope = -hill). x = 0 (vehicle) gives y = top when hill > 0. The model
 * is fitted by least squares on log(dc50), so dc50 stays positive and its
 * uncertainty is close to symmetric. Replicates are simply more points. */
#ifndef BLOTQUANT_FIT_H
#define BLOTQUANT_FIT_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The model behind a result. The bell model (for a hook effect) lets a
 * fraction r of the degraded protein come back at high dose:
 *
 *     g = bottom + (top - bottom) / (1 + (x / dc50)^hill)      (the 4PL)
 *     y = g + (top - g) * r * s / (1 + s),   s = (x / hook_dc)^hook_hill
 *
 * dc50, hill, bottom and Dmax stay those of the degradation term g. */
typedef enum bq_fit_model {
    BQ_FIT_MODEL_4PL = 0,      /* the 4PL on every point */
    BQ_FIT_MODEL_4PL_EXCLUDED, /* the 4PL with the post-hook doses left out */
    BQ_FIT_MODEL_BELL,         /* the bell model on every point */
} bq_fit_model;

/* "4pl", "4pl-excluded" or "bell". */
BQ_API const char *bq_fit_model_name(bq_fit_model model);

/* One observation. */
typedef struct bq_fit_point {
    double dose;     /* >= 0; 0 = vehicle */
    double response; /* e.g. relative target level, 1 = vehicle */
    int replicate;   /* for plotting and reporting; any integer */
    int excluded;    /* set by the caller: leave this point out (flagged lane) */
} bq_fit_point_t;

typedef enum bq_ci_method {
    BQ_CI_PROFILE = 0, /* profile likelihood, extra sum of squares F (default) */
    BQ_CI_WALD = 1,    /* Wald on log(dc50): exp(log dc50 +- t * SE) */
} bq_ci_method;

typedef struct bq_fit_options {
    int fix_top;         /* 1: top is held at `top` */
    double top;
    int fix_bottom;      /* 1: bottom is held at `bottom` */
    double bottom;
    bq_ci_method ci;
    double level;        /* confidence level, default 0.95 */
    int detect_hook;     /* 1 (default): test for a hook, exclude post-hook doses */
    double hook_alpha;   /* significance level of the hook F-test, default 0.05 */
    double hook_min_rise;/* a hook must rise by this fraction of |top - bottom| above the
                            curve, default 0.1 (guards against misfit read as a hook) */
    double abs_level;    /* dc50_abs is where the curve crosses this response;
                            NaN (default) = half of top */
    double no_response_alpha; /* 4PL vs. constant F-test; above it: no dose response;
                                 default 0.01 (a 4PL can chase noise, so be strict) */
    int bell;            /* 1 (default): when a hook is found, fit the bell model
                            (below) to all points; 0: exclude the post-hook doses.
                            The exclusion is also the fallback when the bell model
                            is not identifiable or fits worse. */
    double hook_hill;    /* > 0: slope h2 of the bell model's recovery, held at this.
                            0 (default): estimated; when the data cannot pin it
                            (one lane per dose, few post-hook doses) it is held at
                            1.5, between single-site competition (1) and steeper */
    int nonneg_bottom;   /* 1 (default): when every response is >= 0 and the free
                            bottom asymptote comes out below zero (the doses do not
                            reach the bottom plateau), refit with the bottom held at
                            0 and say so (res->bottom_held); 0: leave it free */
    int hook_from_flagged; /* 1 (default): when the unflagged points show no hook,
                            test for one on every point (flagged ones included)
                            and treat the unflagged doses past its turning point
                            as post-hook; flagged points are never fitted */
    double hook_turn;    /* internal: a turning point found that way (NaN: none) */
    double hook_turn_p;  /* internal: its F-test p-value */
} bq_fit_options_t;

/* Fill opts with the defaults above. */
BQ_API void bq_fit_options_init(bq_fit_options_t *opts);

typedef enum bq_fit_status {
    BQ_FIT_OK = 0,
    BQ_FIT_BAD_INPUT,     /* NaN/Inf or negative dose among the points */
    BQ_FIT_TOO_FEW_DOSES, /* fewer than 4 distinct doses (or too few points) */
    BQ_FIT_FLAT,          /* the response does not vary at all */
    BQ_FIT_NO_RESPONSE,   /* no significant dose response (no degradation) */
    BQ_FIT_FAILED,        /* the optimiser did not converge to a usable optimum */
} bq_fit_status;

/* Name of a status ("ok", "bad_input", "too_few_doses", "flat",
 * "no_response", "failed"). */
BQ_API const char *bq_fit_status_name(bq_fit_status status);

#define BQ_FIT_MAX_LISTED 64

/* What a fit yields. Numbers that are not available are NaN (empty in CSV,
 * null in JSON). */
typedef struct bq_fit_result {
    bq_fit_status status;
    char message[512];      /* why, when status != OK; notes otherwise (may be "") */
    int n;                  /* points in the final fit */
    int n_doses;            /* distinct doses in the final fit */
    int df;                 /* n - free parameters */
    double top, bottom, hill, dc50;
    double se_top, se_bottom, se_hill, se_log_dc50; /* s^2 (J'J)^-1; NaN if fixed */
    double dc50_low, dc50_high; /* CI; NaN if that side is not bounded by the data */
    double dc50_abs;        /* dose where the curve crosses abs_level (NaN if never) */
    double abs_level;       /* the level actually used */
    double dmax;            /* 1 - bottom / top */
    double rss, r2, rmse;   /* rmse = sqrt(rss / n) */
    double sigma;           /* residual SD, sqrt(rss / df) */
    int fixed_top, fixed_bottom;  /* held by the caller's options */
    int bottom_held;        /* 1: held at 0 because the free fit went below zero */
    double hook_turn;       /* the dose after which the response recovers (NaN: no hook) */
    bq_ci_method ci_method;
    double level;
    int hook;               /* 1 if a hook was detected */
    double hook_p;          /* p-value of the hook test; NaN if not tested */
    int n_hook;             /* doses excluded as post-hook */
    double hook_doses[BQ_FIT_MAX_LISTED];
    int n_excluded;         /* every dose with a point left out (hook or flagged), sorted */
    double excluded[BQ_FIT_MAX_LISTED];
    int n_flagged;          /* points the caller excluded */
    bq_fit_model model;     /* which model the estimates belong to */
    double hook_recovery;   /* bell: r, fraction of the degraded protein that returns */
    double hook_dc;         /* bell: dose of half the recovery */
    double hook_hill;       /* bell: recovery slope (estimated or held, see options) */
    double dmax_obs;        /* 1 - (lowest point of the fitted curve in the tested
                               range) / top: the deepest degradation reached; equals
                               dmax-like values only without a hook */
} bq_fit_result_t;

/* Fit the 4PL to the n points (those with excluded = 0). Always fills *res;
 * returns 0 when res->status is BQ_FIT_OK, else BQ_ERR_INVALID (bad input,
 * too few doses) or BQ_ERR_NUMERIC (flat, no response, failed) with
 * res->message saying why (also copied into err). opts may be NULL.
 * GSL does the fitting. The library never changes GSL's error handler (it
 * is process-wide) and keeps its calls off GSL's error paths, but GSL still
 * reports running out of memory through that handler, whose default aborts:
 * a program embedding the library should call gsl_set_error_handler_off()
 * once at start, as the blotquant command does. */
BQ_API int bq_fit_4pl(const bq_fit_point_t *pts, size_t n, const bq_fit_options_t *opts,
                      bq_fit_result_t *res, bq_error_t *err);

/* The fitted curve (4PL or bell, as res->model says) at dose (>= 0); NaN if
 * the fit has no estimates. */
BQ_API double bq_fit_4pl_eval(const bq_fit_result_t *res, double dose);

/* 1 if point p was left out of the fit (by the caller or as post-hook). */
BQ_API int bq_fit_point_excluded(const bq_fit_result_t *res, const bq_fit_point_t *p);

/* The fit.csv header (no newline): DESIGN.md's columns, then extras. */
BQ_API extern const char BQ_FIT_CSV_HEADER[];

/* Write res as one fit.csv row (with the header first if header != 0).
 * target/control/unit label the series (NULL = empty). 0 or BQ_ERR_IO. */
BQ_API int bq_fit_write_csv(FILE *fp, const bq_fit_result_t *res, const char *target,
                            const char *control, const char *unit, int header);

/* The same with the series' group (sample-sheet `group`, e.g. a compound)
 * in the last column; bq_fit_write_csv leaves it empty. */
BQ_API int bq_fit_write_csv_group(FILE *fp, const bq_fit_result_t *res, const char *target,
                                  const char *control, const char *unit, const char *group,
                                  int header);

/* Write res as a JSON object (same keys as the CSV; NaN as null). */
BQ_API int bq_fit_write_json(FILE *fp, const bq_fit_result_t *res, const char *target,
                             const char *control, const char *unit);

/* The same with the series' group ("group" key; "" without one). */
BQ_API int bq_fit_write_json_group(FILE *fp, const bq_fit_result_t *res, const char *target,
                                   const char *control, const char *unit, const char *group);

/* Labels for the dose-response plot; any may be NULL. */
typedef struct bq_plot_labels {
    const char *title;    /* e.g. "MDM2 / ACTB" */
    const char *unit;     /* dose unit, e.g. "nM" */
    const char *response; /* y-axis label; default "relative level (vehicle = 1)" */
} bq_plot_labels_t;

/* Write a self-contained SVG dose-response plot to fp: log-dose axis with
 * vehicle at a separate position on the left, the points (a marker shape
 * per replicate, hollow when excluded), the fitted curve when res has
 * estimates, DC50 and its CI marked, and a legend. res may be NULL (points
 * only). Returns 0 or BQ_ERR_IO. */
BQ_API int bq_plot_dose_response_svg(FILE *fp, const bq_fit_point_t *pts, size_t n,
                                     const bq_fit_result_t *res, const bq_plot_labels_t *labels);

/* One dose series of a combined plot. */
typedef struct bq_plot_series {
    const bq_fit_point_t *pts;
    size_t n;
    const bq_fit_result_t *res; /* may be NULL: points only */
    const char *name;           /* legend label, e.g. the sheet group */
} bq_plot_series_t;

/* Several series in one plot (e.g. a degrader and its inactive control):
 * each curve, its points and its DC50 with CI in the series' colour, marker
 * shape by replicate, a legend naming each series with its DC50. With one
 * series this is bq_plot_dose_response_svg. Returns 0 or BQ_ERR_IO. */
BQ_API int bq_plot_dose_response_svg_multi(FILE *fp, const bq_plot_series_t *series, int n_series,
                                           const bq_plot_labels_t *labels);

#ifdef __cplusplus
}
#endif
#endif
