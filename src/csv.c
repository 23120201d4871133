/* csv.c - an RFC 4180 reader for the tables the tool takes as input.
 *
 * The whole input is read into memory (tables here are small and bounded by
 * max_bytes) and unquoted into one text block: unquoting only ever shrinks
 * a field, and each field's delimiter becomes its NUL, so the block needs no
 * more than len + 2 bytes and every field is a pointer into it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/csv.h"
#include "internal.h"

typedef struct parser {
    const char *name;
    bq_csv_limits_t lim;
    char *text;       /* unquoted fields, NUL-separated */
    size_t text_len;
    size_t *fields;   /* offsets into text of every field of every record */
    size_t n_fields, cap_fields;
    int *lines;       /* start line of every record */
    size_t n_records, cap_records;
    size_t rec_first; /* index in fields of the current record's first field */
    int n_cols;       /* from the header; 0 until it is read */
} parser_t;

static void limits_fill(bq_csv_limits_t *lim, const bq_csv_limits_t *user)
{
    bq_csv_limits_t d = {BQ_CSV_DEFAULT_MAX_BYTES, BQ_CSV_DEFAULT_MAX_FIELD,
                         BQ_CSV_DEFAULT_MAX_RECORD, BQ_CSV_DEFAULT_MAX_ROWS,
                         BQ_CSV_DEFAULT_MAX_COLS};
    if (user) {
        if (user->max_bytes) d.max_bytes = user->max_bytes;
        if (user->max_field) d.max_field = user->max_field;
        if (user->max_record) d.max_record = user->max_record;
        if (user->max_rows) d.max_rows = user->max_rows;
        if (user->max_cols) d.max_cols = user->max_cols;
    }
    *lim = d;
}

static int push_field(parser_t *p, size_t offset, int line, bq_error_t *err)
{
    if (p->n_fields - p->rec_first >= p->lim.max_cols)
        return bq_error_set(err, BQ_ERR_LIMIT, "%s:%d: more than %zu fields in a record",
                            p->name, line, p->lim.max_cols);
    if (p->n_fields == p->cap_fields) {
        size_t cap = p->cap_fields ? p->cap_fields * 2 : 64;
        size_t bytes;
        if (bq_mul_size(cap, sizeof *p->fields, &bytes) != 0)
            return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", p->name);
        size_t *f = realloc(p->fields, bytes);
        if (!f)
            return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", p->name);
        p->fields = f;
        p->cap_fields = cap;
    }
    p->fields[p->n_fields++] = offset;
    return 0;
}

/* Close the record whose fields start at rec_first: the header fixes the
 * column count, blank lines vanish, any other width is an error. */
static int end_record(parser_t *p, int line, int quoted_any, bq_error_t *err)
{
    size_t nf = p->n_fields - p->rec_first;
    if (nf == 1 && !quoted_any && p->text[p->fields[p->rec_first]] == '\0') {
        p->n_fields = p->rec_first; /* blank line */
        return 0;
    }
    if (p->n_cols == 0) {
        p->n_cols = (int)nf;
    } else if ((int)nf != p->n_cols) {
        return bq_error_set(err, BQ_ERR_CORRUPT,
                            "%s:%d: %zu field%s, but the header has %d", p->name, line, nf,
                            nf == 1 ? "" : "s", p->n_cols);
    }
    if (p->n_records > p->lim.max_rows) /* the header is record 0 */
        return bq_error_set(err, BQ_ERR_LIMIT, "%s:%d: more than %zu rows", p->name, line,
                            p->lim.max_rows);
    if (p->n_records == p->cap_records) {
        size_t cap = p->cap_records ? p->cap_records * 2 : 64;
        int *l = bq_alloc_array(cap, sizeof *l);
        if (!l)
            return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", p->name);
        if (p->n_records)
            memcpy(l, p->lines, p->n_records * sizeof *l);
        free(p->lines);
        p->lines = l;
        p->cap_records = cap;
    }
    p->lines[p->n_records++] = line;
    p->rec_first = p->n_fields;
    return 0;
}

static int parse(parser_t *p, const char *data, size_t len, bq_error_t *err)
{
    size_t i = 0;
    int line = 1;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        i = 3;
    if (i >= len)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: empty file (no header row)", p->name);

    size_t out = 0;
    while (i < len) {
        /* one record */
        int rec_line = line;
        size_t rec_start = i;
        int quoted_any = 0;
        int rc;
        for (;;) {
            /* one field */
            size_t fstart = out;
            int field_line = line;
            if ((rc = push_field(p, fstart, line, err)) != 0)
                return rc;
            if (i < len && data[i] == '"') {
                quoted_any = 1;
                i++;
                for (;;) {
                    if (i >= len)
                        return bq_error_set(err, BQ_ERR_CORRUPT,
                                            "%s:%d: quoted field never closed (opened here)",
                                            p->name, field_line);
                    char c = data[i];
                    if (c == '"') {
                        if (i + 1 < len && data[i + 1] == '"') {
                            p->text[out++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (c == '\0')
                        return bq_error_set(err, BQ_ERR_CORRUPT, "%s:%d: NUL byte (binary data?)",
                                            p->name, line);
                    if (c == '\n' || (c == '\r' && (i + 1 >= len || data[i + 1] != '\n')))
                        line++;
                    p->text[out++] = c;
                    i++;
                }
                if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
                    return bq_error_set(err, BQ_ERR_CORRUPT,
                                        "%s:%d: unexpected character '%c' after a closing quote",
                                        p->name, line, data[i]);
            } else {
                /* unquoted: a stray '"' inside is kept as text, as spreadsheets do */
                while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
                    if (data[i] == '\0')
                        return bq_error_set(err, BQ_ERR_CORRUPT, "%s:%d: NUL byte (binary data?)",
                                            p->name, line);
                    p->text[out++] = data[i++];
                }
            }
            if (out - fstart > p->lim.max_field)
                return bq_error_set(err, BQ_ERR_LIMIT, "%s:%d: field longer than %zu bytes",
                                    p->name, field_line, p->lim.max_field);
            if (i - rec_start > p->lim.max_record)
                return bq_error_set(err, BQ_ERR_LIMIT, "%s:%d: record longer than %zu bytes",
                                    p->name, rec_line, p->lim.max_record);
            p->text[out++] = '\0';
            if (i < len && data[i] == ',') {
                i++;
                continue;
            }
            break; /* end of line or end of input */
        }
        if (i < len && data[i] == '\r')
            i++;
        if (i < len && data[i] == '\n')
            i++;
        if ((rc = end_record(p, rec_line, quoted_any, err)) != 0)
            return rc;
        line++;
    }
    p->text_len = out;
    if (p->n_cols == 0)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: no header row", p->name);
    return 0;
}

int bq_csv_read_buffer(const char *data, size_t len, const char *name,
                       const bq_csv_limits_t *lim, bq_csv_t **out, bq_error_t *err)
{
    *out = NULL;
    if (!name)
        name = "<csv>";
    parser_t p;
    memset(&p, 0, sizeof p);
    p.name = name;
    limits_fill(&p.lim, lim);
    if (len > p.lim.max_bytes)
        return bq_error_set(err, BQ_ERR_LIMIT, "%s: larger than %zu bytes", name,
                            p.lim.max_bytes);
    bq_csv_t *csv = calloc(1, sizeof *csv);
    p.text = malloc(len + 2);
    size_t name_len = strlen(name);
    if (csv)
        csv->name = malloc(name_len + 1);
    if (!csv || !p.text || !csv->name) {
        free(p.text);
        if (csv)
            free(csv->name);
        free(csv);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(csv->name, name, name_len + 1);
    int rc = parse(&p, data ? data : "", len, err);
    if (rc == 0) {
        csv->n_cols = p.n_cols;
        csv->n_rows = (int)(p.n_records - 1);
        csv->header = bq_alloc_array(p.n_fields ? p.n_fields : 1, sizeof *csv->header);
        if (!csv->header) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
        } else {
            for (size_t k = 0; k < p.n_fields; k++)
                csv->header[k] = p.text + p.fields[k];
            csv->cells = csv->header + p.n_cols;
            csv->lines = p.lines + 1;
            csv->text_ = p.text;
            p.lines = NULL;
            p.text = NULL;
            /* duplicate names would make lookup by name ambiguous. A column
             * is a repeat when its name first occurs further left: one
             * lookup per column keeps a 4096-column header quadratic (a
             * lookup per pair was cubic: minutes on a 23 KB header). */
            for (int b = 1; b < csv->n_cols && rc == 0; b++) {
                int a = bq_csv_column(csv, csv->header[b]);
                if (a >= 0 && a < b && csv->header[a][0])
                    rc = bq_error_set(err, BQ_ERR_CORRUPT,
                                      "%s:1: column '%s' appears twice in the header", name,
                                      csv->header[b]);
            }
        }
    }
    free(p.fields);
    free(p.lines);
    free(p.text);
    if (rc != 0) {
        bq_csv_free(csv);
        return rc;
    }
    *out = csv;
    return 0;
}

int bq_csv_read_file(const char *path, const bq_csv_limits_t *lim, bq_csv_t **out,
                     bq_error_t *err)
{
    *out = NULL;
    bq_csv_limits_t l;
    limits_fill(&l, lim);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (len == cap) {
            if (cap > l.max_bytes) {
                rc = bq_error_set(err, BQ_ERR_LIMIT, "%s: larger than %zu bytes", path,
                                  l.max_bytes);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp))
                rc = bq_error_set(err, BQ_ERR_IO, "%s: read error", path);
            break;
        }
    }
    fclose(fp);
    if (!buf)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    if (rc == 0)
        rc = bq_csv_read_buffer(buf, len, path, &l, out, err);
    free(buf);
    return rc;
}

void bq_csv_free(bq_csv_t *csv)
{
    if (!csv)
        return;
    free(csv->name);
    free(csv->header);
    if (csv->lines)
        free(csv->lines - 1);
    free(csv->text_);
    free(csv);
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Compare a header name with a wanted name, ignoring case and blanks around
 * the header name (hand-edited sheets often have "lane, dose, unit"). */
static int name_matches(const char *have, const char *want)
{
    while (*have == ' ' || *have == '\t')
        have++;
    while (*want == ' ' || *want == '\t')
        want++;
    size_t hl = strlen(have), wl = strlen(want);
    while (hl > 0 && (have[hl - 1] == ' ' || have[hl - 1] == '\t'))
        hl--;
    while (wl > 0 && (want[wl - 1] == ' ' || want[wl - 1] == '\t'))
        wl--;
    if (hl != wl)
        return 0;
    for (size_t k = 0; k < hl; k++)
        if (ascii_lower((unsigned char)have[k]) != ascii_lower((unsigned char)want[k]))
            return 0;
    return 1;
}

int bq_csv_column(const bq_csv_t *csv, const char *name)
{
    if (!csv || !name)
        return -1;
    for (int c = 0; c < csv->n_cols; c++)
        if (name_matches(csv->header[c], name))
            return c;
    return -1;
}

const char *bq_csv_cell(const bq_csv_t *csv, int row, int col)
{
    if (!csv || row < 0 || row >= csv->n_rows || col < 0 || col >= csv->n_cols)
        return "";
    return csv->cells[(size_t)row * (size_t)csv->n_cols + (size_t)col];
}

int bq_csv_line(const bq_csv_t *csv, int row)
{
    if (!csv || row < 0 || row >= csv->n_rows)
        return 0;
    return csv->lines[row];
}
