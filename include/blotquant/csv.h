/* csv.h - reading CSV tables (RFC 4180): sample sheets, dose tables, the
 * tables of batch shards.
 *
 * Quoted fields may hold commas, doubled quotes and line breaks; CRLF, LF and
 * lone CR end records; a UTF-8 byte-order mark is skipped; the first record
 * is the header. Every record must have as many fields as the header (blank
 * lines are skipped). Untrusted input is bounded by bq_csv_limits_t; every
 * error names the source and the line ("samples.csv:7: ..."). */
#ifndef BLOTQUANT_CSV_H
#define BLOTQUANT_CSV_H

#include <stddef.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits for untrusted input; 0 in a field = the default beside it. */
typedef struct bq_csv_limits {
    size_t max_bytes;  /* whole input; default 256 MiB */
    size_t max_field;  /* bytes in one field after unquoting; default 64 KiB */
    size_t max_record; /* raw bytes in one record (may span lines); default 1 MiB */
    size_t max_rows;   /* data records; default 10,000,000 */
    size_t max_cols;   /* fields per record; default 4096 */
} bq_csv_limits_t;

#define BQ_CSV_DEFAULT_MAX_BYTES ((size_t)256 << 20)
#define BQ_CSV_DEFAULT_MAX_FIELD ((size_t)64 << 10)
#define BQ_CSV_DEFAULT_MAX_RECORD ((size_t)1 << 20)
#define BQ_CSV_DEFAULT_MAX_ROWS ((size_t)10000000)
#define BQ_CSV_DEFAULT_MAX_COLS ((size_t)4096)

/* A parsed table: a header and n_rows records of n_cols fields each.
 * All strings are NUL-terminated, unquoted, and owned by the table. */
typedef struct bq_csv {
    char *name;        /* the source, as used in messages */
    int n_cols;
    int n_rows;
    char **header;     /* n_cols names */
    char **cells;      /* n_rows * n_cols, row-major */
    int *lines;        /* n_rows: 1-based physical line where each record starts */
    char *text_;       /* storage behind header and cells (private) */
} bq_csv_t;

/* Read and parse the file at path. lim may be NULL for defaults. On success
 * *out belongs to the caller (bq_csv_free). Errors: BQ_ERR_IO (cannot read),
 * BQ_ERR_CORRUPT (malformed: unterminated quote, field count mismatch, NUL
 * byte, no header), BQ_ERR_LIMIT, BQ_ERR_NOMEM; err says "path:line: what". */
BQ_API int bq_csv_read_file(const char *path, const bq_csv_limits_t *lim, bq_csv_t **out,
                            bq_error_t *err);

/* Same on len bytes at data; name labels messages (e.g. "<stdin>"). */
BQ_API int bq_csv_read_buffer(const char *data, size_t len, const char *name,
                              const bq_csv_limits_t *lim, bq_csv_t **out, bq_error_t *err);

BQ_API void bq_csv_free(bq_csv_t *csv);

/* Index of the column called name (ASCII case-insensitive, surrounding
 * blanks ignored), or -1. */
BQ_API int bq_csv_column(const bq_csv_t *csv, const char *name);

/* The field at (row, col), "" when either is out of range. */
BQ_API const char *bq_csv_cell(const bq_csv_t *csv, int row, int col);

/* The physical line (1-based) where data record row starts, 0 if out of range. */
BQ_API int bq_csv_line(const bq_csv_t *csv, int row);

#ifdef __cplusplus
}
#endif
#endif
