/* quantify.c - integration of band boxes and the one-call quant pipeline.
 *
 * Volume is the plain sum of the box's valid pixels in linear signal; what
 * differs between methods is only the background under the box (see
 * background.c). The pipeline runs load -> polarity -> lanes -> bands ->
 * integration, one direction, and keeps every intermediate in the result so
 * the caller can write tables and the QC overlay from it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/quantify.h"
#include "blotquant/membrane.h"
#include "internal.h"

/* Rows on each side of a box that the AUTO baseline averages. */
#define AUTO_FLANK 6
#define AUTO_STEP 1

static int is_integer_image(const bq_image_t *img)
{
    return !img->is_float && img->bits_per_sample != 32;
}

/* Signal lost to clipping in a saturated box, estimated from the pixels
 * that did not clip. A band is close to separable: flat across the lane
 * (soft at its edges), one profile down the lane, s(x, y) = h(x) g(y). The
 * unclipped pixels, above all the soft edges that stay below full scale in
 * every row, fix h and g by alternating least squares; the clipped pixels
 * then get h g wherever that is above what was recorded. Returns the summed
 * excess (>= 0), 0 when the fit has too little to stand on. */
static double clipped_excess(const bq_image_t *img, int x0, int x1, int y0, int y1, double base)
{
    int pw = x1 - x0 + 1, ph = y1 - y0 + 1;
    size_t n = (size_t)pw * (size_t)ph;
    double *h = calloc((size_t)pw, sizeof *h), *g = calloc((size_t)ph, sizeof *g);
    float *sig = bq_alloc_array(n, sizeof *sig); /* signal above base; */
    unsigned char *use = bq_alloc_array(n, 1);   /* 1 = unclipped, 2 = clipped */
    double extra = 0;
    if (!h || !g || !sig || !use)
        goto done;
    for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++) {
            size_t gi = (size_t)(y0 + y) * (size_t)img->width + (size_t)(x0 + x);
            size_t i = (size_t)y * (size_t)pw + (size_t)x;
            double v = img->data[gi];
            sig[i] = (float)(v - base);
            use[i] = (img->valid && !img->valid[gi]) ? 0 : (v < img->clip_level ? 1 : 2);
        }
    /* start: g = the row's largest unclipped signal, h = 1 */
    for (int x = 0; x < pw; x++)
        h[x] = 1;
    for (int y = 0; y < ph; y++) {
        double m = 0;
        for (int x = 0; x < pw; x++) {
            size_t i = (size_t)y * (size_t)pw + (size_t)x;
            if (use[i] == 1 && sig[i] > m)
                m = sig[i];
        }
        g[y] = m;
    }
    for (int it = 0; it < 12; it++) {
        for (int x = 0; x < pw; x++) {
            double num = 0, den = 0;
            for (int y = 0; y < ph; y++) {
                size_t i = (size_t)y * (size_t)pw + (size_t)x;
                if (use[i] == 1) {
                    num += sig[i] * g[y];
                    den += g[y] * g[y];
                }
            }
            if (den > 0)
                h[x] = num / den;
        }
        /* scale: the widest column is 1, so g is the band's peak profile */
        double hm = 0;
        for (int x = 0; x < pw; x++)
            if (h[x] > hm)
                hm = h[x];
        if (!(hm > 0))
            goto done;
        for (int x = 0; x < pw; x++)
            h[x] /= hm;
        for (int y = 0; y < ph; y++) {
            double num = 0, den = 0;
            const float *srow = sig + (size_t)y * (size_t)pw;
            const unsigned char *urow = use + (size_t)y * (size_t)pw;
            for (int x = 0; x < pw; x++)
                if (urow[x] == 1) {
                    num += srow[x] * h[x];
                    den += h[x] * h[x];
                }
            /* a row needs unclipped pixels of real weight to say anything */
            if (den > 0.05)
                g[y] = num / den;
        }
    }
    for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++) {
            size_t i = (size_t)y * (size_t)pw + (size_t)x;
            if (use[i] != 2)
                continue;
            double pred = h[x] * g[y];
            if (pred > sig[i])
                extra += pred - sig[i];
        }
done:
    free(h);
    free(g);
    free(sig);
    free(use);
    return extra;
}

/* The rows the AUTO flanks of each band may use: up to the neighbouring
 * boxes of the same lane in the same strip, never into another band. Per
 * lane, the nearest box above is the last of those ending above the band
 * (boxes sorted by y_bottom), the nearest below the first of those starting
 * below it (sorted by y_top): O(n log n). Scanning every band for every
 * band was quadratic (28,000 bands down a 64 x 65,000 picture: 20 s). */
typedef struct flank_key {
    int lane, y, idx;
} flank_key_t;

static int flank_key_cmp(const void *a, const void *b)
{
    const flank_key_t *p = a, *q = b;
    if (p->lane != q->lane)
        return p->lane < q->lane ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->idx > q->idx) - (p->idx < q->idx);
}

static int flank_limits_all(const bq_image_t *img, const bq_lanes_t *lanes,
                            const bq_band_table_t *t, int *lo, int *hi)
{
    size_t n = (size_t)t->n_bands;
    flank_key_t *bot = bq_alloc_array(n, sizeof *bot), *top = bq_alloc_array(n, sizeof *top);
    if (!bot || !top) {
        free(bot);
        free(top);
        return BQ_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const bq_band_t *b = &t->bands[i];
        bot[i] = (flank_key_t){b->lane, b->y_bottom, (int)i};
        top[i] = (flank_key_t){b->lane, b->y_top, (int)i};
    }
    if (n > 1) {
        qsort(bot, n, sizeof *bot, flank_key_cmp);
        qsort(top, n, sizeof *top, flank_key_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        const bq_band_t *b = &t->bands[i];
        lo[i] = 0;
        hi[i] = img->height - 1;
        const bq_strip_t *st = lanes ? bq_lanes_strip_at(lanes, (int)lround(b->y_peak)) : NULL;
        if (st) {
            lo[i] = st->y_top;
            hi[i] = st->y_bottom;
        }
        /* last box of the lane with y_bottom < b's y_top (not b itself) */
        size_t a = 0, z = n;
        while (a < z) {
            size_t m = a + (z - a) / 2;
            if (bot[m].lane < b->lane || (bot[m].lane == b->lane && bot[m].y < b->y_top))
                a = m + 1;
            else
                z = m;
        }
        for (size_t k = a; k-- > 0 && bot[k].lane == b->lane;)
            if (bot[k].idx != (int)i) {
                if (bot[k].y + 1 > lo[i])
                    lo[i] = bot[k].y + 1;
                break;
            }
        /* first box of the lane with y_top > b's y_bottom (not b itself) */
        a = 0;
        z = n;
        while (a < z) {
            size_t m = a + (z - a) / 2;
            if (top[m].lane < b->lane || (top[m].lane == b->lane && top[m].y <= b->y_bottom))
                a = m + 1;
            else
                z = m;
        }
        for (size_t k = a; k < n && top[k].lane == b->lane; k++)
            if (top[k].idx != (int)i) {
                if (top[k].y - 1 < hi[i])
                    hi[i] = top[k].y - 1;
                break;
            }
    }
    free(bot);
    free(top);
    return 0;
}

int bq_quantify(const bq_image_t *img, const bq_lanes_t *lanes,
                bq_background method, bq_band_table_t *table, bq_error_t *err)
{
    if (!img || !img->data || !table)
        return bq_error_set(err, BQ_ERR_INVALID, "quantify: no image or no band table");
    float *rb = NULL;
    if (method == BQ_BG_ROLLING_BALL) {
        int rc = bq_background_rolling_ball(img, BQ_ROLLING_BALL_RADIUS, 1, &rb, err);
        if (rc != 0)
            return rc;
    }
    int *flank_lo = NULL, *flank_hi = NULL;
    if (method == BQ_BG_AUTO && table->n_bands > 0) {
        flank_lo = bq_alloc_array((size_t)table->n_bands, sizeof *flank_lo);
        flank_hi = bq_alloc_array((size_t)table->n_bands, sizeof *flank_hi);
        if (!flank_lo || !flank_hi ||
            flank_limits_all(img, lanes, table, flank_lo, flank_hi) != 0) {
            free(flank_lo);
            free(flank_hi);
            free(rb);
            return bq_error_set(err, BQ_ERR_NOMEM, "quantify: out of memory");
        }
    }
    int w = img->width, clamp = is_integer_image(img);
    for (int k = 0; k < table->n_bands; k++) {
        bq_band_t *b = &table->bands[k];
        int x0 = (int)bq_clamp(b->x_left, 0, w - 1), x1 = (int)bq_clamp(b->x_right, 0, w - 1);
        int y0 = (int)bq_clamp(b->y_top, 0, img->height - 1);
        int y1 = (int)bq_clamp(b->y_bottom, 0, img->height - 1);
        double vol = 0, rbnet = 0, mx = -INFINITY;
        long sat = 0, area = 0;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                size_t i = (size_t)y * (size_t)w + (size_t)x;
                if (img->valid && !img->valid[i])
                    continue;
                double v = img->data[i];
                vol += v;
                area++;
                if (v > mx)
                    mx = v;
                if (v >= img->clip_level)
                    sat++;
                if (rb) {
                    double d = v - rb[i];
                    if (clamp) /* ImageJ stores the result back in 8/16 bits */
                        d = d < 0 ? 0 : floor(d + 0.5);
                    rbnet += d;
                }
            }
        double bg = 0;
        switch (method) {
        case BQ_BG_AUTO: {
            int lo = flank_lo[k], hi = flank_hi[k];
            if (area > 0 && bq_background_profile(img, x0, x1, y0, y1, lo, hi, AUTO_FLANK,
                                                      AUTO_STEP ? b->y_peak : NAN, &bg) != 0)
                bg = 0;
            break;
        }
        case BQ_BG_ROLLING_BALL:
            bg = vol - rbnet;
            break;
        case BQ_BG_BORDER_MEDIAN: {
            double level;
            if (area > 0 && bq_background_border_median(img, x0, x1, y0, y1, 3, &level) == 0)
                bg = level * (double)area;
            break;
        }
        case BQ_BG_NONE:
            break;
        }
        if (method == BQ_BG_AUTO && sat > 0 && area > 0)
            vol += clipped_excess(img, x0, x1, y0, y1, bg / (double)area);
        b->volume = vol;
        b->background = bg;
        b->net_volume = vol - bg;
        b->max_value = area > 0 ? mx : 0;
        b->saturated_pixels = sat;
        if (sat > 0)
            b->flags |= BQ_BAND_SATURATED;
        else
            b->flags &= ~(unsigned)BQ_BAND_SATURATED;
    }
    free(rb);
    free(flank_lo);
    free(flank_hi);
    return 0;
}

/* ---- pipeline ------------------------------------------------------- */

void bq_quant_result_free(bq_quant_result_t *res)
{
    if (!res)
        return;
    bq_image_free(res->image);
    bq_lanes_free(res->lanes);
    bq_band_table_free(res->table);
    free(res);
}

/* The detectors' pixel constants hold for lanes this wide and wider;
 * narrower lanes (a figure crop, a thumbnail) are found on a copy at twice
 * the resolution. */
#define SMALL_LANE_PX 16.0

/* The median lane width in pixels (every strip has the same lanes: the
 * first strip's). */
static double typical_lane_width(const bq_lanes_t *lanes)
{
    double w[BQ_MAX_LANES];
    int n = 0;
    const bq_strip_t *st = lanes->n_strips > 0 ? &lanes->strips[0] : NULL;
    for (int i = 0; st && i < st->n_lanes && n < BQ_MAX_LANES; i++)
        w[n++] = st->lanes[i].x_right - st->lanes[i].x_left;
    return n ? bq_select_nth(w, (size_t)n, (size_t)(n / 2)) : 0.0;
}

/* Lanes and bands again on img at twice its resolution, mapped back, in
 * place of res's; res keeps its own when that finds nothing. */
static int detect_at_double(const bq_image_t *img, const bq_quant_options_t *opts,
                            bq_quant_result_t *res, bq_error_t *err)
{
    bq_image_t *up = bq_image_upsample2(img);
    if (!up)
        return 0; /* too large to double: the picture's own result stands */
    bq_lane_options_t lo = opts->lanes;
    lo.roi.x *= 2;
    lo.roi.y *= 2;
    lo.roi.w *= 2;
    lo.roi.h *= 2;
    bq_lanes_t *lanes = NULL;
    bq_band_table_t *table = NULL;
    bq_error_t quiet = {0};
    int rc = bq_lanes_detect(up, &lo, &lanes, &quiet);
    if (rc == 0)
        rc = bq_bands_detect(up, lanes, &opts->bands, &table, &quiet);
    bq_image_free(up);
    if (rc == BQ_ERR_NOMEM) {
        bq_lanes_free(lanes);
        return bq_error_set(err, rc, "quant: out of memory");
    }
    if (rc != 0) {
        bq_lanes_free(lanes);
        return 0;
    }
    bq_lanes_halve(lanes);
    bq_band_table_halve(table);
    bq_lanes_free(res->lanes);
    bq_band_table_free(res->table);
    res->lanes = lanes;
    res->table = table;
    return 0;
}

/* Band rows along res's lanes, on a copy at twice the resolution where
 * lanes are narrow (see detect_at_double). */
static int find_bands(const bq_image_t *img, const bq_quant_options_t *o,
                      bq_quant_result_t *res, bq_error_t *err)
{
    int rc = bq_bands_detect(img, res->lanes, &o->bands, &res->table, err);
    if (rc == 0 && !o->manual_lanes && typical_lane_width(res->lanes) < SMALL_LANE_PX)
        rc = detect_at_double(img, o, res, err);
    return rc;
}

/* Keep only the good calibrations of mw; say in note which were left out. */
static void keep_good(bq_mw_result_t *mw, char *note, size_t size)
{
    int k = 0, dropped = 0;
    size_t used = strlen(note); /* after what calibration already said */
    for (int i = 0; i < mw->n; i++) {
        const bq_mw_calib_t *c = &mw->calib[i];
        if (bq_mw_calib_good(c)) {
            mw->lane[k] = mw->lane[i];
            mw->x[k] = mw->x[i];
            mw->calib[k++] = *c;
            continue;
        }
        int n = snprintf(note + used, size - used,
                         "%sladder lane %d does not match %s well (%d markers, residual %.3f "
                         "log10 kDa, good is %d and %.3f)",
                         used ? "; " : "", mw->lane[i], c->ladder, c->n, c->residual,
                         BQ_MW_MIN_MATCHED, BQ_MW_GOOD_RESIDUAL);
        used = n > 0 && (size_t)n < size - used ? used + (size_t)n : size - 1;
        dropped++;
        mw->n_failed++;
    }
    mw->n = k;
    if (dropped && used + 24 < size)
        snprintf(note + used, size - used, ": not used for sizes");
}

/* Sizes from the ladder lanes, and the rows named by size when asked
 * (else detected again and named by order, as without sizes). */
static int size_bands(const bq_image_t *img, const bq_quant_options_t *opts,
                      bq_quant_result_t *res, bq_error_t *err)
{
    bq_mw_result_t *mw = &res->mw;
    int rc = bq_mw_calibrate_lanes(img, res->lanes, opts->ladder, mw, err);
    if (rc != 0)
        return rc;
    if (mw->n_failed > 0)
        snprintf(res->mw_note, sizeof res->mw_note,
                 "%d ladder lane%s match%s no 3 markers of %s: not used for sizes",
                 mw->n_failed, mw->n_failed == 1 ? "" : "s", mw->n_failed == 1 ? "es" : "",
                 opts->ladder->name);
    if (opts->ladder_auto)
        keep_good(mw, res->mw_note, sizeof res->mw_note);
    if (mw->n == 0 && !res->mw_note[0])
        snprintf(res->mw_note, sizeof res->mw_note, "no ladder lane found: no sizes");
    bq_mw_apply(mw, res->lanes, res->table);
    if (!opts->row_kda)
        return 0;
    bq_error_t why = {0};
    if (mw->n > 0 && bq_mw_name_rows(res->table, opts->bands.row_names, opts->row_kda,
                                     opts->bands.n_row_names, BQ_MW_NAME_TOLERANCE, &why) == 0) {
        res->rows_by_size = 1;
        return 0;
    }
    if (mw->n > 0)
        snprintf(res->mw_note, sizeof res->mw_note, "%s", why.msg);
    bq_band_table_free(res->table);
    res->table = NULL;
    rc = find_bands(img, opts, res, err);
    if (rc == 0)
        bq_mw_apply(mw, res->lanes, res->table);
    return rc;
}

int bq_quant_image(bq_image_t *img, const bq_quant_options_t *opts,
                   bq_quant_result_t **out, bq_error_t *err)
{
    if (!out) {
        bq_image_free(img);
        return bq_error_set(err, BQ_ERR_INVALID, "quant: no output");
    }
    *out = NULL;
    if (!img) {
        return bq_error_set(err, BQ_ERR_INVALID, "quant: no image");
    }
    if (opts && opts->row_channel && opts->bands.n_row_names > 0) {
        bq_image_free(img);
        return bq_error_set(err, BQ_ERR_INVALID,
                            "quant: rows by colour channel need the file (bq_quant_file)");
    }
    bq_quant_options_t def;
    if (!opts) {
        memset(&def, 0, sizeof def);
        opts = &def;
    }
    bq_quant_result_t *res = calloc(1, sizeof *res);
    if (!res) {
        bq_image_free(img);
        return bq_error_set(err, BQ_ERR_NOMEM, "quant: out of memory");
    }
    res->image = img;
    /* rows named by size: find every row, name them once sized */
    bq_quant_options_t o = *opts;
    if (o.row_kda && o.ladder) {
        o.bands.row_names = NULL;
        o.bands.n_row_names = 0;
    }
    int invert = 0;
    switch (opts->polarity) {
    case BQ_POLARITY_AUTO:
        invert = bq_image_detect_polarity(img) == 1;
        res->polarity_auto = 1;
        break;
    case BQ_POLARITY_INVERT:
        invert = 1;
        break;
    case BQ_POLARITY_KEEP:
        break;
    }
    if (invert && !img->inverted)
        bq_image_invert(img);
    res->inverted = img->inverted;

    int rc = bq_membrane_mask(img, NULL);
    if (rc != 0)
        rc = bq_error_set(err, rc, "quant: out of memory");
    else if (opts->manual_lanes)
        rc = bq_lanes_manual_apply(opts->manual_lanes, img, &opts->lanes.roi, &res->lanes, err);
    else
        rc = bq_lanes_detect(img, &opts->lanes, &res->lanes, err);
    if (rc == 0 && (rc = find_bands(img, &o, res, err)) == BQ_ERR_NOT_FOUND &&
        res->lanes->uncertain)
        rc = bq_error_set(err, rc,
                          "no bands found along the %d lanes detected, which are uncertain "
                          "(confidence %.2f): give the lanes (count or centres)",
                          res->lanes->n_lanes, res->lanes->confidence);
    if (rc == 0 && opts->ladder)
        rc = size_bands(img, opts, res, err);
    if (rc == 0)
        rc = bq_quantify(img, res->lanes, opts->background, res->table, err);
    if (rc != 0) {
        bq_quant_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

int bq_quant_file(const char *path, const bq_quant_options_t *opts,
                  bq_quant_result_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "quant: no output");
    *out = NULL;
    if (opts && opts->row_channel && opts->bands.n_row_names > 0)
        return bq_quant_file_by_channel(path, opts, out, err);
    bq_image_t *img = NULL;
    int rc = bq_image_load(path, opts ? &opts->load : NULL, &img, err);
    if (rc != 0)
        return rc;
    rc = bq_quant_image(img, opts, out, err);
    if (rc != 0 && err && path && strstr(err->msg, path) == NULL) {
        /* say which file the later stages failed on */
        char msg[BQ_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        bq_error_set(err, rc, "%s: %s", path, msg);
    }
    return rc;
}
