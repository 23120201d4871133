/* tables_join.h - join CSV tables of the same shape into one (batch's
 * combined tables, merge of shard outputs). */
#ifndef BLOTQUANT_TABLES_JOIN_H
#define BLOTQUANT_TABLES_JOIN_H

#include "cli.h"

typedef struct join_input {
    const char *path;   /* a CSV with a header; a missing file is skipped */
    const char *prefix; /* if non-NULL, a leading column value for every row */
} join_input_t;

/* Write to out_path (atomically) the header of the first existing input
 * (preceded by prefix_header when inputs carry prefixes) and every data row
 * of every input in order. With sort_first != 0, rows are stably sorted by
 * their first column, so shards merge into the order one run would give.
 * Inputs whose header differs from the first are refused. fallback_header is
 * written when no input exists (may be NULL: then nothing is written).
 * Returns 0 or a negative bq_err with err filled. */
int tables_join(const join_input_t *inputs, int n, const char *prefix_header,
                const char *fallback_header, int sort_first, const char *out_path,
                bq_error_t *err);

#endif
