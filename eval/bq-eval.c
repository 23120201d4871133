/* bq-eval.c - the accuracy evaluation of issue 2 item 9.
 *
 * Compares three ways of turning a simulated blot into MDM2/ACTB relative
 * abundance against the simulator's ground truth:
 *   blotquant     fully automatic (bq_quant_file, rows named, nothing else);
 *   ImageJ        rolling ball 50 + RawIntDen in PERFECT boxes (the numbers
 *                 come from an ImageJ run driven by eval/run.sh; this program
 *                 writes its job list and reads its results);
 *   Image Studio  LI-COR's documented "median" background: box total minus
 *                 the median of a 3-pixel border around the box times the
 *                 box area, in the same perfect boxes (computed here).
 *
 * Subcommands (see usage()):
 *   boxes   write the ImageJ job list (one perfect box per truth band)
 *   score   run blotquant, Image Studio, read ImageJ, compare with truth;
 *           append per-lane and per-blot CSV rows, print one markdown row
 *
 * Relative abundance, identical for every method and for the truth:
 *   ratio(lane) = target volume / control volume
 *   rel(lane)   = ratio(lane) / mean ratio of the vehicle lanes (truth dose 0)
 *   error       = 100 * (rel_method - rel_truth), percentage points.
 * Ladder lanes are skipped. A sole vehicle lane is left out of the error
 * statistics (its error is 0 by construction); with several vehicle lanes
 * each one's deviation from their mean is a real error and is counted. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blotquant/blotquant.h"

enum { M_TRUTH, M_BQ, M_IJ, M_IS, N_METHODS };

#define IS_BORDER 3 /* Image Studio's default border width, pixels */

/* ---- small helpers --------------------------------------------------- */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "bq-eval: out of memory\n");
        exit(1);
    }
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). NAN for n == 0. */
static double median_d(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* "dir/name.tif" -> "dir/name" + suffix, in a fresh string. */
static char *sibling(const char *image, const char *suffix)
{
    size_t n = strlen(image);
    const char *dot = strrchr(image, '.');
    const char *slash = strrchr(image, '/');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - image);
    char *s = xcalloc(n + strlen(suffix) + 1, 1);
    memcpy(s, image, n);
    strcpy(s + n, suffix);
    return s;
}

/* Split one CSV line in place (RFC 4180 quotes allowed, no embedded newlines).
 * Returns the field count, at most max. */
static int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *r = line, *w = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = w;
        if (*r == '"') {
            r++;
            while (*r) {
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r != ',') {
            *w = '\0';
            break;
        }
        *w++ = '\0';
        r++;
    }
    return n;
}

/* ---- ground truth ---------------------------------------------------- */

typedef struct tband {
    int lane, row;           /* as numbered by the truth file */
    char protein[BQ_NAME_MAX];
    double dose;
    int has_dose;
    double xc, xl, xr, yc, yt, yb;
    double volume;
    int saturated, ladder;
} tband_t;

typedef struct truth {
    tband_t *b;
    int n;
    int lane_ids[BQ_MAX_LANES], n_lanes;   /* sorted, including ladders */
    int row_ids[16], n_rows;               /* sorted top to bottom */
    char row_names[16][BQ_NAME_MAX];
} truth_t;

static int col_index(char **hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return i;
    return -1;
}

static int add_id(int *ids, int *n, int max, int id)
{
    for (int i = 0; i < *n; i++)
        if (ids[i] == id)
            return 0;
    if (*n >= max)
        return -1;
    ids[(*n)++] = id;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int truth_load(const char *path, truth_t *t)
{
    enum { C_LANE, C_ROW, C_PROT, C_DOSE, C_XC, C_XL, C_XR, C_YC, C_YT, C_YB, C_VOL, C_SAT,
           C_LAD, N_C };
    static const char *const names[N_C] = {"lane", "row", "protein", "dose", "x_center",
                                           "x_left", "x_right", "y_center", "y_top",
                                           "y_bottom", "volume", "saturated", "ladder"};
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "bq-eval: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096], *f[64];
    int col[N_C], cap = 0, rc = -1;
    if (!fgets(line, sizeof line, fp))
        goto done;
    int nh = csv_split(line, f, 64);
    for (int c = 0; c < N_C; c++) {
        col[c] = col_index(f, nh, names[c]);
        if (col[c] < 0 && c != C_LAD && c != C_SAT) {
            fprintf(stderr, "bq-eval: %s: no column '%s'\n", path, names[c]);
            goto done;
        }
    }
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
            continue;
        int nf = csv_split(line, f, 64);
        if (nf < nh) {
            fprintf(stderr, "bq-eval: %s: short line\n", path);
            goto done;
        }
        if (t->n == cap) {
            cap = cap ? 2 * cap : 64;
            tband_t *nb = realloc(t->b, (size_t)cap * sizeof *nb);
            if (!nb)
                goto done;
            t->b = nb;
        }
        tband_t *b = &t->b[t->n++];
        memset(b, 0, sizeof *b);
        b->lane = atoi(f[col[C_LANE]]);
        b->row = atoi(f[col[C_ROW]]);
        snprintf(b->protein, sizeof b->protein, "%s", f[col[C_PROT]]);
        char *end;
        b->dose = strtod(f[col[C_DOSE]], &end);
        b->has_dose = end != f[col[C_DOSE]];
        b->xc = strtod(f[col[C_XC]], NULL);
        b->xl = strtod(f[col[C_XL]], NULL);
        b->xr = strtod(f[col[C_XR]], NULL);
        b->yc = strtod(f[col[C_YC]], NULL);
        b->yt = strtod(f[col[C_YT]], NULL);
        b->yb = strtod(f[col[C_YB]], NULL);
        b->volume = strtod(f[col[C_VOL]], NULL);
        b->saturated = col[C_SAT] >= 0 && atoi(f[col[C_SAT]]) != 0;
        b->ladder = col[C_LAD] >= 0 && atoi(f[col[C_LAD]]) != 0;
        /* ladder lanes count as lanes; their marker bands are not rows */
        if (add_id(t->lane_ids, &t->n_lanes, BQ_MAX_LANES, b->lane) < 0 ||
            (!b->ladder && add_id(t->row_ids, &t->n_rows, 16, b->row) < 0)) {
            fprintf(stderr, "bq-eval: %s: too many lanes or rows\n", path);
            goto done;
        }
    }
    qsort(t->lane_ids, (size_t)t->n_lanes, sizeof(int), cmp_int);
    qsort(t->row_ids, (size_t)t->n_rows, sizeof(int), cmp_int);
    /* Row names top to bottom, from any non-ladder lane: what a user would
     * type after --rows. */
    for (int r = 0; r < t->n_rows; r++)
        for (int i = 0; i < t->n; i++)
            if (t->b[i].row == t->row_ids[r] && !t->b[i].ladder) {
                snprintf(t->row_names[r], BQ_NAME_MAX, "%s", t->b[i].protein);
                break;
            }
    rc = t->n > 0 ? 0 : -1;
    if (rc)
        fprintf(stderr, "bq-eval: %s: no bands\n", path);
done:
    fclose(fp);
    return rc;
}

static const tband_t *truth_find(const truth_t *t, int lane, int row)
{
    for (int i = 0; i < t->n; i++)
        if (t->b[i].lane == lane && t->b[i].row == row)
            return &t->b[i];
    return NULL;
}

/* ---- perfect boxes ----------------------------------------------------- */

typedef struct box {
    int x0, y0, x1, y1; /* inclusive, clipped to the image */
} box_t;

/* Padding of the perfect boxes; pad_x < 0 means "as the band is seen": the
 * simulated band is a flat top of 0.86 x the lane width with soft edges
 * (sigma 0.05 x width + 0.7 px), so it shows about 0.06 x width + 2 px beyond
 * the truth's lane extent on each side, and a careful user boxes all of it. */
static int pad_x = -1, pad_y = 2;

/* The box a careful user draws: the true lane extent x the true band extent,
 * widened to whole pixels and padded, clipped to the picture. */
static box_t perfect_box(const tband_t *b, int w, int h)
{
    box_t bx;
    int px = pad_x >= 0 ? pad_x : (int)lround(0.06 * (b->xr - b->xl) + 2.0);
    bx.x0 = (int)floor(b->xl) - px;
    bx.x1 = (int)ceil(b->xr) + px;
    bx.y0 = (int)floor(b->yt) - pad_y;
    bx.y1 = (int)ceil(b->yb) + pad_y;
    if (bx.x0 < 0)
        bx.x0 = 0;
    if (bx.y0 < 0)
        bx.y0 = 0;
    if (bx.x1 > w - 1)
        bx.x1 = w - 1;
    if (bx.y1 > h - 1)
        bx.y1 = h - 1;
    return bx;
}

static double box_sum(const bq_image_t *img, box_t bx)
{
    double s = 0;
    for (int y = bx.y0; y <= bx.y1; y++)
        for (int x = bx.x0; x <= bx.x1; x++)
            s += img->data[(size_t)y * (size_t)img->width + (size_t)x];
    return s;
}

/* Median of the IS_BORDER-pixel ring just outside the box (all four sides,
 * Image Studio's default segment), clipped to the picture. */
static double ring_median(const bq_image_t *img, box_t bx)
{
    int x0 = bx.x0 - IS_BORDER, x1 = bx.x1 + IS_BORDER;
    int y0 = bx.y0 - IS_BORDER, y1 = bx.y1 + IS_BORDER;
    size_t cap = (size_t)(x1 - x0 + 1) * (size_t)(y1 - y0 + 1), n = 0;
    float *v = xcalloc(cap, sizeof *v);
    for (int y = y0; y <= y1; y++) {
        if (y < 0 || y >= img->height)
            continue;
        for (int x = x0; x <= x1; x++) {
            if (x < 0 || x >= img->width)
                continue;
            if (x >= bx.x0 && x <= bx.x1 && y >= bx.y0 && y <= bx.y1)
                continue;
            size_t i = (size_t)y * (size_t)img->width + (size_t)x;
            if (img->valid && !img->valid[i])
                continue;
            v[n++] = img->data[i];
        }
    }
    double m = NAN;
    if (n) {
        qsort(v, n, sizeof *v, cmp_float);
        m = n % 2 ? v[n / 2] : 0.5 * ((double)v[n / 2 - 1] + v[n / 2]);
    }
    free(v);
    return m;
}

/* Image Studio's signal: total - median(border) x area. */
static double image_studio_volume(const bq_image_t *img, box_t bx)
{
    double area = (double)(bx.x1 - bx.x0 + 1) * (bx.y1 - bx.y0 + 1);
    return box_sum(img, bx) - ring_median(img, bx) * area;
}

/* Which way the bands go, decided from the truth boxes as a user looking at
 * the picture would: 1 if the bands are darker than their surroundings. */
static int bands_are_dark(const bq_image_t *img, const truth_t *t)
{
    double s = 0;
    for (int i = 0; i < t->n; i++) {
        if (t->b[i].ladder)
            continue;
        box_t bx = perfect_box(&t->b[i], img->width, img->height);
        double area = (double)(bx.x1 - bx.x0 + 1) * (bx.y1 - bx.y0 + 1);
        s += box_sum(img, bx) / area - ring_median(img, bx);
    }
    return s < 0;
}

/* ---- boxes: the ImageJ job list --------------------------------------- */

/* One line per truth band:
 *   image<TAB>ij_image<TAB>invert<TAB>lane<TAB>row<TAB>x<TAB>y<TAB>w<TAB>h
 * image is the key the results come back under; ij_image (NAME.ij.tif) is the
 * uncompressed copy ImageJ opens: ImageJ 1.52 reads Deflate+predictor TIFFs
 * as zeros, so run.sh makes the copy with `tiffcp -c none`. */
static int cmd_boxes(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bq-eval boxes JOBS.tsv BLOT.tif...\n");
        return 2;
    }
    FILE *out = fopen(argv[0], "w");
    if (!out) {
        fprintf(stderr, "bq-eval: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int a = 1; a < argc; a++) {
        char *tpath = sibling(argv[a], ".truth.csv");
        char *ijpath = sibling(argv[a], ".ij.tif");
        truth_t t;
        bq_image_t *img = NULL;
        bq_error_t err;
        if (truth_load(tpath, &t) < 0) {
            rc = 1;
        } else if (bq_image_load(argv[a], NULL, &img, &err) < 0) {
            fprintf(stderr, "bq-eval: %s\n", err.msg);
            rc = 1;
        } else {
            int dark = bands_are_dark(img, &t);
            for (int i = 0; i < t.n; i++) {
                if (t.b[i].ladder)
                    continue;
                box_t bx = perfect_box(&t.b[i], img->width, img->height);
                fprintf(out, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", argv[a], ijpath, dark,
                        t.b[i].lane,
                        t.b[i].row, bx.x0, bx.y0, bx.x1 - bx.x0 + 1, bx.y1 - bx.y0 + 1);
            }
        }
        bq_image_free(img);
        free(t.b);
        free(tpath);
        free(ijpath);
    }
    if (fclose(out) != 0)
        rc = 1;
    return rc;
}

/* ---- ImageJ results ---------------------------------------------------- */

typedef struct ijres {
    char *image;
    int lane, row;
    double value;
} ijres_t;

static ijres_t *ij_res;
static int ij_n;

/* Lines "image<TAB>lane<TAB>row<TAB>rawintden" as written by eval/imagej.ijm. */
static int ij_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "bq-eval: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[8192];
    int cap = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab1 = strchr(line, '\t');
        if (!tab1)
            continue;
        *tab1 = '\0';
        int lane, row;
        double v;
        if (sscanf(tab1 + 1, "%d\t%d\t%lf", &lane, &row, &v) != 3)
            continue;
        if (ij_n == cap) {
            cap = cap ? 2 * cap : 256;
            ijres_t *n = realloc(ij_res, (size_t)cap * sizeof *n);
            if (!n) {
                fclose(fp);
                return -1;
            }
            ij_res = n;
        }
        ij_res[ij_n].image = strdup(line);
        ij_res[ij_n].lane = lane;
        ij_res[ij_n].row = row;
        ij_res[ij_n].value = v;
        ij_n++;
    }
    fclose(fp);
    return 0;
}

static double ij_lookup(const char *image, int lane, int row)
{
    for (int i = 0; i < ij_n; i++)
        if (ij_res[i].lane == lane && ij_res[i].row == row && strcmp(ij_res[i].image, image) == 0)
            return ij_res[i].value;
    return NAN;
}

/* ---- blotquant matching ------------------------------------------------ */

/* The detected lane (1-based) whose extent at y holds x, else the nearest
 * lane centre within one lane width; 0 if none. */
static int match_lane(const bq_lanes_t *lanes, double x, double y)
{
    const bq_strip_t *s = bq_lanes_strip_at(lanes, (int)lround(y));
    if (!s && lanes->n_strips > 0) {
        /* between strips: take the nearest one */
        double best = INFINITY;
        for (int i = 0; i < lanes->n_strips; i++) {
            double d = y < lanes->strips[i].y_top ? lanes->strips[i].y_top - y
                                                  : y - lanes->strips[i].y_bottom;
            if (d < best) {
                best = d;
                s = &lanes->strips[i];
            }
        }
    }
    if (!s)
        return 0;
    int best = 0;
    double best_d = INFINITY;
    for (int k = 0; k < s->n_lanes; k++) {
        double xl, xr;
        bq_lane_extent_at(&s->lanes[k], y, &xl, &xr);
        if (x >= xl && x <= xr)
            return s->lanes[k].index;
        double d = fabs(x - 0.5 * (xl + xr));
        if (d < best_d && d < (xr - xl)) {
            best_d = d;
            best = s->lanes[k].index;
        }
    }
    return best;
}

/* The band of detected lane `lane` at the truth band's height: the one whose
 * box holds y, nearest peak first; else the nearest peak within the truth
 * band's height. */
static const bq_band_t *match_band(const bq_band_table_t *tab, int lane, const tband_t *tb)
{
    const bq_band_t *best = NULL;
    double best_d = INFINITY, tol = 0.5 * (tb->yb - tb->yt) + 2;
    for (int i = 0; i < tab->n_bands; i++) {
        const bq_band_t *b = &tab->bands[i];
        if (b->lane != lane)
            continue;
        double d = fabs(b->y_peak - tb->yc);
        int inside = tb->yc >= b->y_top - 1 && tb->yc <= b->y_bottom + 1;
        if (!inside && d > tol)
            continue;
        if (inside)
            d -= 1e6; /* containing boxes win */
        if (d < best_d) {
            best_d = d;
            best = b;
        }
    }
    return best;
}

/* ---- score --------------------------------------------------------------- */

#define N_WORST 6

/* One lane's blotquant error with what explains it: how far each row's
 * volume is off the truth (relative to the vehicle lanes' same ratio). */
typedef struct worst {
    char image[512];
    int lane;
    double dose, err, dev_target, dev_control;
    unsigned flags_target, flags_control;
    int vehicle_saturated;  /* a vehicle band clipped: every lane's reference is off */
} worst_t;

typedef struct stats {
    double *err[N_METHODS]; /* |error| pp of every scored lane */
    int n, cap;
    int blots, lanes_ok;
    int sat_fn, sat_fp, sat_truth;
    int failed;             /* blotquant returned an error */
    worst_t worst[N_WORST]; /* blotquant's largest errors, for the notes */
    int n_worst;
} stats_t;

/* Keep the N_WORST largest blotquant errors (NaN = a missing band counts as
 * the largest). */
static void worst_add(stats_t *st, const worst_t *w)
{
    double e = isfinite(w->err) ? fabs(w->err) : INFINITY;
    int pos = st->n_worst < N_WORST ? st->n_worst : N_WORST - 1;
    if (st->n_worst == N_WORST) {
        double last = st->worst[N_WORST - 1].err;
        if (!(e > (isfinite(last) ? fabs(last) : INFINITY)))
            return;
    } else {
        st->n_worst++;
    }
    while (pos > 0) {
        double prev = st->worst[pos - 1].err;
        if (!(e > (isfinite(prev) ? fabs(prev) : INFINITY)))
            break;
        st->worst[pos] = st->worst[pos - 1];
        pos--;
    }
    st->worst[pos] = *w;
}

static void stats_add(stats_t *st, const double abs_err[N_METHODS])
{
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 256;
        for (int m = 0; m < N_METHODS; m++) {
            double *n = realloc(st->err[m], (size_t)st->cap * sizeof *n);
            if (!n) {
                fprintf(stderr, "bq-eval: out of memory\n");
                exit(1);
            }
            st->err[m] = n;
        }
    }
    for (int m = 0; m < N_METHODS; m++)
        st->err[m][st->n] = abs_err[m];
    st->n++;
}

/* Median and max over finite values; a missing value (NaN) makes max infinite. */
static void stats_summary(const stats_t *st, int m, double *med, double *max)
{
    double *v = xcalloc((size_t)st->n, sizeof *v);
    size_t k = 0;
    int missing = 0;
    for (int i = 0; i < st->n; i++) {
        if (isfinite(st->err[m][i]))
            v[k++] = st->err[m][i];
        else
            missing = 1;
    }
    *max = missing ? INFINITY : 0;
    for (size_t i = 0; i < k; i++)
        if (v[i] > *max)
            *max = v[i];
    *med = median_d(v, k);
    free(v);
}

static const char *target_name = "MDM2", *control_name = "ACTB";

static int row_of(const truth_t *t, const char *name, int fallback)
{
    for (int r = 0; r < t->n_rows; r++)
        if (strcasecmp(t->row_names[r], name) == 0)
            return r;
    return fallback;
}

static void csv_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.6g", v);
    else
        fputs(",", fp);
}

static const char *overlay_dir; /* non-NULL: write overlays of problem blots */

/* What went wrong with the lanes, in terms a detection engineer can act on:
 * the detected lanes (centre and width at the middle of each strip) and the
 * truth's, with the detected lanes no truth lane fell into (spurious) and
 * the truth lanes that share a detected lane (merged) or have none (missed). */
static void note_lanes(FILE *notes, const char *level, const char *image, const truth_t *t,
                       const bq_lanes_t *lanes)
{
    /* each truth lane's detected lane, at its first band */
    int match[BQ_MAX_LANES];
    const tband_t *first[BQ_MAX_LANES];
    for (int l = 0; l < t->n_lanes; l++) {
        first[l] = NULL;
        for (int i = 0; i < t->n && !first[l]; i++)
            if (t->b[i].lane == t->lane_ids[l])
                first[l] = &t->b[i];
        match[l] = first[l] ? match_lane(lanes, first[l]->xc, first[l]->yc) : 0;
    }
    fprintf(notes, "- %s %s: lanes wrong: found %d, truth %d (%d strip%s); x centre/width, "
                   "L = ladder\n", level, image, lanes->n_lanes, t->n_lanes, lanes->n_strips,
            lanes->n_strips == 1 ? "" : "s");
    for (int si = 0; si < lanes->n_strips; si++) {
        const bq_strip_t *s = &lanes->strips[si];
        double y = 0.5 * (s->y_top + s->y_bottom);
        fprintf(notes, "  - detected, strip %d (y %d-%d):", si + 1, s->y_top, s->y_bottom);
        for (int k = 0; k < s->n_lanes; k++) {
            double xl, xr;
            bq_lane_extent_at(&s->lanes[k], y, &xl, &xr);
            int used = 0;
            for (int l = 0; l < t->n_lanes; l++)
                used |= match[l] == s->lanes[k].index;
            fprintf(notes, " %.0f/%.0f%s%s", 0.5 * (xl + xr), xr - xl,
                    s->lanes[k].is_ladder ? "L" : "", used ? "" : "(spurious)");
        }
        fputc('\n', notes);
    }
    fprintf(notes, "  - truth (first band):");
    for (int l = 0; l < t->n_lanes; l++) {
        if (!first[l])
            continue;
        const char *what = match[l] == 0 ? "(missed)" : "";
        for (int o = 0; o < t->n_lanes && match[l] > 0; o++)
            if (o != l && match[o] == match[l])
                what = "(merged)";
        fprintf(notes, " %.0f/%.0f%s%s", first[l]->xc, first[l]->xr - first[l]->xl,
                first[l]->ladder ? "L" : "", what);
    }
    fputc('\n', notes);
}

static void write_overlay(const bq_quant_result_t *res, const char *image, FILE *notes)
{
    char *png = sibling(image, ".overlay.png");
    bq_error_t err;
    if (bq_quant_write_overlay(res, png, &err) < 0)
        fprintf(stderr, "bq-eval: %s\n", err.msg);
    else if (notes)
        fprintf(notes, "  - overlay: %s\n", png);
    free(png);
}

/* Score one blot; per-lane rows go to lanes_csv, one row to blots_csv. */
static void score_blot(const char *level, const char *image, int with_ij, stats_t *st,
                       FILE *lanes_csv, FILE *blots_csv, FILE *notes)
{
    char *tpath = sibling(image, ".truth.csv");
    truth_t t;
    bq_image_t *img = NULL;
    bq_quant_result_t *res = NULL;
    bq_error_t err;
    double *vol = NULL;
    int *bq_lane = NULL;
    unsigned *bq_flags = NULL;
    int found_lanes = 0, lanes_ok = 0, sat_fn = 0, sat_fp = 0, sat_truth = 0, n_missing = 0;
    stats_t one = {0};

    if (truth_load(tpath, &t) < 0) {
        st->failed++;
        free(tpath);
        return;
    }
    if (bq_image_load(image, NULL, &img, &err) < 0) {
        fprintf(stderr, "bq-eval: %s\n", err.msg);
        st->failed++;
        goto done;
    }
    int dark = bands_are_dark(img, &t);
    if (dark)
        bq_image_invert(img);

    int nl = t.n_lanes, nr = t.n_rows;
    vol = xcalloc((size_t)N_METHODS * (size_t)nl * (size_t)nr, sizeof *vol);
    bq_lane = xcalloc((size_t)nl * (size_t)nr, sizeof *bq_lane);
    bq_flags = xcalloc((size_t)nl * (size_t)nr, sizeof *bq_flags);
#define VOL(m, l, r) vol[((size_t)(m) * (size_t)nl + (size_t)(l)) * (size_t)nr + (size_t)(r)]
    for (int i = 0; i < nl * nr; i++)
        for (int m = 0; m < N_METHODS; m++)
            vol[(size_t)m * (size_t)nl * (size_t)nr + (size_t)i] = NAN;

    /* blotquant, fully automatic: only the row names, as a user types them */
    const char *names[16];
    for (int r = 0; r < nr; r++)
        names[r] = t.row_names[r];
    bq_quant_options_t qo;
    memset(&qo, 0, sizeof qo);
    qo.background = BQ_BG_AUTO;
    qo.polarity = BQ_POLARITY_AUTO;
    qo.bands.row_names = names;
    qo.bands.n_row_names = nr;
    if (bq_quant_file(image, &qo, &res, &err) < 0) {
        fprintf(stderr, "bq-eval: blotquant failed on %s: %s\n", image, err.msg);
        if (notes)
            fprintf(notes, "- %s %s: blotquant failed: %s\n", level, image, err.msg);
        st->failed++;
        res = NULL;
    } else {
        found_lanes = res->lanes->n_lanes;
    }

    lanes_ok = res && found_lanes == nl;
    for (int l = 0; l < nl; l++) {
        for (int r = 0; r < nr; r++) {
            const tband_t *tb = truth_find(&t, t.lane_ids[l], t.row_ids[r]);
            if (!tb)
                continue;
            VOL(M_TRUTH, l, r) = tb->volume;
            if (tb->ladder) {
                /* a ladder lane must be found as its own lane too */
                if (res && match_lane(res->lanes, tb->xc, tb->yc) != l + 1)
                    lanes_ok = 0;
                continue;
            }
            box_t bx = perfect_box(tb, img->width, img->height);
            VOL(M_IS, l, r) = image_studio_volume(img, bx);
            if (with_ij)
                VOL(M_IJ, l, r) = ij_lookup(image, tb->lane, tb->row);
            sat_truth += tb->saturated;
            if (!res)
                continue;
            int dl = match_lane(res->lanes, tb->xc, tb->yc);
            bq_lane[l * nr + r] = dl;
            if (dl != l + 1)
                lanes_ok = 0;
            const bq_band_t *b = dl ? match_band(res->table, dl, tb) : NULL;
            if (b) {
                VOL(M_BQ, l, r) = b->net_volume;
                bq_flags[l * nr + r] = b->flags;
                int flagged = (b->flags & BQ_BAND_SATURATED) != 0;
                sat_fn += tb->saturated && !flagged;
                sat_fp += !tb->saturated && flagged;
                if (notes && tb->saturated != flagged)
                    fprintf(notes, "- %s %s: lane %d %s: truth %s, blotquant %s (%ld clipped "
                                   "px in its box x %d-%d y %d-%d; truth box x %.0f-%.0f "
                                   "y %.0f-%.0f)\n", level, image, tb->lane, tb->protein,
                            tb->saturated ? "saturated" : "unsaturated",
                            flagged ? "flags it" : "does not flag it", b->saturated_pixels,
                            b->x_left, b->x_right, b->y_top, b->y_bottom, tb->xl, tb->xr,
                            tb->yt, tb->yb);
            } else {
                sat_fn += tb->saturated;
                n_missing++;
                if (notes && n_missing <= 3)
                    fprintf(notes, "- %s %s: no blotquant band for truth lane %d %s "
                                   "(x %.0f, y %.0f; in detected lane %d)\n",
                            level, image, tb->lane, tb->protein, tb->xc, tb->yc, dl);
            }
        }
    }
    for (int i = 0; res && i < t.n; i++) {
        if (!t.b[i].ladder)
            continue;
        int l = 0;
        while (l < nl && t.lane_ids[l] != t.b[i].lane)
            l++;
        if (match_lane(res->lanes, t.b[i].xc, t.b[i].yc) != l + 1)
            lanes_ok = 0;
    }
    if (notes && n_missing > 3)
        fprintf(notes, "- %s %s: ... %d truth bands without a blotquant band in all\n", level,
                image, n_missing);
    /* distinct truth lanes must land on distinct detected lanes */
    for (int a = 0; a < nl * nr && lanes_ok; a++)
        for (int b2 = a + 1; b2 < nl * nr; b2++)
            if (bq_lane[a] && bq_lane[a] == bq_lane[b2] && a / nr != b2 / nr)
                lanes_ok = 0;
    if (res && !lanes_ok && notes)
        note_lanes(notes, level, image, &t, res->lanes);
    if (res && (!lanes_ok || n_missing) && overlay_dir)
        write_overlay(res, image, notes);

    /* relative abundance */
    int tr = row_of(&t, target_name, 0), cr = row_of(&t, control_name, nr - 1);
    double vmean[N_METHODS] = {0};
    int nveh = 0;
    double ratio[N_METHODS][BQ_MAX_LANES];
    for (int l = 0; l < nl; l++) {
        for (int m = 0; m < N_METHODS; m++)
            ratio[m][l] = VOL(m, l, tr) / VOL(m, l, cr);
        const tband_t *tb = truth_find(&t, t.lane_ids[l], t.row_ids[tr]);
        if (!tb || tb->ladder || !tb->has_dose || tb->dose != 0)
            continue;
        nveh++;
        for (int m = 0; m < N_METHODS; m++)
            vmean[m] += ratio[m][l];
    }
    if (nveh == 0) {
        fprintf(stderr, "bq-eval: %s: no vehicle lane (dose 0) in the truth\n", image);
        st->failed++;
        goto done;
    }
    for (int m = 0; m < N_METHODS; m++)
        vmean[m] /= nveh;
    int veh_sat = 0;
    for (int l = 0; l < nl; l++) {
        const tband_t *a = truth_find(&t, t.lane_ids[l], t.row_ids[tr]);
        const tband_t *c = truth_find(&t, t.lane_ids[l], t.row_ids[cr]);
        if (a && c && !a->ladder && a->has_dose && a->dose == 0)
            veh_sat |= a->saturated || c->saturated;
    }
    /* blotquant/truth per row, averaged over the vehicle lanes: the scale
     * each row's deviation is measured against */
    double vt = 0, vc = 0;
    for (int l = 0; l < nl; l++) {
        const tband_t *tb = truth_find(&t, t.lane_ids[l], t.row_ids[tr]);
        if (!tb || tb->ladder || !tb->has_dose || tb->dose != 0)
            continue;
        vt += VOL(M_BQ, l, tr) / VOL(M_TRUTH, l, tr) / nveh;
        vc += VOL(M_BQ, l, cr) / VOL(M_TRUTH, l, cr) / nveh;
    }
    for (int l = 0; l < nl; l++) {
        const tband_t *tt = truth_find(&t, t.lane_ids[l], t.row_ids[tr]);
        const tband_t *tc = truth_find(&t, t.lane_ids[l], t.row_ids[cr]);
        if (!tt || !tc || tt->ladder)
            continue;
        int vehicle = tt->has_dose && tt->dose == 0;
        double rel[N_METHODS], e[N_METHODS];
        for (int m = 0; m < N_METHODS; m++) {
            rel[m] = ratio[m][l] / vmean[m];
            e[m] = 100.0 * (rel[m] - rel[M_TRUTH]);
            if (!isfinite(e[m]) || vmean[m] <= 0)
                e[m] = NAN;
        }
        fprintf(lanes_csv, "%s,%s,%d,%g,%d", level, image, tt->lane, tt->dose, vehicle);
        for (int m = 0; m < N_METHODS; m++)
            csv_num(lanes_csv, rel[m]);
        for (int m = M_BQ; m < N_METHODS; m++)
            csv_num(lanes_csv, e[m]);
        char fl[2][64];
        bq_band_flags_str(bq_flags[l * nr + tr], fl[0], sizeof fl[0]);
        bq_band_flags_str(bq_flags[l * nr + cr], fl[1], sizeof fl[1]);
        double dev_t = 100.0 * (VOL(M_BQ, l, tr) / VOL(M_TRUTH, l, tr) / vt - 1.0);
        double dev_c = 100.0 * (VOL(M_BQ, l, cr) / VOL(M_TRUTH, l, cr) / vc - 1.0);
        fprintf(lanes_csv, ",%d,%d,%d,%d,%s,%s", tt->saturated, tc->saturated,
                bq_lane[l * nr + tr], bq_lane[l * nr + cr], fl[0], fl[1]);
        csv_num(lanes_csv, dev_t);
        csv_num(lanes_csv, dev_c);
        fputc('\n', lanes_csv);
        if (vehicle && nveh == 1)
            continue; /* 0 by construction */
        double ae[N_METHODS];
        for (int m = 0; m < N_METHODS; m++)
            ae[m] = fabs(e[m]);
        if (!with_ij)
            ae[M_IJ] = 0;
        stats_add(st, ae);
        stats_add(&one, ae);
        worst_t w;
        snprintf(w.image, sizeof w.image, "%s", image);
        w.lane = tt->lane;
        w.dose = tt->dose;
        w.err = e[M_BQ];
        w.dev_target = dev_t;
        w.dev_control = dev_c;
        w.flags_target = bq_flags[l * nr + tr];
        w.flags_control = bq_flags[l * nr + cr];
        w.vehicle_saturated = veh_sat;
        worst_add(st, &w);
    }
    {
        double med[N_METHODS], mx[N_METHODS];
        for (int m = M_BQ; m < N_METHODS; m++)
            stats_summary(&one, m, &med[m], &mx[m]);
        fprintf(blots_csv, "%s,%s,%d,%d,%d,%d,%d,%d,%d", level, image, nl, found_lanes,
                lanes_ok, sat_truth, sat_fn, sat_fp, dark);
        for (int m = M_BQ; m < N_METHODS; m++) {
            csv_num(blots_csv, med[m]);
            csv_num(blots_csv, mx[m]);
        }
        fputc('\n', blots_csv);
    }
    st->blots++;
    st->lanes_ok += lanes_ok;
    st->sat_fn += sat_fn;
    st->sat_fp += sat_fp;
    st->sat_truth += sat_truth;
    if (notes && (sat_fn || sat_fp))
        fprintf(notes, "- %s %s: saturation flags: %d saturated bands not flagged, "
                       "%d unsaturated flagged\n", level, image, sat_fn, sat_fp);
#undef VOL
done:
    for (int m = 0; m < N_METHODS; m++)
        free(one.err[m]);
    bq_quant_result_free(res);
    bq_image_free(img);
    free(vol);
    free(bq_lane);
    free(bq_flags);
    free(t.b);
    free(tpath);
}

static void fmt_pp(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else if (isinf(v))
        snprintf(buf, size, "miss");
    else
        snprintf(buf, size, "%.2f", v);
}

static int cmd_score(int argc, char **argv)
{
    const char *level = "level", *ij_path = NULL, *lanes_path = NULL, *blots_path = NULL,
               *notes_path = NULL;
    int a = 0;
    for (; a < argc && argv[a][0] == '-'; a++) {
        const char *o = argv[a];
        if (a + 1 >= argc) {
            fprintf(stderr, "bq-eval score: %s wants a value\n", o);
            return 2;
        }
        const char *v = argv[++a];
        if (strcmp(o, "--level") == 0)
            level = v;
        else if (strcmp(o, "--imagej") == 0)
            ij_path = v;
        else if (strcmp(o, "--lanes-csv") == 0)
            lanes_path = v;
        else if (strcmp(o, "--blots-csv") == 0)
            blots_path = v;
        else if (strcmp(o, "--notes") == 0)
            notes_path = v;
        else if (strcmp(o, "--overlays") == 0)
            overlay_dir = strcmp(v, "yes") == 0 ? v : NULL;
        else if (strcmp(o, "--target") == 0)
            target_name = v;
        else if (strcmp(o, "--control") == 0)
            control_name = v;
        else {
            fprintf(stderr, "bq-eval score: unknown option %s\n", o);
            return 2;
        }
    }
    if (a >= argc || !lanes_path || !blots_path) {
        fprintf(stderr, "usage: bq-eval score --level NAME --lanes-csv F --blots-csv F "
                        "[--imagej RESULTS.tsv] [--notes F] BLOT.tif...\n");
        return 2;
    }
    if (ij_path && ij_load(ij_path) < 0)
        return 1;
    FILE *lf = fopen(lanes_path, "a"), *bf = fopen(blots_path, "a");
    FILE *nf = notes_path ? fopen(notes_path, "a") : NULL;
    if (!lf || !bf || (notes_path && !nf)) {
        fprintf(stderr, "bq-eval: cannot open output CSV: %s\n", strerror(errno));
        return 1;
    }
    /* headers when the files are fresh */
    if (ftell(lf) == 0)
        fputs("level,image,lane,dose,vehicle,rel_truth,rel_blotquant,rel_imagej,"
              "rel_imagestudio,err_blotquant_pp,err_imagej_pp,err_imagestudio_pp,"
              "sat_target_truth,sat_control_truth,bq_lane_target,bq_lane_control,"
              "bq_flags_target,bq_flags_control,bq_target_dev_pct,bq_control_dev_pct\n", lf);
    if (ftell(bf) == 0)
        fputs("level,image,lanes_truth,lanes_found,lanes_ok,saturated_truth,sat_not_flagged,"
              "sat_false_flags,dark,bq_median_pp,bq_max_pp,ij_median_pp,ij_max_pp,"
              "is_median_pp,is_max_pp\n", bf);

    stats_t st = {0};
    int n_images = argc - a;
    for (; a < argc; a++)
        score_blot(level, argv[a], ij_path != NULL, &st, lf, bf, nf);

    double med[N_METHODS], mx[N_METHODS];
    char s[N_METHODS][2][32];
    for (int m = M_BQ; m < N_METHODS; m++) {
        stats_summary(&st, m, &med[m], &mx[m]);
        fmt_pp(s[m][0], sizeof s[m][0], med[m]);
        fmt_pp(s[m][1], sizeof s[m][1], mx[m]);
    }
    if (!ij_path) {
        snprintf(s[M_IJ][0], sizeof s[M_IJ][0], "not run");
        snprintf(s[M_IJ][1], sizeof s[M_IJ][1], "not run");
        med[M_IJ] = mx[M_IJ] = INFINITY;
    }
    /* the bar: blotquant at least as accurate as the better reference, on
     * median and on max (small slack for printing precision) */
    double ref_med = fmin(med[M_IJ], med[M_IS]), ref_max = fmin(mx[M_IJ], mx[M_IS]);
    int pass_acc = st.blots > 0 && med[M_BQ] <= ref_med + 0.005 && mx[M_BQ] <= ref_max + 0.005;
    int pass = pass_acc && st.lanes_ok == n_images && st.sat_fn == 0 && st.sat_fp == 0 &&
               st.failed == 0;
    printf("| %s | %d/%d | %d/%d (%d sat.) | %s | %s | %s | %s | %s | %s | %d | %s |\n",
           level, st.lanes_ok, n_images, st.sat_fn, st.sat_fp, st.sat_truth, s[M_BQ][0],
           s[M_BQ][1], s[M_IJ][0], s[M_IJ][1], s[M_IS][0], s[M_IS][1], st.n,
           pass ? "yes" : "**no**");
    if (nf && !pass_acc) {
        fprintf(nf, "- %s: blotquant accuracy %s/%s pp (median/max) vs best reference "
                    "%.2f/%.2f pp; its largest errors (row deviation = blotquant/truth "
                    "volume vs the vehicle's, in %%):\n", level, s[M_BQ][0], s[M_BQ][1],
                ref_med, ref_max);
        for (int i = 0; i < st.n_worst; i++) {
            const worst_t *w = &st.worst[i];
            char ft[64], fc[64];
            bq_band_flags_str(w->flags_target, ft, sizeof ft);
            bq_band_flags_str(w->flags_control, fc, sizeof fc);
            char et[32], dt[32], dc[32];
            snprintf(et, sizeof et, isfinite(w->err) ? "%+.2f pp" : "none", w->err);
            snprintf(dt, sizeof dt, isfinite(w->dev_target) ? "%+.1f%%" : "no band",
                     w->dev_target);
            snprintf(dc, sizeof dc, isfinite(w->dev_control) ? "%+.1f%%" : "no band",
                     w->dev_control);
            fprintf(nf, "  - %s lane %d (dose %g): error %s; %s %s [%s], %s %s [%s]%s\n",
                    w->image, w->lane, w->dose, et, target_name, dt, ft, control_name, dc, fc,
                    w->vehicle_saturated ? "; a vehicle band is clipped (truth), so every "
                                           "lane's reference is off for every method" : "");
        }
    }

    int rc = 0;
    if (fclose(lf) || fclose(bf) || (nf && fclose(nf)))
        rc = 1;
    for (int m = 0; m < N_METHODS; m++)
        free(st.err[m]);
    for (int i = 0; i < ij_n; i++)
        free(ij_res[i].image);
    free(ij_res);
    return rc;
}

/* ---- simulate: a blot of a preset and seed (what `blotquant simulate
 * --preset P --seed S -o OUT.tif` writes), through the library directly ---- */
static int cmd_simulate(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bq-eval simulate PRESET SEED OUT.tif\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long seed = strtoull(argv[1], &end, 10);
    if (*end || errno || end == argv[1]) {
        fprintf(stderr, "bq-eval simulate: bad seed '%s'\n", argv[1]);
        return 2;
    }
    bq_sim_params_t p;
    bq_error_t err;
    bq_image_t *img = NULL;
    bq_sim_truth_t *truth = NULL;
    if (bq_sim_params_preset(argv[0], &p, &err) < 0) {
        fprintf(stderr, "bq-eval simulate: %s\n", err.msg);
        return 2;
    }
    p.seed = (uint64_t)seed;
    int rc = bq_simulate(&p, &img, &truth, &err);
    if (rc == 0)
        rc = bq_sim_write_all(argv[2], img, truth, &err);
    if (rc < 0)
        fprintf(stderr, "bq-eval simulate: %s\n", err.msg);
    bq_image_free(img);
    bq_sim_truth_free(truth);
    return rc < 0 ? 1 : 0;
}

static void usage(FILE *fp)
{
    fputs("Usage: bq-eval simulate PRESET SEED OUT.tif\n"
          "       bq-eval boxes [--pad-x N] [--pad-y N] JOBS.tsv BLOT.tif...\n"
          "       bq-eval score [--pad-x N] [--pad-y N] --level NAME --lanes-csv F\n"
          "               --blots-csv F [--imagej RESULTS.tsv] [--notes F] [--overlays yes]\n"
          "               [--target MDM2] [--control ACTB] BLOT.tif...\n"
          "Accuracy evaluation of blotquant against ImageJ and Image Studio methods\n"
          "given perfect boxes (see eval/README.md). Each BLOT.tif needs BLOT.truth.csv.\n",
          fp);
}

/* Leading --pad-x/--pad-y, shared by both subcommands (the boxes must agree). */
static int parse_pads(int *argc, char ***argv)
{
    while (*argc >= 2 && (strcmp((*argv)[0], "--pad-x") == 0 ||
                          strcmp((*argv)[0], "--pad-y") == 0)) {
        char *end;
        long v = strtol((*argv)[1], &end, 10);
        if (*end || v < -1 || v > 50) {
            fprintf(stderr, "bq-eval: bad padding '%s'\n", (*argv)[1]);
            return -1;
        }
        if ((*argv)[0][6] == 'x')
            pad_x = (int)v;
        else
            pad_y = (int)v;
        *argc -= 2;
        *argv += 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    argc -= 2;
    argv += 2;
    if (parse_pads(&argc, &argv) < 0)
        return 2;
    if (strcmp(cmd, "boxes") == 0)
        return cmd_boxes(argc, argv);
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc, argv);
    if (strcmp(cmd, "score") == 0)
        return cmd_score(argc, argv);
    usage(stderr);
    return 2;
}
