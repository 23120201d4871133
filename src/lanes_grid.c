/* lanes_grid.c - stage 1 of the lane detector: the block-averaged grid
 * and the membrane mask.
 *
 * Everything after this stage works on the grid (at most GRID_MAX_W x
 * GRID_MAX_H cells), so the cost is one pass over the pixels plus a fixed
 * amount of work, whatever the image size. A cell is masked when it is
 * invalid, or part of a uniform margin (exactly 0 or clipped, connected to
 * the border: a tray, a white page, the zeros outside a rotated scan);
 * islands of membrane cut off by that margin (1a) stay. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

#define GRID_MAX_W 512
#define GRID_MAX_H 256
#define MAX_ISLANDS 32         /* non-margin components remembered besides the largest */
#define ISLAND_STRIP 0.1       /* an island this share of the largest piece is a strip of its own */
#define ISLAND_AREA 0.01       /* an island that is a band, not a speck: this share of the grid */

/* ---- 1. the grid and the membrane mask ------------------------------- */

void bq_lanes_grid_free(grid_t *g)
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
        bq_lanes_grid_free(g);
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
            bq_lanes_grid_free(g);
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

/* Label 1 the margin candidates connected to the region border. stack holds
 * a cell index for every cell. */
static void flood_margin(const grid_t *g, uint8_t *cand, const margin_src_t *ms, int *stack,
                         int *label)
{
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
}

/* Label the connected pieces of valid cells that the flood left, from id 2
 * on; islands[id - 2] receives the first MAX_ISLANDS of them. The largest
 * piece's id, area and box go to *best, *best_area and best_box (left as
 * they are when there is no piece). Returns the next unused id. */
static int label_pieces(const grid_t *g, const uint8_t *cand, int *stack, int *label,
                        island_t *islands, int *best, size_t *best_area, int *best_box)
{
    size_t n = (size_t)g->w * (size_t)g->h;
    int next = 2;
    for (size_t s = 0; s < n; s++) {
        if (label[s] || cand[s] == 2)
            continue;
        int id = next++;
        size_t area = 0;
        int box[4] = {g->w, g->h, -1, -1};
        label[s] = id;
        size_t sp = 0;
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
        if (area > *best_area) {
            *best_area = area;
            *best = id;
            memcpy(best_box, box, sizeof box);
        }
        if (id - 2 < MAX_ISLANDS) { /* ids start at 2: 1 is the margin */
            islands[id - 2].area = area;
            memcpy(islands[id - 2].box, box, sizeof box);
        }
    }
    return next;
}

/* Mask every cell but the largest piece (best) and the islands beside it;
 * best_box grows to take in the islands kept. */
static void keep_membrane(grid_t *g, const int *label, const island_t *islands, int next,
                          int best, size_t best_area, int *best_box)
{
    size_t n = (size_t)g->w * (size_t)g->h;
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
    flood_margin(g, cand, ms, stack, label);
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
    int best = 0;
    size_t best_area = 0;
    int best_box[4] = {0, 0, g->w - 1, g->h - 1};
    island_t islands[MAX_ISLANDS];
    int next = label_pieces(g, cand, stack, label, islands, &best, &best_area, best_box);
    size_t box_area = (size_t)(best_box[2] - best_box[0] + 1) * (size_t)(best_box[3] - best_box[1] + 1);
    int use_margin = best > 0 && best_area * 5 >= n && best_area * 2 >= box_area;
    if (use_margin) {
        keep_membrane(g, label, islands, next, best, best_area, best_box);
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

/* The grid of the region and its membrane mask; see lanes_internal.h. */
int bq_lanes_grid_membrane(const bq_image_t *img, int rx, int ry, int rw, int rh, grid_t *g,
                           int *bx0, int *by0, int *bx1, int *by1)
{
    uint8_t *cand = NULL;
    margin_src_t ms;
    int rc = grid_build(img, rx, ry, rw, rh, g, &cand, &ms);
    if (rc)
        return rc;
    rc = grid_mask(g, cand, &ms, bx0, by0, bx1, by1);
    free(cand);
    if (rc)
        bq_lanes_grid_free(g);
    return rc;
}
