/* error.c - error codes, messages and small numeric helpers used everywhere. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *bq_strerror(int code)
{
    switch (code) {
    case BQ_OK: return "success";
    case BQ_ERR_IO: return "input/output error";
    case BQ_ERR_FORMAT: return "unsupported or unrecognised format";
    case BQ_ERR_CORRUPT: return "truncated or corrupt data";
    case BQ_ERR_LIMIT: return "exceeds a size limit";
    case BQ_ERR_NOMEM: return "out of memory";
    case BQ_ERR_INVALID: return "invalid argument";
    case BQ_ERR_NOT_FOUND: return "nothing found";
    case BQ_ERR_NUMERIC: return "numerical failure";
    default: return "unknown error";
    }
}

int bq_error_set(bq_error_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void bq_error_clear(bq_error_t *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quickselect would be O(n); these arrays are band borders and lane profiles,
 * small enough that a sort keeps the code obvious. */
double bq_quantile_inplace(double *vals, size_t n, double q)
{
    qsort(vals, n, sizeof *vals, cmp_double);
    double pos = bq_clamp(q, 0.0, 1.0) * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    if (i + 1 < n)
        return vals[i] * (1.0 - frac) + vals[i + 1] * frac;
    return vals[i];
}

double bq_median_inplace(double *vals, size_t n)
{
    return bq_quantile_inplace(vals, n, 0.5);
}
