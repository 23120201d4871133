/* mw_internal.h - what the molecular-weight modules share; never installed. */
#ifndef BLOTQUANT_MW_INTERNAL_H
#define BLOTQUANT_MW_INTERNAL_H

/* A least-squares quadratic v ~ c0 + c1 t + c2 t^2 in t = (u - u0) / s: a
 * straight line through fewer than 4 points, a constant through one. */
typedef struct mw_quad {
    double c[3], u0, s;
} mw_quad_t;

/* Fit q to the n points (u, v); returns the rms residual (HUGE_VAL when
 * the points do not determine it). */
double bq_mw_quad_fit(const double *u, const double *v, int n, mw_quad_t *q);

double bq_mw_quad_eval(const mw_quad_t *q, double u);

#endif
