/* lanes.c - the lane detector: bq_lanes_detect runs the stages below in
 * order and writes their result; each stage lives in a file of its own
 * (the list is in lanes_internal.h). This file also keeps the public
 * helpers on a detected lane set.
 *
 * Everything after the first pass works on a block-averaged copy of the
 * region (at most GRID_MAX_W x GRID_MAX_H cells), so the cost is one pass
 * over the pixels plus a fixed amount of work, whatever the image size.
 *
 *  1. region: the user's ROI or the whole image; cells that are invalid, or
 *     part of a uniform margin (exactly 0 or clipped, connected to the
 *     border: a tray, a white page, the zeros outside a rotated scan) are
 *     masked, and the region shrinks to the membrane they surround;
 *  2. background: a low percentile per tile, interpolated, is subtracted so
 *     gradients do not look like lanes; the rest is compressed with a log so a
 *     faint lane counts almost as much as a saturated one;
 *  3. strips: runs of rows that hold membrane, split where a gap of masked
 *     rows crosses the region;
 *  4. tilt: per strip, the shear that makes the column profile sharpest;
 *  5. lanes: prominent peaks of the sheared column profile, spaced at least
 *     half a pitch apart; edges where the profile falls to a quarter of the
 *     lane's height above the valleys beside it;
 *  6. strips are aligned to each other and share one lane count; each lane is
 *     then refined in each strip; lanes with many regular bands are ladders. */
#include <math.h>
#include <string.h>

#include "blotquant/lanes.h"
#include "lanes_internal.h"

/* ---- the detector --------------------------------------------------- */

static void lanes_free_partial(bq_lanes_t *l)
{
    if (!l)
        return;
    if (l->strips)
        for (int s = 0; s < l->n_strips; s++)
            free(l->strips[s].lanes);
    free(l->strips);
    free(l);
}

void bq_lanes_free(bq_lanes_t *lanes)
{
    lanes_free_partial(lanes);
}

void bq_lane_extent_at(const bq_lane_t *lane, double y, double *x_left, double *x_right)
{
    double dx = lane->slope * (y - lane->y_ref);
    if (x_left)
        *x_left = lane->x_left + dx;
    if (x_right)
        *x_right = lane->x_right + dx;
}

const bq_strip_t *bq_lanes_strip_at(const bq_lanes_t *lanes, int y)
{
    if (!lanes)
        return NULL;
    for (int s = 0; s < lanes->n_strips; s++)
        if (y >= lanes->strips[s].y_top && y <= lanes->strips[s].y_bottom)
            return &lanes->strips[s];
    return NULL;
}

enum { MAX_STRIPS = LANES_MAX_STRIPS };

/* What bq_lanes_detect carries from stage to stage. */
typedef struct detect {
    int rx, ry, rw, rh;         /* the region searched, pixels */
    grid_t g;
    int bx0, by0, bx1, by1;     /* the membrane's box, cells */
    strip_work_t sw[MAX_STRIPS];
    int ns;
    double *tmp;                /* scratch: the grid's longer side + 2 */
    double *sumprof;            /* the strips' aligned profiles summed, grid.w */
    peak_t *cand_all;           /* peak candidates, grid.w + 1 */
    double *fbuf;               /* bq_lanes_add_faint_lanes' profiles, grid.w + grid.h + 4 */
    int band_row;               /* profiles along each strip's main band row only */
    peak_t lanes[BQ_MAX_LANES]; /* the lanes all strips share */
} detect_t;

static void detect_free(detect_t *d)
{
    for (int s = 0; s < d->ns; s++)
        free(d->sw[s].prof);
    free(d->tmp);
    free(d->sumprof);
    free(d->cand_all);
    free(d->fbuf);
    bq_lanes_grid_free(&d->g);
}

/* The region to search (pixels): the user's ROI clipped to the image, or
 * the whole image. */
static int detect_region(const bq_image_t *img, const bq_lane_options_t *opts, detect_t *d,
                         bq_error_t *err)
{
    int rx = 0, ry = 0, rw = img->width, rh = img->height;
    if (opts && opts->roi.w > 0 && opts->roi.h > 0) {
        long x0 = opts->roi.x, y0 = opts->roi.y;
        long x1 = x0 + (long)opts->roi.w, y1 = y0 + (long)opts->roi.h;
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 > img->width) x1 = img->width;
        if (y1 > img->height) y1 = img->height;
        if (x1 - x0 < 4 || y1 - y0 < 4)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "lanes: region %d,%d,%d,%d lies outside the %dx%d image",
                                opts->roi.x, opts->roi.y, opts->roi.w, opts->roi.h,
                                img->width, img->height);
        rx = (int)x0;
        ry = (int)y0;
        rw = (int)(x1 - x0);
        rh = (int)(y1 - y0);
    }
    if (rw < 4 || rh < 2)
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: image of %dx%d is too small for lanes",
                            img->width, img->height);
    d->rx = rx;
    d->ry = ry;
    d->rw = rw;
    d->rh = rh;
    return 0;
}

/* Stages 1 to 3: the grid and its membrane, trays and gaps, the flattened
 * signal, the strips. On an error nothing is left allocated. */
static int detect_membrane(const bq_image_t *img, detect_t *d, bq_error_t *err)
{
    grid_t *g = &d->g;
    int rc = bq_lanes_grid_membrane(img, d->rx, d->ry, d->rw, d->rh, g, &d->bx0, &d->by0, &d->bx1,
                                    &d->by1);
    if (rc)
        return bq_error_set(err, rc, "lanes: out of memory");
    if (d->bx1 - d->bx0 < 3 || d->by1 < d->by0) {
        bq_lanes_grid_free(g);
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no membrane found (no valid pixels)");
    }
    gapline_t gaps[MAX_STRIPS - 1];
    int n_gaps = 0;
    rc = bq_lanes_grid_tray(g, &d->bx0, &d->by0, &d->bx1, &d->by1, gaps, MAX_STRIPS - 1, &n_gaps);
    if (rc) {
        bq_lanes_grid_free(g);
        return bq_error_set(err, rc, "lanes: out of memory");
    }
    rc = bq_lanes_grid_flatten(g, d->bx0, d->by0, d->bx1, d->by1);
    if (rc) {
        bq_lanes_grid_free(g);
        return bq_error_set(err, rc, "lanes: out of memory");
    }

    memset(d->sw, 0, sizeof d->sw);
    d->ns = bq_lanes_find_strips(g, d->bx0, d->by0, d->bx1, d->by1, gaps, n_gaps, d->sw,
                                 MAX_STRIPS);
    if (d->ns == 0) {
        bq_lanes_grid_free(g);
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no membrane found (no rows of valid pixels)");
    }
    return 0;
}

/* Stage 4 in every strip: its tilt, its column profile (smoothed) and the
 * noise of the profile before smoothing. */
static int detect_profiles(detect_t *d, bq_error_t *err)
{
    const grid_t *g = &d->g;
    for (int s = 0; s < d->ns; s++) {
        strip_work_t *sw = &d->sw[s];
        sw->prof = bq_calloc_array((size_t)g->w, sizeof *sw->prof);
        if (!sw->prof)
            return bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        int rc = d->band_row ? bq_lanes_strip_row_profile(g, d->bx0, d->bx1, sw)
                             : bq_lanes_strip_profile(g, d->bx0, d->bx1, sw);
        if (rc)
            return bq_error_set(err, rc, "lanes: out of memory");
        sw->noise = bq_lanes_profile_noise(sw->prof, d->bx0, d->bx1, d->tmp);
        bq_lanes_smooth3(sw->prof, d->tmp, g->w, 1);
    }
    return 0;
}

/* Align every strip to the strongest (its shift) and sum the aligned
 * profiles into d->sumprof. Returns the strongest strip. */
static int detect_align(detect_t *d)
{
    int bx0 = d->bx0, bx1 = d->bx1, ns = d->ns;
    strip_work_t *sw = d->sw;
    /* strips without any structure (a blank piece of membrane) are dropped */
    int strong = 0;
    double best_var = -1.0;
    for (int s = 0; s < ns; s++) {
        double v = bq_lanes_profile_sharpness(sw[s].prof + bx0, bx1 - bx0 + 1);
        if (v > best_var) {
            best_var = v;
            strong = s;
        }
    }
    /* align every strip to the strongest, then detect on the sum */
    /* strips are laid down by hand a little apart, never by half a lane:
     * limit the shift by the pitch of the strongest strip's own lanes */
    int maxs = (bx1 - bx0 + 1) / 10;
    if (ns > 1) {
        int nc0 = bq_lanes_find_peaks(sw[strong].prof, bx0, bx1, d->cand_all, d->g.w + 1);
        int nl0 = bq_lanes_choose_lanes(sw[strong].prof, bx0, bx1, sw[strong].noise, d->cand_all,
                                        nc0, 0, d->lanes, d->tmp);
        if (nl0 >= 2) {
            double pitch0 = (d->lanes[nl0 - 1].pos - d->lanes[0].pos) / (nl0 - 1);
            if (0.4 * pitch0 < maxs)
                maxs = (int)(0.4 * pitch0);
        }
    }
    for (int s = 0; s < ns; s++) {
        sw[s].shift = s == strong ? 0.0
                                  : bq_lanes_align_shift(sw[strong].prof, sw[s].prof, bx0, bx1,
                                                         maxs);
        for (int x = bx0; x <= bx1; x++)
            d->sumprof[x] += bq_lanes_interp(sw[s].prof, d->g.w, x + sw[s].shift);
    }
    return strong;
}

/* Stage 5 on the summed profile: the lanes all strips share into d->lanes,
 * want of them or automatic. Automatic lanes are then checked against the
 * comb (5b, 5c; 5d refits it when touching lanes were merged). Returns
 * the count. */
static int detect_shared_lanes(detect_t *d, int strong, int want)
{
    int bx0 = d->bx0, bx1 = d->bx1, ns = d->ns;
    const grid_t *g = &d->g;
    double *sumprof = d->sumprof, *tmp = d->tmp;
    peak_t *lanes = d->lanes;
    /* noise of the sum: the strips' (unsmoothed) noise added in quadrature */
    double noise = 0.0;
    for (int s = 0; s < ns; s++)
        noise += d->sw[s].noise * d->sw[s].noise;
    noise = sqrt(noise);
    int nc = bq_lanes_find_peaks(sumprof, bx0, bx1, d->cand_all, g->w + 1);
    int nl = bq_lanes_choose_lanes(sumprof, bx0, bx1, noise, d->cand_all, nc, want, lanes, tmp);
    if (d->band_row && want <= 0)
        nl = bq_lanes_trim_bandless_ends(g, d->sw, ns, lanes, nl, d->fbuf);
    if (want <= 0 && nl >= 3) {
        peak_t alt[BQ_MAX_LANES];
        int nf = bq_lanes_add_faint_lanes(g, &d->sw[strong], bx0, bx1, lanes, nl, tmp, d->fbuf,
                                          d->fbuf + g->h + 2, d->cand_all, g->w + 1, alt);
        if (nf != nl) {
            nl = nf;
            bq_lanes_lane_edges(sumprof, bx0, bx1, lanes, nl);
        }
        nl = bq_lanes_split_merged_lanes(sumprof, lanes, nl, tmp);
        int before = nl;
        nl = bq_lanes_fill_comb_gaps(d->sw, ns, bx0, bx1, lanes, nl, tmp);
        if (nl != before)
            bq_lanes_lane_edges(sumprof, bx0, bx1, lanes, nl);
        before = nl;
        nl = bq_lanes_extend_comb_ends(g, d->sw, ns, sumprof, bx0, bx1, lanes, nl, d->fbuf, tmp);
        if (nl != before)
            bq_lanes_lane_edges(sumprof, bx0, bx1, lanes, nl);
        nl = bq_lanes_comb_cleanup(sumprof, bx0, bx1, lanes, nl, tmp);
        if (d->band_row)
            nl = bq_lanes_trim_bandless_ends(g, d->sw, ns, lanes, nl, d->fbuf);
        if (!bq_lanes_comb_regular(lanes, nl, tmp)) {
            peak_t fit[BQ_MAX_LANES];
            int nfit = bq_lanes_fit_comb(sumprof, g->w, bx0, bx1, noise, d->cand_all, nc, lanes,
                                         nl, fit);
            if (nfit >= 3) {
                memcpy(lanes, fit, (size_t)nfit * sizeof *lanes);
                nl = nfit;
                bq_lanes_lane_edges(sumprof, bx0, bx1, lanes, nl);
            }
        }
        /* every step above may add teeth at the ends */
        if (d->band_row)
            nl = bq_lanes_trim_bandless_ends(g, d->sw, ns, lanes, nl, d->fbuf);
    }
    return nl;
}

/* A result of d->ns strips (their lanes not yet set) for nl lanes, its
 * region the membrane's box in pixels, within the region searched. NULL
 * when out of memory. */
static bq_lanes_t *result_new(const detect_t *d, int nl)
{
    const grid_t *g = &d->g;
    bq_lanes_t *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->strips = bq_calloc_array((size_t)d->ns, sizeof *res->strips);
    if (!res->strips) {
        lanes_free_partial(res);
        return NULL;
    }
    res->n_strips = d->ns;
    res->n_lanes = nl;
    res->roi.x = g->x0 + d->bx0 * g->fx;
    res->roi.y = g->y0 + d->by0 * g->fy;
    res->roi.w = (d->bx1 + 1) * g->fx;
    res->roi.h = (d->by1 + 1) * g->fy;
    if (res->roi.w > d->rw) res->roi.w = d->rw;
    if (res->roi.h > d->rh) res->roi.h = d->rh;
    res->roi.w -= d->bx0 * g->fx;
    res->roi.h -= d->by0 * g->fy;
    return res;
}

/* Strip s of the result, st: its rows, and its nl lanes placed on its own
 * profile, in pixels. Each lane's bands in this strip are added to counts;
 * rowp holds the grid's height + 2. 0 or BQ_ERR_NOMEM. */
static int write_strip(const detect_t *d, int s, int nl, bq_strip_t *st, int *counts,
                       double *rowp)
{
    const grid_t *g = &d->g;
    const strip_work_t *sw = &d->sw[s];
    st->y_top = (int)lround(sw->top);
    st->y_bottom = (int)lround(sw->bottom);
    if (st->y_bottom < st->y_top) {
        /* the margins kept off the gap lines above and below can cross
         * on a thin strip: keep the strip's own cell rows instead */
        st->y_top = g->y0 + sw->gy0 * g->fy;
        st->y_bottom = g->y0 + (sw->gy1 + 1) * g->fy - 1;
    }
    if (st->y_top < d->ry)
        st->y_top = d->ry;
    if (st->y_bottom > d->ry + d->rh - 1)
        st->y_bottom = d->ry + d->rh - 1;
    st->n_lanes = nl;
    st->lanes = bq_calloc_array((size_t)nl, sizeof *st->lanes);
    if (!st->lanes)
        return BQ_ERR_NOMEM;
    peak_t sl[BQ_MAX_LANES];
    bq_lanes_strip_lanes(sw, d->ns, d->bx0, d->bx1, d->lanes, nl, d->tmp, sl);
    for (int i = 0; i < nl; i++) {
        bq_lane_t *ln = &st->lanes[i];
        ln->index = i + 1;
        ln->y_ref = g->y0 + (sw->yref + 0.5) * g->fy - 0.5;
        ln->slope = sw->slope * g->fx / g->fy;
        ln->x_left = g->x0 + (sl[i].left + 0.5) * g->fx - 0.5;
        ln->x_right = g->x0 + (sl[i].right + 0.5) * g->fx - 0.5;
        ln->is_empty = sl[i].empty;
        counts[i] += bq_lanes_lane_band_count(g, sw, &sl[i], rowp, d->tmp);
    }
    return 0;
}

/* ladders: many more bands than the typical lane */
static void mark_ladders(bq_lanes_t *res, const int *counts, int nl, int ns)
{
    int ladder[BQ_MAX_LANES];
    bq_lanes_ladder_flags(counts, nl, ns, ladder);
    for (int i = 0; i < nl; i++)
        for (int s = 0; s < ns; s++)
            res->strips[s].lanes[i].is_ladder = ladder[i];
}

/* The stages on img, profiles summed down whole strips or (band_row)
 * along each strip's main band row. */
static int detect_lanes(const bq_image_t *img, const bq_lane_options_t *opts, int band_row,
                        bq_lanes_t **out, bq_error_t *err)
{
    if (out)
        *out = NULL;
    if (!img || !img->data || !out || img->width <= 0 || img->height <= 0)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no image");
    int want = opts ? opts->n_lanes : 0;
    if (want < 0 || want > BQ_MAX_LANES)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: lane count %d is outside 1..%d",
                            want, BQ_MAX_LANES);
    detect_t d;
    memset(&d, 0, sizeof d);
    d.band_row = band_row;
    int rc = detect_region(img, opts, &d, err);
    if (rc)
        return rc;
    rc = detect_membrane(img, &d, err);
    if (rc)
        return rc;

    const grid_t *g = &d.g;
    bq_lanes_t *res = NULL;
    int *counts = NULL;
    double *rowp = NULL;
    d.tmp = bq_alloc_array((size_t)(g->w > g->h ? g->w : g->h) + 2, sizeof *d.tmp);
    d.sumprof = bq_calloc_array((size_t)g->w, sizeof *d.sumprof);
    d.cand_all = bq_alloc_array((size_t)g->w + 1, sizeof *d.cand_all);
    d.fbuf = bq_alloc_array((size_t)g->w + (size_t)g->h + 4, sizeof *d.fbuf);
    if (!d.tmp || !d.sumprof || !d.cand_all || !d.fbuf) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    rc = detect_profiles(&d, err);
    if (rc)
        goto done;
    int strong = detect_align(&d);
    int nl = detect_shared_lanes(&d, strong, want);
    if (nl == 0) {
        rc = bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no lanes found (no band signal stands out of the background)");
        goto done;
    }

    res = result_new(&d, nl);
    if (!res) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    counts = bq_calloc_array((size_t)nl, sizeof *counts);
    rowp = bq_alloc_array((size_t)g->h + 2, sizeof *rowp);
    if (!counts || !rowp) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    for (int s = 0; s < d.ns; s++) {
        if (write_strip(&d, s, nl, &res->strips[s], counts, rowp)) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
            goto done;
        }
    }
    if (want <= 0) {
        int placed[BQ_MAX_LANES];
        for (int i = 0; i < nl; i++)
            placed[i] = d.lanes[i].faint == COMB_TOOTH;
        int k = bq_lanes_drop_label_lanes(img, res, counts, placed);
        if (k >= 0)
            k = bq_lanes_drop_framed_out(img, res, counts);
        if (k >= 0)
            k = bq_lanes_drop_empty_ends(res, counts);
        if (k < 0) {
            rc = bq_error_set(err, k, "lanes: out of memory");
            goto done;
        }
        nl = k;
    }
    mark_ladders(res, counts, nl, d.ns);
    bq_lanes_score(res);
    rc = 0;
    *out = res;
    res = NULL;

done:
    free(counts);
    free(rowp);
    detect_free(&d);
    lanes_free_partial(res);
    return rc;
}

/* How much more regular the lanes along the band row must be to replace
 * the lanes of the whole strips: a clear margin, so a blot whose lanes are
 * only a little irregular keeps the lanes all its rows agree on. */
#define BAND_ROW_MARGIN 0.2

int bq_lanes_detect(const bq_image_t *img, const bq_lane_options_t *opts,
                    bq_lanes_t **out, bq_error_t *err)
{
    int rc = detect_lanes(img, opts, 0, out, err);
    if (rc != 0 || !(*out)->uncertain)
        return rc;
    /* Lanes that make no regular comb: ask the band rows alone (see
     * lanes_bandrow.c), and keep their lanes when they are a regular comb
     * where the first were not. */
    bq_lanes_t *alt = NULL;
    bq_error_t quiet = {0};
    rc = detect_lanes(img, opts, 1, &alt, &quiet);
    if (rc == BQ_ERR_NOMEM) {
        bq_lanes_free(*out);
        *out = NULL;
        return bq_error_set(err, rc, "lanes: out of memory");
    }
    if (rc == 0 && !alt->uncertain && alt->confidence >= (*out)->confidence + BAND_ROW_MARGIN) {
        bq_lanes_free(*out);
        *out = alt;
        alt = NULL;
    }
    bq_lanes_free(alt);
    return 0;
}
