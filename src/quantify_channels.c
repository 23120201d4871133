/* quantify_channels.c - a two-colour composite quantified channel by
 * channel: lanes found once on the combined signal (every protein helps
 * place them), each named row found and measured on its own channel (a
 * protein's band is measured on the signal of its own dye only). */
#include <stdlib.h>
#include <string.h>

#include "blotquant/quantify.h"
#include "internal.h"

#define N_SIGNALS 3

static const bq_channel signal_channels[N_SIGNALS] = {
    BQ_CHANNEL_RED_SIGNAL, BQ_CHANNEL_GREEN_SIGNAL, BQ_CHANNEL_BLUE_SIGNAL};

static int check_channels(const char *path, const bq_quant_options_t *o, bq_error_t *err)
{
    if (o->row_kda)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s: rows are named by channel or by size, not both", path);
    for (int i = 0; i < o->bands.n_row_names; i++) {
        bq_channel c = o->row_channel[i];
        if (c != BQ_CHANNEL_RED_SIGNAL && c != BQ_CHANNEL_GREEN_SIGNAL &&
            c != BQ_CHANNEL_BLUE_SIGNAL)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "%s: row %s: channel must be red, green or blue", path,
                                o->bands.row_names[i]);
    }
    return 0;
}

/* The channel's image, in the same polarity and with the same pixels left
 * out as the combined image the lanes were found on. */
static int load_channel(const char *path, const bq_quant_options_t *o, bq_channel c,
                        const bq_image_t *combined, bq_image_t **out, bq_error_t *err)
{
    bq_load_options_t lo = o->load;
    lo.channel = c;
    bq_image_t *img = NULL;
    int rc = bq_image_load(path, &lo, &img, err);
    if (rc != 0)
        return rc;
    if (img->width != combined->width || img->height != combined->height) {
        bq_image_free(img);
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: the %s channel is not the image's size",
                            path, bq_channel_name(c));
    }
    if (combined->inverted)
        bq_image_invert(img);
    if (combined->valid) {
        size_t n = (size_t)img->width * (size_t)img->height;
        if (!img->valid && !(img->valid = malloc(n))) {
            bq_image_free(img);
            return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
        }
        memcpy(img->valid, combined->valid, n);
    }
    *out = img;
    return 0;
}

/* Rows of channel c, found and measured on it along res's lanes. *out is
 * NULL when no row is named in c. */
static int quant_channel(const char *path, const bq_quant_options_t *o, bq_channel c,
                         const bq_quant_result_t *res, bq_band_table_t **out, bq_error_t *err)
{
    *out = NULL;
    int n = 0;
    for (int i = 0; i < o->bands.n_row_names; i++)
        n += o->row_channel[i] == c;
    if (n == 0)
        return 0;
    const char **names = bq_alloc_array((size_t)n, sizeof *names);
    if (!names)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    n = 0;
    for (int i = 0; i < o->bands.n_row_names; i++)
        if (o->row_channel[i] == c)
            names[n++] = o->bands.row_names[i];
    bq_image_t *img = NULL;
    int rc = load_channel(path, o, c, res->image, &img, err);
    if (rc != 0) {
        free(names);
        return rc;
    }
    bq_band_options_t bo = {names, n};
    bq_error_t why = {0};
    rc = bq_bands_detect(img, res->lanes, &bo, out, &why);
    if (rc == 0)
        rc = bq_quantify(img, res->lanes, o->background, *out, &why);
    bq_image_free(img);
    free(names);
    if (rc != 0) {
        bq_band_table_free(*out);
        *out = NULL;
        return bq_error_set(err, rc, "%s: %s channel: %s", path, bq_channel_name(c), why.msg);
    }
    if (res->mw.n > 0)
        bq_mw_apply(&res->mw, res->lanes, *out);
    return 0;
}

/* Mean band centre row of row r of t. */
static double row_centre(const bq_band_table_t *t, int r)
{
    double s = 0.0;
    int k = 0;
    for (int i = 0; i < t->n_bands; i++)
        if (t->bands[i].row == r) {
            s += 0.5 * (t->bands[i].y_top + t->bands[i].y_bottom);
            k++;
        }
    return k ? s / k : 0.0;
}

typedef struct row_ref {
    const bq_band_table_t *t;
    int row;
    double y;
} row_ref_t;

static int by_y(const void *a, const void *b)
{
    double ya = ((const row_ref_t *)a)->y, yb = ((const row_ref_t *)b)->y;
    return (ya > yb) - (ya < yb);
}

/* The channels' tables as one, rows ordered top to bottom. */
static bq_band_table_t *merge_tables(bq_band_table_t *const *tabs, int nt,
                                     const bq_band_table_t *like)
{
    int nr = 0, nb = 0;
    for (int k = 0; k < nt; k++) {
        nr += tabs[k]->n_rows;
        nb += tabs[k]->n_bands;
    }
    row_ref_t *rows = bq_alloc_array((size_t)nr + 1, sizeof *rows);
    bq_band_table_t *m = calloc(1, sizeof *m);
    bq_band_t *bands = bq_calloc_array((size_t)nb + 1, sizeof *bands);
    if (!rows || !m || !bands) {
        free(rows);
        free(m);
        free(bands);
        return NULL;
    }
    nr = 0;
    for (int k = 0; k < nt; k++)
        for (int r = 1; r <= tabs[k]->n_rows; r++)
            rows[nr++] = (row_ref_t){tabs[k], r, row_centre(tabs[k], r)};
    qsort(rows, (size_t)nr, sizeof *rows, by_y);
    *m = (bq_band_table_t){0, bands, like->n_lanes, nr, like->n_strips,
                           like->lanes_confidence, like->lanes_uncertain};
    for (int j = 0; j < nr; j++)
        for (int i = 0; i < rows[j].t->n_bands; i++)
            if (rows[j].t->bands[i].row == rows[j].row) {
                m->bands[m->n_bands] = rows[j].t->bands[i];
                m->bands[m->n_bands++].row = j + 1;
            }
    free(rows);
    return m;
}

/* Every channel's rows, merged into res->table. */
static int quant_channels(const char *path, const bq_quant_options_t *o, bq_quant_result_t *res,
                          bq_error_t *err)
{
    bq_band_table_t *tabs[N_SIGNALS];
    int nt = 0, rc = 0;
    for (int k = 0; k < N_SIGNALS && rc == 0; k++) {
        bq_band_table_t *t = NULL;
        rc = quant_channel(path, o, signal_channels[k], res, &t, err);
        if (t)
            tabs[nt++] = t;
    }
    bq_band_table_t *m = rc == 0 ? merge_tables(tabs, nt, res->table) : NULL;
    if (rc == 0 && !m)
        rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    for (int k = 0; k < nt; k++)
        bq_band_table_free(tabs[k]);
    if (rc == 0) {
        bq_band_table_free(res->table);
        res->table = m;
    }
    return rc;
}

int bq_quant_file_by_channel(const char *path, const bq_quant_options_t *opts,
                             bq_quant_result_t **out, bq_error_t *err)
{
    int rc = check_channels(path, opts, err);
    if (rc != 0)
        return rc;
    bq_quant_options_t combined = *opts;
    combined.load.channel = BQ_CHANNEL_COMBINED;
    combined.bands.row_names = NULL;
    combined.bands.n_row_names = 0;
    combined.row_channel = NULL;
    bq_quant_result_t *res = NULL;
    rc = bq_quant_file(path, &combined, &res, err);
    if (rc != 0)
        return rc;
    rc = quant_channels(path, opts, res, err);
    if (rc != 0) {
        bq_quant_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}
