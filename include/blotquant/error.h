/* error.h - error codes and the message buffer every stage reports through.
 *
 * Every fallible function returns 0 (BQ_OK) on success or a negative bq_err
 * code, and, when given a non-NULL bq_error_t, fills it with a message that
 * says what went wrong and where ("blot.tif: strip 3 is truncated").
 * The library never prints, exits or aborts. */
#ifndef BLOTQUANT_ERROR_H
#define BLOTQUANT_ERROR_H

#include <stdarg.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bq_err {
    BQ_OK = 0,
    BQ_ERR_IO = -1,        /* a file could not be opened, read or written */
    BQ_ERR_FORMAT = -2,    /* not an image format we read, or an unsupported variant */
    BQ_ERR_CORRUPT = -3,   /* truncated or damaged data */
    BQ_ERR_LIMIT = -4,     /* a size exceeds a configured limit */
    BQ_ERR_NOMEM = -5,     /* allocation failed */
    BQ_ERR_INVALID = -6,   /* an argument or input value is invalid */
    BQ_ERR_NOT_FOUND = -7, /* nothing to measure: no lanes, no bands, empty table */
    BQ_ERR_NUMERIC = -8,   /* a computation failed or is undefined (degenerate fit) */
} bq_err;

#define BQ_ERROR_MSG_MAX 512

typedef struct bq_error {
    int code;                      /* the bq_err of the last failure, 0 if none */
    char msg[BQ_ERROR_MSG_MAX];    /* human-readable, no trailing newline */
} bq_error_t;

/* A static, never-NULL description of a bq_err code. */
BQ_API const char *bq_strerror(int code);

/* Record code and a printf-style message in err (err may be NULL).
 * Returns code, so a failure can be reported in one line:
 *     return bq_error_set(err, BQ_ERR_IO, "%s: cannot open", path); */
BQ_API int bq_error_set(bq_error_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear err to the no-error state (err may be NULL). */
BQ_API void bq_error_clear(bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
