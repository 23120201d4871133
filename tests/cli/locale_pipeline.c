/* locale_pipeline.c IMAGE DOSE_TABLE OUTDIR - the library as a program
 * embeds it: setlocale(LC_ALL, "") from the environment, then quantify
 * IMAGE and fit DOSE_TABLE, writing every kind of output into OUTDIR
 * (bands CSV and JSON, overlay PNG, fit CSV and JSON, plot SVG) and any
 * error message to OUTDIR/messages.txt. locale.sh runs it under a German
 * and the C locale and compares the files. Prints the locale's decimal
 * point, so the caller knows the German one took effect. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/blotquant.h"
#include "blotquant/fit_table.h"

typedef struct job {
    const bq_quant_result_t *quant;
    const bq_fit_point_t *pts;
    size_t n;
    const bq_fit_result_t *fit;
} job_t;

static int bands_csv(FILE *fp, void *ctx)
{
    const job_t *j = ctx;
    return bq_band_table_write_csv(fp, j->quant->table, "blot", 1);
}

static int bands_json(FILE *fp, void *ctx)
{
    const job_t *j = ctx;
    return bq_band_table_write_json(fp, j->quant->table, "blot");
}

static int fit_csv(FILE *fp, void *ctx)
{
    const job_t *j = ctx;
    return bq_fit_write_csv(fp, j->fit, "MDM2", "ACTB", "nM", 1);
}

static int fit_json(FILE *fp, void *ctx)
{
    const job_t *j = ctx;
    return bq_fit_write_json(fp, j->fit, "MDM2", "ACTB", "nM");
}

static int fit_svg(FILE *fp, void *ctx)
{
    const job_t *j = ctx;
    return bq_plot_dose_response_svg(fp, j->pts, j->n, j->fit, NULL);
}

static int write(const char *dir, const char *name, bq_write_fn fn, job_t *j, bq_error_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return bq_file_write_atomic(path, fn, j, err);
}

static int fit_table(const char *table, job_t *j, bq_fit_point_t **pts, bq_fit_result_t *fit,
                     bq_error_t *err)
{
    bq_csv_t *csv = NULL;
    int rc = bq_csv_read_file(table, NULL, &csv, err);
    bq_fit_table_options_t o;
    bq_fit_table_options_init(&o);
    int unit = -1, skipped = 0;
    if (rc == 0)
        rc = bq_fit_points_from_csv(csv, table, &o, pts, &j->n, &unit, &skipped, err);
    bq_csv_free(csv);
    if (rc == 0)
        bq_fit_4pl(*pts, j->n, NULL, fit, err); /* a failed fit is output too */
    j->pts = *pts;
    j->fit = fit;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: locale_pipeline IMAGE DOSE_TABLE OUTDIR\n");
        return 2;
    }
    setlocale(LC_ALL, "");
    printf("%s\n", localeconv()->decimal_point);
    bq_error_t err = {0};
    bq_quant_result_t *quant = NULL;
    bq_fit_point_t *pts = NULL;
    bq_fit_result_t fit;
    job_t j = {0};
    int rc = bq_quant_file(argv[1], NULL, &quant, &err);
    j.quant = quant;
    if (rc == 0)
        rc = write(argv[3], "bands.csv", bands_csv, &j, &err);
    if (rc == 0)
        rc = write(argv[3], "bands.json", bands_json, &j, &err);
    if (rc == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/overlay.png", argv[3]);
        rc = bq_quant_write_overlay(quant, path, &err);
    }
    if (rc == 0)
        rc = fit_table(argv[2], &j, &pts, &fit, &err);
    if (rc == 0)
        rc = write(argv[3], "fit.csv", fit_csv, &j, &err);
    if (rc == 0)
        rc = write(argv[3], "fit.json", fit_json, &j, &err);
    if (rc == 0)
        rc = write(argv[3], "fit.svg", fit_svg, &j, &err);
    if (rc != 0)
        fprintf(stderr, "locale_pipeline: %s\n", err.msg);
    bq_quant_result_free(quant);
    free(pts);
    return rc != 0;
}
