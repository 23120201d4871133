/* tables_join.c - concatenating CSV tables through the CSV reader, so
 * quoted fields survive and a malformed shard is refused, not copied. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tables_join.h"

typedef struct row_ref {
    const bq_csv_t *csv;
    const char *prefix;
    int row;
    size_t order; /* position before sorting: keeps the sort stable */
} row_ref_t;

typedef struct join_job {
    bq_csv_t **tables;
    const join_input_t *inputs;
    int n;
    const char *prefix_header;
    const char *fallback_header;
    row_ref_t *rows;
    size_t n_rows;
    int first; /* index of the table whose header is used */
} join_job_t;

static const char *row_key(const row_ref_t *r)
{
    return r->prefix ? r->prefix : bq_csv_cell(r->csv, r->row, 0);
}

static int cmp_rows(const void *a, const void *b)
{
    const row_ref_t *x = a, *y = b;
    int c = strcmp(row_key(x), row_key(y));
    if (c != 0)
        return c;
    return (x->order > y->order) - (x->order < y->order);
}

static int write_joined(FILE *fp, void *ctx)
{
    const join_job_t *job = ctx;
    if (job->first < 0) {
        fprintf(fp, "%s\n", job->fallback_header);
        return ferror(fp) ? BQ_ERR_IO : 0;
    }
    const bq_csv_t *head = job->tables[job->first];
    if (job->prefix_header) {
        bq_csv_put_field(fp, job->prefix_header);
        fputc(',', fp);
    }
    for (int c = 0; c < head->n_cols; c++) {
        if (c)
            fputc(',', fp);
        bq_csv_put_field(fp, head->header[c]);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < job->n_rows; i++) {
        const row_ref_t *r = &job->rows[i];
        if (job->prefix_header) {
            bq_csv_put_field(fp, r->prefix ? r->prefix : "");
            fputc(',', fp);
        }
        for (int c = 0; c < r->csv->n_cols; c++) {
            if (c)
                fputc(',', fp);
            bq_csv_put_field(fp, bq_csv_cell(r->csv, r->row, c));
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? BQ_ERR_IO : 0;
}

static int same_header(const bq_csv_t *a, const bq_csv_t *b)
{
    if (a->n_cols != b->n_cols)
        return 0;
    for (int c = 0; c < a->n_cols; c++)
        if (strcmp(a->header[c], b->header[c]) != 0)
            return 0;
    return 1;
}

int tables_join(const join_input_t *inputs, int n, const char *prefix_header,
                const char *fallback_header, int sort_first, const char *out_path,
                bq_error_t *err)
{
    join_job_t job = {0};
    job.inputs = inputs;
    job.n = n;
    job.prefix_header = prefix_header;
    job.fallback_header = fallback_header;
    job.first = -1;
    int rc = 0;
    job.tables = calloc((size_t)(n > 0 ? n : 1), sizeof *job.tables);
    if (!job.tables)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", out_path);

    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (access(inputs[i].path, F_OK) != 0)
            continue;
        rc = bq_csv_read_file(inputs[i].path, NULL, &job.tables[i], err);
        if (rc != 0)
            goto done;
        if (job.first < 0)
            job.first = i;
        else if (!same_header(job.tables[job.first], job.tables[i])) {
            rc = bq_error_set(err, BQ_ERR_INVALID, "%s: columns differ from %s",
                              inputs[i].path, inputs[job.first].path);
            goto done;
        }
        total += (size_t)job.tables[i]->n_rows;
    }
    if (job.first < 0 && !fallback_header)
        goto done;
    if (total > 0) {
        job.rows = calloc(total, sizeof *job.rows);
        if (!job.rows) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", out_path);
            goto done;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!job.tables[i])
            continue;
        for (int r = 0; r < job.tables[i]->n_rows; r++) {
            row_ref_t *ref = &job.rows[job.n_rows];
            ref->csv = job.tables[i];
            ref->prefix = prefix_header ? inputs[i].prefix : NULL;
            ref->row = r;
            ref->order = job.n_rows++;
        }
    }
    if (sort_first && job.n_rows > 1)
        qsort(job.rows, job.n_rows, sizeof *job.rows, cmp_rows);
    rc = bq_file_write_atomic(out_path, write_joined, &job, err);
done:
    for (int i = 0; i < n; i++)
        bq_csv_free(job.tables[i]);
    free(job.tables);
    free(job.rows);
    return rc;
}
