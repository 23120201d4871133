/* lanes_flatten.c - stage 2 of the lane detector: background and
 * compression.
 *
 * A low percentile per tile, interpolated, is subtracted from the grid so
 * gradients do not look like lanes; the rest is compressed with a log so a
 * faint lane counts almost as much as a saturated one. The result is the
 * grid's t, which every later stage reads. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

/* ---- 2. background and compression ----------------------------------- */

/* The q-quantile of each tile's ok cells into tile, have[t] = 1 where the
 * tile holds enough membrane. buf holds cap values. Returns 1 if any tile
 * does. */
static int tile_quantiles(const float *vals, const uint8_t *ok, int rw, int rh, int nx, int ny,
                          double q, float *buf, size_t cap, double *tile, uint8_t *have)
{
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
                tile[t] = bq_lanes_quantile_f(buf, m, q);
                have[t] = 1;
                any = 1;
            }
        }
    }
    return any;
}

/* Tiles without enough membrane take the mean of their filled neighbours,
 * ring by ring inwards. */
static void tile_fill(double *tile, uint8_t *have, int nx, int ny)
{
    size_t nt = (size_t)nx * (size_t)ny;
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
}

/* The median of each tile's 3x3 neighbourhood into tile2. */
static void tile_median3(const double *tile, int nx, int ny, double *tile2)
{
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
            tile2[(size_t)ty * (size_t)nx + (size_t)tx] = bq_lanes_median(v9, k);
        }
}

/* The surface (rw x rh) bilinear between the tile centres of tile (nx x
 * ny), extrapolated beyond the outer ones. ctx, cwx, a0 and a1 hold rw. */
static void tile_interpolate(const double *tile, int nx, int ny, int rw, int rh, int *ctx,
                             double *cwx, double *a0, double *a1, float *surf)
{
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
            const double *r0 = tile + (size_t)ty0 * (size_t)nx;
            const double *r1 = tile + (size_t)ty1 * (size_t)nx;
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
}

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
    int any = tile_quantiles(vals, ok, rw, rh, nx, ny, q, buf, cap, tile, have);
    if (!any)
        for (size_t t = 0; t < nt; t++) {
            tile[t] = 0.0;
            have[t] = 1;
        }
    tile_fill(tile, have, nx, ny);
    tile_median3(tile, nx, ny, tile2);
    tile_interpolate(tile2, nx, ny, rw, rh, ctx, cwx, a0, a1, surf);
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
int bq_lanes_grid_flatten(grid_t *g, int bx0, int by0, int bx1, int by1)
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
    double sigma = m > 0 ? 1.4826 * bq_lanes_quantile_f(samp, m, 0.5) / sqrt(2.0) : 0.0;
    m = 0;
    for (size_t j = 0; j < ncells && m < dcap; j += stride)
        if (ok[j])
            samp[m++] = res[j];
    double hi = m > 0 ? bq_lanes_quantile_f(samp, m, 0.995) : 0.0;
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
