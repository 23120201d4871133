/* test_colour.c - colour files into one channel: a two-colour composite
 * (a simulated two-channel membrane as red and green of one 8-bit PNG, with
 * white labels burned in) is recognised, its lanes found on the combined
 * signal, and --rows NAME@red,NAME@green measure each protein on its own
 * channel; grey stored as RGB and a tinted photograph stay luminance.
 *
 * usage: test_colour OUTDIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/image.h"
#include "blotquant/quantify.h"
#include "blotquant/simulate.h"
#include "../check.h"
#include "test_paths.h"

static char outdir[1024];

/* 8-bit sample of a 16-bit channel with the given gain. */
static uint8_t to8(double v, double gain)
{
    double s = v * gain;
    return (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : lround(s));
}

/* White label blocks above every other lane, as imagers burn in names. */
static int in_label(const bq_sim_truth_t *t, int x, int y)
{
    for (int i = 0; i < t->n_lanes; i += 2) {
        const bq_sim_lane_t *l = &t->lanes[i];
        if (fabs(x - l->x_center) < 0.4 * l->width && y >= 20 && y < 34 && (x / 3) % 2 == 0)
            return 1;
    }
    return 0;
}

typedef enum { COMPOSITE, GREY_AS_RGB, TINTED } picture_kind;

/* imgs[TARGET] into green and imgs[CONTROL] into red (COMPOSITE), or the
 * control scan as grey or tinted colour; written as an RGB PNG. */
static int write_picture(bq_image_t *const imgs[2], const bq_sim_truth_t *t, picture_kind kind,
                         const char *path)
{
    int w = imgs[0]->width, h = imgs[0]->height;
    bq_rgb_t *rgb = calloc(1, sizeof *rgb);
    if (!rgb || !(rgb->data = malloc((size_t)w * h * 3))) {
        free(rgb);
        return -1;
    }
    rgb->width = w;
    rgb->height = h;
    double gain = 255.0 / 65535.0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            uint8_t *p = rgb->data + 3 * i;
            uint8_t red = to8(imgs[BQ_SIM_CH_CONTROL]->data[i], gain);
            if (kind == COMPOSITE) {
                p[0] = red;
                p[1] = to8(imgs[BQ_SIM_CH_TARGET]->data[i], gain);
                p[2] = 0;
                if (in_label(t, x, y))
                    p[0] = p[1] = p[2] = 255;
            } else if (kind == GREY_AS_RGB) {
                p[0] = p[1] = p[2] = red;
            } else { /* a blue tint that follows the brightness */
                p[0] = (uint8_t)(0.6 * red);
                p[1] = (uint8_t)(0.8 * red);
                p[2] = (uint8_t)(20 + 0.9 * red);
            }
        }
    bq_error_t err = {0, ""};
    int rc = bq_rgb_save_png(rgb, path, &err);
    bq_rgb_free(rgb);
    CHECK(rc == 0, "write %s: %s", path, err.msg);
    return rc;
}

static int render(bq_image_t *imgs[2], bq_sim_truth_t **t, bq_sim_params_t *p)
{
    bq_error_t err = {0, ""};
    bq_sim_params_preset("kt253", p, NULL);
    p->seed = 7;
    p->polarity = BQ_SIM_BRIGHT;
    p->two_channel = 1;
    p->width = 800;
    p->height = 560;
    int rc = bq_simulate_channels(p, imgs, NULL, t, &err);
    CHECK(rc == 0, "two-channel render: %s", err.msg);
    return rc;
}

/* How the loader reads each picture: only the composite is distinct, and
 * only it is read as the combined signal with bands bright by definition. */
static void check_loading(const char *path, picture_kind kind)
{
    bq_image_t *img = NULL;
    bq_error_t err = {0, ""};
    CHECK(bq_image_load(path, NULL, &img, &err) == 0, "load %s: %s", path, err.msg);
    if (!img)
        return;
    double r;
    int distinct = bq_colour_distinct(&img->colour, &r);
    printf("%-10s distinct %d, lowest channel correlation %.3f, read as %s\n",
           kind == COMPOSITE ? "composite" : kind == GREY_AS_RGB ? "grey" : "tinted", distinct, r,
           bq_channel_name(img->channel));
    CHECK(distinct == (kind == COMPOSITE), "%s: distinct %d (r %.3f)", path, distinct, r);
    CHECK(img->channel == (kind == COMPOSITE ? BQ_CHANNEL_COMBINED : BQ_CHANNEL_AUTO),
          "%s: read as %s", path, bq_channel_name(img->channel));
    CHECK(img->bands_bright == (kind == COMPOSITE), "%s: bands_bright %d", path,
          img->bands_bright);
    bq_image_free(img);
}

/* The truth y of row `name`'s bands (their mean centre). */
static double truth_row_y(const bq_sim_truth_t *t, const char *name)
{
    double s = 0.0;
    int k = 0;
    for (int i = 0; i < t->n_bands; i++)
        if (!t->bands[i].ladder && strcmp(t->bands[i].protein, name) == 0) {
            s += t->bands[i].y_center;
            k++;
        }
    return k ? s / k : NAN;
}

/* The target's fraction remaining per lane, from the table: target /
 * control, over the mean of the vehicle lanes. Returns the worst absolute
 * error against the truth's fraction. */
static double fraction_error(const bq_band_table_t *tab, const bq_sim_truth_t *t,
                             const char *target, const char *control)
{
    double ratio[BQ_MAX_LANES + 1] = {0}, vehicle = 0.0;
    int n_vehicle = 0;
    for (int i = 0; i < tab->n_bands; i++) {
        const bq_band_t *b = &tab->bands[i];
        if (strcmp(b->protein, target) != 0 || b->lane > t->n_lanes)
            continue;
        for (int j = 0; j < tab->n_bands; j++) {
            const bq_band_t *c = &tab->bands[j];
            if (c->lane == b->lane && strcmp(c->protein, control) == 0 && c->net_volume > 0)
                ratio[b->lane] = b->net_volume / c->net_volume;
        }
        const bq_sim_lane_t *l = &t->lanes[b->lane - 1];
        if (!l->ladder && l->dose == 0.0) {
            vehicle += ratio[b->lane];
            n_vehicle++;
        }
    }
    if (n_vehicle == 0)
        return INFINITY;
    vehicle /= n_vehicle;
    double worst = 0.0;
    for (int k = 0; k < t->n_lanes; k++)
        if (!t->lanes[k].ladder)
            worst = fmax(worst, fabs(ratio[k + 1] / vehicle - t->lanes[k].fraction));
    return worst;
}

/* --rows ACTB@red,MDM2@green on the composite: each name at its own
 * protein's row, and the degradation read from the two channels. */
static void check_rows_by_channel(const char *path, const bq_sim_truth_t *t,
                                  const bq_sim_params_t *p)
{
    const char *target = NULL, *control = NULL;
    for (int r = 0; r < p->n_rows; r++) {
        if (p->rows[r].is_target)
            target = p->rows[r].name;
        else
            control = p->rows[r].name;
    }
    const char *names[2] = {control, target};
    const bq_channel channels[2] = {BQ_CHANNEL_RED_SIGNAL, BQ_CHANNEL_GREEN_SIGNAL};
    bq_quant_options_t o;
    memset(&o, 0, sizeof o);
    o.bands.row_names = names;
    o.bands.n_row_names = 2;
    o.row_channel = channels;
    bq_quant_result_t *res = NULL;
    bq_error_t err = {0, ""};
    CHECK(bq_quant_file(path, &o, &res, &err) == 0, "quant by channel: %s", err.msg);
    if (!res)
        return;
    const bq_band_table_t *tab = res->table;
    CHECK(tab->n_lanes == t->n_lanes, "by channel: %d lanes, truth %d", tab->n_lanes,
          t->n_lanes);
    CHECK(tab->n_rows == 2, "by channel: %d rows", tab->n_rows);
    for (int k = 0; k < 2; k++) {
        double want = truth_row_y(t, names[k]), worst = 0.0;
        for (int i = 0; i < tab->n_bands; i++)
            if (strcmp(tab->bands[i].protein, names[k]) == 0)
                worst = fmax(worst, fabs(tab->bands[i].y_peak - want));
        /* a band is ~10 px tall here; the other protein's row is ~60 px away */
        CHECK(worst < 8.0, "%s: a band's peak %.1f px from its row (truth y %.1f)", names[k],
              worst, want);
    }
    double e = fraction_error(tab, t, target, control);
    printf("by channel: %d lanes, %d rows, worst fraction error %.3f\n", tab->n_lanes,
           tab->n_rows, e);
    /* measured 0.009 here (8-bit samples, the preset's noise and dust);
     * a row measured on the wrong channel or on the mix is off by > 0.3 */
    CHECK(e < 0.05, "fraction remaining off by %.3f", e);
    bq_quant_result_free(res);
}

/* The same composite, no options: the lanes of the truth, found on the
 * combined signal (the labels are no lanes and no bands). */
static void check_default_lanes(const char *path, const bq_sim_truth_t *t)
{
    bq_quant_result_t *res = NULL;
    bq_error_t err = {0, ""};
    CHECK(bq_quant_file(path, NULL, &res, &err) == 0, "quant: %s", err.msg);
    if (!res)
        return;
    CHECK(res->lanes->n_lanes == t->n_lanes, "default: %d lanes, truth %d",
          res->lanes->n_lanes, t->n_lanes);
    CHECK(res->inverted == 0, "the combined signal was inverted");
    bq_quant_result_free(res);
}

/* Refused combinations. */
static void check_refused(const char *path)
{
    const char *names[1] = {"A"};
    const bq_channel channels[1] = {BQ_CHANNEL_RED};
    const double kda[1] = {42.0};
    bq_quant_options_t o;
    memset(&o, 0, sizeof o);
    o.bands.row_names = names;
    o.bands.n_row_names = 1;
    o.row_channel = channels;
    bq_quant_result_t *res = NULL;
    bq_error_t err = {0, ""};
    CHECK(bq_quant_file(path, &o, &res, &err) == BQ_ERR_INVALID && !res,
          "a stored channel (not a signal) was accepted");
    o.row_kda = kda;
    CHECK(bq_quant_file(path, &o, &res, &err) == BQ_ERR_INVALID && !res,
          "channels with sizes were accepted");
    CHECK(strstr(err.msg, path) != NULL, "error does not name the file: %s", err.msg);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_colour OUTDIR\n");
        return 2;
    }
    snprintf(outdir, sizeof outdir, "%s", argv[1]);
    bq_image_t *imgs[2] = {NULL, NULL};
    bq_sim_truth_t *t = NULL;
    bq_sim_params_t p;
    if (render(imgs, &t, &p) == 0) {
        static const char *const files[3] = {"colour_composite.png", "colour_grey.png",
                                             "colour_tinted.png"};
        char paths[3][1024];
        for (int k = 0; k < 3; k++) {
            snprintf(paths[k], sizeof paths[k], "%s", test_path(outdir, files[k]));
            if (write_picture(imgs, t, (picture_kind)k, paths[k]) == 0)
                check_loading(paths[k], (picture_kind)k);
        }
        check_default_lanes(paths[COMPOSITE], t);
        check_rows_by_channel(paths[COMPOSITE], t, &p);
        check_refused(paths[COMPOSITE]);
    }
    bq_image_free(imgs[0]);
    bq_image_free(imgs[1]);
    bq_sim_truth_free(t);
    CHECK(bq_channel_parse_signal("green") == BQ_CHANNEL_GREEN_SIGNAL, "parse green");
    CHECK(bq_channel_parse_signal("purple") == -1, "parse purple");
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
