/* fuzz_quant.c - the whole quant pipeline (load -> polarity -> lanes ->
 * bands -> background -> integration) on arbitrary image files, then the
 * band table writers, normalisation against a fixed sample sheet and the QC
 * overlay.
 *
 * Images are capped at 4 megapixels so an input runs in well under a second
 * and the fuzzer explores instead of waiting. The background method follows
 * the input length. Checks: failures are clean; a result's lanes and band
 * boxes lie inside the image and its numbers are finite. */
#include <math.h>
#include <string.h>

#include "blotquant/bands.h"
#include "blotquant/normalize.h"
#include "blotquant/quantify.h"
#include "blotquant/samples.h"
#include "blotquant/table.h"
#include "fuzz.h"

#define QUANT_MAX_PIXELS (4u << 20)
#define OVERLAY_MAX_PIXELS (512 * 512)

static const char sheet_csv[] = "lane,dose,unit\n1,0,nM\n2,0.1,nM\n3,1,nM\n4,10,nM\n"
                                "5,100,nM\n6,1,uM\n7,10,uM\n";

static bq_sample_sheet_t *fixed_sheet(void)
{
    static bq_sample_sheet_t *sheet;
    if (!sheet) {
        bq_csv_t *csv = NULL;
        bq_error_t err = {0};
        FUZZ_CHECK(bq_csv_read_buffer(sheet_csv, sizeof sheet_csv - 1, "sheet.csv", NULL, &csv,
                                      &err) == 0,
                   "the fixed sheet parses");
        FUZZ_CHECK(bq_samples_from_csv(csv, &sheet, &err) == 0, "the fixed sheet reads");
        bq_csv_free(csv);
    }
    return sheet;
}

static void check_result(const bq_quant_result_t *res)
{
    const bq_image_t *img = res->image;
    FUZZ_CHECK(img && img->width > 0 && img->height > 0, "the working image");
    const bq_lanes_t *ln = res->lanes;
    FUZZ_CHECK(ln != NULL, "lanes");
    FUZZ_CHECK(ln->n_lanes >= 1 && ln->n_lanes <= BQ_MAX_LANES * 2, "lane count");
    FUZZ_CHECK(ln->n_strips >= 1, "strips");
    for (int s = 0; s < ln->n_strips; s++) {
        const bq_strip_t *st = &ln->strips[s];
        FUZZ_CHECK(st->y_top >= 0 && st->y_top <= st->y_bottom && st->y_bottom < img->height,
                   "strip rows inside the image");
        for (int l = 0; l < st->n_lanes; l++) {
            const bq_lane_t *lane = &st->lanes[l];
            FUZZ_CHECK(isfinite(lane->x_left) && isfinite(lane->x_right) &&
                           isfinite(lane->slope) && isfinite(lane->y_ref),
                       "finite lane geometry");
            FUZZ_CHECK(lane->x_left <= lane->x_right, "lane edges ordered");
        }
    }
    const bq_band_table_t *t = res->table;
    FUZZ_CHECK(t != NULL && t->n_bands >= 0 && (t->n_bands == 0 || t->bands), "band table");
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        FUZZ_CHECK(b->lane >= 1 && b->row >= 1, "1-based lane and row");
        FUZZ_CHECK(0 <= b->x_left && b->x_left <= b->x_right && b->x_right < img->width,
                   "band box x inside the image");
        FUZZ_CHECK(0 <= b->y_top && b->y_top <= b->y_bottom && b->y_bottom < img->height,
                   "band box y inside the image");
        FUZZ_CHECK(memchr(b->protein, '\0', sizeof b->protein), "protein name terminated");
        FUZZ_CHECK(isfinite(b->volume) && isfinite(b->background) && isfinite(b->net_volume),
                   "finite volumes");
        FUZZ_CHECK(!isnan(b->max_value) && !isnan(b->y_peak), "max and peak");
        FUZZ_CHECK(b->saturated_pixels >= 0, "saturated pixel count");
    }
}

static void use_result(const bq_quant_result_t *res)
{
    FILE *sink = fuzz_null_stream();
    FUZZ_CHECK(sink != NULL, "/dev/null");
    FUZZ_CHECK(bq_band_table_write_csv(sink, res->table, "fuzz.tif", 1) == 0, "bands.csv");
    FUZZ_CHECK(bq_band_table_write_json(sink, res->table, "fuzz.tif") == 0, "bands.json");

    if (res->table->n_rows >= 2 && res->table->n_bands > 0) {
        bq_norm_table_t *norm = NULL;
        bq_error_t err = {0};
        int rc = bq_normalize(res->table, "fuzz.tif", fixed_sheet(), res->table->bands[0].protein,
                              res->table->bands[res->table->n_bands - 1].protein, 1, &norm, &err);
        FUZZ_CHECK_ERR(rc, err);
        if (rc == 0)
            FUZZ_CHECK(bq_norm_table_write_csv(sink, norm, 1) == 0, "normalized.csv");
        bq_norm_table_free(norm);
    }
    if ((uint64_t)res->image->width * (uint64_t)res->image->height <= OVERLAY_MAX_PIXELS) {
        const char *out = fuzz_scratch_file("overlay.png", (const uint8_t *)"", 0);
        if (out) {
            bq_error_t err = {0};
            int rc = bq_quant_write_overlay(res, out, &err);
            FUZZ_CHECK_ERR(rc, err);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file("quant", data, size);
    if (!path)
        return 0;
    bq_quant_options_t opts;
    memset(&opts, 0, sizeof opts);
    opts.load.max_pixels = QUANT_MAX_PIXELS;
    opts.background = (bq_background)(size % 4);

    bq_quant_result_t *res = NULL;
    bq_error_t err = {0};
    int rc = bq_quant_file(path, &opts, &res, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc != 0) {
        FUZZ_CHECK(res == NULL, "no result on failure");
        return 0;
    }
    check_result(res);
    use_result(res);
    bq_quant_result_free(res);
    return 0;
}
