/* membrane.c - where the membrane is in a picture that also shows page.
 *
 * Figure crops, annotated exports and photographed films put the membrane on
 * a page (white paper, a black surround) that also carries printed labels,
 * kDa numbers, arrows and handwriting. None of that is membrane, and lanes
 * or band rows found on it are wrong. The page shows at the picture's
 * border; the membrane is what stands off the page as a large solid block
 * (a strip, framed or not, spans a good part of the width), while labels are
 * small islands of ink on the page. Every membrane block keeps its bounding
 * rectangle, blank membrane inside it included; the rest of the picture
 * becomes invalid, so later stages see neither the labels nor the page, and
 * the page between stacked strips separates them.
 *
 * The page is the level most of the picture's border holds, a plane when
 * light falls off across a photo (membrane_page.c). A page at an end of
 * the range (white paper, a black surround) is taken as it is; one off the
 * ends, or shaded, is also what a membrane filling the picture shows at
 * its border, and counts only when a block stands on it with a background
 * of its own. Nothing is masked as page unless some block qualifies (a
 * scan with membrane to its edges has no page). Frame lines and page gaps
 * are looked for in any case. */
#include <math.h>
#include <string.h>

#include "blotquant/membrane.h"
#include "membrane_internal.h"

#define GRID_MAX 800        /* cells along the longer side */
#define BLOCK_MIN_W 0.25    /* a membrane block spans at least this share of the width */
#define BLOCK_MIN_H 0.03    /* ... and of the height (at least 3 cells) */
#define BLOCK_FILL 0.3      /* ... and its ink fills this share of its rectangle */
#define BLOCK_INK 0.5       /* the blocks hold at least this share of all the ink */
#define RULE_UNIFORM 0.015  /* a rule row stays within this fraction of full scale */
#define RULE_REL 0.1        /* ... or this share of its median's contrast to its surround */
#define RULE_RUN 0.6        /* ... over this share of the row's valid pixels */
#define RULE_SMOOTH 2       /* on a noisy picture, rows are read as means over this many pixels either side */
#define RULE_STANDOUT 4.0   /* and differs from its surround by this many limits */
#define RULE_SURROUND 2     /* rows beyond the run's ends that make its surround */
#define RULE_MAX_ROWS 6     /* a rule or page gap is thin: this many rows, */
#define RULE_MAX_FRAC 0.04  /* or this share of the picture's height if more */

/* Sum one band of f image rows (y0..y1-1) into per-column sums and counts
 * of the valid, finite pixels. */
static void band_columns(const bq_image_t *img, int y0, int y1, double *col, int *cnt)
{
    memset(col, 0, (size_t)img->width * sizeof *col);
    memset(cnt, 0, (size_t)img->width * sizeof *cnt);
    for (int y = y0; y < y1; y++) {
        const float *row = img->data + (size_t)y * (size_t)img->width;
        const uint8_t *vr = img->valid ? img->valid + (size_t)y * (size_t)img->width : NULL;
        for (int x = 0; x < img->width; x++)
            if ((!vr || vr[x]) && isfinite(row[x])) {
                col[x] += row[x];
                cnt[x]++;
            }
    }
}

/* Block means of the image, one band of rows at a time (no division per
 * pixel, one pass over the pixels). */
static int cells_build(const bq_image_t *img, cells_t *c)
{
    int side = img->width > img->height ? img->width : img->height;
    c->f = (side + GRID_MAX - 1) / GRID_MAX;
    c->w = (img->width + c->f - 1) / c->f;
    c->h = (img->height + c->f - 1) / c->f;
    c->v = bq_alloc_array((size_t)c->w * (size_t)c->h, sizeof *c->v);
    double *col = bq_alloc_array((size_t)img->width, sizeof *col);
    int *cnt = bq_alloc_array((size_t)img->width, sizeof *cnt);
    if (!c->v || !col || !cnt) {
        free(col);
        free(cnt);
        return BQ_ERR_NOMEM;
    }
    for (int cy = 0; cy < c->h; cy++) {
        int y0 = cy * c->f, y1 = y0 + c->f < img->height ? y0 + c->f : img->height;
        band_columns(img, y0, y1, col, cnt);
        for (int cx = 0; cx < c->w; cx++) {
            int x0 = cx * c->f, x1 = x0 + c->f < img->width ? x0 + c->f : img->width;
            double sum = 0.0;
            int k = 0;
            for (int x = x0; x < x1; x++) {
                sum += col[x];
                k += cnt[x];
            }
            c->v[(size_t)cy * (size_t)c->w + (size_t)cx] = k ? (float)(sum / k) : NAN;
        }
    }
    free(col);
    free(cnt);
    return 0;
}

/* A noisy picture (grain of a film photo, a short exposure) at a cell
 * per pixel scatters page cells beyond any tolerance that still tells
 * membrane from page: when the cells' own noise (robust, from neighbour
 * differences) spans more than PAGE_TOL of the scale in three sigmas, each
 * cell becomes the mean of its 3 x 3 neighbourhood, a third of the noise.
 * 0 or BQ_ERR_NOMEM. */
static int smooth_noisy_cells(cells_t *c, double scale)
{
    size_t n = (size_t)c->w * (size_t)c->h, m = 0;
    float *d = bq_alloc_array(n, sizeof *d);
    if (!d)
        return BQ_ERR_NOMEM;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x + 1 < c->w; x++) {
            float a = c->v[(size_t)y * (size_t)c->w + (size_t)x], b = c->v[(size_t)y * (size_t)c->w + (size_t)x + 1];
            if (!isnan(a) && !isnan(b))
                d[m++] = fabsf(b - a);
        }
    double sigma = m ? bq_step_noise_float(d, m) : 0.0;
    if (!(3.0 * sigma > PAGE_TOL * scale)) {
        free(d);
        return 0;
    }
    memcpy(d, c->v, n * sizeof *d);
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            double sum = 0.0;
            int k = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || xx < 0 || yy >= c->h || xx >= c->w)
                        continue;
                    float v = d[(size_t)yy * (size_t)c->w + (size_t)xx];
                    if (!isnan(v)) {
                        sum += v;
                        k++;
                    }
                }
            if (!isnan(d[(size_t)y * (size_t)c->w + (size_t)x]))
                c->v[(size_t)y * (size_t)c->w + (size_t)x] = (float)(sum / k);
        }
    free(d);
    return 0;
}

/* The scale the page tolerance is a share of. An 8-bit picture uses its
 * format's range (JPEG ringing on a white page is a share of that); a
 * 16-bit or float export of a faint blot (raw chemiluminescence counts)
 * may fill a few percent of its format, and a share of the format would
 * take its whole membrane for page: its scale is the range it uses, the
 * RANGE_QUANTILE of its cells (the brightest cells left out: hot pixels,
 * saturated bands), never more than the format's. (Whether the border is
 * a page at all is still judged against the format's range.) 0 or
 * BQ_ERR_NOMEM. */
#define RANGE_QUANTILE 0.99
static int page_scale(const bq_image_t *img, const cells_t *c, double *scale)
{
    *scale = img->max_value;
    if (img->bits_per_sample <= 8 && !img->is_float)
        return 0;
    size_t k = 0, n = (size_t)c->w * (size_t)c->h;
    float *buf = bq_alloc_array(n, sizeof *buf);
    if (!buf)
        return BQ_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->v[i]))
            buf[k++] = c->v[i] > 0.0f ? c->v[i] : 0.0f;
    double q = k ? bq_select_nth_float(buf, k, (size_t)(RANGE_QUANTILE * (double)(k - 1))) : 0.0;
    free(buf);
    if (q > 0.0 && q < img->max_value)
        *scale = q;
    return 0;
}

typedef struct block {
    int x0, y0, x1, y1, area;
} block_t;

/* Flood the ink component holding cell `seed` (8-connected), marking it in
 * lab; returns its bounding block. stack holds w*h cell indices. */
static block_t flood(const uint8_t *ink, uint8_t *lab, int w, int h, size_t seed, uint32_t *stack)
{
    block_t b = {w, h, -1, -1, 0};
    size_t top = 0;
    stack[top++] = (uint32_t)seed;
    lab[seed] = 1;
    while (top > 0) {
        size_t i = stack[--top];
        int x = (int)(i % (size_t)w), y = (int)(i / (size_t)w);
        b.x0 = x < b.x0 ? x : b.x0;
        b.x1 = x > b.x1 ? x : b.x1;
        b.y0 = y < b.y0 ? y : b.y0;
        b.y1 = y > b.y1 ? y : b.y1;
        b.area++;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int nx = x + dx, ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h)
                    continue;
                size_t j = (size_t)ny * (size_t)w + (size_t)nx;
                if (ink[j] && !lab[j]) {
                    lab[j] = 1;
                    stack[top++] = (uint32_t)j;
                }
            }
    }
    return b;
}

static int block_is_membrane(const block_t *b, const cells_t *c)
{
    int bw = b->x1 - b->x0 + 1, bh = b->y1 - b->y0 + 1;
    double min_h = BLOCK_MIN_H * c->h > 3.0 ? BLOCK_MIN_H * c->h : 3.0;
    return bw >= BLOCK_MIN_W * c->w && bh >= min_h && b->area >= BLOCK_FILL * bw * bh;
}

/* The share of a membrane block's rectangle on the page's side of its
 * level that shows the membrane's own background: lanes, bands and the
 * gaps between them fill the rest. */
#define BLOCK_BACKGROUND 0.25

/* Has block b a background of its own, off the page? A page that is no
 * white paper or black surround (a dim photo, a printout shaded across)
 * is also what a membrane filling the picture shows at its border (a
 * film's background lit unevenly), and then its "blocks" are rows of
 * bands whose gaps sit at the page's level;
 * a membrane on a page is lighter or darker than the page all over. The
 * quartile of the rectangle's cells nearest the page (the lightest for a
 * light page) must stand more than the page's tolerance beyond it. buf
 * holds the grid. */
static int block_has_background(const cells_t *c, const page_t *p, const block_t *b, float *buf)
{
    size_t k = 0;
    for (int y = b->y0; y <= b->y1; y++)
        for (int x = b->x0; x <= b->x1; x++) {
            float v = c->v[(size_t)y * (size_t)c->w + (size_t)x];
            if (!isnan(v))
                buf[k++] = (float)(v - bq_page_at(p, x, y));
        }
    if (k == 0)
        return 0;
    double q = p->light ? 1.0 - BLOCK_BACKGROUND : BLOCK_BACKGROUND;
    double d = bq_select_nth_float(buf, k, (size_t)(q * (double)(k - 1)));
    return p->light ? d < -p->tol : d > p->tol;
}

/* Mark in keep (cells) the rectangles of the membrane blocks off page p;
 * returns how many there are, or a negative bq_err. */
static int find_blocks(const cells_t *c, const page_t *p, uint8_t *keep)
{
    size_t n = (size_t)c->w * (size_t)c->h;
    uint8_t *ink = bq_alloc_array(n, 1), *lab = bq_calloc_array(n, 1);
    uint32_t *stack = bq_alloc_array(n, sizeof *stack); /* n <= GRID_MAX^2 */
    float *buf = bq_alloc_array(n, sizeof *buf);
    if (!ink || !lab || !stack || !buf) {
        free(ink);
        free(lab);
        free(stack);
        free(buf);
        return BQ_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ink[i] = !isnan(c->v[i]) && fabs(bq_page_off(c, p, i)) > p->tol;
    /* a page off the ends of the range, or shaded, is confirmed by one
     * block with a background of its own; a blank strip beside it may be
     * as light as the page */
    int blocks = 0, confirmed = p->at_end && !p->shaded;
    for (size_t i = 0; i < n; i++) {
        if (!ink[i] || lab[i])
            continue;
        block_t b = flood(ink, lab, c->w, c->h, i, stack);
        if (!block_is_membrane(&b, c))
            continue;
        confirmed |= block_has_background(c, p, &b, buf);
        blocks++;
        for (int y = b.y0; y <= b.y1; y++)
            memset(keep + (size_t)y * (size_t)c->w + (size_t)b.x0, 1, (size_t)(b.x1 - b.x0 + 1));
    }
    if (!confirmed) {
        memset(keep, 0, n);
        blocks = 0;
    }
    /* labels are small islands of ink: when most of the ink lies outside
     * the blocks, the membrane is no block off the page (a membrane as
     * light as the page, whose lanes and a dark corner made a block) */
    size_t all = 0, kept = 0;
    for (size_t i = 0; i < n; i++) {
        all += ink[i];
        kept += ink[i] && keep[i];
    }
    if (blocks > 0 && (double)kept < BLOCK_INK * (double)all) {
        memset(keep, 0, n);
        blocks = 0;
    }
    free(ink);
    free(lab);
    free(stack);
    free(buf);
    return blocks;
}

/* A film on a lightbox, or scanned on paper, shows the page, then the
 * film's clear border, then the membrane's exposure within it; the lane
 * names, kDa numbers and arrows written on the clear film lie inside the
 * film's block. When the one block found (keep) has a page of its own
 * round its rectangle (the clear film) with a membrane block on it, only
 * that block is kept (stacked strips of a figure are several blocks, and
 * their gaps and frames are the rules' to find). Returns 1 when it is, 0
 * when keep stands as it was, or BQ_ERR_NOMEM. */
static int inner_blocks(const cells_t *c, double scale, double full, uint8_t *keep)
{
    int x0 = c->w, y0 = c->h, x1 = -1, y1 = -1;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            if (keep[(size_t)y * (size_t)c->w + (size_t)x]) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    if (x1 - x0 < 8 || y1 - y0 < 8)
        return 0;
    cells_t sub = {x1 - x0 + 1, y1 - y0 + 1, c->f, NULL};
    size_t n = (size_t)sub.w * (size_t)sub.h;
    sub.v = bq_alloc_array(n, sizeof *sub.v);
    uint8_t *inner = bq_calloc_array(n, 1);
    if (!sub.v || !inner) {
        free(sub.v);
        free(inner);
        return BQ_ERR_NOMEM;
    }
    for (int y = 0; y < sub.h; y++)
        for (int x = 0; x < sub.w; x++) {
            size_t i = (size_t)(y + y0) * (size_t)c->w + (size_t)(x + x0);
            sub.v[(size_t)y * (size_t)sub.w + (size_t)x] = keep[i] ? c->v[i] : NAN;
        }
    page_t page;
    int found = bq_page_find(&sub, scale, full, 1, &page); /* a photo: its film may shade */
    int blocks = found > 0 ? find_blocks(&sub, &page, inner) : found;
    if (blocks > 0)
        for (int y = 0; y < sub.h; y++)
            for (int x = 0; x < sub.w; x++)
                keep[(size_t)(y + y0) * (size_t)c->w + (size_t)(x + x0)] =
                    inner[(size_t)y * (size_t)sub.w + (size_t)x];
    free(sub.v);
    free(inner);
    return blocks < 0 ? blocks : blocks > 0;
}

/* Invalidate every pixel whose cell is not kept. */
static int apply_mask(bq_image_t *img, const cells_t *c, const uint8_t *keep, int *n_masked)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    if (!img->valid) {
        img->valid = malloc(n);
        if (!img->valid)
            return BQ_ERR_NOMEM;
        memset(img->valid, 1, n);
    }
    int masked = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            size_t i = (size_t)y * (size_t)img->width + (size_t)x;
            if (keep[(size_t)(y / c->f) * (size_t)c->w + (size_t)(x / c->f)] || !img->valid[i])
                continue;
            img->valid[i] = 0;
            img->data[i] = 0.0f;
            masked++;
        }
    *n_masked = masked;
    return 0;
}

/* ---- rules: frame lines and page gaps inside the membrane's rectangle ---- */

typedef struct row_run {
    int xa, xb;             /* the row's longest uniform run; xb < xa if none */
    double level;           /* its mean */
} row_run_t;

static int px_ok(const bq_image_t *img, size_t i)
{
    return (!img->valid || img->valid[i]) && isfinite(img->data[i]);
}

/* The mean of the valid pixels within h of x along a row, kept as the
 * scan moves right one pixel at a time (h > 0 on a noisy picture; h = 0
 * reads the pixel itself). */
typedef struct row_window {
    const bq_image_t *img;
    size_t o;               /* the row's first pixel */
    int h, next;            /* half-width; the next pixel to enter */
    double sum;
    int k;
} row_window_t;

static void window_add(row_window_t *w, int t, int sign)
{
    if (t >= 0 && t < w->img->width && px_ok(w->img, w->o + (size_t)t)) {
        w->sum += sign * (double)w->img->data[w->o + (size_t)t];
        w->k += sign;
    }
}

/* The window's mean at x, called for x = 0, 1, 2, ... in turn. */
static double window_at(row_window_t *w, int x)
{
    if (w->h == 0)
        return w->img->data[w->o + (size_t)x];
    for (; w->next <= x + w->h; w->next++)
        window_add(w, w->next, 1);
    window_add(w, x - w->h - 1, -1);
    return w->k ? w->sum / w->k : 0.0;
}

/* Row y's longest run of valid pixels within 2 * lim of each other (each
 * the mean of the pixels within h along the row), kept when it covers
 * RULE_RUN of the row's valid pixels. */
static void row_run(const bq_image_t *img, int y, double lim, int h, row_run_t *rr)
{
    size_t o = (size_t)y * (size_t)img->width;
    int valid = 0;
    for (int x = 0; x < img->width; x++)
        valid += px_ok(img, o + (size_t)x);
    /* the scan stops once no run starting where the current one did can
     * reach RULE_RUN of the row (most rows of a blot are none) */
    double need = RULE_RUN * valid;
    int best_a = 0, best_b = -1, a = 0;
    double mn = HUGE_VAL, mx = -HUGE_VAL;
    row_window_t win = {img, o, h, 0, 0.0, 0};
    for (int x = 0; x <= img->width; x++) {
        int ok = x < img->width && px_ok(img, o + (size_t)x);
        double v = x < img->width ? window_at(&win, x) : 0.0;
        if (ok && fmax(mx, v) - fmin(mn, v) <= 2.0 * lim) {
            mn = fmin(mn, v);
            mx = fmax(mx, v);
            continue;
        }
        if (x - 1 - a > best_b - best_a) {
            best_a = a;
            best_b = x - 1;
        }
        a = ok ? x : x + 1;
        mn = ok ? v : HUGE_VAL;
        mx = ok ? v : -HUGE_VAL;
        if (best_b - best_a + 1 < need && img->width - a < need)
            break;
    }
    rr->xa = best_a;
    rr->xb = valid >= 8 && best_b - best_a + 1 >= need ? best_b : best_a - 1;
    double sum = 0.0;
    for (int x = rr->xa; x <= rr->xb; x++)
        sum += img->data[o + (size_t)x];
    rr->level = rr->xb >= rr->xa ? sum / (rr->xb - rr->xa + 1) : NAN;
}

/* Mean of the valid pixels of row y over xa..xb, NAN if none. */
static double span_mean(const bq_image_t *img, int y, int xa, int xb)
{
    size_t o = (size_t)y * (size_t)img->width;
    double sum = 0.0;
    int k = 0;
    for (int x = xa; x <= xb; x++)
        if (px_ok(img, o + (size_t)x)) {
            sum += img->data[o + (size_t)x];
            k++;
        }
    return k ? sum / k : NAN;
}

/* Does the run lo..hi of uniform rows stand apart from the rows RULE_SURROUND
 * beyond it? On each side that has valid rows, one of the run's rows (a dark
 * frame line beside a white page gap, say) must differ from the row there
 * over the run's span. Blank membrane is uniform too, but at the level of
 * the membrane around it. */
static int run_stands_out(const bq_image_t *img, const row_run_t *rr, int lo, int hi, double lim)
{
    int sides = 0;
    for (int dir = -1; dir <= 1; dir += 2) {
        int y = dir < 0 ? lo - RULE_SURROUND : hi + RULE_SURROUND;
        if (y < 0 || y >= img->height)
            continue;
        double nb = span_mean(img, y, rr[lo].xa, rr[lo].xb);
        if (isnan(nb))
            continue;
        sides++;
        double far = 0.0;
        for (int r = lo; r <= hi; r++)
            far = fmax(far, fabs(rr[r].level - nb));
        if (far < RULE_STANDOUT * lim)
            return 0;
    }
    return sides > 0;
}

/* The pixels' noise (robust, from neighbour differences along the rows,
 * sampled to at most the width plus the height of them); buf holds that
 * many. */
static double pixel_noise(const bq_image_t *img, float *buf)
{
    size_t cap = (size_t)img->width + (size_t)img->height, m = 0;
    size_t total = (size_t)img->width * (size_t)img->height;
    size_t step = total / cap + 1;
    for (size_t i = 0; i + 1 < total && m < cap; i += step)
        if ((int)(i % (size_t)img->width) + 1 < img->width && px_ok(img, i) && px_ok(img, i + 1))
            buf[m++] = fabsf(img->data[i + 1] - img->data[i]);
    return m ? bq_step_noise_float(buf, m) : 0.0;
}

/* Pixels of a row whose median tells its level: a wide picture's row is
 * read on every k-th pixel, k keeping about this many. */
#define MEDIAN_SAMPLES 1024

/* The median of each row's valid pixels into med (NAN for a row with
 * none); med holds the height plus the width (scratch). */
static void row_medians(const bq_image_t *img, float *med)
{
    float *buf = med + img->height;
    int step = 1 + img->width / MEDIAN_SAMPLES;
    for (int y = 0; y < img->height; y++) {
        size_t o = (size_t)y * (size_t)img->width, k = 0;
        for (int x = 0; x < img->width; x += step)
            if (px_ok(img, o + (size_t)x))
                buf[k++] = img->data[o + (size_t)x];
        med[y] = k ? bq_select_nth_float(buf, k, k / 2) : NAN;
    }
}

/* How far row y's median stands from the rows RULE_SURROUND beyond it, the
 * nearer of the two sides that have one (0 if neither). */
static double row_contrast(const float *med, int h, int y)
{
    double c = HUGE_VAL;
    for (int dir = -1; dir <= 1; dir += 2) {
        int z = y + dir * RULE_SURROUND;
        if (z >= 0 && z < h && !isnan(med[z]) && !isnan(med[y]))
            c = fmin(c, fabs(med[y] - med[z]));
    }
    return isinf(c) ? 0.0 : c;
}

static void invalidate_rows(bq_image_t *img, int lo, int hi)
{
    size_t o = (size_t)lo * (size_t)img->width, n = (size_t)(hi - lo + 1) * (size_t)img->width;
    memset(img->valid + o, 0, n);
    for (size_t i = 0; i < n; i++)
        img->data[o + i] = 0.0f;
}

/* The run of uniform rows lo..hi made invalid when it stands apart from
 * the rows beside it; returns the rows masked. */
static int mask_rule_run(bq_image_t *img, const row_run_t *rr, int lo, int hi, double lim)
{
    if (!run_stands_out(img, rr, lo, hi, lim))
        return 0;
    invalidate_rows(img, lo, hi);
    return hi - lo + 1;
}

/* A run of uniform rows too long for a rule may hold one beside membrane
 * whose grain the row means smooth out (a noisy picture): its pieces at
 * one level (rows within step of the row before) are judged each as a
 * run. Returns the rows masked. */
static int mask_level_runs(bq_image_t *img, const row_run_t *rr, int lo, int hi, double lim,
                           double step, int max_rows)
{
    int marked = 0;
    for (int a = lo; a <= hi;) {
        int b = a;
        while (b + 1 <= hi && fabs(rr[b + 1].level - rr[b].level) <= step)
            b++;
        if (b - a + 1 <= max_rows)
            marked += mask_rule_run(img, rr, a, b, lim);
        a = b + 1;
    }
    return marked;
}

/* Rules: runs of uniform rows standing apart from their neighbours, inside
 * what the page mask left valid (so labels beside a strip no longer break a
 * frame line's uniformity). Needs img->valid. Returns rows masked. */
static int mask_rules(bq_image_t *img, double lim, row_run_t *rr, float *med)
{
    int h = img->height, marked = 0;
    int max_rows = (int)(RULE_MAX_FRAC * h) > RULE_MAX_ROWS ? (int)(RULE_MAX_FRAC * h) : RULE_MAX_ROWS;
    /* on a noisy picture, rows are judged on means along them over
     * RULE_SMOOTH pixels either side, a fifth of the noise's variance */
    double noise = pixel_noise(img, med);
    int sm = noise > lim ? RULE_SMOOTH : 0;
    row_medians(img, med);
    double spread = sm ? 3.0 * noise / sqrt(2.0 * sm + 1.0) : 0.0; /* of the means */
    for (int y = 0; y < h; y++)
        row_run(img, y, fmax(fmax(lim, spread), RULE_REL * row_contrast(med, h, y)), sm, &rr[y]);
    for (int y = 0; y < h; y++) {
        if (rr[y].xb < rr[y].xa)
            continue;
        int lo = y;
        while (y + 1 < h && rr[y + 1].xb >= rr[y + 1].xa)
            y++;
        if (y - lo + 1 <= max_rows)
            marked += mask_rule_run(img, rr, lo, y, lim);
        else
            marked += mask_level_runs(img, rr, lo, y, lim, 2.0 * fmax(lim, spread), max_rows);
    }
    return marked;
}

/* mask_rules with its scratch: rows masked, or BQ_ERR_NOMEM. */
static int find_rules(bq_image_t *img)
{
    row_run_t *rr = bq_alloc_array((size_t)img->height, sizeof *rr);
    float *med = bq_alloc_array((size_t)img->height + (size_t)img->width, sizeof *med);
    int rules = rr && med ? mask_rules(img, RULE_UNIFORM * img->max_value, rr, med) : BQ_ERR_NOMEM;
    free(rr);
    free(med);
    return rules;
}

/* Pixel value v as it would read under the light at the picture's
 * centre. Light falling off scales what a print or a film passes or
 * reflects: the stored value (before any inversion) is the paper's
 * brightness times the light, and the page's plane gives the light. A page
 * darker than half the range (a black surround) shows no shading to
 * divide by: its slope is taken off as it stands. */
static double unshade(double v, double page_here, double page_centre, double top, int inverted)
{
    double here = inverted ? top - page_here : page_here;
    double centre = inverted ? top - page_centre : page_centre;
    if (!(here > 0.5 * top) || !(centre > 0.5 * top))
        return v - (page_here - page_centre);
    double stored = inverted ? top - v : v;
    stored *= centre / here;
    return inverted ? top - stored : stored;
}

/* On a shaded page a frame line or a page gap is uniform only once the
 * shading is taken out: the rules are found on a copy under even light
 * (sharing the validity mask), and the rows they cover are cleared in the
 * picture too. Rows masked, or BQ_ERR_NOMEM. */
static int rules_unshaded(bq_image_t *img, const cells_t *c, const page_t *p)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    bq_image_t flat = *img;
    flat.data = bq_alloc_array(n, sizeof *flat.data);
    if (!flat.data)
        return BQ_ERR_NOMEM;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            size_t i = (size_t)y * (size_t)img->width + (size_t)x;
            double here = bq_page_at(p, (x + 0.5) / c->f - 0.5, (y + 0.5) / c->f - 0.5);
            flat.data[i] = (float)unshade(img->data[i], here, p->a, img->max_value, img->inverted);
        }
    int rules = find_rules(&flat);
    free(flat.data);
    for (size_t i = 0; rules > 0 && i < n; i++)
        if (!img->valid[i])
            img->data[i] = 0.0f;
    return rules;
}

/* Frame lines and page gaps part stacked strips also where no page was
 * found round them (a figure whose paper is as light as its membrane):
 * the rules are looked for over the whole picture. A validity mask is
 * kept only when some rule was found. Rows masked, or BQ_ERR_NOMEM. */
static int rules_without_page(bq_image_t *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    int own = !img->valid;
    if (own) {
        img->valid = malloc(n);
        if (!img->valid)
            return BQ_ERR_NOMEM;
        memset(img->valid, 1, n);
    }
    int rules = find_rules(img);
    if (own && rules <= 0) {
        free(img->valid);
        img->valid = NULL;
    }
    return rules;
}

int bq_membrane_mask(bq_image_t *img, bq_membrane_info_t *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!img || !img->data || img->width < 8 || img->height < 8 || !(img->max_value > 0.0))
        return 0;
    cells_t c = {0};
    double scale;
    if (cells_build(img, &c) != 0 || page_scale(img, &c, &scale) != 0 ||
        smooth_noisy_cells(&c, scale) != 0) {
        free(c.v);
        return BQ_ERR_NOMEM;
    }
    /* a figure, a photo or a scan (8 bits) has paper that shades across
     * it and frames drawn round its strips; an imager's 16-bit export
     * shows its tray, lit unevenly or not, which the lane stages take
     * apart from the membrane themselves (lanes_tray.c) */
    int photo = img->bits_per_sample <= 8 && !img->is_float;
    page_t page;
    int found = bq_page_find(&c, scale, img->max_value, photo, &page);
    uint8_t *keep = NULL;
    int rc = found < 0 ? found : 0, blocks = 0, masked = 0;
    if (found > 0) {
        keep = bq_calloc_array((size_t)c.w * (size_t)c.h, 1);
        blocks = keep ? find_blocks(&c, &page, keep) : BQ_ERR_NOMEM;
        if (blocks == 1 && photo) {
            int inner = inner_blocks(&c, scale, img->max_value, keep);
            if (inner < 0)
                blocks = inner;
        }
        if (blocks < 0)
            rc = blocks;
        else if (blocks > 0)
            rc = apply_mask(img, &c, keep, &masked);
        /* a shaded level, or one off the ends of the range, is a page only
         * around a membrane of its own level */
        found = (page.at_end && !page.shaded) || blocks > 0;
    }
    int rules = 0;
    if (rc == 0 && blocks > 0) {
        rules = page.shaded ? rules_unshaded(img, &c, &page) : find_rules(img);
        rc = rules < 0 ? rules : 0;
    } else if (rc == 0 && photo) {
        rules = rules_without_page(img);
        rc = rules < 0 ? rules : 0;
    }
    if (info && rc == 0) {
        info->page_found = found > 0;
        info->page_level = found > 0 ? page.a : NAN;
        info->blocks = blocks > 0 ? blocks : 0;
        info->pixels_masked = masked;
        info->rule_rows = rules;
    }
    free(keep);
    free(c.v);
    return rc;
}
