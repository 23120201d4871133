/* lanes.c - the lane detector.
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
#include "internal.h"

#define GRID_MAX_W 512
#define GRID_MAX_H 256
#define MAX_TILT 0.06           /* ~3.4 degrees, dx/dy: 2 degrees of tilt plus a hand-laid strip */
#define EDGE_LEVEL 0.25         /* lane edge: this fraction of the lane's height */
#define SAME_LANE_DIP 0.35      /* peaks with a shallower dip between them are one lane */
#define TRAY_STEP 4.0           /* a membrane edge: a step this many times the usual change */
#define COMB_TOOTH 2           /* peak_t.faint of a lane placed by the comb: centred on its tooth */
#define COMB_ODD_GAPS 5        /* a regular comb has at most one odd gap in this many */
#define COMB_TOL 0.2           /* gaps of a regular comb: within this share of a pitch of a multiple */
#define MERGED_WIDTH 1.7       /* a lane this many pitches (and typical widths) wide holds several */
#define STRIP_WIDTH_RATIO 0.6  /* a strip's own lane width outside this ratio of the shared one is noise */
#define BLANK_LANE 0.25        /* a lane this far below its strip's typical height is blank there */
#define PAIR_DIP_RATIO 0.75    /* lobes of one split lane: dip below this share of the lanes' dips */
#define MAX_ISLANDS 32         /* non-margin components remembered besides the largest */
#define ISLAND_STRIP 0.1       /* an island this share of the largest piece is a strip of its own */
#define ISLAND_AREA 0.01       /* an island that is a band, not a speck: this share of the grid */
#define MIN_PROM 0.01           /* smallest lane in compressed units (mean log signal) */

/* The block-averaged working copy of the region. */
typedef struct grid {
    int w, h;        /* cells */
    int fx, fy;      /* pixels per cell */
    int x0, y0;      /* image position of cell (0,0) */
    float *v;        /* mean of the valid pixels of the cell */
    uint8_t *ok;     /* 1 = membrane: valid and not margin */
    float *t;        /* compressed signal above background, 0 where !ok */
    uint8_t *lab;    /* strip of the cell (0-based), NO_STRIP between strips */
} grid_t;

#define NO_STRIP 255

/* One candidate or final lane, in cell units along the strip's column profile. */
typedef struct peak {
    double pos;      /* centre (cells) */
    double left, right;
    double height;   /* profile value at the peak */
    double prom;     /* prominence */
    int faint;       /* added from the band-row profile (1) or as a comb tooth
                        (COMB_TOOTH): width from the others */
    int empty;       /* a comb tooth with no signal in any strip */
} peak_t;

/* Per-strip working state. */
typedef struct strip_work {
    int id;          /* label of its cells in grid.lab */
    int gy0, gy1;    /* cell rows, inclusive */
    double top, bottom; /* image rows of its boundaries (mid-gap edges) */
    double slope;    /* dx/dy in cells */
    double yref;     /* cell row of the reference line */
    double *prof;    /* column profile, grid.w */
    double noise;    /* noise of prof */
    peak_t *cand;
    int n_cand;
    double shift;    /* offset against the reference strip, cells */
} strip_work_t;

/* ---- small numeric helpers ------------------------------------------- */

/* The q-quantile of n floats, nearest rank; reorders v. Selection keeps the
 * per-tile percentiles linear. */
static float quantile_f(float *v, size_t n, double q)
{
    size_t k = (size_t)(bq_clamp(q, 0.0, 1.0) * (double)(n - 1) + 0.5);
    return bq_select_nth_float(v, n, k);
}

/* The median of v[0..n); sorts v (callers use the sorted list). */
static double median_d(double *v, int n)
{
    /* short lists (lanes, peaks) by insertion sort; profiles of a few
     * hundred cells by merging (insertion sort is quadratic there) */
    if (n > 32) {
        bq_sort_doubles(v, (size_t)n);
    } else {
        for (int i = 1; i < n; i++) {
            double x = v[i];
            int j = i - 1;
            while (j >= 0 && v[j] > x) {
                v[j + 1] = v[j];
                j--;
            }
            v[j + 1] = x;
        }
    }
    if (n == 0)
        return 0.0;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Linear interpolation of a[0..n-1] at x; 0 outside. */
static double interp(const double *a, int n, double x)
{
    if (x < 0.0 || x > (double)(n - 1))
        return 0.0;
    int i = (int)x;
    if (i >= n - 1)
        return a[n - 1];
    double f = x - i;
    return a[i] * (1.0 - f) + a[i + 1] * f;
}

static void smooth3(double *p, double *tmp, int n, int passes)
{
    for (int pass = 0; pass < passes; pass++) {
        for (int i = 0; i < n; i++) {
            double a = p[i > 0 ? i - 1 : i], c = p[i < n - 1 ? i + 1 : i];
            tmp[i] = 0.25 * a + 0.5 * p[i] + 0.25 * c;
        }
        memcpy(p, tmp, (size_t)n * sizeof *p);
    }
}

/* ---- 1. the grid and the membrane mask ------------------------------- */

static void grid_free(grid_t *g)
{
    free(g->v);
    free(g->ok);
    free(g->t);
    free(g->lab);
}

/* Where the margin test of a cell reads its pixels (the fast path of
 * grid_build leaves it to grid_mask, which asks only about the cells its
 * flood from the border reaches). */
typedef struct margin_src {
    const bq_image_t *img;
    int rx, ry, rw, rh;
    double dark, clip;
} margin_src_t;

#define CAND_UNKNOWN 3

/* 1 if cell i (every pixel valid and finite) is margin-coloured: at least
 * 90 % of its pixels at black or the clip level. */
static uint8_t cell_margin(const grid_t *g, const margin_src_t *ms, size_t i)
{
    int cx = (int)(i % (size_t)g->w), cy = (int)(i / (size_t)g->w);
    int x0 = cx * g->fx, y0 = cy * g->fy;
    int x1 = x0 + g->fx < ms->rw ? x0 + g->fx : ms->rw;
    int y1 = y0 + g->fy < ms->rh ? y0 + g->fy : ms->rh;
    uint32_t mk = 0;
    for (int y = y0; y < y1; y++) {
        const float *row = ms->img->data + (size_t)(ms->ry + y) * (size_t)ms->img->width + ms->rx;
        for (int x = x0; x < x1; x++)
            mk += (row[x] <= ms->dark || row[x] >= ms->clip);
    }
    uint32_t area = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
    return mk * 10 >= area * 9;
}

/* The general block average: an invalid or non-finite pixel does not
 * count, a cell with less than half of its pixels left is invalid. Marks
 * every cell's margin test in cand. */
static void grid_sum_checked(const bq_image_t *img, const margin_src_t *ms, grid_t *g,
                             uint8_t *cand, uint32_t *cnt, uint32_t *marg, double *sum)
{
    int rw = ms->rw, rh = ms->rh;
    size_t n = (size_t)g->w * (size_t)g->h;
    for (int y = 0; y < rh; y++) {
        const float *row = img->data + (size_t)(ms->ry + y) * (size_t)img->width + ms->rx;
        const uint8_t *vrow = img->valid ? img->valid + (size_t)(ms->ry + y) * (size_t)img->width + ms->rx : NULL;
        size_t c = (size_t)(y / g->fy) * (size_t)g->w;
        for (int x0 = 0; x0 < rw; x0 += g->fx, c++) {
            int x1 = x0 + g->fx < rw ? x0 + g->fx : rw;
            double s = 0.0;
            uint32_t k = 0, mk = 0;
            for (int x = x0; x < x1; x++) {
                float v = row[x];
                if ((vrow && !vrow[x]) || !isfinite(v))
                    continue;
                s += v;
                k++;
                mk += (v <= ms->dark || v >= ms->clip);
            }
            sum[c] += s;
            cnt[c] += k;
            marg[c] += mk;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int cx = (int)(i % (size_t)g->w), cy = (int)(i / (size_t)g->w);
        int bw = (cx == g->w - 1) ? rw - cx * g->fx : g->fx;
        int bh = (cy == g->h - 1) ? rh - cy * g->fy : g->fy;
        uint32_t area = (uint32_t)bw * (uint32_t)bh;
        g->v[i] = 0.0f;
        g->ok[i] = 0;
        cand[i] = 0;
        if (cnt[i] * 2 < area || cnt[i] == 0) {
            cand[i] = 2; /* invalid: always masked */
            continue;
        }
        g->v[i] = (float)(sum[i] / cnt[i]);
        g->ok[i] = 1;
        if (marg[i] * 10 >= cnt[i] * 9)
            cand[i] = 1;
    }
}

/* Block-average the region (rx, ry, rw, rh) into g and mark the cells that
 * are margin candidates (invalid, or almost all exactly 0 / clipped) in
 * cand. Without a validity mask the pixels are summed column-wise over a
 * cell row in floats (contiguous, vectorised: one add a pixel), and the
 * margin test is left to grid_mask (CAND_UNKNOWN): it only matters for the
 * cells connected to the border. A non-finite sum sends the whole region
 * through the checked path. */
static int grid_build(const bq_image_t *img, int rx, int ry, int rw, int rh,
                      grid_t *g, uint8_t **cand_out, margin_src_t *ms)
{
    memset(g, 0, sizeof *g);
    g->fx = (rw + GRID_MAX_W - 1) / GRID_MAX_W;
    g->fy = (rh + GRID_MAX_H - 1) / GRID_MAX_H;
    g->w = (rw + g->fx - 1) / g->fx;
    g->h = (rh + g->fy - 1) / g->fy;
    g->x0 = rx;
    g->y0 = ry;
    size_t n = (size_t)g->w * (size_t)g->h;
    g->v = bq_calloc_array(n, sizeof *g->v);
    g->ok = bq_calloc_array(n, sizeof *g->ok);
    g->t = bq_calloc_array(n, sizeof *g->t);
    g->lab = bq_calloc_array(n, sizeof *g->lab);
    uint8_t *cand = bq_calloc_array(n, sizeof *cand);
    float *col = bq_alloc_array((size_t)rw, sizeof *col);
    if (!g->v || !g->ok || !g->t || !g->lab || !cand || !col) {
        free(cand);
        free(col);
        grid_free(g);
        return BQ_ERR_NOMEM;
    }
    /* margin-coloured: at (or within a hair of) black or the clip level; a
     * scanned white page or a dark tray is rarely exactly uniform */
    ms->img = img;
    ms->rx = rx;
    ms->ry = ry;
    ms->rw = rw;
    ms->rh = rh;
    ms->clip = img->clip_level > 0.0 ? img->clip_level - 0.005 * img->max_value : HUGE_VAL;
    ms->dark = img->max_value > 0.0 ? 0.015 * img->max_value : 0.0;
    int finite = 1;
    if (!img->valid) {
        for (int cy = 0; cy < g->h && finite; cy++) {
            int y0 = cy * g->fy, y1 = y0 + g->fy < rh ? y0 + g->fy : rh;
            const float *row = img->data + (size_t)(ry + y0) * (size_t)img->width + rx;
            memcpy(col, row, (size_t)rw * sizeof *col);
            for (int y = y0 + 1; y < y1; y++) {
                row = img->data + (size_t)(ry + y) * (size_t)img->width + rx;
                for (int x = 0; x < rw; x++)
                    col[x] += row[x];
            }
            size_t c = (size_t)cy * (size_t)g->w;
            for (int x0 = 0; x0 < rw; x0 += g->fx, c++) {
                int x1 = x0 + g->fx < rw ? x0 + g->fx : rw;
                double s = 0.0;
                for (int x = x0; x < x1; x++)
                    s += col[x];
                if (!isfinite(s)) {
                    finite = 0;
                    break;
                }
                g->v[c] = (float)(s / ((double)(x1 - x0) * (double)(y1 - y0)));
                g->ok[c] = 1;
                cand[c] = CAND_UNKNOWN;
            }
        }
    }
    free(col);
    if (img->valid || !finite) {
        uint32_t *cnt = bq_calloc_array(n, sizeof *cnt);
        uint32_t *marg = bq_calloc_array(n, sizeof *marg);
        double *sum = bq_calloc_array(n, sizeof *sum);
        if (!cnt || !marg || !sum) {
            free(cnt);
            free(marg);
            free(sum);
            free(cand);
            grid_free(g);
            return BQ_ERR_NOMEM;
        }
        grid_sum_checked(img, ms, g, cand, cnt, marg, sum);
        free(cnt);
        free(marg);
        free(sum);
    }
    *cand_out = cand;
    return 0;
}

/* Cell i's margin test, computed on first use. */
static inline int is_cand(const grid_t *g, uint8_t *cand, const margin_src_t *ms, int i)
{
    if (cand[i] == CAND_UNKNOWN)
        cand[i] = cell_margin(g, ms, (size_t)i);
    return cand[i] != 0;
}

/* ---- 1a. islands of membrane in the margin ----------------------------- */

/* A component of non-margin cells other than the largest one. */
typedef struct island {
    size_t area;
    int box[4];             /* x0, y0, x1, y1 (cells) */
} island_t;

/* Is the island membrane too, not a speck: at least ISLAND_AREA of the
 * grid, and either a piece of membrane in its own right (ISLAND_STRIP of
 * the largest: a second strip, cut apart by page the membrane stage
 * masked) or level with the membrane (half its rows within the membrane's
 * rows: a lane loaded at the membrane's very edge, on a scan whose edge
 * clips to white)? */
static int island_beside(const island_t *is, const int *mbox, size_t n, size_t largest)
{
    if ((double)is->area < ISLAND_AREA * (double)n)
        return 0;
    if ((double)is->area >= ISLAND_STRIP * (double)largest)
        return 1; /* another strip of membrane, above or below */
    int y0 = is->box[1] > mbox[1] ? is->box[1] : mbox[1];
    int y1 = is->box[3] < mbox[3] ? is->box[3] : mbox[3];
    return 2 * (y1 - y0 + 1) >= is->box[3] - is->box[1] + 1;
}

/* Flood the margin candidates from the region border; keep the result only if
 * what it leaves is one solid piece of membrane (a blot on a clean white
 * background must not lose the background between its bands). Sets g->ok and
 * the membrane's bounding box in cells. */
static int grid_mask(grid_t *g, uint8_t *cand, const margin_src_t *ms, int *bx0, int *by0,
                     int *bx1, int *by1)
{
    size_t n = (size_t)g->w * (size_t)g->h;
    int *stack = bq_alloc_array(n, sizeof *stack);
    int *label = bq_calloc_array(n, sizeof *label);
    if (!stack || !label) {
        free(stack);
        free(label);
        return BQ_ERR_NOMEM;
    }
    /* label 1 = margin flooded from the border */
    size_t sp = 0;
    for (int x = 0; x < g->w; x++) {
        for (int k = 0; k < 2; k++) {
            int i = (k ? g->h - 1 : 0) * g->w + x;
            if (!label[i] && is_cand(g, cand, ms, i)) {
                label[i] = 1;
                stack[sp++] = i;
            }
        }
    }
    for (int y = 0; y < g->h; y++) {
        for (int k = 0; k < 2; k++) {
            int i = y * g->w + (k ? g->w - 1 : 0);
            if (!label[i] && is_cand(g, cand, ms, i)) {
                label[i] = 1;
                stack[sp++] = i;
            }
        }
    }
    while (sp > 0) {
        int i = stack[--sp];
        int x = i % g->w, y = i / g->w;
        int nb[4] = {x > 0 ? i - 1 : -1, x < g->w - 1 ? i + 1 : -1,
                     y > 0 ? i - g->w : -1, y < g->h - 1 ? i + g->w : -1};
        for (int k = 0; k < 4; k++) {
            if (nb[k] >= 0 && !label[nb[k]] && is_cand(g, cand, ms, nb[k])) {
                label[nb[k]] = 1;
                stack[sp++] = nb[k];
            }
        }
    }
    /* nothing flooded and nothing invalid (the usual blot): the whole grid
     * is one piece, no need to label it */
    int whole = 1;
    for (size_t s = 0; s < n && whole; s++)
        whole = !label[s] && cand[s] != 2;
    if (whole) {
        *bx0 = 0;
        *by0 = 0;
        *bx1 = g->w - 1;
        *by1 = g->h - 1;
        free(stack);
        free(label);
        return 0;
    }
    /* connected pieces of what is left; remember the largest */
    int next = 2, best = 0;
    size_t best_area = 0;
    int best_box[4] = {0, 0, g->w - 1, g->h - 1};
    island_t islands[MAX_ISLANDS];
    for (size_t s = 0; s < n; s++) {
        if (label[s] || cand[s] == 2)
            continue;
        int id = next++;
        size_t area = 0;
        int box[4] = {g->w, g->h, -1, -1};
        label[s] = id;
        sp = 0;
        stack[sp++] = (int)s;
        while (sp > 0) {
            int i = stack[--sp];
            int x = i % g->w, y = i / g->w;
            area++;
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
            int nb[4] = {x > 0 ? i - 1 : -1, x < g->w - 1 ? i + 1 : -1,
                         y > 0 ? i - g->w : -1, y < g->h - 1 ? i + g->w : -1};
            for (int k = 0; k < 4; k++) {
                if (nb[k] >= 0 && !label[nb[k]] && cand[nb[k]] != 2) {
                    label[nb[k]] = id;
                    stack[sp++] = nb[k];
                }
            }
        }
        if (area > best_area) {
            best_area = area;
            best = id;
            memcpy(best_box, box, sizeof box);
        }
        if (id - 2 < MAX_ISLANDS) { /* ids start at 2: 1 is the margin */
            islands[id - 2].area = area;
            memcpy(islands[id - 2].box, box, sizeof box);
        }
    }
    size_t box_area = (size_t)(best_box[2] - best_box[0] + 1) * (size_t)(best_box[3] - best_box[1] + 1);
    int use_margin = best > 0 && best_area * 5 >= n && best_area * 2 >= box_area;
    if (use_margin) {
        uint8_t kept[MAX_ISLANDS] = {0}; /* islands kept beside the largest */
        int mbox[4];
        memcpy(mbox, best_box, sizeof mbox);
        for (int id = 2; id < next && id - 2 < MAX_ISLANDS; id++) {
            const island_t *is = &islands[id - 2];
            if (id == best || !island_beside(is, mbox, n, best_area))
                continue;
            kept[id - 2] = 1;
            best_box[0] = is->box[0] < best_box[0] ? is->box[0] : best_box[0];
            best_box[1] = is->box[1] < best_box[1] ? is->box[1] : best_box[1];
            best_box[2] = is->box[2] > best_box[2] ? is->box[2] : best_box[2];
            best_box[3] = is->box[3] > best_box[3] ? is->box[3] : best_box[3];
        }
        for (size_t i = 0; i < n; i++)
            if (label[i] != best && !(label[i] >= 2 && label[i] - 2 < MAX_ISLANDS && kept[label[i] - 2]))
                g->ok[i] = 0;
        *bx0 = best_box[0];
        *by0 = best_box[1];
        *bx1 = best_box[2];
        *by1 = best_box[3];
    } else {
        /* only invalid cells are masked; box = the valid cells */
        int box[4] = {g->w, g->h, -1, -1};
        for (size_t i = 0; i < n; i++) {
            if (!g->ok[i])
                continue;
            int x = (int)(i % (size_t)g->w), y = (int)(i / (size_t)g->w);
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
        }
        *bx0 = box[0];
        *by0 = box[1];
        *bx1 = box[2];
        *by1 = box[3];
    }
    free(stack);
    free(label);
    return 0;
}

/* ---- 1b. trays and strip gaps ---------------------------------------- */

/* The q-quantile of the ok cells of one row (dir 0) or column (dir 1) of
 * the box, or NAN when too few cells are ok. */
static double line_quantile(const grid_t *g, int dir, int k, int a, int b, double q, float *buf)
{
    size_t m = 0;
    for (int j = a; j <= b; j++) {
        size_t i = dir == 0 ? (size_t)k * (size_t)g->w + (size_t)j : (size_t)j * (size_t)g->w + (size_t)k;
        if (g->ok[i])
            buf[m++] = g->v[i];
    }
    if (m * 4 < (size_t)(b - a + 1) || m == 0)
        return NAN;
    return quantile_f(buf, m, q);
}

/* Steps of a line profile: d[i] = p[i+3] - p[i-3] (a tilted edge spreads
 * over a few cells); returns the robust scale of d (gradients and lanes are
 * slow, a membrane edge is a jump). */
static double step_profile(const double *p, int n, double *d, double *tmp)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        int a = i - 3 < 0 ? 0 : i - 3, b = i + 3 > n - 1 ? n - 1 : i + 3;
        d[i] = (isfinite(p[a]) && isfinite(p[b])) ? p[b] - p[a] : 0.0;
        if (i > 0 && i < n - 1)
            tmp[m++] = fabs(d[i]);
    }
    return m > 0 ? 1.4826 * median_d(tmp, m) : 0.0;
}

/* The membrane edge nearest one end of a line profile (from = 0: the start,
 * the step goes up; from = 1: the end, the step goes down), or -1. An edge is
 * the largest step in the outer 30 %, above the noise, with a flat run of
 * tray before it that lies clearly below the membrane after it (the edge of
 * a lane rises from membrane background, not from below it). Returns the
 * first membrane cell. */
static int find_edge(const double *p, const double *d, int n, int from, double thr, double *step,
                     double *tray)
{
    int lim = n * 3 / 10, bi = -1;
    double best = thr;
    for (int k = 1; k < lim; k++) {
        int i = from ? n - 1 - k : k;
        double v = from ? -d[i] : d[i];
        if (v > best) {
            best = v;
            bi = i;
        }
    }
    if (bi < 0)
        return -1;
    /* tray side: from the end to 4 cells short of the step */
    int t0 = from ? bi + 4 : 0, t1 = from ? n - 1 : bi - 4;
    int m0 = from ? bi - 4 - n / 10 : bi + 4, m1 = from ? bi - 4 : bi + 4 + n / 10;
    if (t1 < t0) {
        t0 = t1 = from ? n - 1 : 0;
    }
    if (m0 < 0) m0 = 0;
    if (m1 > n - 1) m1 = n - 1;
    double tmin = HUGE_VAL, tmax = -HUGE_VAL, tsum = 0.0, mmin = HUGE_VAL;
    int tn = 0;
    for (int i = t0; i <= t1; i++)
        if (isfinite(p[i])) {
            tmin = fmin(tmin, p[i]);
            tmax = fmax(tmax, p[i]);
            tsum += p[i];
            tn++;
        }
    for (int i = m0; i <= m1; i++)
        if (isfinite(p[i]))
            mmin = fmin(mmin, p[i]);
    if (tn == 0 || !isfinite(mmin))
        return -1;
    if (tmax - tmin > 0.5 * best || tsum / tn > mmin - 0.5 * best)
        return -1;
    *step = best;
    *tray = tsum / tn;
    return from ? bi - 2 : bi + 2;
}

/* Cell (x, y) at depth k from side s of the box (0 top, 1 bottom, 2 left,
 * 3 right), at position a along that side. */
static size_t side_cell(const grid_t *g, int s, int a, int k, int bx0, int by0, int bx1, int by1)
{
    int x = s == 2 ? bx0 + k : s == 3 ? bx1 - k : a;
    int y = s == 0 ? by0 + k : s == 1 ? by1 - k : a;
    return (size_t)y * (size_t)g->w + (size_t)x;
}

/* Mask the tray along one side cell by cell: a tilted membrane meets the
 * tray at a different depth in every column (row). Along each line, cells
 * stay tray while they are below the outermost cell + step/2, but only where
 * the outermost cell is clearly below the membrane just inside the edge
 * found in the profile (depth e). Returns the smallest depth of membrane. */
static int mask_side(grid_t *g, int s, int e, double step, double tray, int a0, int a1, int bx0,
                     int by0, int bx1, int by1, int *depths)
{
    int depth_max = s < 2 ? (by1 - by0 + 1) * 35 / 100 : (bx1 - bx0 + 1) * 35 / 100;
    int ref_k = e + 3 < depth_max ? e + 3 : depth_max;
    int nd = 0;
    for (int a = a0; a <= a1; a++) {
        size_t o = side_cell(g, s, a, 0, bx0, by0, bx1, by1);
        size_t r = side_cell(g, s, a, ref_k, bx0, by0, bx1, by1);
        if (!g->ok[o] || !g->ok[r])
            continue;
        if (g->v[r] < tray + 0.5 * step)
            continue; /* tray all along: a line beside the membrane */
        if (g->v[o] > g->v[r] - 0.5 * step) {
            depths[nd++] = 0; /* membrane reaches the border here */
            continue;
        }
        double lim = g->v[o] + 0.5 * step;
        int k = 0;
        for (; k < depth_max; k++) {
            size_t i = side_cell(g, s, a, k, bx0, by0, bx1, by1);
            if (g->ok[i] && g->v[i] >= lim) {
                /* three in a row: a speck in the tray is not membrane */
                size_t i1 = side_cell(g, s, a, k + 1, bx0, by0, bx1, by1);
                size_t i2 = side_cell(g, s, a, k + 2, bx0, by0, bx1, by1);
                if (g->ok[i1] && g->v[i1] >= lim && g->ok[i2] && g->v[i2] >= lim)
                    break;
            }
            g->ok[i] = 0;
        }
        depths[nd++] = k;
    }
    if (nd == 0)
        return 0;
    /* the box keeps (nearly) all membrane: a low quantile, not the minimum,
     * so one odd line does not undo the rest */
    for (int i = 1; i < nd; i++) {
        int x = depths[i], j = i - 1;
        while (j >= 0 && depths[j] > x) {
            depths[j + 1] = depths[j];
            j--;
        }
        depths[j + 1] = x;
    }
    return depths[nd / 5];
}

/* A gap between cut strips, as a line through the grid: centre row
 * y = a + b * (x - xc) (cells), reaching up cells above and down below. */
typedef struct gapline {
    double a, b, xc, up, down;
} gapline_t;

/* A dark run of rows in one vertical slab of the box. */
typedef struct gapcand {
    double x, y, y0, y1;
    int slab, used;
} gapcand_t;

/* The finite values of a window sliding along a profile, kept sorted: a
 * row in, a row out, instead of sorting the whole window again at every
 * row. Its quantiles are bq_quantile_inplace's of the same values. */
typedef struct sorted_win {
    double *v; /* room for the largest window */
    int n;
} sorted_win_t;

static void win_add(sorted_win_t *w, double x)
{
    if (!isfinite(x))
        return;
    int lo = 0, hi = w->n; /* after the values <= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->v[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    memmove(w->v + lo + 1, w->v + lo, (size_t)(w->n - lo) * sizeof *w->v);
    w->v[lo] = x;
    w->n++;
}

static void win_remove(sorted_win_t *w, double x)
{
    if (!isfinite(x))
        return;
    int lo = 0, hi = w->n; /* the first value >= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the very value among the equal ones (0.0 and -0.0 compare equal) */
    int i = lo;
    while (i < w->n && w->v[i] == x && memcmp(&w->v[i], &x, sizeof x) != 0)
        i++;
    if (i >= w->n || w->v[i] != x)
        i = lo;
    if (i >= w->n || w->v[i] != x)
        return; /* not there: nothing to take out */
    memmove(w->v + i, w->v + i + 1, (size_t)(w->n - i - 1) * sizeof *w->v);
    w->n--;
}

/* The lower quartile with bq_quantile_inplace's interpolation, NAN when
 * the window holds no value. */
static double win_quartile(const sorted_win_t *w)
{
    if (w->n == 0)
        return NAN;
    double pos = 0.25 * (double)(w->n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    if (i + 1 < (size_t)w->n)
        return w->v[i] * (1.0 - frac) + w->v[i + 1] * frac;
    return w->v[i];
}

/* Gaps between cut strips. Strips are laid down by hand, each a little
 * tilted, so a gap is rarely level: over the whole width it can drift by
 * more than its own height and no row crosses it. In a slab of a few
 * hundred pixels it is level enough, so each slab's row profile (a low
 * quantile: band rows still show the membrane between the lanes) is searched
 * for runs darker than the membrane on both sides, and runs that line up
 * across most slabs make a gap. Returns the number of gaps, sorted top to
 * bottom. */
static int find_gaps(const grid_t *g, int bx0, int by0, int bx1, int by1, gapline_t *gl, int cap)
{
    int w = bx1 - bx0 + 1, h = by1 - by0 + 1;
    if (h < 16 || w < 24)
        return 0;
    int ns = w / 40;
    if (ns < 3) ns = 3;
    if (ns > 8) ns = 8;
    int R = h / 4;
    double *p = bq_alloc_array((size_t)h, sizeof *p);
    double *tmp = bq_alloc_array((size_t)h, sizeof *tmp);
    double *tmp2 = bq_alloc_array((size_t)h, sizeof *tmp2);
    float *buf = bq_alloc_array((size_t)w, sizeof *buf);
    int ccap = ns * 16, nc = 0;
    gapcand_t *c = bq_alloc_array((size_t)ccap, sizeof *c);
    int ng = 0;
    if (!p || !tmp || !tmp2 || !buf || !c)
        goto done;
    for (int k = 0; k < ns; k++) {
        int xa = bx0 + k * w / ns, xb = bx0 + (k + 1) * w / ns - 1;
        int first = -1, last = -1;
        for (int y = 0; y < h; y++) {
            p[y] = line_quantile(g, 0, by0 + y, xa, xb, 0.15, buf);
            if (isfinite(p[y])) {
                if (first < 0)
                    first = y;
                last = y;
            }
        }
        if (first < 0)
            continue;
        int m = 0;
        for (int y = first; y < last; y++)
            if (isfinite(p[y]) && isfinite(p[y + 1]))
                tmp[m++] = fabs(p[y + 1] - p[y]);
        double noise = m > 0 ? 1.4826 * median_d(tmp, m) / sqrt(2.0) : 0.0;
        m = 0;
        for (int y = first; y <= last; y++)
            if (isfinite(p[y]))
                tmp[m++] = p[y];
        double level = median_d(tmp, m);
        double lo = tmp[0];
        /* a gap goes down to the tray: far below the membrane, not a
         * noise-deep dip */
        double thr = fmax(8.0 * noise, 0.3 * (level - lo));
        if (!(thr > 0.0))
            continue;
        int r0 = -1;
        /* the rows first..y-1 within R above y, and y+1..last within R
         * below it; tmp is free again */
        sorted_win_t left = {tmp, 0}, right = {tmp2, 0};
        for (int j = first + 2; j <= last && j <= first + 1 + R; j++)
            win_add(&right, p[j]);
        for (int y = first + 1; y <= last; y++) {
            int dark = 0;
            win_add(&left, p[y - 1]);
            if (y - R - 1 >= first)
                win_remove(&left, p[y - R - 1]);
            if (y > first + 1) {
                win_remove(&right, p[y]);
                if (y + R <= last)
                    win_add(&right, p[y + R]);
            }
            /* the membrane on each side: a low quartile of its rows, not
             * their maximum. Band rows lift this profile a little (band
             * edges reach between the lanes), so the plain membrane between
             * two band rows is darker than both neighbours without being a
             * gap; a gap is darker than the plain membrane itself. */
            double lq = win_quartile(&left);
            double rq = win_quartile(&right);
            if (isfinite(lq) && isfinite(rq))
                dark = !isfinite(p[y]) || (fmin(lq, rq) - p[y] > thr && level - p[y] > thr);
            if (dark && r0 < 0)
                r0 = y;
            if ((!dark || y == last) && r0 >= 0) {
                int r1 = dark ? y : y - 1;
                if (r1 - r0 + 1 <= R && r0 > first && r1 < last && nc < ccap) {
                    c[nc].x = 0.5 * (xa + xb);
                    c[nc].y = 0.5 * (r0 + r1) + by0;
                    c[nc].y0 = r0 + by0;
                    c[nc].y1 = r1 + by0;
                    c[nc].slab = k;
                    c[nc].used = 0;
                    nc++;
                }
                r0 = -1;
            }
        }
    }
    /* runs that line up, within the steepest tilt, across most slabs */
    double bmax = MAX_TILT * g->fx / g->fy;
    int need = ns / 2 + 1;
    while (ng < cap) {
        int best = -1, best_sup = 0;
        for (int i = 0; i < nc; i++) {
            if (c[i].used)
                continue;
            uint32_t slabs = 0;
            for (int j = 0; j < nc; j++)
                if (!c[j].used && fabs(c[j].y - c[i].y) <= bmax * fabs(c[j].x - c[i].x) + 2.0)
                    slabs |= 1u << c[j].slab;
            int sup = __builtin_popcount(slabs);
            if (sup > best_sup) {
                best_sup = sup;
                best = i;
            }
        }
        if (best < 0 || best_sup < need)
            break;
        /* one run per slab, the nearest; least-squares line through them */
        int mem[8];
        int nm = 0;
        for (int k = 0; k < ns; k++) {
            int bi = -1;
            for (int j = 0; j < nc; j++) {
                if (c[j].used || c[j].slab != k ||
                    fabs(c[j].y - c[best].y) > bmax * fabs(c[j].x - c[best].x) + 2.0)
                    continue;
                if (bi < 0 || fabs(c[j].y - c[best].y) < fabs(c[bi].y - c[best].y))
                    bi = j;
            }
            if (bi >= 0)
                mem[nm++] = bi;
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < nm; i++) {
            sx += c[mem[i]].x;
            sy += c[mem[i]].y;
        }
        double xc = sx / nm, yc = sy / nm;
        for (int i = 0; i < nm; i++) {
            double dx = c[mem[i]].x - xc;
            sxx += dx * dx;
            sxy += dx * (c[mem[i]].y - yc);
        }
        double b = sxx > 0.0 ? bq_clamp(sxy / sxx, -bmax, bmax) : 0.0;
        double up[8], down[8];
        for (int i = 0; i < nm; i++) {
            double yl = yc + b * (c[mem[i]].x - xc);
            up[i] = yl - c[mem[i]].y0;
            down[i] = c[mem[i]].y1 - yl;
        }
        gl[ng].a = yc;
        gl[ng].b = b;
        gl[ng].xc = xc;
        gl[ng].up = fmax(median_d(up, nm), 0.5);
        gl[ng].down = fmax(median_d(down, nm), 0.5);
        /* a strip must remain on both sides */
        if (yc - gl[ng].up - by0 >= h / 25 && by1 - (yc + gl[ng].down) >= h / 25)
            ng++;
        for (int j = 0; j < nc; j++)
            if (fabs(c[j].y - (yc + b * (c[j].x - xc))) <= 2.0 + 0.5 * (c[j].y1 - c[j].y0))
                c[j].used = 1;
        c[best].used = 1;
        for (int i = 0; i < nm; i++)
            c[mem[i]].used = 1;
    }
    for (int i = 1; i < ng; i++) {
        gapline_t x = gl[i];
        int j = i - 1;
        while (j >= 0 && gl[j].a > x.a) {
            gl[j + 1] = gl[j];
            j--;
        }
        gl[j + 1] = x;
    }
done:
    free(p);
    free(tmp);
    free(tmp2);
    free(buf);
    free(c);
    return ng;
}

/* Mask the tray beside one strip (right = 0: left side), row by row: a
 * tilted strip meets the tray at a different column in every row. Like
 * mask_side, but only the strip's own cells count. */
static void mask_strip_side(grid_t *g, int s, int right, int e, double step, int sy0, int sy1,
                            int bx0, int bx1)
{
    int w = bx1 - bx0 + 1;
    int depth_max = w * 35 / 100;
    int ref_k = e + 3 < depth_max ? e + 3 : depth_max;
    for (int y = sy0; y <= sy1; y++) {
        size_t row = (size_t)y * (size_t)g->w;
#define CELL(k) (row + (size_t)(right ? bx1 - (k) : bx0 + (k)))
        int k0 = 0;
        while (k0 < depth_max && g->lab[CELL(k0)] != s)
            k0++;
        if (k0 >= depth_max || k0 + ref_k >= w)
            continue;
        size_t o = CELL(k0), r = CELL(k0 + ref_k);
        if (!g->ok[o] || !g->ok[r] || g->lab[r] != s || g->v[o] > g->v[r] - 0.5 * step)
            continue;
        double lim = g->v[o] + 0.5 * step;
        /* membrane starts where three cells in a row are above the
         * limit: a speck of dust in the tray is not membrane */
        for (int k = k0; k < depth_max; k++) {
            size_t i = CELL(k);
            if (g->lab[i] != s)
                continue;
            if (g->ok[i] && g->v[i] >= lim && k + 2 < w) {
                size_t i1 = CELL(k + 1), i2 = CELL(k + 2);
                if (g->ok[i1] && g->v[i1] >= lim && g->ok[i2] && g->v[i2] >= lim)
                    break;
            }
            g->ok[i] = 0;
        }
#undef CELL
    }
}

/* A darker tray (or a white page, inverted) around the membrane, and gaps
 * between cut strips, are sharp steps down from the membrane background:
 * a gradient adds to tray and membrane alike and changes slowly. Top and
 * bottom come first (row medians), then the gaps, which label every cell
 * with its strip; left and right edges are found per strip, since strips
 * laid down by hand are shifted sideways against each other. Cells found to
 * be tray or gap are masked; the box shrinks to the membrane. Returns the
 * number of strips (>= 1) or a negative error; gl receives the gaps. */
static int grid_tray(grid_t *g, int *bx0, int *by0, int *bx1, int *by1, gapline_t *gl, int gcap,
                     int *n_gaps)
{
    int n = g->w > g->h ? g->w : g->h;
    double *p = bq_alloc_array((size_t)n, sizeof *p);
    double *d = bq_alloc_array((size_t)n, sizeof *d);
    double *tmp = bq_alloc_array((size_t)n, sizeof *tmp);
    float *buf = bq_alloc_array((size_t)n, sizeof *buf);
    int *depths = bq_alloc_array((size_t)n, sizeof *depths);
    *n_gaps = 0;
    if (!p || !d || !tmp || !buf || !depths) {
        free(p);
        free(d);
        free(tmp);
        free(buf);
        free(depths);
        return BQ_ERR_NOMEM;
    }
    /* top and bottom: row medians over the whole width */
    int h = *by1 - *by0 + 1;
    for (int y = *by0; y <= *by1; y++)
        p[y - *by0] = line_quantile(g, 0, y, *bx0, *bx1, 0.5, buf);
    double sd = step_profile(p, h, d, tmp);
    double thr = TRAY_STEP * sd;
    int yt = *by0, yb = *by1;
    if (h >= 12 && thr > 0.0) {
        double st = 0.0, tr = 0.0;
        int e = find_edge(p, d, h, 0, thr, &st, &tr);
        if (e >= 0)
            yt = *by0 + mask_side(g, 0, e, st, tr, *bx0, *bx1, *bx0, *by0, *bx1, *by1, depths);
        e = find_edge(p, d, h, 1, thr, &st, &tr);
        if (e >= 0)
            yb = *by1 - mask_side(g, 1, h - 1 - e, st, tr, *bx0, *bx1, *bx0, *by0, *bx1, *by1,
                                  depths);
    }
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            if (y < yt || y > yb)
                g->ok[(size_t)y * (size_t)g->w + (size_t)x] = 0;
    *by0 = yt;
    *by1 = yb;

    /* gaps: mask them, label every cell with its strip */
    int ng = find_gaps(g, *bx0, *by0, *bx1, *by1, gl, gcap);
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            size_t i = (size_t)y * (size_t)g->w + (size_t)x;
            int s = 0, in_gap = 0;
            for (int k = 0; k < ng; k++) {
                double cy = gl[k].a + gl[k].b * (x - gl[k].xc);
                if (y >= cy - gl[k].up - 1.0 && y <= cy + gl[k].down + 1.0)
                    in_gap = 1;
                else if (y > cy)
                    s = k + 1;
            }
            if (in_gap) {
                g->ok[i] = 0;
                g->lab[i] = NO_STRIP;
            } else {
                g->lab[i] = (uint8_t)s;
            }
        }
    *n_gaps = ng;

    /* left and right, strip by strip */
    int w = *bx1 - *bx0 + 1;
    for (int s = 0; s <= ng && w >= 12; s++) {
        int sy0 = g->h, sy1 = -1;
        for (int y = *by0; y <= *by1; y++)
            for (int x = *bx0; x <= *bx1; x++)
                if (g->lab[(size_t)y * (size_t)g->w + (size_t)x] == s) {
                    if (y < sy0) sy0 = y;
                    if (y > sy1) sy1 = y;
                    break;
                }
        if (sy1 < sy0)
            continue;
        for (int x = *bx0; x <= *bx1; x++) {
            size_t m = 0;
            for (int y = sy0; y <= sy1; y++) {
                size_t i = (size_t)y * (size_t)g->w + (size_t)x;
                if (g->ok[i] && g->lab[i] == s)
                    buf[m++] = g->v[i];
            }
            p[x - *bx0] = m * 4 >= (size_t)(sy1 - sy0 + 1) && m > 0 ? quantile_f(buf, m, 0.3) : NAN;
        }
        sd = step_profile(p, w, d, tmp);
        thr = TRAY_STEP * sd;
        if (!(thr > 0.0))
            continue;
        double st = 0.0, tr = 0.0;
        int e = find_edge(p, d, w, 0, thr, &st, &tr);
        if (e >= 0)
            mask_strip_side(g, s, 0, e, st, sy0, sy1, *bx0, *bx1);
        e = find_edge(p, d, w, 1, thr, &st, &tr);
        if (e >= 0)
            mask_strip_side(g, s, 1, w - 1 - e, st, sy0, sy1, *bx0, *bx1);
    }
    /* the box: rows and columns that are mostly membrane (a speck or a
     * label left in the tray must not widen it) */
    int nx0 = -1, nx1 = -1, ny0 = -1, ny1 = -1;
    for (int y = *by0; y <= *by1; y++) {
        int k = 0;
        for (int x = *bx0; x <= *bx1; x++)
            k += g->ok[(size_t)y * (size_t)g->w + (size_t)x];
        if (k * 10 >= w * 3) {
            if (ny0 < 0)
                ny0 = y;
            ny1 = y;
        }
    }
    for (int x = *bx0; x <= *bx1; x++) {
        int k = 0;
        for (int y = *by0; y <= *by1; y++)
            k += g->ok[(size_t)y * (size_t)g->w + (size_t)x];
        if (k * 10 >= (*by1 - *by0 + 1) * 3) {
            if (nx0 < 0)
                nx0 = x;
            nx1 = x;
        }
    }
    if (nx0 >= 0 && ny0 >= 0) {
        for (int y = 0; y < g->h; y++)
            for (int x = 0; x < g->w; x++)
                if (x < nx0 || x > nx1 || y < ny0 || y > ny1)
                    g->ok[(size_t)y * (size_t)g->w + (size_t)x] = 0;
        *bx0 = nx0;
        *bx1 = nx1;
        *by0 = ny0;
        *by1 = ny1;
    }
    free(p);
    free(d);
    free(tmp);
    free(buf);
    free(depths);
    return 0;
}
/* ---- 2. background and compression ----------------------------------- */

/* A smooth surface through the q-quantile of each tile of vals (rw x rh,
 * row-major, only where ok): tiles with too little membrane borrow from
 * their neighbours, a 3x3 median over tiles keeps one tile filled by a huge
 * blob from denting the surface, and the surface is bilinear between tile
 * centres and extrapolated linearly beyond the outer ones (a gradient keeps
 * rising up to the edge). surf is rw x rh. */
static int tile_surface(const float *vals, const uint8_t *ok, int rw, int rh, int nx, int ny,
                        double q, float *surf)
{
    size_t nt = (size_t)nx * (size_t)ny;
    double *tile = bq_alloc_array(nt, sizeof *tile);
    double *tile2 = bq_alloc_array(nt, sizeof *tile2);
    uint8_t *have = bq_calloc_array(nt, 1);
    size_t cap = (size_t)(rw / nx + 2) * (size_t)(rh / ny + 2);
    float *buf = bq_alloc_array(cap, sizeof *buf);
    /* per column of the surface: left tile and weight along x, and the two
     * tile rows' interpolation along x (it only changes with ty0) */
    int *ctx = bq_alloc_array((size_t)rw, sizeof *ctx);
    double *cwx = bq_alloc_array((size_t)rw, sizeof *cwx);
    double *a0 = bq_alloc_array((size_t)rw, sizeof *a0);
    double *a1 = bq_alloc_array((size_t)rw, sizeof *a1);
    int rc = BQ_ERR_NOMEM;
    if (!tile || !tile2 || !have || !buf || !ctx || !cwx || !a0 || !a1)
        goto out;
    int any = 0;
    for (int ty = 0; ty < ny; ty++) {
        int y0 = ty * rh / ny, y1 = (ty + 1) * rh / ny;
        for (int tx = 0; tx < nx; tx++) {
            int x0 = tx * rw / nx, x1 = (tx + 1) * rw / nx;
            /* a percentile of a few thousand cells is as good from every
             * other row and column: a quarter of the selection work */
            int st = (x1 - x0) >= 24 && (y1 - y0) >= 24 ? 2 : 1;
            size_t m = 0, area = 0;
            for (int y = y0; y < y1; y += st)
                for (int x = x0; x < x1; x += st) {
                    size_t i = (size_t)y * (size_t)rw + (size_t)x;
                    area++;
                    if (ok[i] && m < cap)
                        buf[m++] = vals[i];
                }
            size_t t = (size_t)ty * (size_t)nx + (size_t)tx;
            if (m > 0 && m * 4 >= area) {
                tile[t] = quantile_f(buf, m, q);
                have[t] = 1;
                any = 1;
            }
        }
    }
    if (!any)
        for (size_t t = 0; t < nt; t++) {
            tile[t] = 0.0;
            have[t] = 1;
        }
    for (int pass = 0; pass < nx + ny; pass++) {
        int missing = 0;
        for (int ty = 0; ty < ny; ty++)
            for (int tx = 0; tx < nx; tx++) {
                size_t t = (size_t)ty * (size_t)nx + (size_t)tx;
                if (have[t] == 1)
                    continue;
                double s = 0.0;
                int k = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int ux = tx + dx, uy = ty + dy;
                        if (ux < 0 || uy < 0 || ux >= nx || uy >= ny)
                            continue;
                        size_t u = (size_t)uy * (size_t)nx + (size_t)ux;
                        if (have[u] == 1) {
                            s += tile[u];
                            k++;
                        }
                    }
                if (k > 0) {
                    tile[t] = s / k;
                    have[t] = 3; /* usable from the next pass on */
                } else {
                    missing = 1;
                }
            }
        for (size_t t = 0; t < nt; t++)
            if (have[t] == 3)
                have[t] = 1;
        if (!missing)
            break;
    }
    for (int ty = 0; ty < ny; ty++)
        for (int tx = 0; tx < nx; tx++) {
            double v9[9];
            int k = 0;
            /* beyond the edge, neighbours are extrapolated linearly so a
             * gradient is not flattened at the borders */
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int ux = tx + dx, uy = ty + dy;
                    double wx = 1.0, wy = 1.0;
                    if (ux < 0 || ux >= nx) {
                        ux = tx - dx;
                        wx = -1.0;
                    }
                    if (uy < 0 || uy >= ny) {
                        uy = ty - dy;
                        wy = -1.0;
                    }
                    if (ux < 0 || ux >= nx || uy < 0 || uy >= ny)
                        continue;
                    double c = tile[(size_t)ty * (size_t)nx + (size_t)tx];
                    double dxv = tile[(size_t)ty * (size_t)nx + (size_t)ux] - c;
                    double dyv = tile[(size_t)uy * (size_t)nx + (size_t)tx] - c;
                    double dxy = tile[(size_t)uy * (size_t)nx + (size_t)ux] - c - dxv - dyv;
                    v9[k++] = c + wx * dxv + wy * dyv + wx * wy * dxy;
                }
            tile2[(size_t)ty * (size_t)nx + (size_t)tx] = median_d(v9, k);
        }
    /* the column weights are the same in every row: once */
    for (int x = 0; x < rw; x++) {
        double fx = ((double)x + 0.5) * nx / rw - 0.5;
        ctx[x] = nx > 1 ? (int)bq_clamp(floor(fx), 0, nx - 2) : 0;
        cwx[x] = nx > 1 ? bq_clamp(fx - ctx[x], -0.75, 1.75) : 0.0;
    }
    int row_ty0 = -1;
    for (int y = 0; y < rh; y++) {
        double fy = ((double)y + 0.5) * ny / rh - 0.5;
        int ty0 = ny > 1 ? (int)bq_clamp(floor(fy), 0, ny - 2) : 0;
        int ty1 = ny > 1 ? ty0 + 1 : 0;
        double wy = ny > 1 ? bq_clamp(fy - ty0, -0.75, 1.75) : 0.0;
        if (ty0 != row_ty0) {
            const double *r0 = tile2 + (size_t)ty0 * (size_t)nx;
            const double *r1 = tile2 + (size_t)ty1 * (size_t)nx;
            int dx1 = nx > 1 ? 1 : 0;
            for (int x = 0; x < rw; x++) {
                int tx0 = ctx[x], tx1 = tx0 + dx1;
                double wx = cwx[x];
                a0[x] = (1 - wx) * r0[tx0] + wx * r0[tx1];
                a1[x] = (1 - wx) * r1[tx0] + wx * r1[tx1];
            }
            row_ty0 = ty0;
        }
        float *srow = surf + (size_t)y * (size_t)rw;
        for (int x = 0; x < rw; x++)
            srow[x] = (float)((1 - wy) * a0[x] + wy * a1[x]);
    }
    rc = 0;
out:
    free(ctx);
    free(cwx);
    free(a0);
    free(a1);
    free(tile);
    free(tile2);
    free(have);
    free(buf);
    return rc;
}

/* Subtract a smooth background and fill g->t with the compressed residual.
 * Two passes: the low percentile of a tile on a steep gradient sits below
 * the tile's middle, so a second pass on the residual takes that out. The
 * box is in cells. */
static int grid_flatten(grid_t *g, int bx0, int by0, int bx1, int by1)
{
    int rw = bx1 - bx0 + 1, rh = by1 - by0 + 1;
    int side = (rw > rh ? rw : rh) / 8;
    if (side < 12)
        side = 12;
    int nx = (int)lround((double)rw / side), ny = (int)lround((double)rh / side);
    if (nx < 1) nx = 1;
    if (ny < 1) ny = 1;
    size_t ncells = (size_t)rw * (size_t)rh;
    float *res = bq_alloc_array(ncells, sizeof *res);
    float *surf = bq_alloc_array(ncells, sizeof *surf);
    uint8_t *ok = bq_alloc_array(ncells, 1);
    size_t dcap = ncells < 200000 ? ncells : 200000;
    float *samp = bq_alloc_array(dcap + 1, sizeof *samp);
    if (!res || !surf || !ok || !samp) {
        free(res);
        free(surf);
        free(ok);
        free(samp);
        return BQ_ERR_NOMEM;
    }
    for (int y = 0; y < rh; y++)
        for (int x = 0; x < rw; x++) {
            size_t i = (size_t)(y + by0) * (size_t)g->w + (size_t)(x + bx0);
            size_t j = (size_t)y * (size_t)rw + (size_t)x;
            res[j] = g->v[i];
            ok[j] = g->ok[i];
        }
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        rc = tile_surface(res, ok, rw, rh, nx, ny, 0.2, surf);
        for (size_t j = 0; j < ncells && rc == 0; j++)
            res[j] = ok[j] ? res[j] - surf[j] : 0.0f;
    }
    if (rc) {
        free(res);
        free(surf);
        free(ok);
        free(samp);
        return rc;
    }
    /* noise from neighbour differences (smooth signal cancels), signal scale
     * from a high percentile of the residual */
    size_t stride = ncells / dcap + 1;
    size_t m = 0;
    for (size_t j = 0; j + 1 < ncells && m < dcap; j += stride)
        if ((int)(j % (size_t)rw) + 1 < rw && ok[j] && ok[j + 1])
            samp[m++] = fabsf(res[j + 1] - res[j]);
    double sigma = m > 0 ? 1.4826 * quantile_f(samp, m, 0.5) / sqrt(2.0) : 0.0;
    m = 0;
    for (size_t j = 0; j < ncells && m < dcap; j += stride)
        if (ok[j])
            samp[m++] = res[j];
    double hi = m > 0 ? quantile_f(samp, m, 0.995) : 0.0;
    double scale = 3.0 * sigma;
    /* a clean 8-bit export has almost no noise: without a floor, membrane
     * texture would be compressed up to the height of the bands */
    if (scale < 0.05 * hi)
        scale = 0.05 * hi;
    if (!(scale > 0.0))
        scale = 1e-30; /* a constant image: every residual is 0 anyway */
    memset(g->t, 0, (size_t)g->w * (size_t)g->h * sizeof *g->t);
    for (int y = 0; y < rh; y++)
        for (int x = 0; x < rw; x++) {
            size_t j = (size_t)y * (size_t)rw + (size_t)x;
            /* 2.5 sigma off first: pure noise then adds (almost) nothing */
            double r = res[j] - 2.5 * sigma;
            if (ok[j] && r > 0.0)
                g->t[(size_t)(y + by0) * (size_t)g->w + (size_t)(x + bx0)] = log1pf((float)(r / scale));
        }
    free(res);
    free(surf);
    free(ok);
    free(samp);
    return 0;
}

/* ---- 4. tilt and column profile --------------------------------------- */

/* Column profile of strip s (cells) with the given shear; counts too. The
 * strip's rows are summed in chunks so the shear search stays cheap. */
typedef struct chunks {
    int n, w;
    double *sum;   /* n x w */
    double *cnt;   /* n x w */
    double *yc;    /* chunk centre rows */
} chunks_t;

static void chunks_free(chunks_t *c)
{
    free(c->sum);
    free(c->cnt);
    free(c->yc);
}

static int chunks_build(const grid_t *g, int bx0, int bx1, int gy0, int gy1, int id, chunks_t *c)
{
    int rows = gy1 - gy0 + 1;
    int ch = (rows + 47) / 48;
    c->n = (rows + ch - 1) / ch;
    c->w = g->w;
    size_t n = (size_t)c->n * (size_t)c->w;
    c->sum = bq_calloc_array(n, sizeof *c->sum);
    c->cnt = bq_calloc_array(n, sizeof *c->cnt);
    c->yc = bq_calloc_array((size_t)c->n, sizeof *c->yc);
    if (!c->sum || !c->cnt || !c->yc) {
        chunks_free(c);
        return BQ_ERR_NOMEM;
    }
    for (int k = 0; k < c->n; k++) {
        int y0 = gy0 + k * ch, y1 = y0 + ch - 1;
        if (y1 > gy1)
            y1 = gy1;
        c->yc[k] = 0.5 * (y0 + y1);
        double *s = c->sum + (size_t)k * (size_t)c->w, *cn = c->cnt + (size_t)k * (size_t)c->w;
        for (int y = y0; y <= y1; y++) {
            const float *t = g->t + (size_t)y * (size_t)g->w;
            const uint8_t *ok = g->ok + (size_t)y * (size_t)g->w;
            const uint8_t *lab = g->lab + (size_t)y * (size_t)g->w;
            for (int x = bx0; x <= bx1; x++) {
                if (lab[x] != id)
                    continue;
                s[x] += t[x];
                cn[x] += ok[x];
            }
        }
    }
    return 0;
}

/* Sum the chunks along lines of slope `slope` (cells) through row yref. */
static void chunks_project(const chunks_t *c, double slope, double yref,
                           double *sum, double *cnt, int nearest)
{
    memset(sum, 0, (size_t)c->w * sizeof *sum);
    if (cnt)
        memset(cnt, 0, (size_t)c->w * sizeof *cnt);
    for (int k = 0; k < c->n; k++) {
        double sh = slope * (c->yc[k] - yref);
        const double *s = c->sum + (size_t)k * (size_t)c->w;
        const double *cn = c->cnt + (size_t)k * (size_t)c->w;
        /* the search uses whole-cell shifts: interpolation would smooth
         * the noise by an amount that depends on the shear and bias it */
        int ish = nearest ? (int)lround(sh) : (int)floor(sh);
        double f = nearest ? 0.0 : sh - ish;
        /* columns x with x + ish >= 0 and x + ish + 1 < w */
        int x0 = -ish > 0 ? -ish : 0, x1 = c->w - 2 - ish;
        if (x1 > c->w - 1)
            x1 = c->w - 1;
        if (nearest && !cnt) {
            /* the shear search: whole-cell shifts, a contiguous add */
            for (int x = x0; x <= x1; x++)
                sum[x] += s[x + ish];
            continue;
        }
        for (int x = x0; x <= x1; x++) {
            int a = x + ish, b = a + 1;
            sum[x] += (1 - f) * s[a] + f * s[b];
            if (cnt)
                cnt[x] += (1 - f) * cn[a] + f * cn[b];
        }
    }
}

static double profile_sharpness(const double *p, int n)
{
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        s += p[i];
        s2 += p[i] * p[i];
    }
    return s2 - s * s / (n > 0 ? n : 1);
}

/* How much of the tilt found to keep (0..1). Sharpness rises with the
 * square of how far a shear undoes the true tilt, so a real tilt of a few
 * hundredths sharpens the profile by a few %, while a tilt that sharpens it
 * by a fraction of a % is bent bands, a fan of ladders or a blob: shrink it
 * toward 0 by gain / |slope| (relative gain per unit of slope). And a tilt
 * is only measured along the height the signal spans: a strip cropped to
 * one band row, where the tilt moves the lanes by less than a cell over the
 * signal's height, cannot tell a tilt at all. px_per_cell = fx / fy turns
 * cell slopes into pixel slopes. */
static double tilt_evidence(const chunks_t *c, int bx0, int bx1, double v0, double vbest,
                            double slope, double px_per_cell)
{
    if (slope == 0.0 || !(v0 > 0.0))
        return 1.0;
    double sw = 0.0, sy = 0.0, syy = 0.0;
    for (int k = 0; k < c->n; k++) {
        double s = 0.0;
        const double *row = c->sum + (size_t)k * (size_t)c->w;
        for (int x = bx0; x <= bx1; x++)
            s += row[x];
        sw += s;
        sy += s * c->yc[k];
        syy += s * c->yc[k] * c->yc[k];
    }
    if (!(sw > 0.0))
        return 0.0;
    double var = syy / sw - (sy / sw) * (sy / sw);
    double height = sqrt(12.0 * fmax(var, 0.0)); /* cells spanned by the signal */
    if (fabs(slope) * height < 1.0)
        return 0.0;
    double r = (vbest - v0) / v0 / (fabs(slope) * px_per_cell);
    return r * r / (r * r + 0.3 * 0.3);
}

/* Find the strip's tilt and fill its column profile (mean compressed signal
 * per column along the tilted lines). */
static int strip_profile(const grid_t *g, int bx0, int bx1, strip_work_t *sw)
{
    chunks_t c;
    memset(&c, 0, sizeof c);
    int rc = chunks_build(g, bx0, bx1, sw->gy0, sw->gy1, sw->id, &c);
    if (rc)
        return rc;
    double *sum = bq_alloc_array((size_t)g->w, sizeof *sum);
    double *cnt = bq_alloc_array((size_t)g->w, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        chunks_free(&c);
        return BQ_ERR_NOMEM;
    }
    sw->yref = 0.5 * (sw->gy0 + sw->gy1);
    /* slope in cells: dx_cells = slope_px * dy_px / fx = slope_px * fy / fx * dy_cells */
    double smax = MAX_TILT * g->fy / g->fx;
    double half = 0.5 * (sw->gy1 - sw->gy0 + 1);
    int nstep = (int)ceil(smax * half / 0.5);
    if (nstep > 20)
        nstep = 20;
    double best = -1.0, best_s = 0.0;
    double sh[41];
    for (int k = -nstep; k <= nstep; k++) {
        double s = nstep > 0 ? smax * k / nstep : 0.0;
        chunks_project(&c, s, sw->yref, sum, NULL, 1);
        /* columns that some chunks leave at the largest shear would look
         * dimmer; judge only the ones every shear keeps */
        int m = (int)ceil(smax * half) + 1;
        if (2 * m >= bx1 - bx0)
            m = 0;
        double v = profile_sharpness(sum + bx0 + m, bx1 - bx0 + 1 - 2 * m);
        sh[k + nstep] = v;
        /* prefer no tilt unless a tilt is clearly sharper */
        if (v > best * (1.0 + 1e-9) || (v >= best && fabs(s) < fabs(best_s))) {
            best = v;
            best_s = s;
        }
    }
    if (nstep > 0) {
        int k = (int)lround(best_s / smax * nstep) + nstep;
        if (k > 0 && k < 2 * nstep) {
            double a = sh[k - 1], b = sh[k], d = sh[k + 1];
            double den = a - 2 * b + d;
            if (den < 0)
                best_s += bq_clamp(0.5 * (a - d) / den, -0.5, 0.5) * smax / nstep;
        }
    }
    best_s *= tilt_evidence(&c, bx0, bx1, sh[nstep], best, best_s, (double)g->fx / g->fy);
    sw->slope = best_s;
    chunks_project(&c, best_s, sw->yref, sum, cnt, 0);
    double cmax = 0.0;
    for (int x = bx0; x <= bx1; x++)
        if (cnt[x] > cmax)
            cmax = cnt[x];
    for (int x = 0; x < g->w; x++)
        sw->prof[x] = (x >= bx0 && x <= bx1 && cnt[x] >= 0.3 * cmax && cnt[x] > 0) ? sum[x] / cnt[x] : 0.0;
    free(sum);
    free(cnt);
    chunks_free(&c);
    return 0;
}

/* ---- 5. peaks -------------------------------------------------------- */

/* Noise of a profile from its first differences (robust to the lanes). */
static double profile_noise(const double *p, int a, int b, double *tmp)
{
    int m = 0;
    for (int i = a; i < b; i++)
        tmp[m++] = fabs(p[i + 1] - p[i]);
    if (m == 0)
        return 0.0;
    return 1.4826 * median_d(tmp, m) / sqrt(2.0);
}

/* All local maxima of p[a..b] with their prominence, sorted by prominence
 * (largest first). Returns the count. */
static int find_peaks(const double *p, int a, int b, peak_t *out, int cap)
{
    int n = 0;
    for (int i = a; i <= b && n < cap; i++) {
        double v = p[i];
        if (i > a && p[i - 1] >= v)
            continue;
        /* a plateau counts once, at its middle */
        int j = i;
        while (j < b && p[j + 1] == v)
            j++;
        if (j < b && p[j + 1] > v)
            continue;
        double lmin = v, rmin = v;
        int k;
        for (k = i - 1; k >= a && p[k] <= v; k--)
            if (p[k] < lmin)
                lmin = p[k];
        if (k < a && lmin > p[a])
            lmin = p[a];
        for (k = j + 1; k <= b && p[k] <= v; k++)
            if (p[k] < rmin)
                rmin = p[k];
        double base = lmin > rmin ? lmin : rmin;
        out[n].pos = 0.5 * (i + j);
        out[n].height = v;
        out[n].prom = v - base;
        out[n].left = out[n].right = out[n].pos;
        out[n].faint = 0;
        out[n].empty = 0;
        n++;
        i = j;
    }
    /* sort by prominence, descending */
    for (int i = 1; i < n; i++) {
        peak_t x = out[i];
        int j = i - 1;
        while (j >= 0 && out[j].prom < x.prom) {
            out[j + 1] = out[j];
            j--;
        }
        out[j + 1] = x;
    }
    return n;
}

static int cmp_pos(const void *a, const void *b)
{
    double x = ((const peak_t *)a)->pos, y = ((const peak_t *)b)->pos;
    return (x > y) - (x < y);
}

/* Edges of each lane: where the profile falls to EDGE_LEVEL of the lane's
 * height above the valley between it and its neighbour (or the region
 * edge). */
static void lane_edges(const double *p, int a, int b, peak_t *l, int n)
{
    for (int i = 0; i < n; i++) {
        int c = (int)lround(l[i].pos);
        double pk = p[c];
        int lo = i > 0 ? (int)lround(l[i - 1].pos) : a;
        int hi = i < n - 1 ? (int)lround(l[i + 1].pos) : b;
        /* valleys */
        int vl = c, vr = c;
        for (int x = c; x >= lo; x--)
            if (p[x] < p[vl])
                vl = x;
        for (int x = c; x <= hi; x++)
            if (p[x] < p[vr])
                vr = x;
        double lev = p[vl] + EDGE_LEVEL * (pk - p[vl]);
        double xl = vl;
        for (int x = c; x > vl; x--)
            if (p[x - 1] <= lev) {
                double d = p[x] - p[x - 1];
                xl = (x - 1) + (d > 0 ? (lev - p[x - 1]) / d : 0.5);
                break;
            }
        lev = p[vr] + EDGE_LEVEL * (pk - p[vr]);
        double xr = vr;
        for (int x = c; x < vr; x++)
            if (p[x + 1] <= lev) {
                double d = p[x] - p[x + 1];
                xr = x + (d > 0 ? (p[x] - lev) / d : 0.5);
                break;
            }
        if (xl > l[i].pos) xl = l[i].pos;
        if (xr < l[i].pos) xr = l[i].pos;
        l[i].left = xl;
        l[i].right = xr;
    }
    /* a faint lane added from its band row may not stand out of the whole
     * column profile at all: it is as wide as the others; a comb tooth is
     * centred on its tooth as well */
    int nf = 0;
    for (int i = 0; i < n; i++)
        nf += l[i].faint != 0;
    if (nf > 0 && n - nf >= 2) {
        double wd[BQ_MAX_LANES];
        int k = 0;
        for (int i = 0; i < n; i++)
            if (!l[i].faint)
                wd[k++] = l[i].right - l[i].left;
        double mw = median_d(wd, k);
        for (int i = 0; i < n; i++)
            if ((l[i].faint && l[i].right - l[i].left < 0.8 * mw) || l[i].faint == COMB_TOOTH) {
                l[i].left = l[i].pos - 0.5 * mw;
                l[i].right = l[i].pos + 0.5 * mw;
            }
    }
    /* the outermost lanes have no neighbour on their outer side: membrane
     * texture or a label beside them would widen them without limit, so
     * their outer edge comes no further than the others' widths allow */
    if (n >= 3) {
        double wd[BQ_MAX_LANES];
        for (int i = 1; i < n - 1; i++)
            wd[i - 1] = l[i].right - l[i].left;
        double cap = 1.4 * median_d(wd, n - 2);
        if (l[0].right - l[0].left > cap)
            l[0].left = fmin(l[0].pos, l[0].right - cap);
        if (l[n - 1].right - l[n - 1].left > cap)
            l[n - 1].right = fmax(l[n - 1].pos, l[n - 1].left + cap);
    }
    /* lanes never overlap: a forced lane squeezed in between shares the
     * space at the midpoints */
    for (int i = 0; i + 1 < n; i++)
        if (l[i].right > l[i + 1].left) {
            double mid = 0.5 * (l[i].pos + l[i + 1].pos);
            if (l[i].right > mid) l[i].right = mid;
            if (l[i + 1].left < mid) l[i + 1].left = mid;
        }
}

/* How far the profile dips between lanes i and i+1, as a fraction of the
 * lower lane's height above the baseline: near 0 = one lane with an uneven
 * band, near 1 = two lanes with background between them. */
static double dip_between(const double *p, const peak_t *l, int i, double base)
{
    int x0 = (int)lround(l[i].pos), x1 = (int)lround(l[i + 1].pos);
    double valley = p[x0];
    for (int x = x0; x <= x1; x++)
        if (p[x] < valley)
            valley = p[x];
    double lower = p[x0] < p[x1] ? p[x0] : p[x1];
    if (lower - base <= 0.0)
        return 0.0;
    return (lower - valley) / (lower - base);
}

/* Merge lane i+1 into lane i (the higher of the two keeps its position). */
static int merge_pair(const double *p, peak_t *l, int n, int i)
{
    if (p[(int)lround(l[i + 1].pos)] > p[(int)lround(l[i].pos)]) {
        l[i + 1].prom = fmax(l[i].prom, l[i + 1].prom);
        l[i] = l[i + 1];
    } else {
        l[i].prom = fmax(l[i].prom, l[i + 1].prom);
    }
    memmove(l + i + 1, l + i + 2, (size_t)(n - i - 2) * sizeof *l);
    return n - 1;
}

/* Do lanes first, first+2, ... pair up with their right neighbours, every
 * pair closer and less separated than the pairs are from each other? */
static int pairs_alternate(const double *p, const peak_t *l, int n, int first, double base)
{
    double in_dip = 0.0, in_gap = 0.0, out_dip = HUGE_VAL, out_gap = HUGE_VAL;
    int pairs = 0;
    for (int i = 0; i + 1 < n; i++) {
        double d = dip_between(p, l, i, base), g = l[i + 1].pos - l[i].pos;
        if (i >= first && (i - first) % 2 == 0) {
            in_dip = fmax(in_dip, d);
            in_gap = fmax(in_gap, g);
            pairs++;
        } else {
            out_dip = fmin(out_dip, d);
            out_gap = fmin(out_gap, g);
        }
    }
    return pairs >= 2 && in_dip < PAIR_DIP_RATIO * out_dip && in_gap < out_gap;
}

/* A fat band with a hollow centre (an overloaded lane on film) shows two
 * lobes, and every lane of such a blot splits in two. The split is told
 * from real neighbours by the comb: lobes of one lane sit closer and with
 * a shallower dip between them than any two lanes do, so the dips alternate
 * shallow, deep, shallow along the row. Such pairs become one lane each,
 * centred between its lobes; a lone peak at either end stays a lane. */
static int merge_split_pairs(const double *p, peak_t *l, int n, double base)
{
    if (n < 4)
        return n;
    int first = pairs_alternate(p, l, n, 0, base) ? 0 : pairs_alternate(p, l, n, 1, base) ? 1 : -1;
    if (first < 0)
        return n;
    for (int i = first; i + 1 < n; i++) {
        double mid = 0.5 * (l[i].pos + l[i + 1].pos);
        n = merge_pair(p, l, n, i);
        l[i].pos = mid;
    }
    return n;
}

/* Lanes of one comb are about equally wide and spaced: a speck's narrow
 * spike, a label column crowding an end lane, and the two bright ends of a
 * bent band (two narrow peaks half a pitch apart) are not lanes. Repeated
 * until nothing changes, since each merge moves the edges the next test
 * reads. */
static int comb_pass(const double *p, int a, int b, peak_t *lanes, int n, double *tmp)
{
    /* a speck makes a narrow spike; a lane is about as wide as the
     * others. At either end a narrow peak crowding its neighbour is a
     * column of burned-in labels (kDa numbers) beside a ladder */
    for (int i = 0; i < n; i++)
        tmp[i] = lanes[i].right - lanes[i].left;
    double mw = median_d(tmp, n);
    for (int i = 0; i + 1 < n; i++)
        tmp[i] = lanes[i + 1].pos - lanes[i].pos;
    double mp = median_d(tmp, n - 1);
    int k = 0;
    for (int i = 0; i < n; i++) {
        double wd = lanes[i].right - lanes[i].left;
        double near = HUGE_VAL;
        if (i > 0)
            near = lanes[i].pos - lanes[i - 1].pos;
        if (i + 1 < n)
            near = fmin(near, lanes[i + 1].pos - lanes[i].pos);
        int end = i == 0 || i == n - 1;
        if (wd >= 0.3 * mw && (!end || wd >= 0.45 * mw || near >= 0.75 * mp))
            lanes[k++] = lanes[i];
    }
    if (k != n) {
        n = k;
        lane_edges(p, a, b, lanes, n);
    }
    /* two narrow peaks half a pitch apart that together span one
     * lane's width are one lane whose band is brighter at both ends (a
     * bent or smiling band), not two lanes */
    for (int i = 0; i + 1 < n && n > 2; i++) {
        double w0 = lanes[i].right - lanes[i].left, w1 = lanes[i + 1].right - lanes[i + 1].left;
        /* centres, not peaks: a bent band peaks at its bright ends */
        double gap = 0.5 * (lanes[i + 1].left + lanes[i + 1].right - lanes[i].left - lanes[i].right);
        if (w0 < 0.6 * mw && w1 < 0.6 * mw && gap < 0.65 * mp &&
            lanes[i + 1].right - lanes[i].left < 1.3 * mw) {
            double mid = 0.5 * (lanes[i].left + lanes[i + 1].right);
            n = merge_pair(p, lanes, n, i);
            lanes[i].pos = mid;
            lane_edges(p, a, b, lanes, n);
        }
    }
    return n;
}

static int comb_cleanup(const double *p, int a, int b, peak_t *lanes, int n, double *tmp)
{
    for (int pass = 0; pass < 4 && n > 2; pass++) {
        int before = n;
        n = comb_pass(p, a, b, lanes, n, tmp);
        if (n == before)
            break;
    }
    return n;
}

/* Choose the lanes of a profile: n forced (want > 0) or automatic. lanes
 * must hold BQ_MAX_LANES. Returns the count. */
static int choose_lanes(const double *p, int a, int b, double noise, peak_t *cand, int n_cand,
                        int want, peak_t *lanes, double *tmp)
{
    if (n_cand == 0 || !(cand[0].prom > 0.0))
        return 0;
    /* the baseline: what the gaps between lanes hold */
    int m = 0;
    for (int x = a; x <= b; x++)
        tmp[m++] = p[x];
    double base = m > 0 ? (double)tmp[0] : 0.0;
    if (m > 0) {
        median_d(tmp, m); /* sorts */
        base = tmp[m / 10];
    }
    double pmax = cand[0].prom;
    double thr = 6.0 * noise;
    if (thr < 0.03 * pmax)
        thr = 0.03 * pmax;
    if (thr < MIN_PROM)
        thr = MIN_PROM;
    if (want <= 0 && pmax < thr)
        return 0;
    int n = 0;
    for (int i = 0; i < n_cand && n < BQ_MAX_LANES; i++)
        if (cand[i].prom >= thr || (want > 0 && i < want))
            lanes[n++] = cand[i];
    qsort(lanes, (size_t)n, sizeof *lanes, cmp_pos);
    /* peaks without a real dip between them are one lane with an uneven
     * band: merge, shallowest dip first */
    for (;;) {
        int bi = -1;
        double bd = want > 0 && n > want ? 1e9 : SAME_LANE_DIP;
        for (int i = 0; i + 1 < n; i++) {
            double d = dip_between(p, lanes, i, base);
            if (d < bd) {
                bd = d;
                bi = i;
            }
        }
        if (bi < 0)
            break;
        n = merge_pair(p, lanes, n, bi);
    }
    if (want <= 0)
        n = merge_split_pairs(p, lanes, n, base);
    /* forced count with more lanes left: drop the least prominent */
    while (want > 0 && n > want) {
        int wi = 0;
        for (int i = 1; i < n; i++)
            if (lanes[i].prom < lanes[wi].prom)
                wi = i;
        memmove(lanes + wi, lanes + wi + 1, (size_t)(n - wi - 1) * sizeof *lanes);
        n--;
    }
    lane_edges(p, a, b, lanes, n);
    if (want <= 0)
        n = comb_cleanup(p, a, b, lanes, n, tmp);
    /* forced count but too few peaks: split the widest gaps */
    while (want > 0 && n < want && n < BQ_MAX_LANES) {
        double at;
        int ins;
        if (n == 0) {
            at = 0.5 * (a + b);
            ins = 0;
        } else {
            double mw = 0.0;
            for (int i = 0; i < n; i++)
                mw += lanes[i].right - lanes[i].left;
            mw /= n;
            double best = lanes[0].left - a;
            at = lanes[0].left - 0.5 * mw - 1;
            ins = 0;
            for (int i = 0; i + 1 < n; i++) {
                double gp = lanes[i + 1].pos - lanes[i].pos;
                if (gp > best) {
                    best = gp;
                    at = 0.5 * (lanes[i].pos + lanes[i + 1].pos);
                    ins = i + 1;
                }
            }
            if (b - lanes[n - 1].right > best) {
                at = lanes[n - 1].right + 0.5 * mw + 1;
                ins = n;
            }
            at = bq_clamp(at, a, b);
        }
        memmove(lanes + ins + 1, lanes + ins, (size_t)(n - ins) * sizeof *lanes);
        lanes[ins].pos = at;
        lanes[ins].prom = 0.0;
        lanes[ins].faint = 0;
        lanes[ins].empty = 0;
        lanes[ins].height = p[(int)lround(at)];
        n++;
        lane_edges(p, a, b, lanes, n);
    }
    return n;
}

/* ---- 5b. faint lanes in a regular grid -------------------------------- */

/* Mean compressed signal of strip sw's row y over columns [x0, x1] (cells,
 * at the strip's reference row; the tilt moves them). */
static double row_mean(const grid_t *g, const strip_work_t *sw, int y, double x0, double x1)
{
    double dx = sw->slope * (y - sw->yref);
    int a = (int)floor(x0 + dx), b = (int)ceil(x1 + dx);
    if (a < 0) a = 0;
    if (b > g->w - 1) b = g->w - 1;
    double s = 0.0;
    int k = 0;
    const float *t = g->t + (size_t)y * (size_t)g->w;
    const uint8_t *ok = g->ok + (size_t)y * (size_t)g->w;
    for (int x = a; x <= b; x++)
        if (ok[x]) {
            s += t[x];
            k++;
        }
    return k ? s / k : 0.0;
}

/* A dilution series fades out to a lane whose band is a few % of the
 * strongest: summed over the whole lane length it drowns in membrane
 * texture (or merges with its neighbour), but along the band row that the
 * other lanes share it still stands out. The band row is where most lanes
 * (the median over lanes, so ladders do not decide it) have signal; lanes
 * are found again in the column profile of that row alone, and that set
 * replaces the first when it keeps every lane found so far, adds lanes, and
 * its pitch is regular (a faint lane fills a gap in the grid). Added lanes
 * take their width from the others. lanes[] are in the strip's profile
 * coordinates minus sw->shift; out must hold BQ_MAX_LANES. Returns the new
 * count (nl when nothing changes). */
static int add_faint_lanes(const grid_t *g, const strip_work_t *sw, int bx0, int bx1,
                           peak_t *lanes, int nl, double *tmp, double *rowp, double *rp,
                           peak_t *cand, int cap, peak_t *out)
{
    if (nl < 3)
        return nl;
    int rows = sw->gy1 - sw->gy0 + 1;
    for (int y = sw->gy0; y <= sw->gy1; y++) {
        double v[BQ_MAX_LANES];
        for (int i = 0; i < nl; i++) {
            double c = lanes[i].pos + sw->shift, hw = 0.3 * (lanes[i].right - lanes[i].left);
            if (hw < 0.5)
                hw = 0.5;
            v[i] = row_mean(g, sw, y, c - hw, c + hw);
        }
        rowp[y - sw->gy0] = median_d(v, nl);
    }
    smooth3(rowp, tmp, rows, 1);
    int ym = 0;
    for (int i = 1; i < rows; i++)
        if (rowp[i] > rowp[ym])
            ym = i;
    double mx = rowp[ym];
    if (!(mx > 0.0))
        return nl;
    int r0 = ym, r1 = ym;
    while (r0 > 0 && rowp[r0 - 1] >= 0.5 * mx)
        r0--;
    while (r1 < rows - 1 && rowp[r1 + 1] >= 0.5 * mx)
        r1++;
    /* a band row is a band, not most of the lane: a strip cropped to its
     * band row has nothing to add */
    if ((r1 - r0 + 1) * 3 > rows)
        return nl;
    r0 = r0 > 0 ? r0 - 1 : 0;
    r1 = r1 < rows - 1 ? r1 + 1 : rows - 1;
    for (int x = 0; x < g->w; x++)
        rp[x] = 0.0;
    for (int x = bx0; x <= bx1; x++) {
        double s = 0.0;
        for (int y = r0; y <= r1; y++)
            s += row_mean(g, sw, sw->gy0 + y, x, x);
        rp[x] = s / (r1 - r0 + 1);
    }
    double noise = profile_noise(rp, bx0, bx1, tmp);
    smooth3(rp, tmp, g->w, 1);
    int np = find_peaks(rp, bx0, bx1, cand, cap);
    int nr = choose_lanes(rp, bx0, bx1, noise, cand, np, 0, out, tmp);
    if (nr <= nl)
        return nl;
    /* a band is flat-topped: its middle, not its highest bump, is the lane */
    for (int k = 0; k < nr; k++)
        out[k].pos = 0.5 * (out[k].left + out[k].right);
    for (int i = 0; i + 1 < nr; i++)
        tmp[i] = out[i + 1].pos - out[i].pos;
    double pitch = median_d(tmp, nr - 1);
    for (int i = 0; i + 1 < nr; i++) {
        double d = out[i + 1].pos - out[i].pos;
        if (d < 0.7 * pitch || d > 1.3 * pitch)
            return nl;
    }
    /* every lane found so far is still there */
    for (int i = 0; i < nl; i++) {
        double c = lanes[i].pos + sw->shift, best = HUGE_VAL;
        for (int k = 0; k < nr; k++)
            best = fmin(best, fabs(out[k].pos - c));
        if (best > 0.3 * pitch)
            return nl;
    }
    int first = -1, last = -1;
    for (int k = 0; k < nr; k++) {
        double best = HUGE_VAL;
        for (int i = 0; i < nl; i++)
            best = fmin(best, fabs(out[k].pos - lanes[i].pos - sw->shift));
        out[k].faint = best > 0.3 * pitch;
        if (!out[k].faint) {
            if (first < 0)
                first = k;
            last = k;
        }
    }
    /* only gaps inside the grid: beyond the outermost lane found so far a
     * band-row peak may be a label or the membrane's edge */
    for (int k = 0; k < nr; k++) {
        if (out[k].faint && (k < first || k > last))
            return nl;
        out[k].pos -= sw->shift;
    }
    memcpy(lanes, out, (size_t)nr * sizeof *lanes);
    return nr;
}

/* ---- 5c. touching lanes ------------------------------------------------ */

/* The comb's pitch: the typical gap among the closer half of the gaps
 * between lane centres (midway between the edges: a saturated band's peak
 * can sit anywhere on its flat top) (a gap with a lane missing, or two lanes merged,
 * is a multiple of it, never a fraction). 0 when there are too few. */
/* Where a lane sits on the comb: its peak, or midway between its edges
 * (by_centre): a saturated band's peak can sit anywhere on its flat top,
 * while a lane widened by a smear keeps its peak where the band is. */
static double comb_at(const peak_t *l, int by_centre)
{
    return by_centre ? 0.5 * (l->left + l->right) : l->pos;
}

static double comb_pitch(const peak_t *l, int n, int by_centre, double *tmp)
{
    if (n < 3)
        return 0.0;
    for (int i = 0; i + 1 < n; i++)
        tmp[i] = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
    double q25 = bq_quantile_inplace(tmp, (size_t)(n - 1), 0.25);
    int k = 0;
    for (int i = 0; i + 1 < n; i++) {
        double g = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
        if (g >= 0.7 * q25 && g <= 1.4 * q25)
            tmp[k++] = g;
    }
    return k > 0 ? bq_median_inplace(tmp, (size_t)k) : 0.0;
}

/* Bands of neighbouring lanes that touch (saturated loading controls,
 * overloaded lanes) make one wide peak. A lane MERGED_WIDTH pitches wide
 * or more, and that much wider than the typical lane, holds several: it is
 * cut into as many lanes as pitches fit in it, evenly. */
static int split_merged_lanes(const double *p, peak_t *l, int n, double *tmp)
{
    double pitch = comb_pitch(l, n, 0, tmp);
    if (!(pitch > 0.0))
        return n;
    for (int i = 0; i < n; i++)
        tmp[i] = l[i].right - l[i].left;
    double mw = bq_median_inplace(tmp, (size_t)n);
    for (int i = 0; i < n; i++) {
        double wd = l[i].right - l[i].left;
        int k = (int)lround(wd / pitch);
        if (wd < MERGED_WIDTH * pitch || wd < MERGED_WIDTH * mw || k < 2 || n + k - 1 > BQ_MAX_LANES)
            continue;
        peak_t whole = l[i];
        memmove(l + i + k, l + i + 1, (size_t)(n - i - 1) * sizeof *l);
        for (int j = 0; j < k; j++) {
            l[i + j] = whole;
            l[i + j].left = whole.left + j * wd / k;
            l[i + j].right = whole.left + (j + 1) * wd / k;
            l[i + j].pos = 0.5 * (l[i + j].left + l[i + j].right);
            l[i + j].height = p[(int)lround(l[i + j].pos)];
        }
        n += k - 1;
        i += k - 1;
    }
    return n;
}

/* Does strip sw show lane signal around cell x (its shift applied)? Its
 * mean over the central half of a lane of width wd stands BLANK_LANE of
 * the strip's typical lane height above the strip's baseline. */
static int strip_has_signal(const strip_work_t *sw, int bx0, int bx1, const peak_t *l, int n,
                            double x, double wd, double *tmp)
{
    int m = 0;
    for (int c = bx0; c <= bx1; c++)
        tmp[m++] = sw->prof[c];
    double base = bq_quantile_inplace(tmp, (size_t)m, 0.1);
    for (int i = 0; i < n; i++)
        tmp[i] = sw->prof[(int)bq_clamp(lround(l[i].pos + sw->shift), bx0, bx1)] - base;
    double typical = bq_median_inplace(tmp, (size_t)n);
    int a = (int)bq_clamp(lround(x + sw->shift - 0.25 * wd), bx0, bx1);
    int b = (int)bq_clamp(lround(x + sw->shift + 0.25 * wd), bx0, bx1);
    double sum = 0.0;
    for (int c = a; c <= b; c++)
        sum += sw->prof[c];
    return typical > 0.0 && sum / (b - a + 1) - base >= BLANK_LANE * typical;
}

/* How odd the gaps between lanes are: gaps that are not a whole number of
 * pitches, within COMB_TOL of a pitch, count 1 at either end of the comb
 * (an end lane whose wide or cut band moves its centre) and n inside it. A
 * comb scoring at most one in COMB_ODD_GAPS gaps is regular; only then are
 * missing teeth told from lanes loaded at uneven spacing (ladders between
 * sample groups, say). */
static int comb_odd_gaps(const peak_t *l, int n, double pitch, int by_centre)
{
    int off = 0;
    for (int i = 0; i + 1 < n; i++) {
        double r = (comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre)) / pitch;
        int odd = fabs(r - lround(r)) > COMB_TOL || lround(r) < 1;
        off += odd ? (i == 0 || i == n - 2 ? 1 : n) : 0; /* only an end gap may be odd */
    }
    return off;
}

/* A regular comb whose end lane stands a pitch or more inside the region
 * may have lost a lane against the edge (a frame, a crop through the last
 * lane): one more tooth on that side where some strip shows signal there
 * and the tooth fits inside the region. */
static int extend_comb_ends(const strip_work_t *sw, int ns, int bx0, int bx1, peak_t *l, int n,
                            double pitch, int by_centre, double wd, double *tmp)
{
    for (int side = 0; side < 2 && n < BQ_MAX_LANES; side++) {
        const peak_t *end = side ? &l[n - 1] : &l[0];
        /* from the end lane's centre: an end lane's peak leans whichever
         * way its band is brighter */
        double x = comb_at(end, 1) + (side ? pitch : -pitch);
        if (x - 0.4 * wd < bx0 || x + 0.4 * wd > bx1)
            continue;
        int seen = 0;
        for (int s = 0; s < ns && !seen; s++)
            seen = strip_has_signal(&sw[s], bx0, bx1, l, n, x, wd, tmp);
        if (!seen)
            continue;
        peak_t t = *end;
        t.pos = x;
        t.left = x - 0.5 * wd;
        t.right = x + 0.5 * wd;
        t.faint = COMB_TOOTH;
        if (side)
            l[n] = t;
        else {
            memmove(l + 1, l, (size_t)n * sizeof *l);
            l[0] = t;
        }
        n++;
    }
    return n;
}

/* A gap of two or more pitches between neighbouring lanes is a comb with
 * teeth missing: lanes blank in the summed profile (a target seen in a few
 * lanes only) or lost in it. Each missing tooth becomes a lane where some
 * strip shows signal there (a loading control in every lane, say). */
static int fill_comb_gaps(const strip_work_t *sw, int ns, int bx0, int bx1, peak_t *l, int n,
                          double *tmp)
{
    /* peaks or centres: whichever makes the more regular comb */
    double pp = comb_pitch(l, n, 0, tmp), pc = comb_pitch(l, n, 1, tmp);
    int op = pp > 0.0 ? comb_odd_gaps(l, n, pp, 0) : n, oc = pc > 0.0 ? comb_odd_gaps(l, n, pc, 1) : n;
    int by_centre = oc < op;
    double pitch = by_centre ? pc : pp;
    if (!(pitch > 0.0) || (by_centre ? oc : op) > (n - 1) / COMB_ODD_GAPS)
        return n;
    for (int i = 0; i < n; i++)
        tmp[i] = l[i].right - l[i].left;
    double wd = bq_median_inplace(tmp, (size_t)n);
    peak_t out[BQ_MAX_LANES];
    int m = 0;
    for (int i = 0; i < n && m < BQ_MAX_LANES; i++) {
        out[m++] = l[i];
        if (i + 1 == n)
            break;
        double gap = comb_at(&l[i + 1], by_centre) - comb_at(&l[i], by_centre);
        int k = (int)lround(gap / pitch);
        if (fabs(gap / pitch - k) > COMB_TOL)
            continue;
        for (int j = 1; j < k && k >= 2 && m < BQ_MAX_LANES; j++) {
            double x = comb_at(&l[i], by_centre) + j * gap / k;
            int seen = 0;
            for (int s = 0; s < ns && !seen; s++)
                seen = strip_has_signal(&sw[s], bx0, bx1, l, n, x, wd, tmp);
            /* one tooth missing between two lanes is a lane left empty (or
             * too faint to see); a longer blank run may be a gap between
             * groups of lanes */
            if (!seen && k != 2)
                continue;
            out[m] = l[i];
            out[m].pos = x;
            out[m].left = x - 0.5 * wd;
            out[m].right = x + 0.5 * wd;
            out[m].faint = COMB_TOOTH;
            out[m].empty = !seen;
            m++;
        }
    }
    memcpy(l, out, (size_t)m * sizeof *l);
    return extend_comb_ends(sw, ns, bx0, bx1, l, m, pitch, by_centre, wd, tmp);
}

/* ---- 6. ladders ------------------------------------------------------- */

/* Count the bands along one lane (peaks of its row profile). */
static int lane_band_count(const grid_t *g, const strip_work_t *sw, const peak_t *l, double *rowp, double *tmp)
{
    int rows = sw->gy1 - sw->gy0 + 1;
    double half = 0.3 * (l->right - l->left);
    if (half < 0.5)
        half = 0.5;
    for (int y = sw->gy0; y <= sw->gy1; y++) {
        double cx = l->pos + sw->slope * (y - sw->yref);
        int x0 = (int)floor(cx - half), x1 = (int)ceil(cx + half);
        double s = 0.0;
        int k = 0;
        for (int x = x0; x <= x1; x++) {
            if (x < 0 || x >= g->w)
                continue;
            s += g->t[(size_t)y * (size_t)g->w + (size_t)x];
            k++;
        }
        rowp[y - sw->gy0] = k ? s / k : 0.0;
    }
    smooth3(rowp, tmp, rows, 1);
    double mx = 0.0;
    for (int i = 0; i < rows; i++)
        if (rowp[i] > mx)
            mx = rowp[i];
    if (mx <= 0.0)
        return 0;
    double noise = profile_noise(rowp, 0, rows - 1, tmp);
    peak_t pk[256];
    int n = find_peaks(rowp, 0, rows - 1, pk, 256);
    int count = 0;
    for (int i = 0; i < n; i++)
        if (pk[i].prom >= 0.15 * mx && pk[i].prom >= 4.0 * noise)
            count++;
    return count;
}

/* ---- 6b. label columns at the ends ------------------------------------ */

/* Burned-in text beside the membrane's outer lanes (the kDa numbers left of
 * a ladder, the protein names right of the last lane) sits at the band rows
 * and at a lane-like pitch, so its column makes a narrow peak that passes
 * as an end lane. It differs from a lane across the lane: a band is one
 * plateau, a word or a number several glyphs of one or two strokes each,
 * with background between them. */
#define LABEL_WIDTH 0.7   /* an end lane narrower than this times the typical lane may be a label */
#define LABEL_STROKES 3.0 /* ...and is one when its rows show this many strokes (median) */

/* Strokes across [xa, xb] (pixels) on rows y-1..y+1: runs above 65 % of the
 * profile's range, ending below 35 % (hysteresis: noise on a plateau is no
 * new stroke). A range that stays well above bg (the lane's background) is
 * a plateau with a dent, one stroke, and so is a row whose range is
 * within the noise. prof holds 2 (xb - xa + 1). */
static int row_strokes(const bq_image_t *img, int xa, int xb, int y, double bg, double *prof)
{
    int ya = y > 0 ? y - 1 : 0, yb = y + 1 < img->height ? y + 1 : img->height - 1;
    double mn = HUGE_VAL, mx = -HUGE_VAL;
    for (int x = xa; x <= xb; x++) {
        double s = 0.0;
        int k = 0;
        for (int r = ya; r <= yb; r++) {
            float v = img->data[(size_t)r * (size_t)img->width + (size_t)x];
            if (isfinite(v)) {
                s += v;
                k++;
            }
        }
        prof[x - xa] = k ? s / k : NAN;
        if (k) {
            mn = fmin(mn, prof[x - xa]);
            mx = fmax(mx, prof[x - xa]);
        }
    }
    if (!(mx > mn) || mx - mn < 0.5 * (mx - bg))
        return 1;
    /* glyphs stand far out of the noise; a row of noise has many "strokes" */
    int m = 0;
    double *d = prof + (xb - xa + 1);
    for (int x = xa; x < xb; x++)
        if (!isnan(prof[x - xa]) && !isnan(prof[x + 1 - xa]))
            d[m++] = fabs(prof[x + 1 - xa] - prof[x - xa]);
    double sigma = m > 0 ? 1.4826 * median_d(d, m) / sqrt(2.0) : 0.0;
    if (mx - mn < 10.0 * sigma)
        return 1;
    return bq_count_strokes(prof, (size_t)(xb - xa + 1), mn + 0.35 * (mx - mn),
                            mn + 0.65 * (mx - mn));
}

/* The strokes of lane i of strip st on each of its signal rows (rows where
 * the mean over the window rises 40 % of the way from background to its
 * maximum) go to out. The window is the lane widened to at least 0.7
 * typical lane widths (a narrow peak sits on one glyph of the word), but
 * never into the nearest full-width lanes of lo..hi beside it. rp holds
 * the image height, prof twice the image width. Returns the number of values written (at most cap). */
static int lane_label_strokes(const bq_image_t *img, const bq_strip_t *st, int i, int lo, int hi,
                              double mw, double *rp, double *prof, double *out, int cap)
{
    const bq_lane_t *ln = &st->lanes[i];
    int y0 = st->y_top < 0 ? 0 : st->y_top;
    int y1 = st->y_bottom >= img->height ? img->height - 1 : st->y_bottom;
    if (y1 - y0 < 4)
        return 0;
    double wd = ln->x_right - ln->x_left, c = 0.5 * (ln->x_left + ln->x_right);
    double h = fmax(0.5 * wd, 0.35 * mw);
    double wa = c - h, wb = c + h;
    /* the narrow peaks beside it may be glyphs of the same word: only a
     * lane of full width bounds the window */
    for (int k = i - 1; k >= lo; k--)
        if (st->lanes[k].x_right - st->lanes[k].x_left >= LABEL_WIDTH * mw) {
            wa = fmax(wa, st->lanes[k].x_right);
            break;
        }
    for (int k = i + 1; k <= hi; k++)
        if (st->lanes[k].x_right - st->lanes[k].x_left >= LABEL_WIDTH * mw) {
            wb = fmin(wb, st->lanes[k].x_left);
            break;
        }
    int n = y1 - y0 + 1;
    double mx = -HUGE_VAL;
    for (int y = y0; y <= y1; y++) {
        double dx = ln->slope * (y - ln->y_ref);
        int a = (int)lround(wa + dx), b = (int)lround(wb + dx);
        if (a < 0) a = 0;
        if (b > img->width - 1) b = img->width - 1;
        double s = 0.0;
        int k = 0;
        const float *row = img->data + (size_t)y * (size_t)img->width;
        for (int x = a; x <= b; x++)
            if (isfinite(row[x])) {
                s += row[x];
                k++;
            }
        rp[y - y0] = k && b - a >= 4 ? s / k : NAN;
        if (!isnan(rp[y - y0]))
            mx = fmax(mx, rp[y - y0]);
    }
    /* the background: a low percentile of the row means (prof as scratch) */
    int m = 0;
    for (int y = 0; y < n && m < img->width; y++)
        if (!isnan(rp[y]))
            prof[m++] = rp[y];
    if (m < 5)
        return 0;
    median_d(prof, m); /* sorts */
    double bg = prof[m / 10];
    if (!(mx > bg))
        return 0;
    double thr = bg + 0.4 * (mx - bg);
    int nout = 0;
    for (int y = 0; y < n && nout < cap; y++) {
        if (isnan(rp[y]) || rp[y] < thr)
            continue;
        int yy = y0 + y;
        double dx = ln->slope * (yy - ln->y_ref);
        int a = (int)lround(wa + dx), b = (int)lround(wb + dx);
        if (a < 0) a = 0;
        if (b > img->width - 1) b = img->width - 1;
        out[nout++] = row_strokes(img, a, b, yy, bg, prof);
    }
    return nout;
}

/* 1 if lane i (lanes lo..hi still kept) looks like a column of burned-in
 * text in every strip taken together: a glyph's horizontal bars are one
 * stroke on their rows, so the upper quartile over the signal rows, not
 * the median. cnt holds the image height. */
static int lane_is_label(const bq_image_t *img, const bq_lanes_t *res, int i, int lo, int hi,
                         double mw, double *rp, double *prof, double *cnt)
{
    int n = 0;
    for (int s = 0; s < res->n_strips; s++)
        n += lane_label_strokes(img, &res->strips[s], i, lo, hi, mw, rp, prof, cnt + n,
                                img->height - n);
    if (n == 0)
        return 0;
    median_d(cnt, n); /* sorts */
    double q = cnt[(3 * (n - 1) + 2) / 4];
    return q >= LABEL_STROKES;
}

/* The typical lane width: the width-weighted median over every strip's
 * lanes (a word beside the lanes can add several narrow peaks, which must
 * not pull the typical width down to theirs). */
static double typical_lane_width(const bq_lanes_t *res)
{
    double w[BQ_MAX_LANES], tot = 0.0;
    int n = res->n_lanes;
    for (int i = 0; i < n; i++) {
        w[i] = 0.0;
        for (int s = 0; s < res->n_strips; s++)
            w[i] += res->strips[s].lanes[i].x_right - res->strips[s].lanes[i].x_left;
        w[i] /= res->n_strips;
        tot += w[i];
    }
    median_d(w, n); /* sorts */
    double acc = 0.0;
    for (int i = 0; i < n; i++) {
        acc += w[i];
        if (acc >= 0.5 * tot)
            return w[i];
    }
    return n ? w[n - 1] : 0.0;
}

/* Drop label columns from both ends of an automatic lane set: narrow end
 * lanes whose band rows are text, one after the other (a word can make
 * several peaks). Keeps at least two lanes; counts follows the lanes.
 * Returns the new lane count or a negative error. */
static int drop_label_lanes(const bq_image_t *img, bq_lanes_t *res, int *counts)
{
    int nl = res->n_lanes;
    if (nl <= 2)
        return nl;
    double *rp = bq_alloc_array((size_t)img->height + 1, sizeof *rp);
    double *prof = bq_alloc_array(2 * (size_t)img->width + 2, sizeof *prof);
    double *cnt = bq_alloc_array((size_t)img->height + 1, sizeof *cnt);
    if (!rp || !prof || !cnt) {
        free(rp);
        free(prof);
        free(cnt);
        return BQ_ERR_NOMEM;
    }
    double mw = typical_lane_width(res);
    int lo = 0, hi = nl - 1;
    while (hi - lo + 1 > 2) {
        int drop = -1;
        for (int side = 0; side < 2 && drop < 0; side++) {
            int i = side ? hi : lo;
            /* the narrowest strip: beside the membrane's edge a lane's outer
             * side can run on to the edge in one strip */
            double wd = HUGE_VAL;
            for (int s = 0; s < res->n_strips; s++)
                wd = fmin(wd, res->strips[s].lanes[i].x_right - res->strips[s].lanes[i].x_left);
            if (wd < LABEL_WIDTH * mw && lane_is_label(img, res, i, lo, hi, mw, rp, prof, cnt))
                drop = i;
        }
        if (drop < 0)
            break;
        if (drop == lo)
            lo++;
        else
            hi--;
    }
    free(rp);
    free(prof);
    free(cnt);
    if (lo == 0 && hi == nl - 1)
        return nl;
    int k = hi - lo + 1;
    for (int s = 0; s < res->n_strips; s++) {
        bq_strip_t *st = &res->strips[s];
        memmove(st->lanes, st->lanes + lo, (size_t)k * sizeof *st->lanes);
        for (int i = 0; i < k; i++)
            st->lanes[i].index = i + 1;
        st->n_lanes = k;
    }
    memmove(counts, counts + lo, (size_t)k * sizeof *counts);
    res->n_lanes = k;
    return k;
}

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

/* Strips: the cells labelled with each strip, bounded in the band table's
 * terms (level rows) by the gaps' edges at the middle of the box. A strip
 * with only a few rows of membrane is dropped. Returns the count. */
/* Is cell row y of label s membrane across at least a tenth of the width? */
static int strip_row(const grid_t *g, int bx0, int bx1, int y, int s)
{
    int k = 0;
    size_t row = (size_t)y * (size_t)g->w;
    for (int x = bx0; x <= bx1; x++)
        k += g->ok[row + (size_t)x] && g->lab[row + (size_t)x] == s;
    return k * 10 >= bx1 - bx0 + 1;
}

/* One strip of label s over cell rows y0..y1; its outer limits follow the
 * gap lines when it is the first (last) strip of the label. */
static void strip_init(const grid_t *g, const gapline_t *gl, int ng, int s, int y0, int y1,
                       int first, int last, double xm, strip_work_t *st)
{
    st->id = s;
    st->gy0 = y0;
    st->gy1 = y1;
    st->top = g->y0 + (double)y0 * g->fy;
    st->bottom = g->y0 + (double)(y1 + 1) * g->fy - 1;
    if (s > 0 && first) {
        const gapline_t *k = &gl[s - 1];
        double cy = k->a + k->b * (xm - k->xc);
        st->top = g->y0 + (cy + k->down + 1.0) * g->fy;
    }
    if (s < ng && last) {
        const gapline_t *k = &gl[s];
        double cy = k->a + k->b * (xm - k->xc);
        st->bottom = g->y0 + (cy - k->up) * g->fy - 1;
    }
}

/* The strips: per gap-line label, the runs of rows that hold membrane. Rows
 * with no membrane across the region (page between stacked strips, masked
 * by the membrane stage) separate strips within a label too. At most cap. */
static int find_strips(const grid_t *g, int bx0, int by0, int bx1, int by1, const gapline_t *gl,
                       int ng, strip_work_t *sw, int cap)
{
    int n = 0;
    int min_h = (by1 - by0 + 1) / 25;
    if (min_h < 2)
        min_h = 2;
    double xm = 0.5 * (bx0 + bx1);
    for (int s = 0; s <= ng; s++) {
        int first = 1, y = by0;
        while (y <= by1 && n < cap) {
            while (y <= by1 && !strip_row(g, bx0, bx1, y, s))
                y++;
            int y0 = y;
            while (y <= by1 && strip_row(g, bx0, bx1, y, s))
                y++;
            int y1 = y - 1;
            if (y1 < y0 || y1 - y0 + 1 < min_h)
                continue;
            int more = 0; /* is another run of this label below? */
            for (int k = y; k <= by1 && !more; k++)
                more = strip_row(g, bx0, bx1, k, s);
            strip_init(g, gl, ng, s, y0, y1, first, !more, xm, &sw[n++]);
            first = 0;
        }
    }
    return n;
}

/* A strip's baseline (the low tenth of its profile) and the height above
 * it of its typical lane with a band (the upper quartile of the lanes'
 * heights at their positions, shifted by shift: half the lanes may be
 * blank in a strip). */
static void strip_levels(const double *p, int a, int b, const peak_t *l, double shift, int n,
                         double *tmp, double *base, double *typical)
{
    int m = 0;
    for (int x = a; x <= b; x++)
        tmp[m++] = p[x];
    *base = bq_quantile_inplace(tmp, (size_t)m, 0.1);
    for (int i = 0; i < n; i++)
        tmp[i] = p[(int)bq_clamp(lround(l[i].pos + shift), a, b)] - *base;
    *typical = bq_quantile_inplace(tmp, (size_t)n, 0.75);
}

/* In a strip where some lanes carry no band (a target seen in half the
 * lanes, say), those lanes' own profile is flat membrane and its edges are
 * noise. A lane standing less than BLANK_LANE of the strip's typical lane
 * with a band (the upper quartile of the lane heights: half the lanes may
 * be blank) above the strip's baseline keeps the extent found on all strips
 * together (shared, moved by the strip's shift); so does a lane whose edges
 * in this strip make it far narrower or wider than the typical lane (a
 * hollow or half-loaded band, a neighbour's smear). */
static void blank_lanes_keep_shared(const double *p, int a, int b, const peak_t *shared,
                                    double shift, peak_t *sl, int n, double *tmp)
{
    double base, typical;
    strip_levels(p, a, b, sl, 0.0, n, tmp, &base, &typical);
    for (int i = 0; i < n; i++)
        tmp[i] = shared[i].right - shared[i].left;
    double wa = bq_median_inplace(tmp, (size_t)n);
    for (int i = 0; i < n; i++) {
        double ht = p[(int)lround(sl[i].pos)] - base;
        double ws = sl[i].right - sl[i].left;
        int odd_width = ws < STRIP_WIDTH_RATIO * wa || ws > wa / STRIP_WIDTH_RATIO;
        if (typical > 0.0 && ht >= BLANK_LANE * typical && !odd_width)
            continue;
        sl[i].pos = bq_clamp(shared[i].pos + shift, a, b);
        sl[i].left = bq_clamp(shared[i].left + shift, a, b);
        sl[i].right = bq_clamp(shared[i].right + shift, a, b);
    }
}

/* The shift (cells) that best aligns profile q onto p, within +-maxs. */
static double align_shift(const double *p, const double *q, int a, int b, int maxs)
{
    double best = -HUGE_VAL;
    int bs = 0;
    double sc[2 * 64 + 1];
    if (maxs > 64)
        maxs = 64;
    for (int s = -maxs; s <= maxs; s++) {
        double v = 0.0;
        for (int x = a; x <= b; x++) {
            int y = x + s;
            if (y >= a && y <= b)
                v += p[x] * q[y];
        }
        sc[s + maxs] = v;
        if (v > best || (v == best && abs(s) < abs(bs))) {
            best = v;
            bs = s;
        }
    }
    /* an optimum at the edge of the window is no alignment: the overlap
     * still grows beyond it, towards lanes of the other strip that carry
     * bands where this one has none (a target in every other lane) */
    if (maxs > 1 && (bs == -maxs || bs == maxs))
        return 0.0;
    double f = 0.0;
    if (bs > -maxs && bs < maxs) {
        double l = sc[bs + maxs - 1], c = sc[bs + maxs], r = sc[bs + maxs + 1];
        double den = l - 2 * c + r;
        if (den < 0)
            f = bq_clamp(0.5 * (l - r) / den, -0.5, 0.5);
    }
    return bs + f;
}

int bq_lanes_detect(const bq_image_t *img, const bq_lane_options_t *opts,
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

    grid_t g;
    uint8_t *cand = NULL;
    margin_src_t ms;
    int rc = grid_build(img, rx, ry, rw, rh, &g, &cand, &ms);
    if (rc)
        return bq_error_set(err, rc, "lanes: out of memory");
    int bx0, by0, bx1, by1;
    rc = grid_mask(&g, cand, &ms, &bx0, &by0, &bx1, &by1);
    free(cand);
    if (rc) {
        grid_free(&g);
        return bq_error_set(err, rc, "lanes: out of memory");
    }
    if (bx1 - bx0 < 3 || by1 < by0) {
        grid_free(&g);
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no membrane found (no valid pixels)");
    }
    enum { MAX_STRIPS = 16 };
    gapline_t gaps[MAX_STRIPS - 1];
    int n_gaps = 0;
    rc = grid_tray(&g, &bx0, &by0, &bx1, &by1, gaps, MAX_STRIPS - 1, &n_gaps);
    if (rc) {
        grid_free(&g);
        return bq_error_set(err, rc, "lanes: out of memory");
    }
    rc = grid_flatten(&g, bx0, by0, bx1, by1);
    if (rc) {
        grid_free(&g);
        return bq_error_set(err, rc, "lanes: out of memory");
    }

    strip_work_t sw[MAX_STRIPS];
    memset(sw, 0, sizeof sw);
    int ns = find_strips(&g, bx0, by0, bx1, by1, gaps, n_gaps, sw, MAX_STRIPS);
    if (ns == 0) {
        grid_free(&g);
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no membrane found (no rows of valid pixels)");
    }
    bq_lanes_t *res = NULL;
    double *tmp = bq_alloc_array((size_t)(g.w > g.h ? g.w : g.h) + 2, sizeof *tmp);
    double *sumprof = bq_calloc_array((size_t)g.w, sizeof *sumprof);
    peak_t *cand_all = bq_alloc_array((size_t)g.w + 1, sizeof *cand_all);
    double *fbuf = bq_alloc_array((size_t)g.w + (size_t)g.h + 4, sizeof *fbuf);
    peak_t lanes[BQ_MAX_LANES];
    if (!tmp || !sumprof || !cand_all || !fbuf) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    for (int s = 0; s < ns; s++) {
        sw[s].prof = bq_calloc_array((size_t)g.w, sizeof *sw[s].prof);
        if (!sw[s].prof) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
            goto done;
        }
        rc = strip_profile(&g, bx0, bx1, &sw[s]);
        if (rc) {
            rc = bq_error_set(err, rc, "lanes: out of memory");
            goto done;
        }
        sw[s].noise = profile_noise(sw[s].prof, bx0, bx1, tmp);
        smooth3(sw[s].prof, tmp, g.w, 1);
    }
    /* strips without any structure (a blank piece of membrane) are dropped */
    int strong = 0;
    double best_var = -1.0;
    for (int s = 0; s < ns; s++) {
        double v = profile_sharpness(sw[s].prof + bx0, bx1 - bx0 + 1);
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
        int nc0 = find_peaks(sw[strong].prof, bx0, bx1, cand_all, g.w + 1);
        int nl0 = choose_lanes(sw[strong].prof, bx0, bx1, sw[strong].noise, cand_all, nc0, 0,
                               lanes, tmp);
        if (nl0 >= 2) {
            double pitch0 = (lanes[nl0 - 1].pos - lanes[0].pos) / (nl0 - 1);
            if (0.4 * pitch0 < maxs)
                maxs = (int)(0.4 * pitch0);
        }
    }
    for (int s = 0; s < ns; s++) {
        sw[s].shift = s == strong ? 0.0 : align_shift(sw[strong].prof, sw[s].prof, bx0, bx1, maxs);
        for (int x = bx0; x <= bx1; x++)
            sumprof[x] += interp(sw[s].prof, g.w, x + sw[s].shift);
    }
    /* noise of the sum: the strips' (unsmoothed) noise added in quadrature */
    double noise = 0.0;
    for (int s = 0; s < ns; s++)
        noise += sw[s].noise * sw[s].noise;
    noise = sqrt(noise);
    int nc = find_peaks(sumprof, bx0, bx1, cand_all, g.w + 1);
    int nl = choose_lanes(sumprof, bx0, bx1, noise, cand_all, nc, want, lanes, tmp);
    if (want <= 0 && nl >= 3) {
        peak_t alt[BQ_MAX_LANES];
        int nf = add_faint_lanes(&g, &sw[strong], bx0, bx1, lanes, nl, tmp, fbuf, fbuf + g.h + 2,
                                 cand_all, g.w + 1, alt);
        if (nf != nl) {
            nl = nf;
            lane_edges(sumprof, bx0, bx1, lanes, nl);
        }
        nl = split_merged_lanes(sumprof, lanes, nl, tmp);
        int before = nl;
        nl = fill_comb_gaps(sw, ns, bx0, bx1, lanes, nl, tmp);
        if (nl != before)
            lane_edges(sumprof, bx0, bx1, lanes, nl);
        nl = comb_cleanup(sumprof, bx0, bx1, lanes, nl, tmp);
    }
    if (nl == 0) {
        rc = bq_error_set(err, BQ_ERR_NOT_FOUND, "lanes: no lanes found (no band signal stands out of the background)");
        goto done;
    }

    res = calloc(1, sizeof *res);
    if (!res) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    res->strips = bq_calloc_array((size_t)ns, sizeof *res->strips);
    if (!res->strips) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    res->n_strips = ns;
    res->n_lanes = nl;
    res->roi.x = g.x0 + bx0 * g.fx;
    res->roi.y = g.y0 + by0 * g.fy;
    res->roi.w = (bx1 + 1) * g.fx;
    res->roi.h = (by1 + 1) * g.fy;
    if (res->roi.w > rw) res->roi.w = rw;
    if (res->roi.h > rh) res->roi.h = rh;
    res->roi.w -= bx0 * g.fx;
    res->roi.h -= by0 * g.fy;

    int *counts = bq_calloc_array((size_t)nl, sizeof *counts);
    double *rowp = bq_alloc_array((size_t)g.h + 2, sizeof *rowp);
    if (!counts || !rowp) {
        free(counts);
        free(rowp);
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
        goto done;
    }
    for (int s = 0; s < ns; s++) {
        bq_strip_t *st = &res->strips[s];
        st->y_top = (int)lround(sw[s].top);
        st->y_bottom = (int)lround(sw[s].bottom);
        if (st->y_bottom < st->y_top) {
            /* the margins kept off the gap lines above and below can cross
             * on a thin strip: keep the strip's own cell rows instead */
            st->y_top = g.y0 + sw[s].gy0 * g.fy;
            st->y_bottom = g.y0 + (sw[s].gy1 + 1) * g.fy - 1;
        }
        if (st->y_top < ry)
            st->y_top = ry;
        if (st->y_bottom > ry + rh - 1)
            st->y_bottom = ry + rh - 1;
        st->n_lanes = nl;
        st->lanes = bq_calloc_array((size_t)nl, sizeof *st->lanes);
        if (!st->lanes) {
            free(counts);
            free(rowp);
            rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
            goto done;
        }
        /* this strip's lanes: the shared ones moved by the strip's shift,
         * each re-centred on the strip's own peak when it has one nearby */
        peak_t sl[BQ_MAX_LANES];
        double pitch = nl > 1 ? (lanes[nl - 1].pos - lanes[0].pos) / (nl - 1) : (bx1 - bx0 + 1);
        double base = 0.0, typical = 0.0;
        strip_levels(sw[s].prof, bx0, bx1, lanes, sw[s].shift, nl, tmp, &base, &typical);
        for (int i = 0; i < nl; i++) {
            sl[i] = lanes[i];
            sl[i].pos = lanes[i].pos + sw[s].shift;
            /* the strip's shift can push an edge lane's centre out of
             * bx0..bx1, where the profile has no entries */
            if (sl[i].pos < bx0)
                sl[i].pos = bx0;
            else if (sl[i].pos > bx1)
                sl[i].pos = bx1;
            if (ns > 1) {
                int r = (int)(0.2 * pitch);
                int c = (int)lround(sl[i].pos), bi = c;
                for (int x = c - r; x <= c + r; x++)
                    if (x >= bx0 && x <= bx1 && sw[s].prof[x] > sw[s].prof[bi])
                        bi = x;
                if (bi != c && bi > bx0 && bi < bx1 && sw[s].prof[bi] > 6.0 * sw[s].noise &&
                    sw[s].prof[bi] - base >= BLANK_LANE * typical)
                    sl[i].pos = bi;
            }
        }
        lane_edges(sw[s].prof, bx0, bx1, sl, nl);
        if (ns > 1)
            blank_lanes_keep_shared(sw[s].prof, bx0, bx1, lanes, sw[s].shift, sl, nl, tmp);
        for (int i = 0; i < nl; i++) {
            bq_lane_t *ln = &st->lanes[i];
            ln->index = i + 1;
            ln->y_ref = g.y0 + (sw[s].yref + 0.5) * g.fy - 0.5;
            ln->slope = sw[s].slope * g.fx / g.fy;
            ln->x_left = g.x0 + (sl[i].left + 0.5) * g.fx - 0.5;
            ln->x_right = g.x0 + (sl[i].right + 0.5) * g.fx - 0.5;
            ln->is_empty = sl[i].empty;
            counts[i] += lane_band_count(&g, &sw[s], &sl[i], rowp, tmp);
        }
    }
    if (want <= 0) {
        int k = drop_label_lanes(img, res, counts);
        if (k < 0) {
            free(counts);
            free(rowp);
            rc = bq_error_set(err, k, "lanes: out of memory");
            goto done;
        }
        nl = k;
    }
    /* ladders: many more bands than the typical lane */
    {
        double cq[BQ_MAX_LANES];
        for (int i = 0; i < nl; i++)
            cq[i] = counts[i];
        median_d(cq, nl); /* sorts */
        double q25 = cq[(nl - 1) / 4];
        for (int i = 0; i < nl; i++) {
            int ladder = nl > 2 && counts[i] >= 5 * ns && counts[i] >= 2.0 * q25 + 2;
            for (int s = 0; s < ns; s++)
                res->strips[s].lanes[i].is_ladder = ladder;
        }
    }
    free(counts);
    free(rowp);
    bq_lanes_score(res);
    rc = 0;
    *out = res;
    res = NULL;

done:
    for (int s = 0; s < ns; s++)
        free(sw[s].prof);
    free(tmp);
    free(sumprof);
    free(cand_all);
    free(fbuf);
    lanes_free_partial(res);
    grid_free(&g);
    return rc;
}
