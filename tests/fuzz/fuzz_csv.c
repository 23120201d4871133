/* fuzz_csv.c - the CSV reader and the sample-sheet reader on arbitrary bytes.
 *
 * The input is parsed twice, with the default limits and with tiny ones (so
 * the limit paths are reached by small inputs); whatever parses is then read
 * as a sample sheet and looked up the way normalisation does. Checks: a
 * failure has a negative code and a message; a table is rectangular with
 * non-NULL cells and increasing line numbers; a sheet holds positive lanes
 * and finite, non-negative doses that convert to nM consistently. */
#include <math.h>
#include <string.h>

#include "blotquant/csv.h"
#include "blotquant/samples.h"
#include "fuzz.h"

static void check_table(const bq_csv_t *csv, const bq_csv_limits_t *lim)
{
    FUZZ_CHECK(csv->n_cols > 0 && csv->n_rows >= 0, "a header and rows");
    if (lim && lim->max_cols)
        FUZZ_CHECK((size_t)csv->n_cols <= lim->max_cols, "max_cols respected");
    if (lim && lim->max_rows)
        FUZZ_CHECK((size_t)csv->n_rows <= lim->max_rows, "max_rows respected");
    for (int c = 0; c < csv->n_cols; c++) {
        FUZZ_CHECK(csv->header[c] != NULL, "header names");
        if (lim && lim->max_field)
            FUZZ_CHECK(strlen(csv->header[c]) <= lim->max_field, "max_field respected");
        FUZZ_CHECK(bq_csv_column(csv, csv->header[c]) >= 0, "a header name finds its column");
    }
    int prev_line = 0;
    for (int r = 0; r < csv->n_rows; r++) {
        int line = bq_csv_line(csv, r);
        FUZZ_CHECK(line > prev_line, "record lines increase");
        prev_line = line;
        for (int c = 0; c < csv->n_cols; c++) {
            const char *cell = bq_csv_cell(csv, r, c);
            FUZZ_CHECK(cell != NULL, "cells are strings");
            if (lim && lim->max_field)
                FUZZ_CHECK(strlen(cell) <= lim->max_field, "max_field respected");
        }
    }
    FUZZ_CHECK(bq_csv_cell(csv, -1, 0)[0] == '\0' && bq_csv_cell(csv, csv->n_rows, 0)[0] == '\0' &&
                   bq_csv_cell(csv, 0, csv->n_cols)[0] == '\0',
               "out-of-range cells are empty");
    FUZZ_CHECK(bq_csv_line(csv, csv->n_rows) == 0, "out-of-range line is 0");
}

static void check_sheet(const bq_sample_sheet_t *sheet)
{
    FUZZ_CHECK(sheet->n >= 0 && (sheet->n == 0 || sheet->samples), "samples");
    FUZZ_CHECK(memchr(sheet->unit_label, '\0', sizeof sheet->unit_label), "unit label terminated");
    for (int i = 0; i < sheet->n; i++) {
        const bq_sample_t *s = &sheet->samples[i];
        /* lookups are linear: checking them on every row of a huge sheet
         * would make this check, not the reader, the slow part */
        int look_up = i < 2000;
        FUZZ_CHECK(s->lane >= 1, "lanes are 1-based");
        FUZZ_CHECK(isfinite(s->dose) && s->dose >= 0, "finite non-negative dose");
        FUZZ_CHECK(!isnan(s->dose_nm) && s->dose_nm >= 0, "dose in nM");
        FUZZ_CHECK(memchr(s->image, '\0', sizeof s->image), "image name terminated");
        FUZZ_CHECK(memchr(s->group, '\0', sizeof s->group), "group terminated");
        /* the row itself must be found again (a row naming an image may
         * be shadowed only by another row of the same image and lane,
         * which the reader refuses as a duplicate) */
        size_t len = strlen(s->image);
        int dir_only = len > 0 && (s->image[len - 1] == '/' || s->image[len - 1] == '\\');
        if (!look_up)
            continue;
        const bq_sample_t *f = bq_samples_find(sheet, s->image[0] ? s->image : NULL, s->lane);
        if (!dir_only) { /* "gels/" names no file: nothing to find it by */
            FUZZ_CHECK(f != NULL, "every row is found by its own image and lane");
            FUZZ_CHECK(f->lane == s->lane, "found the right lane");
        }
        (void)bq_samples_display_dose(sheet, s);
        (void)bq_samples_find(sheet, "gels/blot1.tif", s->lane);
    }
    (void)bq_samples_find(sheet, NULL, 0);
    (void)bq_samples_find(sheet, "", -1);
}

static void parse(const uint8_t *data, size_t size, const bq_csv_limits_t *lim)
{
    bq_csv_t *csv = NULL;
    bq_error_t err = {0};
    int rc = bq_csv_read_buffer((const char *)data, size, "fuzz.csv", lim, &csv, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc != 0) {
        FUZZ_CHECK(csv == NULL, "no table on failure");
        return;
    }
    check_table(csv, lim);

    bq_sample_sheet_t *sheet = NULL;
    bq_error_t serr = {0};
    rc = bq_samples_from_csv(csv, &sheet, &serr);
    FUZZ_CHECK_ERR(rc, serr);
    if (rc == 0)
        check_sheet(sheet);
    else
        FUZZ_CHECK(sheet == NULL, "no sheet on failure");
    bq_samples_free(sheet);
    bq_csv_free(csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size, NULL);
    bq_csv_limits_t tiny = {.max_bytes = 4096, .max_field = 16, .max_record = 64,
                            .max_rows = 20, .max_cols = 6};
    parse(data, size, &tiny);

    /* the unit parser alone, on the first bytes as a string */
    char unit[24];
    size_t n = size < sizeof unit - 1 ? size : sizeof unit - 1;
    memcpy(unit, data, n);
    unit[n] = '\0';
    int u = bq_unit_parse(unit);
    FUZZ_CHECK(u >= -1 && u <= BQ_UNIT_M, "unit in range");
    if (u >= 0)
        FUZZ_CHECK(bq_unit_parse(bq_unit_name((bq_unit)u)) == u, "unit names round-trip");
    return 0;
}
