/* quant_fit.c - quantify a scanned blot and fit its dose series, through the
 * public API of libblotquant only.
 *
 *     quant_fit IMAGE SAMPLES.csv TARGET CONTROL
 *
 * e.g. quant_fit kt253_mdm2_actb.tif kt253_mdm2_actb.samples.csv MDM2 ACTB
 * Prints one line per lane (dose, target/control ratio relative to vehicle)
 * and the fit (DC50 with its 95 % CI, Dmax, Hill slope, hook).
 * Build: cc quant_fit.c $(pkg-config --cflags --libs blotquant) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <blotquant/blotquant.h>

/* Band table of the image with rows named target (upper) and control (lower). */
static int quantify(const char *image, const char *target, const char *control,
                    bq_quant_result_t **res, bq_error_t *err)
{
    const char *rows[2] = {target, control};
    bq_quant_options_t opts = {0}; /* zero = every default: automatic lanes, polarity */
    opts.bands.row_names = rows;
    opts.bands.n_row_names = 2;
    return bq_quant_file(image, &opts, res, err);
}

/* The lanes of norm as fit points: dose in the sheet's unit, response the
 * relative level; lanes the normaliser flags as untrustworthy are kept but
 * excluded from the fit. Returns the number of points written to pts. */
static size_t fit_points(const bq_norm_table_t *norm, const bq_sample_sheet_t *sheet,
                         bq_fit_point_t *pts)
{
    size_t n = 0;
    for (int i = 0; i < norm->n; i++) {
        const bq_norm_row_t *row = &norm->rows[i];
        if (!isfinite(row->relative))
            continue;
        pts[n].dose = bq_unit_convert(row->dose_nm, BQ_UNIT_NM, sheet->unit);
        pts[n].response = row->relative;
        pts[n].replicate = 1;
        pts[n].excluded = (row->flags & BQ_NORM_EXCLUDE_MASK) != 0;
        n++;
    }
    return n;
}

static void print_result(const bq_norm_table_t *norm, const bq_fit_result_t *fit)
{
    char flags[128];
    printf("lane\tdose\trelative\tflags\n");
    for (int i = 0; i < norm->n; i++) {
        const bq_norm_row_t *row = &norm->rows[i];
        printf("%d\t%g\t%.3f\t%s\n", row->lane, row->dose, row->relative,
               bq_norm_flags_str(row->flags, flags, sizeof flags));
    }
    printf("dc50 %.4g %s (95%% CI %.4g to %.4g)\n", fit->dc50, norm->unit, fit->dc50_low,
           fit->dc50_high);
    printf("dmax %.3f\nhill %.3f\nr2 %.4f\nhook %s\n", fit->dmax, fit->hill, fit->r2,
           fit->hook ? "yes" : "no");
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s IMAGE SAMPLES.csv TARGET CONTROL\n", argv[0]);
        return 2;
    }
    const char *image = argv[1], *sheet_path = argv[2], *target = argv[3], *control = argv[4];
    bq_error_t err = {0};
    bq_quant_result_t *res = NULL;
    bq_sample_sheet_t *sheet = NULL;
    bq_norm_table_t *norm = NULL;
    bq_fit_point_t *pts = NULL;
    int status = 1;

    if (quantify(image, target, control, &res, &err) != 0 ||
        bq_samples_read(sheet_path, &sheet, &err) != 0 ||
        bq_normalize(res->table, image, sheet, target, control, 1, &norm, &err) != 0)
        goto done;
    printf("%s: %d lanes, %d bands\n", image, res->table->n_lanes, res->table->n_bands);

    pts = calloc(norm->n > 0 ? (size_t)norm->n : 1, sizeof *pts);
    if (!pts) {
        bq_error_set(&err, BQ_ERR_NOMEM, "out of memory");
        goto done;
    }
    bq_fit_options_t fopts;
    bq_fit_options_init(&fopts);
    bq_fit_result_t fit;
    if (bq_fit_4pl(pts, fit_points(norm, sheet, pts), &fopts, &fit, &err) != 0)
        goto done;
    print_result(norm, &fit);
    status = 0;

done:
    if (status != 0)
        fprintf(stderr, "quant_fit: %s (%s)\n", err.msg, bq_strerror(err.code));
    free(pts);
    bq_norm_table_free(norm);
    bq_samples_free(sheet);
    bq_quant_result_free(res);
    return status;
}
