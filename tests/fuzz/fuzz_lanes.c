/* fuzz_lanes.c - the readers of lanes set by hand on arbitrary bytes: the
 * input is parsed as CSV and read as a lanes file or a band table
 * (bq_lanes_from_csv); what is read is written again and must read back
 * exactly, then is fitted to a small simulated blot (bq_lanes_manual_apply,
 * also from its centres alone) and goes through band detection and
 * integration.
 *
 * The blot is the quant corpus's sim_clean.tif (`blotquant simulate --seed 3
 * --width 128 --height 120 --lanes 4`), rendered once in memory, so the seeds
 * that carry its lanes reach the band detector. Checks: failures are clean;
 * lanes that read pass bq_lanes_check and round-trip byte for byte; lanes
 * fitted to the blot lie in it; band boxes lie in it with finite numbers. */
#include <math.h>
#include <string.h>

#include "blotquant/lanes_manual.h"
#include "blotquant/quantify.h"
#include "blotquant/simulate.h"
#include "fuzz.h"

static const bq_image_t *blot(void)
{
    static bq_image_t *img;
    if (!img) {
        bq_sim_params_t p;
        bq_sim_truth_t *truth = NULL;
        bq_error_t err = {0};
        FUZZ_CHECK(bq_sim_params_preset("clean", &p, &err) == 0, "the clean preset");
        p.seed = 3;
        p.width = 128;
        p.height = 120;
        p.n_lanes = 4;
        FUZZ_CHECK(bq_simulate(&p, &img, &truth, &err) == 0, "the blot renders");
        bq_sim_truth_free(truth);
    }
    return img;
}

static char *write_text(const bq_lanes_t *l, size_t *len)
{
    char *text = NULL;
    FILE *fp = open_memstream(&text, len);
    FUZZ_CHECK(fp != NULL, "a memory stream");
    FUZZ_CHECK(bq_lanes_write_csv(fp, l) == 0, "lanes that read are written");
    fclose(fp);
    return text;
}

/* Written, read back, written again: the same bytes. */
static void check_round_trip(const bq_lanes_t *l)
{
    size_t len = 0, len2 = 0;
    char *text = write_text(l, &len);
    bq_csv_t *csv = NULL;
    bq_lanes_t *back = NULL;
    bq_error_t err = {0};
    FUZZ_CHECK(bq_csv_read_buffer(text, len, "again.csv", NULL, &csv, &err) == 0 &&
                   bq_lanes_from_csv(csv, &back, &err) == 0,
               "written lanes read back");
    char *text2 = write_text(back, &len2);
    FUZZ_CHECK(len == len2 && memcmp(text, text2, len) == 0, "lanes round-trip exactly");
    free(text);
    free(text2);
    bq_lanes_free(back);
    bq_csv_free(csv);
}

static void check_bands(const bq_image_t *img, const bq_lanes_t *l)
{
    bq_band_table_t *t = NULL;
    bq_error_t err = {0};
    int rc = bq_bands_detect(img, l, NULL, &t, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc == 0)
        rc = bq_quantify(img, l, (bq_background)(l->n_lanes % 4), t, &err);
    FUZZ_CHECK_ERR(rc, err);
    for (int i = 0; rc == 0 && i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        FUZZ_CHECK(b->lane >= 1 && b->lane <= l->n_lanes, "band lane");
        FUZZ_CHECK(0 <= b->x_left && b->x_left <= b->x_right && b->x_right < img->width &&
                       0 <= b->y_top && b->y_top <= b->y_bottom && b->y_bottom < img->height,
                   "band box inside the image");
        FUZZ_CHECK(isfinite(b->volume) && isfinite(b->net_volume), "finite volumes");
    }
    bq_band_table_free(t);
}

/* The lanes fitted to the blot, then measured. */
static void apply(const bq_lanes_manual_t *m)
{
    const bq_image_t *img = blot();
    bq_lanes_t *got = NULL;
    bq_error_t err = {0};
    int rc = bq_lanes_manual_apply(m, img, NULL, &got, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc != 0) {
        FUZZ_CHECK(got == NULL, "no lanes on failure");
        return;
    }
    FUZZ_CHECK(bq_lanes_check(got, "applied", &err) == 0, "applied lanes are a lane set");
    FUZZ_CHECK(got->confidence == 1 && got->uncertain == 0, "given lanes are certain");
    for (int s = 0; s < got->n_strips; s++)
        FUZZ_CHECK(got->strips[s].y_bottom < img->height, "strips inside the image");
    const bq_roi_t *r = m->lanes ? &m->lanes->roi : NULL;
    if (r && r->w > 0 && r->h > 0)
        FUZZ_CHECK(got->roi.x == r->x && got->roi.y == r->y && got->roi.w <= r->w &&
                       got->roi.h <= r->h && got->roi.x + got->roi.w <= img->width &&
                       got->roi.y + got->roi.h <= img->height,
                   "the given region is kept, clipped to the image");
    check_bands(img, got);
    bq_lanes_free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bq_csv_t *csv = NULL;
    bq_csv_limits_t lim = {.max_bytes = 1 << 20};
    bq_error_t err = {0};
    if (bq_csv_read_buffer((const char *)data, size, "fuzz.lanes.csv", &lim, &csv, &err) != 0)
        return 0;
    bq_lanes_t *l = NULL;
    int rc = bq_lanes_from_csv(csv, &l, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc == 0) {
        FUZZ_CHECK(bq_lanes_check(l, "read", &err) == 0, "read lanes are a lane set");
        check_round_trip(l);
        bq_lanes_manual_t m = {.lanes = l, .source = "fuzz.lanes.csv"};
        apply(&m);
        double c[BQ_MAX_LANES];
        for (int k = 0; k < l->n_lanes; k++)
            c[k] = 0.5 * (l->strips[0].lanes[k].x_left + l->strips[0].lanes[k].x_right);
        bq_lanes_manual_t mc = {.centres = c, .n_centres = l->n_lanes, .width = size % 3 ? 0 : 7};
        apply(&mc);
    } else {
        FUZZ_CHECK(l == NULL, "no lanes on failure");
    }
    bq_lanes_free(l);
    bq_csv_free(csv);
    return 0;
}
