/* test_tables.c - the CSV reader's edge cases and the sample-sheet checks
 * (every error message is checked for the sheet name, the line and the
 * problem). Usage: test_tables SCRATCH_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"
#include "../check.h"

static bq_csv_t *parse(const char *text, int *rc, bq_error_t *err)
{
    bq_csv_t *csv = NULL;
    bq_error_clear(err);
    *rc = bq_csv_read_buffer(text, strlen(text), "t.csv", NULL, &csv, err);
    return csv;
}

static void test_csv(void)
{
    bq_error_t err;
    int rc;
    bq_csv_t *c;

    /* quoted fields: commas, doubled quotes, newlines; CRLF; BOM */
    c = parse("\xEF\xBB\xBFname,note,v\r\n"
              "a,\"x, y\",1\r\n"
              "\"b\",\"say \"\"hi\"\"\",2\r\n"
              "c,\"two\r\nlines\",3\r\n"
              "d,,4",
              &rc, &err);
    CHECK(rc == 0, "basic: %s", err.msg);
    if (c) {
        CHECK(c->n_cols == 3 && c->n_rows == 4, "shape %dx%d", c->n_rows, c->n_cols);
        CHECK(bq_csv_column(c, "name") == 0, "BOM must not stick to the first name");
        CHECK(strcmp(bq_csv_cell(c, 0, 1), "x, y") == 0, "comma in quotes: %s",
              bq_csv_cell(c, 0, 1));
        CHECK(strcmp(bq_csv_cell(c, 1, 0), "b") == 0, "quoted plain");
        CHECK(strcmp(bq_csv_cell(c, 1, 1), "say \"hi\"") == 0, "doubled quotes: %s",
              bq_csv_cell(c, 1, 1));
        CHECK(strcmp(bq_csv_cell(c, 2, 1), "two\r\nlines") == 0, "newline in quotes");
        CHECK(strcmp(bq_csv_cell(c, 3, 1), "") == 0 && strcmp(bq_csv_cell(c, 3, 2), "4") == 0,
              "empty field / no final newline");
        CHECK(bq_csv_line(c, 0) == 2 && bq_csv_line(c, 2) == 4 && bq_csv_line(c, 3) == 6,
              "line numbers %d %d %d", bq_csv_line(c, 0), bq_csv_line(c, 2), bq_csv_line(c, 3));
        CHECK(strcmp(bq_csv_cell(c, 9, 0), "") == 0 && strcmp(bq_csv_cell(c, 0, -1), "") == 0,
              "out of range cells are empty");
        bq_csv_free(c);
    }

    /* case-insensitive, blank-tolerant lookup; blank lines; LF and CR endings */
    c = parse(" Lane , DOSE\n\n1,2\r3,4\n\n", &rc, &err);
    CHECK(rc == 0 && c && c->n_rows == 2, "blank lines / CR: %s", err.msg);
    if (c) {
        CHECK(bq_csv_column(c, "lane") == 0 && bq_csv_column(c, "dose") == 1 &&
                  bq_csv_column(c, "unit") == -1,
              "column lookup");
        CHECK(strcmp(bq_csv_cell(c, 1, 1), "4") == 0, "CR record");
        bq_csv_free(c);
    }

    /* trailing comma = an empty last field */
    c = parse("a,b\n1,\n", &rc, &err);
    CHECK(rc == 0 && c && strcmp(bq_csv_cell(c, 0, 1), "") == 0, "trailing comma");
    bq_csv_free(c);

    /* header only */
    c = parse("a,b\n", &rc, &err);
    CHECK(rc == 0 && c && c->n_rows == 0, "header only");
    bq_csv_free(c);

    /* errors, each naming file and line */
    c = parse("a,b\n1,2\n3\n", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && !c && strstr(err.msg, "t.csv:3:") && strstr(err.msg, "1 field"),
          "short row: %s", err.msg);
    c = parse("a,b\n1,2,3\n", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "t.csv:2:") && strstr(err.msg, "3 fields"),
          "long row: %s", err.msg);
    c = parse("a,b\n1,\"open\n2,3\n", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "t.csv:2:") && strstr(err.msg, "never closed"),
          "unterminated quote: %s", err.msg);
    c = parse("a,b\n\"x\"y,2\n", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "t.csv:2:") &&
              strstr(err.msg, "after a closing quote"),
          "junk after quote: %s", err.msg);
    c = parse("", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "empty"), "empty: %s", err.msg);
    c = parse("\xEF\xBB\xBF", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT, "BOM only");
    c = parse("a,A\n1,2\n", &rc, &err);
    CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "twice"), "duplicate header: %s", err.msg);
    {
        const char bin[] = "a,b\n1,\0\n";
        rc = bq_csv_read_buffer(bin, sizeof bin - 1, "bin.csv", NULL, &c, &err);
        CHECK(rc == BQ_ERR_CORRUPT && strstr(err.msg, "bin.csv:2:") && strstr(err.msg, "NUL"),
              "NUL: %s", err.msg);
    }

    /* limits */
    bq_csv_limits_t lim = {0};
    lim.max_rows = 2;
    const char *three = "a\n1\n2\n3\n";
    rc = bq_csv_read_buffer(three, strlen(three), "t.csv", &lim, &c, &err);
    CHECK(rc == BQ_ERR_LIMIT && strstr(err.msg, "t.csv:4:"), "row limit: %s", err.msg);
    memset(&lim, 0, sizeof lim);
    lim.max_field = 4;
    const char *longf = "a\nhello\n";
    rc = bq_csv_read_buffer(longf, strlen(longf), "t.csv", &lim, &c, &err);
    CHECK(rc == BQ_ERR_LIMIT && strstr(err.msg, "field longer"), "field limit: %s", err.msg);
    memset(&lim, 0, sizeof lim);
    lim.max_cols = 3;
    const char *wide = "a,b,c,d\n";
    rc = bq_csv_read_buffer(wide, strlen(wide), "t.csv", &lim, &c, &err);
    CHECK(rc == BQ_ERR_LIMIT && strstr(err.msg, "fields"), "column limit: %s", err.msg);
    memset(&lim, 0, sizeof lim);
    lim.max_bytes = 5;
    rc = bq_csv_read_buffer(wide, strlen(wide), "t.csv", &lim, &c, &err);
    CHECK(rc == BQ_ERR_LIMIT, "byte limit");
    memset(&lim, 0, sizeof lim);
    lim.max_record = 10;
    const char *rec = "a,b\n\"123456\",\"7890123\"\n";
    rc = bq_csv_read_buffer(rec, strlen(rec), "t.csv", &lim, &c, &err);
    CHECK(rc == BQ_ERR_LIMIT && strstr(err.msg, "record longer"), "record limit: %s", err.msg);

    rc = bq_csv_read_file("/nonexistent/dir/x.csv", NULL, &c, &err);
    CHECK(rc == BQ_ERR_IO && !c && strstr(err.msg, "/nonexistent/dir/x.csv"), "missing file: %s",
          err.msg);
}

/* Parse a sheet from text; return rc and fill err. */
static int sheet(const char *text, bq_sample_sheet_t **out, bq_error_t *err)
{
    bq_csv_t *csv;
    bq_error_clear(err);
    int rc = bq_csv_read_buffer(text, strlen(text), "samples.csv", NULL, &csv, err);
    if (rc != 0) {
        *out = NULL;
        return rc;
    }
    rc = bq_samples_from_csv(csv, out, err);
    bq_csv_free(csv);
    return rc;
}

static void expect_error(const char *text, const char *where, const char *what)
{
    bq_sample_sheet_t *sh;
    bq_error_t err;
    int rc = sheet(text, &sh, &err);
    CHECK(rc == BQ_ERR_INVALID && sh == NULL && strstr(err.msg, where) && strstr(err.msg, what),
          "sheet error: want '%s' and '%s', got rc %d '%s'", where, what, rc, err.msg);
    bq_samples_free(sh);
}

static void test_samples(const char *scratch)
{
    CHECK(bq_unit_parse("nM") == BQ_UNIT_NM && bq_unit_parse(" uM ") == BQ_UNIT_UM &&
              bq_unit_parse("\xC2\xB5M") == BQ_UNIT_UM && bq_unit_parse("\xCE\xBCM") == BQ_UNIT_UM &&
              bq_unit_parse("pM") == BQ_UNIT_PM && bq_unit_parse("mM") == BQ_UNIT_MM &&
              bq_unit_parse("M") == BQ_UNIT_M,
          "unit names");
    CHECK(bq_unit_parse("MM") < 0 && bq_unit_parse("nm") < 0 && bq_unit_parse("mg/ml") < 0 &&
              bq_unit_parse("") < 0,
          "bad unit names accepted");
    CHECK(fabs(bq_unit_convert(1.5, BQ_UNIT_UM, BQ_UNIT_NM) - 1500) < 1e-9 &&
              fabs(bq_unit_convert(250, BQ_UNIT_PM, BQ_UNIT_NM) - 0.25) < 1e-12 &&
              fabs(bq_unit_convert(2, BQ_UNIT_MM, BQ_UNIT_UM) - 2000) < 1e-9,
          "unit conversion");

    bq_sample_sheet_t *sh;
    bq_error_t err;
    int rc = sheet("lane,dose,unit,replicate,group\n"
                   "1,0,,1,ctl\n"
                   "2,10,nM,1,\n"
                   "3,0.1,\xC2\xB5M,1,\n"
                   "4,1,\xCE\xBCM,2,\n"
                   "5,500,pM,2,\n"
                   "6,0.001,mM,2,\n",
                   &sh, &err);
    CHECK(rc == 0 && sh, "good sheet: %s", err.msg);
    if (sh) {
        CHECK(sh->n == 6 && sh->unit == BQ_UNIT_NM && strcmp(sh->unit_label, "nM") == 0,
              "display unit %s", sh->unit_label);
        const bq_sample_t *s = bq_samples_find(sh, "blot.tif", 3);
        CHECK(s && fabs(s->dose_nm - 100) < 1e-9 && fabs(bq_samples_display_dose(sh, s) - 100) < 1e-9,
              "0.1 uM = 100 nM");
        s = bq_samples_find(sh, NULL, 5);
        CHECK(s && fabs(s->dose_nm - 0.5) < 1e-12, "500 pM");
        s = bq_samples_find(sh, NULL, 6);
        CHECK(s && fabs(s->dose_nm - 1000) < 1e-9 && s->replicate == 2, "0.001 mM");
        s = bq_samples_find(sh, NULL, 1);
        CHECK(s && s->dose_nm == 0 && s->unit == BQ_UNIT_NM && strcmp(s->group, "ctl") == 0,
              "vehicle without unit");
        CHECK(bq_samples_find(sh, NULL, 7) == NULL, "absent lane");
        bq_samples_free(sh);
    }

    /* display unit as the user wrote it; image-specific rows */
    rc = sheet("image,lane,dose,unit\n"
               ",1,0,uM\n"
               ",2,0.3,\xC2\xB5M\n"
               "gels/blotB.tif,2,3,uM\n"
               "blotB,1,0,uM\n",
               &sh, &err);
    CHECK(rc == 0, "image sheet: %s", err.msg);
    if (sh) {
        CHECK(sh->unit == BQ_UNIT_UM && strcmp(sh->unit_label, "\xC2\xB5M") == 0, "label %s",
              sh->unit_label);
        const bq_sample_t *s = bq_samples_find(sh, "/data/blotB.tif", 2);
        CHECK(s && s->dose == 3, "image-specific row wins");
        s = bq_samples_find(sh, "blotA.png", 2);
        CHECK(s && s->dose == 0.3 && bq_samples_display_dose(sh, s) == 0.3, "generic row, 0.3 exact");
        bq_samples_free(sh);
    }

    expect_error("lane,dose\n1,0\n", "samples.csv:1:", "no 'unit' column");
    expect_error("dose,unit\n1,nM\n", "samples.csv:1:", "no 'lane' column");
    expect_error("lane,unit\n1,nM\n", "samples.csv:1:", "no 'dose' column");
    expect_error("lane,dose,unit\n", "samples.csv", "no samples");
    expect_error("lane,dose,unit\n1,0,nM\n,10,nM\n", "samples.csv:3:", "lane is missing");
    expect_error("lane,dose,unit\n1,0,nM\nthree,10,nM\n", "samples.csv:3:", "not a lane number");
    expect_error("lane,dose,unit\n0,0,nM\n", "samples.csv:2:", "not a lane number");
    expect_error("lane,dose,unit\n1,0,nM\n2,ten,nM\n", "samples.csv:3:", "'ten' is not a number");
    expect_error("lane,dose,unit\n1,0,nM\n2,1e999,nM\n", "samples.csv:3:", "not a number");
    expect_error("lane,dose,unit\n1,0,nM\n2,nan,nM\n", "samples.csv:3:", "not a number");
    expect_error("lane,dose,unit\n1,0,nM\n2,,nM\n", "samples.csv:3:", "dose is missing");
    expect_error("lane,dose,unit\n1,0,nM\n2,-5,nM\n", "samples.csv:3:", "negative");
    expect_error("lane,dose,unit\n1,0,nM\n2,5,mg\n", "samples.csv:3:", "unknown unit 'mg'");
    expect_error("lane,dose,unit\n1,0,nM\n2,5,\n", "samples.csv:3:", "has no unit");
    expect_error("lane,dose,unit\n1,0,nM\n2,5,nM\n1,10,nM\n", "samples.csv:4:",
                 "lane 1 is already given on line 2");
    expect_error("image,lane,dose,unit\nA,1,0,nM\nA,1,5,nM\n", "samples.csv:3:",
                 "lane 1 of image 'A' is already given on line 2");
    expect_error("lane,dose,unit,replicate\n1,0,nM,x\n", "samples.csv:2:", "replicate 'x'");
    /* names too long to keep whole are refused, not cut (fuzzing found a cut
     * image name that no longer matched its own row) */
    expect_error("lane,dose,unit,group\n1,0,nM,\n2,5,nM,"
                 "a-group-name-of-seventy-characters-which-is-more-than-sixty-three-x\n",
                 "samples.csv:3:", "group name longer than 63");
    {
        char buf[600];
        int k = snprintf(buf, sizeof buf, "image,lane,dose,unit\n");
        for (int i = 0; i < 300; i++)
            buf[k++] = 'i';
        snprintf(buf + k, sizeof buf - (size_t)k, ".tif,1,0,nM\n");
        expect_error(buf, "samples.csv:2:", "image name longer than 255");
    }

    /* the same image and lane in different images is fine */
    rc = sheet("image,lane,dose,unit\nA,1,0,nM\nB,1,5,nM\n", &sh, &err);
    CHECK(rc == 0, "same lane, two images: %s", err.msg);
    bq_samples_free(sh);

    /* from a file: the path names the sheet */
    char path[1024];
    snprintf(path, sizeof path, "%s/bad_sheet.csv", scratch);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL, "cannot write %s", path);
    if (fp) {
        fputs("lane,dose,unit\r\n1,0,nM\r\n2,\"1,5\",nM\r\n", fp);
        fclose(fp);
        rc = bq_samples_read(path, &sh, &err);
        CHECK(rc == BQ_ERR_INVALID && strstr(err.msg, path) && strstr(err.msg, ":3:") &&
                  strstr(err.msg, "'1,5' is not a number"),
              "file sheet: %s", err.msg);
        remove(path);
    }
    rc = bq_samples_read("/nonexistent/samples.csv", &sh, &err);
    CHECK(rc == BQ_ERR_IO && strstr(err.msg, "/nonexistent/samples.csv"), "missing sheet: %s",
          err.msg);
}

int main(int argc, char **argv)
{
    test_csv();
    test_samples(argc > 1 ? argv[1] : ".");
    if (check_failures) {
        printf("%d check(s) failed\n", check_failures);
        return 1;
    }
    printf("all CSV and sample-sheet checks passed\n");
    return 0;
}
