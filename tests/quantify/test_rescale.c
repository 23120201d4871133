/* test_rescale.c - detection on a copy at twice the resolution: the copy's
 * pixels, results mapped back to the picture's own pixels, and small
 * simulated blots (lanes narrower than the detectors' pixel constants
 * assume) quantified through it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/bands.h"
#include "blotquant/lanes.h"
#include "blotquant/quantify.h"
#include "blotquant/simulate.h"
#include "internal.h"
#include "../check.h"

/* Bilinear values between pixel centres, edges held, invalid pixels kept
 * out of their neighbours and invalid themselves. */
static void test_upsample_pixels(void)
{
    bq_image_t *img = bq_image_new(3, 2);
    CHECK(img != NULL, "no image");
    if (!img)
        return;
    const float v[6] = {0, 100, 200, 300, 400, 500};
    for (int i = 0; i < 6; i++)
        img->data[i] = v[i];
    img->valid = malloc(6);
    for (int i = 0; i < 6; i++)
        img->valid[i] = i != 5;
    bq_image_t *up = bq_image_upsample2(img);
    CHECK(up && up->width == 6 && up->height == 4, "upsampled size");
    if (up) {
        /* row 0 of the copy sits at source row -0.25: held at row 0 */
        CHECK(fabsf(up->data[0] - 0.0f) < 1e-4f, "corner %g", (double)up->data[0]);
        CHECK(fabsf(up->data[1] - 25.0f) < 1e-4f, "x=1: 0.75*0 + 0.25*100, got %g",
              (double)up->data[1]);
        CHECK(fabsf(up->data[2] - 75.0f) < 1e-4f, "x=2: 0.25*0 + 0.75*100, got %g",
              (double)up->data[2]);
        /* copy row 1 at source row 0.25: 0.75 of row 0 and 0.25 of row 1 */
        CHECK(fabsf(up->data[6 + 1] - (0.75f * 25.0f + 0.25f * 325.0f)) < 1e-3f,
              "(1,1) got %g", (double)up->data[7]);
        /* the invalid source pixel (2,1) makes its 2x2 block invalid and
         * stays out of the valid pixels beside it */
        CHECK(up->valid && !up->valid[3 * 6 + 5] && !up->valid[2 * 6 + 4], "invalid block");
        CHECK(up->valid && up->valid[2 * 6 + 3], "valid neighbour");
        CHECK(fabsf(up->data[2 * 6 + 3] - 400.0f) < 120.0f && up->data[2 * 6 + 3] <= 400.0f,
              "(3,2) mixes only valid pixels, got %g", (double)up->data[2 * 6 + 3]);
        CHECK(up->max_value == img->max_value && up->clip_level == img->clip_level,
              "levels carried");
    }
    bq_image_free(up);
    bq_image_free(img);
}

static double lane_centre(const bq_lane_t *l)
{
    return 0.5 * (l->x_left + l->x_right);
}

/* Lanes found on the doubled copy and mapped back land where lanes found
 * on the picture itself do: within a pixel (interpolation and the grid's
 * cell size at two resolutions differ by about that). */
static void test_lanes_map_back(void)
{
    bq_sim_params_t p;
    bq_sim_params_preset("clean", &p, NULL);
    p.seed = 3;
    p.width = 640;
    p.height = 480;
    p.n_lanes = 8;
    bq_image_t *img = NULL;
    CHECK(bq_simulate(&p, &img, NULL, NULL) == 0, "simulate");
    if (!img)
        return;
    if (bq_image_detect_polarity(img) == 1)
        bq_image_invert(img); /* bands bright, as the detectors want */
    bq_image_t *up = bq_image_upsample2(img);
    bq_lanes_t *a = NULL, *b = NULL;
    CHECK(bq_lanes_detect(img, NULL, &a, NULL) == 0, "lanes on the picture");
    CHECK(up && bq_lanes_detect(up, NULL, &b, NULL) == 0, "lanes on the copy");
    if (a && b) {
        bq_lanes_halve(b);
        CHECK(a->n_lanes == b->n_lanes, "%d lanes vs %d", a->n_lanes, b->n_lanes);
        for (int i = 0; i < a->n_lanes && i < b->n_lanes; i++) {
            double d = lane_centre(&b->strips[0].lanes[i]) - lane_centre(&a->strips[0].lanes[i]);
            CHECK(fabs(d) <= 1.0, "lane %d: mapped back %.2f px off", i + 1, d);
        }
        CHECK(abs(a->strips[0].y_top - b->strips[0].y_top) <= 2 &&
              abs(a->strips[0].y_bottom - b->strips[0].y_bottom) <= 2,
              "strip rows %d-%d vs %d-%d", a->strips[0].y_top, a->strips[0].y_bottom,
              b->strips[0].y_top, b->strips[0].y_bottom);
    }
    bq_lanes_free(a);
    bq_lanes_free(b);
    bq_image_free(up);
    bq_image_free(img);
}

/* Small blots, 140 x 105 px: lanes about 10 px wide. Every true lane must
 * fall into its own detected lane, and every band box found must hold the
 * centre of a true band of its lane. (Detected on the picture itself, two
 * of the three kt253 blots lose lanes.) */
static int small_blot_right(const char *preset, unsigned seed)
{
    bq_sim_params_t p;
    bq_sim_params_preset(preset, &p, NULL);
    p.seed = seed;
    p.width = 140;
    p.height = 105;
    p.n_lanes = 8;
    bq_image_t *img = NULL;
    bq_sim_truth_t *truth = NULL;
    if (bq_simulate(&p, &img, &truth, NULL) != 0)
        return 0;
    bq_quant_result_t *res = NULL;
    int ok = bq_quant_image(img, NULL, &res, NULL) == 0;
    ok = ok && res->lanes->n_lanes == truth->n_lanes;
    for (int i = 0; ok && i < truth->n_lanes; i++) {
        const bq_lane_t *ln = &res->lanes->strips[0].lanes[i];
        double x = truth->lanes[i].x_center;
        ok = x > ln->x_left && x < ln->x_right;
    }
    ok = ok && res->table->n_rows >= 1;
    for (int i = 0; ok && i < res->table->n_bands; i++) {
        const bq_band_t *b = &res->table->bands[i];
        int held = 0;
        for (int k = 0; k < truth->n_bands; k++) {
            const bq_sim_band_t *tb = &truth->bands[k];
            held |= tb->lane == b->lane && tb->y_center >= b->y_top && tb->y_center <= b->y_bottom;
        }
        ok = held;
    }
    bq_quant_result_free(res);
    bq_sim_truth_free(truth);
    return ok;
}

/* Measured: 8 of the 9 right (clean seed 2 loses lanes: its first row of
 * touching bands on a dark membrane to the picture's edges is taken for a
 * membrane block on a page, see docs/lanes.md); 6 of 9 with lanes found on
 * the picture itself. */
static void test_small_blots(void)
{
    static const char *const presets[] = {"clean", "artefacts", "kt253"};
    int right = 0;
    for (int k = 0; k < 3; k++)
        for (unsigned seed = 1; seed <= 3; seed++) {
            int ok = small_blot_right(presets[k], seed);
            if (!ok)
                fprintf(stderr, "small %s blot, seed %u: lanes or bands wrong\n", presets[k],
                        seed);
            right += ok;
        }
    CHECK(right >= 8, "%d of 9 small blots right, expected at least 8", right);
}

int main(void)
{
    test_upsample_pixels();
    test_lanes_map_back();
    test_small_blots();
    if (check_failures)
        fprintf(stderr, "%d checks failed\n", check_failures);
    return check_failures ? 1 : 0;
}
