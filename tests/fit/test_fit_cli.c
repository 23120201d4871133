/* test_fit_cli.c - `blotquant fit` end to end: exit codes, messages, the
 * fit.csv columns and values.
 * Usage: test_fit_cli BLOTQUANT DATA_DIR SCRATCH_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include "blotquant/blotquant.h"
#include "../check.h"

static const char *exe, *data, *scratch;
static char out_text[65536], err_text[65536];

/* A failed check shows what the command printed. */
static void show_output(void)
{
    fprintf(stderr, "  stdout: %.600s\n  stderr: %.600s\n", out_text, err_text);
}

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    size_t n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

/* Run blotquant fit with args (NULL-terminated); capture stdout/stderr. */
static int run(const char *const *args)
{
    char so[1024], se[1024];
    snprintf(so, sizeof so, "%s/cli.out", scratch);
    snprintf(se, sizeof se, "%s/cli.err", scratch);
    const char *argv[32];
    int k = 0;
    argv[k++] = exe;
    argv[k++] = "fit";
    for (; *args && k < 31; args++)
        argv[k++] = *args;
    argv[k] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0)
            _exit(127);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    slurp(so, out_text, sizeof out_text);
    slurp(se, err_text, sizeof err_text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        printf("FAIL cannot write %s\n", path);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
}

/* The value of column col in the first data row of CSV text ("" if none). */
static const char *field(const char *text, const char *col, char *buf, size_t size)
{
    bq_csv_t *csv;
    buf[0] = '\0';
    if (bq_csv_read_buffer(text, strlen(text), "out", NULL, &csv, NULL) != 0)
        return buf;
    int c = bq_csv_column(csv, col);
    if (c >= 0 && csv->n_rows > 0)
        snprintf(buf, size, "%s", bq_csv_cell(csv, 0, c));
    bq_csv_free(csv);
    return buf;
}

static double num(const char *text, const char *col)
{
    char buf[256];
    field(text, col, buf, sizeof buf);
    return buf[0] ? strtod(buf, NULL) : NAN;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: test_fit_cli BLOTQUANT DATA_DIR SCRATCH_DIR\n");
        return 2;
    }
    check_context = show_output;
    exe = argv[1];
    data = argv[2];
    scratch = argv[3];
    char rye[1024], path[1024], path2[1024], buf[512];
    snprintf(rye, sizeof rye, "%s/ryegrass.csv", data);

    /* the reference fit through the CLI */
    int rc = run((const char *const[]){rye, "--target", "root", "--unit", "mM", NULL});
    CHECK(rc == 0, "ryegrass exit %d", rc);
    CHECK(strncmp(out_text,
                  "target,control,n,top,bottom,hill,dc50,dc50_low,dc50_high,dc50_abs,dmax,r2,"
                  "rmse,hook,excluded,unit,",
                  strlen("target,control,n,top,bottom,hill,dc50,dc50_low,dc50_high,dc50_abs,"
                         "dmax,r2,rmse,hook,excluded,unit,")) == 0,
          "header");
    CHECK(fabs(num(out_text, "dc50") / 3.0579551693354 - 1) < 1e-6, "dc50");
    CHECK(fabs(num(out_text, "dc50_low") / 2.6910983 - 1) < 1e-4, "profile low");
    CHECK(fabs(num(out_text, "dc50_high") / 3.4753869 - 1) < 1e-4, "profile high");
    CHECK(num(out_text, "n") == 24, "n");
    CHECK(strcmp(field(out_text, "hook", buf, sizeof buf), "no") == 0, "hook no");
    CHECK(strcmp(field(out_text, "unit", buf, sizeof buf), "mM") == 0, "unit");
    CHECK(strcmp(field(out_text, "target", buf, sizeof buf), "root") == 0, "target label");
    CHECK(strcmp(field(out_text, "status", buf, sizeof buf), "ok") == 0, "status");
    /* raw responses: dc50_abs is where half of top remains */
    double top = num(out_text, "top"), bottom = num(out_text, "bottom"),
           hill = num(out_text, "hill"), dc50 = num(out_text, "dc50");
    double abs50 = num(out_text, "dc50_abs");
    double y = bottom + (top - bottom) / (1 + pow(abs50 / dc50, hill));
    CHECK(fabs(y - 0.5 * top) < 1e-6 * top, "dc50_abs crosses %g, want %g", y, 0.5 * top);

    rc = run((const char *const[]){"--ci", "wald", rye, NULL});
    CHECK(rc == 0 && fabs(num(out_text, "dc50_low") / 2.69388534 - 1) < 1e-7 &&
              strcmp(field(out_text, "ci_method", buf, sizeof buf), "wald-log") == 0,
          "wald");

    rc = run((const char *const[]){"--format", "json", rye, NULL});
    CHECK(rc == 0 && out_text[0] == '{' && strstr(out_text, "\"dc50\":3.05795"), "json");

    snprintf(path, sizeof path, "%s/fit_out.csv", scratch);
    snprintf(path2, sizeof path2, "%s/fit_plot.svg", scratch);
    remove(path);
    remove(path2);
    rc = run((const char *const[]){rye, "-o", path, "--plot", path2, NULL});
    CHECK(rc == 0 && out_text[0] == '\0', "-o: exit %d", rc);
    static char filebuf[200000];
    slurp(path, filebuf, sizeof filebuf);
    CHECK(strstr(filebuf, "dc50") && fabs(num(filebuf, "dc50") - 3.05795517) < 1e-6, "-o file");
    slurp(path2, filebuf, sizeof filebuf);
    CHECK(strstr(filebuf, "<svg") && strstr(filebuf, "</svg>"), "--plot file");

    rc = run((const char *const[]){"--top", "7.8", "--bottom", "0.5", rye, NULL});
    CHECK(rc == 0 && num(out_text, "top") == 7.8 && num(out_text, "bottom") == 0.5,
          "fixed asymptotes");

    /* usage errors: exit 2 */
    CHECK(run((const char *const[]){"--ci", "bootstrap", rye, NULL}) == 2 &&
              strstr(err_text, "--ci"),
          "bad --ci");
    CHECK(run((const char *const[]){"--top", "abc", rye, NULL}) == 2, "bad --top");
    CHECK(run((const char *const[]){"--unit", "furlongs", rye, NULL}) == 2, "bad --unit");
    CHECK(run((const char *const[]){"--format", "xml", rye, NULL}) == 2, "bad --format");
    CHECK(run((const char *const[]){"--frobnicate", rye, NULL}) == 2, "unknown option");
    CHECK(run((const char *const[]){NULL}) == 2 && strstr(err_text, "missing"), "no table");
    CHECK(run((const char *const[]){rye, rye, NULL}) == 2, "two tables");
    CHECK(run((const char *const[]){"--help", NULL}) == 0 && strstr(out_text, "--dose-col"),
          "--help");

    /* unreadable input: exit 1, message names the file */
    snprintf(path, sizeof path, "%s/does_not_exist.csv", scratch);
    CHECK(run((const char *const[]){path, NULL}) == 1 && strstr(err_text, "blotquant: ") &&
              strstr(err_text, path),
          "missing file");
    snprintf(path, sizeof path, "%s/badcol.csv", scratch);
    write_file(path, "dose,signal\n0,1\n");
    CHECK(run((const char *const[]){path, NULL}) == 1 && strstr(err_text, "no 'response' column"),
          "missing column");
    write_file(path, "dose,response\n0,1\n1,0.9\n10,abc\n");
    CHECK(run((const char *const[]){path, NULL}) == 1 && strstr(err_text, "badcol.csv:4:"),
          "non-numeric response");
    write_file(path, "dose,response\n0,1\n1,\"0.9\n");
    CHECK(run((const char *const[]){path, NULL}) == 1 && strstr(err_text, "never closed"),
          "broken CSV");

    /* degenerate: the row still comes out and says why; exit 1 */
    snprintf(path, sizeof path, "%s/three.csv", scratch);
    write_file(path, "dose,response\n0,1\n0,1.02\n1,0.8\n1,0.78\n10,0.3\n10,0.33\n");
    rc = run((const char *const[]){path, NULL});
    CHECK(rc == 1 && strstr(err_text, "three.csv: only 3 distinct doses") &&
              strcmp(field(out_text, "status", buf, sizeof buf), "too_few_doses") == 0 &&
              strcmp(field(out_text, "dc50", buf, sizeof buf), "") == 0,
          "too few doses");
    write_file(path, "dose,response\n0,1\n1,1\n3,1\n10,1\n30,1\n");
    rc = run((const char *const[]){path, NULL});
    CHECK(rc == 1 && strcmp(field(out_text, "status", buf, sizeof buf), "flat") == 0, "flat");
    write_file(path, "dose,response\n0,1\n1,0.9\n3,nan\n10,0.5\n30,0.2\n0,1.01\n1,0.88\n"
                     "3,NA\n10,0.52\n30,0.21\n100,0.15\n");
    rc = run((const char *const[]){path, NULL});
    CHECK(rc == 0 && strstr(err_text, "2 rows without a response value skipped") &&
              num(out_text, "n") == 9,
          "NaN rows skipped");
    write_file(path, "dose,response\n0,1\n1,0.9\n3,inf\n10,0.5\n30,0.2\n");
    rc = run((const char *const[]){path, NULL});
    CHECK(rc == 1 && strcmp(field(out_text, "status", buf, sizeof buf), "bad_input") == 0,
          "Inf response");

    /* custom columns and mixed units */
    snprintf(path, sizeof path, "%s/custom.csv", scratch);
    {
        FILE *fp = fopen(path, "w");
        fputs("conc,signal,unit\n", fp);
        static const double d[] = {0, 1, 3, 10, 30, 100, 300, 1000};
        for (int rep = 0; rep < 2; rep++)
            for (int k = 0; k < 8; k++) {
                double v = 0.1 + 0.9 / (1 + pow(d[k] / 50.0, 1.5)) + (rep ? 0.01 : -0.01);
                /* write the second replicate in uM */
                if (rep)
                    fprintf(fp, "%.10g,%.10g,uM\n", d[k] / 1000, v);
                else
                    fprintf(fp, "%.10g,%.10g,nM\n", d[k], v);
            }
        fclose(fp);
    }
    rc = run((const char *const[]){"--dose-col", "conc", "--response-col", "signal", path, NULL});
    CHECK(rc == 0 && fabs(num(out_text, "dc50") / 50 - 1) < 1e-3 &&
              strcmp(field(out_text, "unit", buf, sizeof buf), "nM") == 0,
          "custom columns, mixed units: dc50 %g", num(out_text, "dc50"));
    rc = run((const char *const[]){"--dose-col", "conc", "--response-col", "signal", "--unit",
                                   "uM", path, NULL});
    CHECK(rc == 0 && fabs(num(out_text, "dc50") / 0.05 - 1) < 1e-3, "--unit uM: %g",
          num(out_text, "dc50"));
    CHECK(run((const char *const[]){"--dose-col", "nope", path, NULL}) == 1 &&
              strstr(err_text, "no 'nope' column"),
          "missing --dose-col column");

    /* a normalized.csv: relative by default, flagged lanes left out */
    snprintf(path, sizeof path, "%s/normalized.csv", scratch);
    {
        FILE *fp = fopen(path, "w");
        fputs("image,lane,dose,unit,target,control,ratio,relative,flags,replicate\n", fp);
        static const double d[] = {0, 1, 3, 10, 30, 100, 300, 1000};
        for (int k = 0; k < 8; k++) {
            double v = 0.1 + 0.9 / (1 + pow(d[k] / 20.0, 1.2));
            fprintf(fp, "b.tif,%d,%g,nM,1,1,%g,%g,,1\n", k + 1, d[k], v, v * 1.02);
            fprintf(fp, "c.tif,%d,%g,nM,1,1,%g,%g,%s,2\n", k + 1, d[k], v, k == 3 ? 1.2 : v * 0.98,
                    k == 3 ? "target_weak;control_saturated" : "target_weak");
        }
        fclose(fp);
    }
    rc = run((const char *const[]){path, NULL});
    CHECK(rc == 0 && num(out_text, "n") == 15 &&
              strcmp(field(out_text, "excluded", buf, sizeof buf), "10") == 0 &&
              fabs(num(out_text, "dc50") / 20 - 1) < 0.03,
          "normalized.csv: n %g excluded '%s' dc50 %g", num(out_text, "n"),
          field(out_text, "excluded", buf, sizeof buf), num(out_text, "dc50"));
    rc = run((const char *const[]){"--keep-flagged", path, NULL});
    CHECK(rc == 0 && num(out_text, "n") == 16, "--keep-flagged");
    rc = run((const char *const[]){path, NULL});
    /* relative responses: dc50_abs is where 0.5 (half of vehicle) remains */
    top = num(out_text, "top");
    bottom = num(out_text, "bottom");
    hill = num(out_text, "hill");
    dc50 = num(out_text, "dc50");
    abs50 = num(out_text, "dc50_abs");
    y = bottom + (top - bottom) / (1 + pow(abs50 / dc50, hill));
    CHECK(fabs(y - 0.5) < 1e-6, "relative dc50_abs crosses %g", y);

    if (check_failures) {
        printf("%d check(s) failed\n", check_failures);
        return 1;
    }
    printf("all fit CLI checks passed\n");
    return 0;
}
