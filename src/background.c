/* background.c - background estimators for band integration.
 *
 * Three ways to say what a band box would hold without the band:
 *   - AUTO: a baseline under the band interpolated along the lane's vertical
 *     profile between the rows just above and just below the box. Lane smear
 *     and background gradients vary slowly along the lane, so a straight line
 *     between the two flanks removes both; pixels beside the lane (which have
 *     no smear) never enter, unlike a border ring.
 *   - ROLLING_BALL: ImageJ's "Subtract Background" (rolling ball, radius 50 by
 *     default): 3x3 mean pre-smoothing, shrink by block minimum, roll a ball
 *     patch, bilinear enlargement. Integer-stored images are clamped at 0 after
 *     subtraction, as ImageJ does for 8/16-bit data.
 *   - BORDER_MEDIAN: LI-COR Image Studio's "median" background, the median of
 *     a 3-pixel ring around the box times the box area. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "blotquant/quantify.h"
#include "internal.h"

int bq_background_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "auto") == 0)
        return BQ_BG_AUTO;
    if (strcmp(name, "rolling-ball") == 0 || strcmp(name, "rolling_ball") == 0)
        return BQ_BG_ROLLING_BALL;
    if (strcmp(name, "border-median") == 0 || strcmp(name, "border_median") == 0)
        return BQ_BG_BORDER_MEDIAN;
    if (strcmp(name, "none") == 0)
        return BQ_BG_NONE;
    return -1;
}

const char *bq_background_name(bq_background method)
{
    switch (method) {
    case BQ_BG_AUTO: return "auto";
    case BQ_BG_ROLLING_BALL: return "rolling-ball";
    case BQ_BG_BORDER_MEDIAN: return "border-median";
    case BQ_BG_NONE: return "none";
    }
    return "unknown";
}

static int pix_valid(const bq_image_t *img, size_t i)
{
    return img->valid == NULL || img->valid[i] != 0;
}

/* ---- border median (Image Studio) ---------------------------------- */

int bq_background_border_median(const bq_image_t *img, int x0, int x1, int y0,
                                int y1, int border, double *level)
{
    if (!img || !level || x1 < x0 || y1 < y0 || border < 1)
        return BQ_ERR_INVALID;
    int bx0 = x0 - border, bx1 = x1 + border, by0 = y0 - border, by1 = y1 + border;
    size_t cap = (size_t)(bx1 - bx0 + 1) * (size_t)(by1 - by0 + 1);
    double *vals = bq_alloc_array(cap, sizeof *vals);
    if (!vals)
        return BQ_ERR_NOMEM;
    size_t n = 0;
    for (int y = by0; y <= by1; y++) {
        if (y < 0 || y >= img->height)
            continue;
        for (int x = bx0; x <= bx1; x++) {
            if (x < 0 || x >= img->width)
                continue;
            if (x >= x0 && x <= x1 && y >= y0 && y <= y1)
                continue; /* inside the box: the band itself */
            size_t i = (size_t)y * (size_t)img->width + (size_t)x;
            if (pix_valid(img, i))
                vals[n++] = img->data[i];
        }
    }
    if (n == 0) {
        free(vals);
        return BQ_ERR_NOT_FOUND;
    }
    *level = bq_median_inplace(vals, n);
    free(vals);
    return 0;
}

/* ---- lane-profile baseline (AUTO) ----------------------------------- */

/* Robust level of one flank: the mean of the rows' means after dropping the
 * highest and lowest quarter of rows, so a dust speck or the tail of a
 * neighbouring band in one row does not tilt the baseline. */
static double flank_level(const double *rowmean, const int *ok, int n)
{
    double tmp[64];
    int m = 0;
    for (int i = 0; i < n && m < 64; i++)
        if (ok[i])
            tmp[m++] = rowmean[i];
    if (m == 0)
        return NAN;
    if (m < 4) {
        double s = 0;
        for (int i = 0; i < m; i++)
            s += tmp[i];
        return s / m;
    }
    bq_quantile_inplace(tmp, (size_t)m, 0.5); /* sorts */
    int cut = m / 4;
    double s = 0;
    for (int i = cut; i < m - cut; i++)
        s += tmp[i];
    return s / (m - 2 * cut);
}

/* Dust specks are 1-4 px across and bands are flat along a row within the
 * lane, so a 9-pixel median along the row predicts every band pixel (a
 * monotone edge keeps its middle value) while no speck survives it. Pixels
 * far from that prediction, and their neighbours, are specks: the patch
 * gets the prediction there. Specks are background, not band. */
#define SPECK_HALF 4

#define SORT2(a, b)                                                            \
    do {                                                                       \
        float lo_ = (a) < (b) ? (a) : (b), hi_ = (a) < (b) ? (b) : (a);        \
        a = lo_;                                                               \
        b = hi_;                                                               \
    } while (0)

/* Median of n <= 9 values (reorders v). Nine values go through a 19-step
 * exchange network: this runs for every pixel of every band patch. */
static float median9(float *v, int n)
{
    if (n == 9) {
        SORT2(v[1], v[2]); SORT2(v[4], v[5]); SORT2(v[7], v[8]);
        SORT2(v[0], v[1]); SORT2(v[3], v[4]); SORT2(v[6], v[7]);
        SORT2(v[1], v[2]); SORT2(v[4], v[5]); SORT2(v[7], v[8]);
        SORT2(v[0], v[3]); SORT2(v[5], v[8]); SORT2(v[4], v[7]);
        SORT2(v[3], v[6]); SORT2(v[1], v[4]); SORT2(v[2], v[5]);
        SORT2(v[4], v[7]); SORT2(v[4], v[2]); SORT2(v[6], v[4]);
        SORT2(v[4], v[2]);
        return v[4];
    }
    for (int i = 1; i < n; i++) { /* edges of the picture: insertion sort */
        float t = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > t) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = t;
    }
    return (n % 2) ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* The 9-pixel row median for every x in [xa, xb], all windows inside the
 * row and every pixel valid. The same exchange network as median9, written
 * on locals over a run of x so the compiler can do several x at once with
 * vector compares; the median of nine values does not depend on how it is
 * found, so the result is the same value median9 gives. */
static void median9_run(const float *row, int xa, int xb, float *dst)
{
    for (int x = xa; x <= xb; x++) {
        const float *w = row + x - SPECK_HALF;
        float v0 = w[0], v1 = w[1], v2 = w[2], v3 = w[3], v4 = w[4], v5 = w[5],
              v6 = w[6], v7 = w[7], v8 = w[8];
        SORT2(v1, v2); SORT2(v4, v5); SORT2(v7, v8);
        SORT2(v0, v1); SORT2(v3, v4); SORT2(v6, v7);
        SORT2(v1, v2); SORT2(v4, v5); SORT2(v7, v8);
        SORT2(v0, v3); SORT2(v5, v8); SORT2(v4, v7);
        SORT2(v3, v6); SORT2(v1, v4); SORT2(v2, v5);
        SORT2(v4, v7); SORT2(v4, v2); SORT2(v6, v4);
        SORT2(v4, v2);
        dst[x - xa] = v4;
    }
}

/* Despeckled copy of columns x0..x1, rows ya..yb into out (pw*ph floats);
 * ok[i] = 0 marks invalid pixels. Returns 0 or BQ_ERR_NOMEM. */
static int clean_patch(const bq_image_t *img, int x0, int x1, int ya, int yb, float *out,
                       unsigned char *ok)
{
    int pw = x1 - x0 + 1, ph = yb - ya + 1;
    size_t n = (size_t)pw * (size_t)ph;
    float *med = bq_alloc_array(n, sizeof *med);
    double *dev = bq_alloc_array(n, sizeof *dev);
    unsigned char *bad = bq_calloc_array(n, 1);
    if (!med || !dev || !bad) {
        free(med);
        free(dev);
        free(bad);
        return BQ_ERR_NOMEM;
    }
    /* Columns whose whole window lies inside the picture: without a valid
     * mask they take the vectorised run. */
    int ia = x0 > SPECK_HALF ? x0 : SPECK_HALF;
    int ib = x1 < img->width - 1 - SPECK_HALF ? x1 : img->width - 1 - SPECK_HALF;
    if (img->valid)
        ia = x1 + 1, ib = x1; /* empty run: every window is checked */
    size_t nd = 0;
    for (int y = ya; y <= yb; y++) {
        const float *row = img->data + (size_t)y * (size_t)img->width;
        size_t r0 = (size_t)(y - ya) * (size_t)pw;
        if (ia <= ib)
            median9_run(row, ia, ib, med + r0 + (size_t)(ia - x0));
        if (!img->valid) {
            memcpy(out + r0, row + x0, (size_t)pw * sizeof *out);
            memset(ok + r0, 1, (size_t)pw);
        }
        for (int x = x0; x <= x1; x++) {
            if (x == ia && ia <= ib)
                x = ib + 1; /* the run has these */
            if (x > x1)
                break;
            size_t i = r0 + (size_t)(x - x0);
            if (img->valid) {
                ok[i] = (unsigned char)pix_valid(img, (size_t)y * (size_t)img->width + (size_t)x);
                out[i] = row[x];
            }
            if (x < ia || x > ib) {
                float win[2 * SPECK_HALF + 1];
                int m = 0;
                for (int k = x - SPECK_HALF; k <= x + SPECK_HALF; k++)
                    if (k >= 0 && k < img->width &&
                        pix_valid(img, (size_t)y * (size_t)img->width + (size_t)k))
                        win[m++] = row[k];
                med[i] = m ? median9(win, m) : row[x];
            }
        }
        /* without a mask every pixel counts: a loop the compiler vectorises */
        if (!img->valid) {
            for (int x = 0; x < pw; x++)
                dev[nd + (size_t)x] = fabs((double)out[r0 + (size_t)x] - med[r0 + (size_t)x]);
            nd += (size_t)pw;
        } else {
            for (size_t i = r0; i < r0 + (size_t)pw; i++)
                if (ok[i])
                    dev[nd++] = fabs((double)out[i] - med[i]);
        }
    }
    double sigma = nd ? 1.4826 * bq_select_nth(dev, nd, nd / 2) : 0;
    double lim = 6.0 * sigma;
    for (size_t i = 0; i < n; i++)
        bad[i] = (ok[i] != 0) & (fabs((double)out[i] - med[i]) > lim + 0.03 * fabs((double)med[i]));
    /* Neighbours of a speck take the prediction too. The marking runs in
     * raster order and tests for a neighbour that is still exactly 1, i.e.
     * a speck pixel not yet visited (a visited one has become 3): so a
     * speck marks itself, its left neighbour and the three pixels above it.
     * Specks are rare, so this visits only them: ahead of the scan every
     * byte is still 0 or 1, and memchr finds the next 1. */
    const unsigned char *hit;
    for (size_t i = 0; i < n && (hit = memchr(bad + i, 1, n - i)) != NULL; i++) {
        i = (size_t)(hit - bad);
        int x = (int)(i % (size_t)pw), y = (int)(i / (size_t)pw);
        bad[i] |= 2;
        if (x > 0)
            bad[i - 1] |= 2;
        if (y > 0) {
            size_t up = i - (size_t)pw;
            bad[up] |= 2;
            if (x > 0)
                bad[up - 1] |= 2;
            if (x + 1 < pw)
                bad[up + 1] |= 2;
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (bad[i] & 2) ? med[i] : out[i];
    free(med);
    free(dev);
    free(bad);
    return 0;
}

/* Mean and count of the valid pixels of one patch row. */
static int patch_row(const float *out, const unsigned char *ok, int pw, int r, double *mean,
                     long *count)
{
    double s = 0;
    long c = 0;
    for (int x = 0; x < pw; x++) {
        size_t i = (size_t)r * (size_t)pw + (size_t)x;
        if (ok[i]) {
            s += out[i];
            c++;
        }
    }
    *count = c;
    if (c == 0)
        return 0;
    *mean = s / (double)c;
    return 1;
}

int bq_background_profile(const bq_image_t *img, int x0, int x1, int y0, int y1,
                          int lim_top, int lim_bottom, int flank, double y_step,
                          double *bg_sum)
{
    if (!img || !bg_sum || x1 < x0 || y1 < y0)
        return BQ_ERR_INVALID;
    if (x0 < 0)
        x0 = 0;
    if (x1 >= img->width)
        x1 = img->width - 1;
    if (y0 < 0)
        y0 = 0;
    if (y1 >= img->height)
        y1 = img->height - 1;
    if (lim_top < 0)
        lim_top = 0;
    if (lim_bottom >= img->height)
        lim_bottom = img->height - 1;
    if (flank < 1)
        flank = 1;
    if (flank > 64)
        flank = 64;
    if (x1 < x0 || y1 < y0)
        return BQ_ERR_INVALID;
    int ya = y0 - flank, yb = y1 + flank;
    if (ya < lim_top)
        ya = lim_top < y0 ? lim_top : y0;
    if (yb > lim_bottom)
        yb = lim_bottom > y1 ? lim_bottom : y1;
    int pw = x1 - x0 + 1, ph = yb - ya + 1;
    size_t n = (size_t)pw * (size_t)ph;
    float *pat = bq_alloc_array(n, sizeof *pat);
    unsigned char *ok = bq_alloc_array(n, 1);
    if (!pat || !ok || clean_patch(img, x0, x1, ya, yb, pat, ok) != 0) {
        free(pat);
        free(ok);
        return BQ_ERR_NOMEM;
    }

    double above[64], below[64];
    int ok_above[64], ok_below[64];
    int na = 0, nb = 0;
    double ycen_a = 0, ycen_b = 0; /* centres of the flanks actually used */
    int ca = 0, cb = 0;
    long c;
    for (int y = y0 - 1; y >= ya && na < flank; y--, na++) {
        ok_above[na] = patch_row(pat, ok, pw, y - ya, &above[na], &c);
        if (ok_above[na]) {
            ycen_a += y;
            ca++;
        }
    }
    for (int y = y1 + 1; y <= yb && nb < flank; y++, nb++) {
        ok_below[nb] = patch_row(pat, ok, pw, y - ya, &below[nb], &c);
        if (ok_below[nb]) {
            ycen_b += y;
            cb++;
        }
    }
    double la = ca ? flank_level(above, ok_above, na) : NAN;
    double lb = cb ? flank_level(below, ok_below, nb) : NAN;
    if (ca)
        ycen_a /= ca;
    if (cb)
        ycen_b /= cb;
    if (!ca && !cb) {
        /* no room on either side: fall back to the ring median */
        double level;
        int rc = bq_background_border_median(img, x0, x1, y0, y1, 3, &level);
        if (rc != 0) {
            free(pat);
            free(ok);
            return rc;
        }
        la = lb = level;
        ycen_a = y0;
        ycen_b = y1;
    } else if (!ca || !cb) {
        la = lb = ca ? la : lb;
        ycen_a = y0;
        ycen_b = y1;
    }

    /* baseline under the box, plus whatever the specks added to it */
    double sum = 0;
    for (int y = y0; y <= y1; y++) {
        double base;
        if (isnan(y_step)) {
            double t = (ycen_b > ycen_a) ? ((double)y - ycen_a) / (ycen_b - ycen_a) : 0.5;
            base = la + t * (lb - la);
        } else {
            /* smear trails a band from its centre down: the lower level
             * takes over there, smoothly over the band's lower sigma */
            double sd = (y1 - y_step) / 4.5;
            if (sd < 0.5)
                sd = 0.5;
            double w = 0.5 * erfc(-((double)y - y_step) / (M_SQRT2 * sd));
            base = la + w * (lb - la);
        }
        const float *row = img->data + (size_t)y * (size_t)img->width;
        for (int x = x0; x <= x1; x++) {
            size_t i = (size_t)(y - ya) * (size_t)pw + (size_t)(x - x0);
            if (ok[i])
                sum += base + ((double)row[x] - pat[i]);
        }
    }
    free(pat);
    free(ok);
    *bg_sum = sum;
    return 0;
}

/* ---- rolling ball (ImageJ) ------------------------------------------ */

/* 3x3 mean as ImageJ's filter3x3(MEAN): a 3-point mean along x, then along y,
 * edges replicated. */
static void mean3_line(float *p, int len, size_t inc)
{
    if (len < 2)
        return;
    float v1, v2 = p[0], v3 = p[0];
    for (int i = 0; i < len; i++) {
        v1 = v2;
        v2 = v3;
        if (i < len - 1)
            v3 = p[(size_t)(i + 1) * inc];
        p[(size_t)i * inc] = (v1 + v2 + v3) * 0.33333333f;
    }
}

typedef struct ball {
    int shrink;
    int width; /* patch width, odd */
    float *z;
} ball_t;

static int ball_build(ball_t *b, double radius)
{
    int trim;
    if (radius <= 10) {
        b->shrink = 1;
        trim = 24;
    } else if (radius <= 30) {
        b->shrink = 2;
        trim = 24;
    } else if (radius <= 100) {
        b->shrink = 4;
        trim = 32;
    } else {
        b->shrink = 8;
        trim = 40;
    }
    double r = radius / b->shrink;
    if (r < 1)
        r = 1;
    double r2 = r * r;
    int xtrim = (int)(trim * r) / 100;
    int half = (int)lround(r - xtrim);
    b->width = 2 * half + 1;
    b->z = bq_alloc_array((size_t)b->width * (size_t)b->width, sizeof *b->z);
    if (!b->z)
        return BQ_ERR_NOMEM;
    for (int y = 0; y < b->width; y++)
        for (int x = 0; x < b->width; x++) {
            double dx = x - half, dy = y - half;
            double t = r2 - dx * dx - dy * dy;
            b->z[y * b->width + x] = t > 0 ? (float)sqrt(t) : 0.0f;
        }
    return 0;
}

/* Roll the ball patch under the surface px (w x h) and replace px by the
 * highest surface the ball's top can reach. Cost w*h*width^2 on the shrunk
 * image, which is why the image is shrunk first. */
static int roll_ball(const ball_t *b, float *px, int w, int h)
{
    int bw = b->width, rad = bw / 2;
    float *cache = bq_alloc_array((size_t)w * (size_t)bw, sizeof *cache);
    /* zrow[x + rad]: the ball's height when centred at column x of row y */
    float *zrow = bq_alloc_array((size_t)w + 2 * (size_t)rad, sizeof *zrow);
    if (!cache || !zrow) {
        free(cache);
        free(zrow);
        return BQ_ERR_NOMEM;
    }
    int nz = w + 2 * rad;
    for (int y = -rad; y < h + rad; y++) {
        int next = y + rad;
        if (next < h) {
            memcpy(cache + (size_t)(next % bw) * (size_t)w, px + (size_t)next * (size_t)w,
                   (size_t)w * sizeof *px);
            for (int x = 0; x < w; x++)
                px[(size_t)next * (size_t)w + (size_t)x] = -FLT_MAX;
        }
        int ys = y - rad < 0 ? 0 : y - rad;
        int yb0 = ys - y + rad;
        int ye = y + rad >= h ? h - 1 : y + rad;
        /* Same minima and maxima as ImageJ's pixel-by-pixel loop, taken one
         * ball element at a time over a whole row: branch-free, contiguous,
         * so the compiler vectorises them; min/max do not depend on order. */
        for (int i = 0; i < nz; i++)
            zrow[i] = FLT_MAX;
        for (int yp = ys, yb = yb0; yp <= ye; yp++, yb++) {
            const float *c = cache + (size_t)(yp % bw) * (size_t)w;
            const float *bz = b->z + yb * bw;
            for (int xb = 0; xb < bw; xb++) {
                /* ball column xb at centre x touches image column x - rad + xb */
                float d = bz[xb];
                float *zr = zrow + (bw - 1 - xb);
                for (int xp = 0; xp < w; xp++) {
                    float red = c[xp] - d;
                    zr[xp] = zr[xp] > red ? red : zr[xp];
                }
            }
        }
        for (int yp = ys, yb = yb0; yp <= ye; yp++, yb++) {
            float *p = px + (size_t)yp * (size_t)w;
            const float *bz = b->z + yb * bw;
            for (int xb = 0; xb < bw; xb++) {
                float d = bz[xb];
                const float *zr = zrow + (bw - 1 - xb);
                for (int xp = 0; xp < w; xp++) {
                    float zm = zr[xp] + d;
                    p[xp] = p[xp] < zm ? zm : p[xp];
                }
            }
        }
    }
    free(zrow);
    free(cache);
    return 0;
}

/* Index of the left small pixel and its weight for each full-size pixel,
 * matching ImageJ's bilinear enlargement (extrapolating at the edges). */
static void interp_arrays(int *idx, float *wt, int len, int slen, int shrink)
{
    for (int i = 0; i < len; i++) {
        int s = (i - shrink / 2) / shrink;
        if (s >= slen - 1)
            s = slen - 2;
        if (s < 0)
            s = 0;
        idx[i] = s;
        float d = ((float)i + 0.5f) / (float)shrink - ((float)s + 0.5f);
        wt[i] = 1.0f - d;
    }
}

int bq_background_rolling_ball(const bq_image_t *img, double radius, int presmooth,
                               float **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "rolling ball: no output");
    *out = NULL;
    if (!img || img->width < 1 || img->height < 1 || !(radius > 0))
        return bq_error_set(err, BQ_ERR_INVALID, "rolling ball: invalid image or radius");
    int w = img->width, h = img->height;
    size_t n = (size_t)w * (size_t)h;
    float *bg = bq_alloc_array(n, sizeof *bg);
    ball_t b = {0, 0, NULL};
    float *small = NULL;
    int *xi = NULL, *yi = NULL;
    float *xw = NULL, *yw = NULL;
    int rc = BQ_ERR_NOMEM;
    if (!bg || ball_build(&b, radius) != 0)
        goto fail;
    /* invalid pixels must not pull the background down: give them the
     * image's median-ish level (the mean of valid pixels) */
    if (img->valid) {
        double s = 0;
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            if (img->valid[i]) {
                s += img->data[i];
                c++;
            }
        float fill = c ? (float)(s / (double)c) : 0.0f;
        for (size_t i = 0; i < n; i++)
            bg[i] = img->valid[i] ? img->data[i] : fill;
    } else {
        memcpy(bg, img->data, n * sizeof *bg);
    }
    if (presmooth) {
        for (int y = 0; y < h; y++)
            mean3_line(bg + (size_t)y * (size_t)w, w, 1);
        for (int x = 0; x < w; x++)
            mean3_line(bg + x, h, (size_t)w);
    }
    int s = b.shrink;
    if (s > 1 && (w < 2 * s || h < 2 * s))
        s = 1; /* too small to shrink and interpolate */
    if (s == 1) {
        rc = roll_ball(&b, bg, w, h);
        if (rc != 0)
            goto fail;
        free(b.z);
        *out = bg;
        return 0;
    }
    int sw = (w + s - 1) / s, sh = (h + s - 1) / s;
    small = bq_alloc_array((size_t)sw * (size_t)sh, sizeof *small);
    xi = bq_alloc_array((size_t)w, sizeof *xi);
    yi = bq_alloc_array((size_t)h, sizeof *yi);
    xw = bq_alloc_array((size_t)w, sizeof *xw);
    yw = bq_alloc_array((size_t)h, sizeof *yw);
    if (!small || !xi || !yi || !xw || !yw)
        goto fail;
    for (int ys = 0; ys < sh; ys++)
        for (int xs = 0; xs < sw; xs++) {
            float m = FLT_MAX;
            for (int y = ys * s; y < ys * s + s && y < h; y++)
                for (int x = xs * s; x < xs * s + s && x < w; x++) {
                    float v = bg[(size_t)y * (size_t)w + (size_t)x];
                    if (v < m)
                        m = v;
                }
            small[(size_t)ys * (size_t)sw + (size_t)xs] = m;
        }
    rc = roll_ball(&b, small, sw, sh);
    if (rc != 0)
        goto fail;
    interp_arrays(xi, xw, w, sw, s);
    interp_arrays(yi, yw, h, sh, s);
    for (int y = 0; y < h; y++) {
        const float *l0 = small + (size_t)yi[y] * (size_t)sw;
        const float *l1 = l0 + sw;
        float wy = yw[y];
        float *o = bg + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            float a = l0[xi[x]] * xw[x] + l0[xi[x] + 1] * (1.0f - xw[x]);
            float c = l1[xi[x]] * xw[x] + l1[xi[x] + 1] * (1.0f - xw[x]);
            o[x] = a * wy + c * (1.0f - wy);
        }
    }
    free(small);
    free(xi);
    free(yi);
    free(xw);
    free(yw);
    free(b.z);
    *out = bg;
    return 0;
fail:
    free(bg);
    free(small);
    free(xi);
    free(yi);
    free(xw);
    free(yw);
    free(b.z);
    return bq_error_set(err, rc, "rolling ball: out of memory (%dx%d image)", w, h);
}
