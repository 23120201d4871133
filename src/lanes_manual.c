/* lanes_manual.c - lane sets the user gives instead of the detector's:
 * from lane centres, from a lanes file, from a band table; their checks,
 * copies and the lanes file writer.
 *
 * Everything that reaches the band detector from here has passed
 * bq_lanes_check, so a hostile file cannot hand it lanes it was never
 * meant to see (no lanes, ragged strips, coordinates far off any image). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/lanes_manual.h"
#include "blotquant/table.h"
#include "internal.h"

const char BQ_LANES_CSV_HEADER[] =
    "strip,y_top,y_bottom,lane,x_left,x_right,y_ref,slope,ladder,empty,roi_x,roi_y,roi_w,roi_h";

/* Bounds on what a lane set may hold: far beyond the side of any image
 * the loader accepts in practice, small enough that no pixel arithmetic
 * downstream (int rows and columns, a slope times a row) overflows. */
#define COORD_MAX 1e7
#define SLOPE_MAX 1.0
#define ROW_MAX 10000000

/* ---- lane sets: allocation, checks, copies --------------------------- */

/* n_strips strips of n_lanes zeroed lanes indexed 1..n_lanes; confidence 1.
 * NULL when out of memory. */
static bq_lanes_t *lanes_new(int n_strips, int n_lanes)
{
    bq_lanes_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->strips = bq_calloc_array((size_t)n_strips, sizeof *l->strips);
    if (!l->strips) {
        free(l);
        return NULL;
    }
    l->n_strips = n_strips;
    l->n_lanes = n_lanes;
    l->confidence = 1.0;
    for (int s = 0; s < n_strips; s++) {
        bq_strip_t *st = &l->strips[s];
        st->n_lanes = n_lanes;
        st->lanes = bq_calloc_array((size_t)n_lanes, sizeof *st->lanes);
        if (!st->lanes) {
            bq_lanes_free(l); /* frees the strips filled so far */
            return NULL;
        }
        for (int k = 0; k < n_lanes; k++)
            st->lanes[k].index = k + 1;
    }
    return l;
}

static double lane_centre_at(const bq_lane_t *lane, double y)
{
    double xl, xr;
    bq_lane_extent_at(lane, y, &xl, &xr);
    return 0.5 * (xl + xr);
}

static const char *label(const char *name)
{
    return name ? name : "lanes";
}

static int check_lane(const bq_lane_t *ln, int s, int k, const char *name, bq_error_t *err)
{
    double v[4] = {ln->x_left, ln->x_right, ln->y_ref, ln->slope};
    for (int i = 0; i < 4; i++)
        if (!isfinite(v[i]) || fabs(v[i]) > (i == 3 ? SLOPE_MAX : COORD_MAX))
            return bq_error_set(err, BQ_ERR_INVALID,
                                "%s: strip %d lane %d: coordinates out of range", label(name),
                                s + 1, k + 1);
    /* zero width is allowed: the detector can squeeze a lane to that */
    if (ln->x_right < ln->x_left)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s: strip %d lane %d: x_right %g is left of x_left %g",
                            label(name), s + 1, k + 1, ln->x_right, ln->x_left);
    return 0;
}

/* Lane k - 1 lies left of lane k on the strip's first and last rows, and so,
 * lanes being straight, on every row between: a strip clipped to an image
 * keeps its lanes in order. */
static int check_order(const bq_strip_t *st, int s, int k, const char *name, bq_error_t *err)
{
    for (int end = 0; end < 2; end++) {
        int y = end ? st->y_bottom : st->y_top;
        double c = lane_centre_at(&st->lanes[k], y), p = lane_centre_at(&st->lanes[k - 1], y);
        if (!(c > p))
            return bq_error_set(err, BQ_ERR_INVALID,
                                "%s: strip %d: lane %d (centre x %.1f at row %d) is not right "
                                "of lane %d (%.1f)",
                                label(name), s + 1, k + 1, c, y, k, p);
    }
    return 0;
}

/* The lanes of one strip: each sane, in order left to right. */
static int check_strip(const bq_lanes_t *l, int s, const char *name, bq_error_t *err)
{
    const bq_strip_t *st = &l->strips[s];
    if (st->n_lanes != l->n_lanes || !st->lanes)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: strip %d has %d lanes, the set %d",
                            label(name), s + 1, st->n_lanes, l->n_lanes);
    if (st->y_top < 0 || st->y_bottom < st->y_top || st->y_bottom > ROW_MAX)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: strip %d: rows %d..%d are not a strip",
                            label(name), s + 1, st->y_top, st->y_bottom);
    if (s > 0 && st->y_top <= l->strips[s - 1].y_bottom)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s: strip %d (rows %d..%d) overlaps strip %d or lies above it",
                            label(name), s + 1, st->y_top, st->y_bottom, s);
    for (int k = 0; k < st->n_lanes; k++) {
        int rc = check_lane(&st->lanes[k], s, k, name, err);
        if (rc == 0 && k > 0)
            rc = check_order(st, s, k, name, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int bq_lanes_check(const bq_lanes_t *lanes, const char *name, bq_error_t *err)
{
    if (!lanes || !lanes->strips || lanes->n_strips < 1 || lanes->n_strips > BQ_LANES_MAX_STRIPS ||
        lanes->n_lanes < 1 || lanes->n_lanes > BQ_MAX_LANES)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s: want 1 to %d strips of 1 to %d lanes", label(name),
                            BQ_LANES_MAX_STRIPS, BQ_MAX_LANES);
    const bq_roi_t *r = &lanes->roi;
    if (r->x < 0 || r->y < 0 || r->w < 0 || r->h < 0 || (long)r->x + r->w > ROW_MAX ||
        (long)r->y + r->h > ROW_MAX)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: region %d,%d,%d,%d is not a rectangle",
                            label(name), r->x, r->y, r->w, r->h);
    for (int s = 0; s < lanes->n_strips; s++) {
        int rc = check_strip(lanes, s, name, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int bq_lanes_copy(const bq_lanes_t *src, bq_lanes_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no output");
    *out = NULL;
    int rc = bq_lanes_check(src, NULL, err);
    if (rc != 0)
        return rc;
    bq_lanes_t *l = lanes_new(src->n_strips, src->n_lanes);
    if (!l)
        return bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
    l->roi = src->roi;
    l->confidence = src->confidence;
    l->uncertain = src->uncertain;
    for (int s = 0; s < src->n_strips; s++) {
        l->strips[s].y_top = src->strips[s].y_top;
        l->strips[s].y_bottom = src->strips[s].y_bottom;
        memcpy(l->strips[s].lanes, src->strips[s].lanes,
               (size_t)src->n_lanes * sizeof *src->strips[s].lanes);
    }
    *out = l;
    return 0;
}

/* ---- lanes from centres ---------------------------------------------- */

double bq_lanes_default_width(const double *centres, int n, int region_w)
{
    if (n < 2) {
        double w = region_w / 10.0;
        return w < 1 ? 1 : w;
    }
    double gaps[BQ_MAX_LANES];
    int m = n - 1 < BQ_MAX_LANES ? n - 1 : BQ_MAX_LANES;
    for (int i = 0; i < m; i++)
        gaps[i] = centres[i + 1] - centres[i];
    return 0.8 * bq_median_inplace(gaps, (size_t)m);
}

int bq_lanes_check_centres(const double *centres, int n, double width, bq_error_t *err)
{
    if (n < 1 || n > BQ_MAX_LANES || !centres)
        return bq_error_set(err, BQ_ERR_INVALID, "%d lane centres: want 1 to %d", n,
                            BQ_MAX_LANES);
    for (int i = 0; i < n; i++) {
        if (!isfinite(centres[i]) || centres[i] < 0 || centres[i] > COORD_MAX)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "lane centre %d (%g) is not a pixel column", i + 1, centres[i]);
        if (i > 0 && centres[i] <= centres[i - 1])
            return bq_error_set(err, BQ_ERR_INVALID,
                                "lane centres must increase left to right: %g follows %g",
                                centres[i], centres[i - 1]);
    }
    if (!isfinite(width) || width < 0 || (width > 0 && width < 1) || width > COORD_MAX)
        return bq_error_set(err, BQ_ERR_INVALID, "lane width %g: want a width of at least 1 px",
                            width);
    if (width == 0 && n > 1 && bq_lanes_default_width(centres, n, 0) < 1)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "lane centres too close: lanes 0.8 x their median spacing wide "
                            "would be %.2g px",
                            bq_lanes_default_width(centres, n, 0));
    return 0;
}

/* The region roi marks in a w x h image, clipped to it (r may be roi); -1
 * if nothing is left. */
static int clip_region(const bq_roi_t *roi, int w, int h, bq_roi_t *r)
{
    if (!roi || roi->w <= 0 || roi->h <= 0) {
        *r = (bq_roi_t){0, 0, w, h};
        return 0;
    }
    long x0 = roi->x > 0 ? roi->x : 0, y0 = roi->y > 0 ? roi->y : 0;
    long x1 = (long)roi->x + roi->w, y1 = (long)roi->y + roi->h;
    x1 = x1 < w ? x1 : w;
    y1 = y1 < h ? y1 : h;
    if (x1 - x0 < 1 || y1 - y0 < 1)
        return -1;
    *r = (bq_roi_t){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
    return 0;
}

int bq_lanes_from_centres(const double *centres, int n, double width, int img_w, int img_h,
                          const bq_roi_t *roi, bq_lanes_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no output");
    *out = NULL;
    int rc = bq_lanes_check_centres(centres, n, width, err);
    if (rc != 0)
        return rc;
    bq_roi_t r;
    if (img_w < 1 || img_h < 1 || clip_region(roi, img_w, img_h, &r) != 0)
        return bq_error_set(err, BQ_ERR_INVALID, "the region lies outside the %dx%d image",
                            img_w, img_h);
    double x0 = r.x, x1 = r.x + r.w - 1;
    for (int i = 0; i < n; i++)
        if (centres[i] < x0 || centres[i] > x1)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "lane centre %g lies outside the %s (x %g..%g)", centres[i],
                                r.w == img_w ? "image" : "region", x0, x1);
    if (width == 0)
        width = bq_lanes_default_width(centres, n, r.w);
    bq_lanes_t *l = lanes_new(1, n);
    if (!l)
        return bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
    l->roi = r;
    bq_strip_t *st = &l->strips[0];
    st->y_top = r.y;
    st->y_bottom = r.y + r.h - 1;
    for (int i = 0; i < n; i++) {
        bq_lane_t *ln = &st->lanes[i];
        ln->x_left = bq_clamp(centres[i] - 0.5 * width, x0, x1);
        ln->x_right = bq_clamp(centres[i] + 0.5 * width, x0, x1);
        ln->y_ref = 0.5 * (st->y_top + st->y_bottom);
    }
    /* a region narrower than the lanes can clip two of them onto each other */
    rc = bq_lanes_check(l, NULL, err);
    if (rc != 0) {
        bq_lanes_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- the lanes file: writing ----------------------------------------- */

/* v in the fewest significant digits that read back as the same double, so
 * a lanes file reproduces the lanes exactly and stays readable. */
static void put_number(FILE *fp, double v)
{
    char buf[40];
    if (v == 0) { /* also -0, which would print as "-0" */
        fputs("0", fp);
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (bq_strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, fp);
}

static void put_lane(FILE *fp, const bq_lanes_t *l, int s, int k)
{
    const bq_strip_t *st = &l->strips[s];
    const bq_lane_t *ln = &st->lanes[k];
    fprintf(fp, "%d,%d,%d,%d,", s + 1, st->y_top, st->y_bottom, k + 1);
    double v[4] = {ln->x_left, ln->x_right, ln->y_ref, ln->slope};
    for (int i = 0; i < 4; i++) {
        put_number(fp, v[i]);
        fputc(',', fp);
    }
    fprintf(fp, "%d,%d,%d,%d,%d,%d\n", ln->is_ladder != 0, ln->is_empty != 0, l->roi.x,
            l->roi.y, l->roi.w, l->roi.h);
}

int bq_lanes_write_csv(FILE *fp, const bq_lanes_t *lanes)
{
    if (!fp || bq_lanes_check(lanes, NULL, NULL) != 0)
        return BQ_ERR_INVALID;
    locale_t previous = bq_numbers_begin();
    fprintf(fp, "%s\n", BQ_LANES_CSV_HEADER);
    for (int s = 0; s < lanes->n_strips; s++)
        for (int k = 0; k < lanes->n_lanes; k++)
            put_lane(fp, lanes, s, k);
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : 0;
}

static int write_lanes(FILE *fp, void *ctx)
{
    return bq_lanes_write_csv(fp, ctx);
}

int bq_lanes_save(const char *path, const bq_lanes_t *lanes, bq_error_t *err)
{
    int rc = bq_lanes_check(lanes, path, err);
    if (rc != 0)
        return rc;
    return bq_file_write_atomic(path, write_lanes, (void *)lanes, err);
}

/* ---- reading tables: cells --------------------------------------------- */

typedef struct range {
    double lo, hi;
    int whole; /* a whole number is wanted */
} range_t;

static const range_t R_ROW = {0, ROW_MAX, 1};
static const range_t R_INDEX_STRIP = {1, BQ_LANES_MAX_STRIPS, 1};
static const range_t R_INDEX_LANE = {1, BQ_MAX_LANES, 1};
static const range_t R_COORD = {-COORD_MAX, COORD_MAX, 0};
static const range_t R_PIXEL = {-COORD_MAX, COORD_MAX, 1};
static const range_t R_SLOPE = {-SLOPE_MAX, SLOPE_MAX, 0};
static const range_t R_FLAG = {0, 1, 1};

/* The number at (row, col), blanks around it ignored, within r; *v is left
 * alone when the column is missing (col < 0). An error names the table, the
 * line and the column. */
static int cell_number(const bq_csv_t *csv, int row, int col, range_t r, double *v,
                       bq_error_t *err)
{
    if (col < 0)
        return 0;
    const char *s = bq_csv_cell(csv, row, col);
    char buf[64];
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len > 0 && len < sizeof buf) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        double x = bq_strtod(buf, &end);
        if (*end == '\0' && errno == 0 && isfinite(x) && x >= r.lo && x <= r.hi &&
            (!r.whole || x == floor(x))) {
            *v = x;
            return 0;
        }
    }
    return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: %s: '%.40s%s' is not %s from %.10g to %.10g",
                        csv->name, bq_csv_line(csv, row), csv->header[col], s,
                        len > 40 ? "..." : "", r.whole ? "a whole number" : "a number", r.lo,
                        r.hi);
}

/* Look up n column names; the first n_required must be there. */
static int find_columns(const bq_csv_t *csv, const char *const *names, int n, int n_required,
                        int *col, bq_error_t *err)
{
    for (int i = 0; i < n; i++) {
        col[i] = bq_csv_column(csv, names[i]);
        if (col[i] < 0 && i < n_required)
            return bq_error_set(err, BQ_ERR_INVALID, "%s:1: no column '%s'", csv->name,
                                names[i]);
    }
    return 0;
}

/* ---- reading the lanes file -------------------------------------------- */

enum {
    C_STRIP, C_YTOP, C_YBOT, C_LANE, C_XL, C_XR, /* required */
    C_YREF, C_SLOPE, C_LADDER, C_EMPTY, C_RX, C_RY, C_RW, C_RH,
    N_LANE_COLS
};
#define N_LANE_REQUIRED 6

static const char *const lane_cols[N_LANE_COLS] = {
    "strip", "y_top", "y_bottom", "lane", "x_left", "x_right", "y_ref",
    "slope", "ladder", "empty", "roi_x", "roi_y", "roi_w", "roi_h"};

typedef struct lanes_file {
    const bq_csv_t *csv;
    int col[N_LANE_COLS];
    bq_lanes_t *l;
    unsigned char *seen;      /* n_strips x n_lanes: that lane's row was read */
    unsigned char *strip_set; /* n_strips: the strip's rows are known */
    bq_error_t *err;
} lanes_file_t;

/* How many strips and lanes the file numbers. */
static int file_extent(const bq_csv_t *csv, const int *col, int *ns, int *nl, bq_error_t *err)
{
    *ns = *nl = 0;
    for (int r = 0; r < csv->n_rows; r++) {
        double s, k;
        int rc = cell_number(csv, r, col[C_STRIP], R_INDEX_STRIP, &s, err);
        if (rc == 0)
            rc = cell_number(csv, r, col[C_LANE], R_INDEX_LANE, &k, err);
        if (rc != 0)
            return rc;
        *ns = (int)s > *ns ? (int)s : *ns;
        *nl = (int)k > *nl ? (int)k : *nl;
    }
    return 0;
}

/* A row's strip rows and region must agree with the earlier rows'. */
static int file_row_frame(lanes_file_t *f, int r, int s, const double *v)
{
    const bq_csv_t *csv = f->csv;
    bq_strip_t *st = &f->l->strips[s];
    int top = (int)v[C_YTOP], bottom = (int)v[C_YBOT];
    if (bottom < top)
        return bq_error_set(f->err, BQ_ERR_INVALID, "%s:%d: y_bottom %d is above y_top %d",
                            csv->name, bq_csv_line(csv, r), bottom, top);
    if (f->strip_set[s] && (st->y_top != top || st->y_bottom != bottom))
        return bq_error_set(f->err, BQ_ERR_INVALID,
                            "%s:%d: strip %d has rows %d..%d here, %d..%d on an earlier line",
                            csv->name, bq_csv_line(csv, r), s + 1, top, bottom, st->y_top,
                            st->y_bottom);
    st->y_top = top;
    st->y_bottom = bottom;
    f->strip_set[s] = 1;
    bq_roi_t roi = {(int)v[C_RX], (int)v[C_RY], (int)v[C_RW], (int)v[C_RH]};
    if (r > 0 && memcmp(&roi, &f->l->roi, sizeof roi) != 0)
        return bq_error_set(f->err, BQ_ERR_INVALID,
                            "%s:%d: the region differs from the first row's", csv->name,
                            bq_csv_line(csv, r));
    f->l->roi = roi;
    return 0;
}

static int file_row(lanes_file_t *f, int r)
{
    static const range_t *const ranges[N_LANE_COLS] = {
        &R_INDEX_STRIP, &R_ROW, &R_ROW, &R_INDEX_LANE, &R_COORD, &R_COORD, &R_COORD,
        &R_SLOPE, &R_FLAG, &R_FLAG, &R_ROW, &R_ROW, &R_ROW, &R_ROW};
    double v[N_LANE_COLS] = {0};
    for (int c = 0; c < N_LANE_COLS; c++) {
        if (c == C_YREF) /* default: the strip's middle row */
            v[c] = 0.5 * (v[C_YTOP] + v[C_YBOT]);
        int rc = cell_number(f->csv, r, f->col[c], *ranges[c], &v[c], f->err);
        if (rc != 0)
            return rc;
    }
    int s = (int)v[C_STRIP] - 1, k = (int)v[C_LANE] - 1;
    size_t at = (size_t)s * (size_t)f->l->n_lanes + (size_t)k;
    if (f->seen[at])
        return bq_error_set(f->err, BQ_ERR_INVALID, "%s:%d: strip %d lane %d is given twice",
                            f->csv->name, bq_csv_line(f->csv, r), s + 1, k + 1);
    f->seen[at] = 1;
    int rc = file_row_frame(f, r, s, v);
    if (rc != 0)
        return rc;
    bq_lane_t *ln = &f->l->strips[s].lanes[k];
    ln->x_left = v[C_XL];
    ln->x_right = v[C_XR];
    ln->y_ref = v[C_YREF];
    ln->slope = v[C_SLOPE];
    ln->is_ladder = (int)v[C_LADDER];
    ln->is_empty = (int)v[C_EMPTY];
    return 0;
}

/* Every strip must have every lane. */
static int file_complete(const lanes_file_t *f)
{
    const bq_lanes_t *l = f->l;
    for (int s = 0; s < l->n_strips; s++)
        for (int k = 0; k < l->n_lanes; k++)
            if (!f->seen[(size_t)s * (size_t)l->n_lanes + (size_t)k])
                return bq_error_set(f->err, BQ_ERR_INVALID, "%s: strip %d has no lane %d",
                                    f->csv->name, s + 1, k + 1);
    return 0;
}

static int lanes_file_read(const bq_csv_t *csv, bq_lanes_t **out, bq_error_t *err)
{
    lanes_file_t f = {.csv = csv, .err = err};
    int ns, nl;
    int rc = find_columns(csv, lane_cols, N_LANE_COLS, N_LANE_REQUIRED, f.col, err);
    if (rc == 0 && csv->n_rows < 1)
        rc = bq_error_set(err, BQ_ERR_INVALID, "%s: no lanes (only a header)", csv->name);
    if (rc == 0)
        rc = file_extent(csv, f.col, &ns, &nl, err);
    if (rc != 0)
        return rc;
    f.l = lanes_new(ns, nl);
    f.seen = bq_calloc_array((size_t)ns * (size_t)nl, 1);
    f.strip_set = bq_calloc_array((size_t)ns, 1);
    if (!f.l || !f.seen || !f.strip_set)
        rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", csv->name);
    for (int r = 0; r < csv->n_rows && rc == 0; r++)
        rc = file_row(&f, r);
    if (rc == 0)
        rc = file_complete(&f);
    if (rc == 0)
        rc = bq_lanes_check(f.l, csv->name, err);
    free(f.seen);
    free(f.strip_set);
    if (rc != 0) {
        bq_lanes_free(f.l);
        return rc;
    }
    *out = f.l;
    return 0;
}

/* ---- lanes from a band table ------------------------------------------- */

/* Bands of one image: more would not be one blot. */
#define MAX_BANDS (BQ_MAX_LANES * 256)
/* A lane's tilt is fitted only when its bands span this many rows. */
#define TILT_MIN_SPAN 20.0
#define STRIP_MARGIN_MIN 10

static double band_row(const bq_band_t *b)
{
    return isfinite(b->y_peak) ? b->y_peak : 0.5 * (b->y_top + b->y_bottom);
}

/* Least-squares dx/dy of the box centres of n bands (rows y, centres x), or 0
 * when they span too few rows to tell. */
static double fit_tilt(const double *y, const double *x, int n, double ymean)
{
    double ymin = INFINITY, ymax = -INFINITY, xmean = 0, sxy = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        ymin = y[i] < ymin ? y[i] : ymin;
        ymax = y[i] > ymax ? y[i] : ymax;
        xmean += x[i] / n;
    }
    if (ymax - ymin < TILT_MIN_SPAN)
        return 0;
    for (int i = 0; i < n; i++) {
        sxy += (y[i] - ymean) * (x[i] - xmean);
        syy += (y[i] - ymean) * (y[i] - ymean);
    }
    return bq_clamp(sxy / syy, -SLOPE_MAX, SLOPE_MAX);
}

/* Lane `lane` from its bands; buf holds room for 2 x n_bands doubles. */
static int lane_from_bands(const bq_band_table_t *t, int lane, bq_lane_t *ln, double *buf,
                           bq_error_t *err)
{
    double *y = buf, *x = buf + t->n_bands, ymean = 0;
    int n = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        if (b->lane != lane)
            continue;
        y[n] = band_row(b);
        x[n] = 0.5 * (b->x_left + b->x_right);
        ymean += y[n];
        ln->is_ladder |= (b->flags & BQ_BAND_LADDER) != 0;
        n++;
    }
    if (n == 0)
        return bq_error_set(err, BQ_ERR_INVALID, "band table: lane %d has no bands", lane);
    ln->y_ref = ymean / n;
    ln->slope = fit_tilt(y, x, n, ln->y_ref);
    /* the edges moved to y_ref along the tilt; x is free again */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0, j = 0; i < t->n_bands; i++) {
            const bq_band_t *b = &t->bands[i];
            if (b->lane == lane)
                x[j++] = (pass ? b->x_right : b->x_left) - ln->slope * (band_row(b) - ln->y_ref);
        }
        double edge = bq_median_inplace(x, (size_t)n);
        *(pass ? &ln->x_right : &ln->x_left) = edge;
    }
    return 0;
}

/* One strip over all boxes, a median box height (at least
 * STRIP_MARGIN_MIN rows) above and below: room for the background flanks. */
static void strip_from_bands(const bq_band_table_t *t, bq_strip_t *st, double *buf)
{
    int top = INT32_MAX, bottom = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        top = b->y_top < top ? b->y_top : top;
        bottom = b->y_bottom > bottom ? b->y_bottom : bottom;
        buf[i] = b->y_bottom - b->y_top + 1;
    }
    double h = bq_median_inplace(buf, (size_t)t->n_bands);
    long margin = h > STRIP_MARGIN_MIN ? lround(h) : STRIP_MARGIN_MIN;
    long y_bottom = bottom + margin; /* both <= ROW_MAX: no overflow */
    st->y_top = top > margin ? top - (int)margin : 0;
    st->y_bottom = y_bottom < ROW_MAX ? (int)y_bottom : ROW_MAX;
}

/* Box values the rest of the arithmetic can rely on. */
static int check_bands(const bq_band_table_t *t, int *n_lanes, bq_error_t *err)
{
    if (!t || !t->bands || t->n_bands < 1 || t->n_bands > MAX_BANDS)
        return bq_error_set(err, BQ_ERR_INVALID, "band table: want 1 to %d bands", MAX_BANDS);
    *n_lanes = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        if (b->lane < 1 || b->lane > BQ_MAX_LANES || b->y_top < 0 || b->y_bottom < b->y_top ||
            b->y_bottom > ROW_MAX || fabs((double)b->x_left) > COORD_MAX ||
            fabs((double)b->x_right) > COORD_MAX || fabs(b->y_peak) > COORD_MAX)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "band table: band %d (lane %d) has an impossible box", i + 1,
                                b->lane);
        *n_lanes = b->lane > *n_lanes ? b->lane : *n_lanes;
    }
    return 0;
}

int bq_lanes_from_bands(const bq_band_table_t *table, bq_lanes_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no output");
    *out = NULL;
    int nl = 0;
    int rc = check_bands(table, &nl, err);
    if (rc != 0)
        return rc;
    double *buf = bq_alloc_array((size_t)table->n_bands * 2, sizeof *buf);
    bq_lanes_t *l = lanes_new(1, nl);
    if (!buf || !l)
        rc = bq_error_set(err, BQ_ERR_NOMEM, "lanes: out of memory");
    for (int k = 0; k < nl && rc == 0; k++)
        rc = lane_from_bands(table, k + 1, &l->strips[0].lanes[k], buf, err);
    if (rc == 0) {
        strip_from_bands(table, &l->strips[0], buf);
        rc = bq_lanes_check(l, "band table", err);
    }
    free(buf);
    if (rc != 0) {
        bq_lanes_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- reading a band table (bands.csv) --------------------------------- */

enum { B_LANE, B_XL, B_XR, B_YTOP, B_YBOT, B_YPEAK, B_FLAGS, B_IMAGE, N_BAND_COLS };
#define N_BAND_REQUIRED 5

static const char *const band_cols[N_BAND_COLS] = {
    "lane", "x_left", "x_right", "y_top", "y_bottom", "y_peak", "flags", "image"};

/* "saturated;ladder" holds the word ladder. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ';') && (p[n] == '\0' || p[n] == ';'))
            return 1;
    return 0;
}

static int band_row_read(const bq_csv_t *csv, int r, const int *col, bq_band_t *b,
                         bq_error_t *err)
{
    static const range_t *const ranges[B_YPEAK + 1] = {&R_INDEX_LANE, &R_PIXEL, &R_PIXEL,
                                                       &R_ROW, &R_ROW, &R_COORD};
    double v[B_YPEAK + 1] = {[B_YPEAK] = NAN};
    for (int c = 0; c <= B_YPEAK; c++) {
        int rc = cell_number(csv, r, col[c], *ranges[c], &v[c], err);
        if (rc != 0)
            return rc;
    }
    if (v[B_YBOT] < v[B_YTOP] || v[B_XR] < v[B_XL])
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: the box is upside down", csv->name,
                            bq_csv_line(csv, r));
    const char *image = bq_csv_cell(csv, r, col[B_IMAGE]), *first = bq_csv_cell(csv, 0, col[B_IMAGE]);
    if (strcmp(image, first) != 0)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s:%d: bands of a second image ('%.60s' after '%.60s'): lanes "
                            "come from one image, keep only its rows",
                            csv->name, bq_csv_line(csv, r), image, first);
    *b = (bq_band_t){.lane = (int)v[B_LANE], .x_left = (int)v[B_XL], .x_right = (int)v[B_XR],
                     .y_top = (int)v[B_YTOP], .y_bottom = (int)v[B_YBOT], .y_peak = v[B_YPEAK]};
    if (col[B_FLAGS] >= 0 && has_word(bq_csv_cell(csv, r, col[B_FLAGS]), "ladder"))
        b->flags = BQ_BAND_LADDER;
    return 0;
}

static int band_file_read(const bq_csv_t *csv, bq_lanes_t **out, bq_error_t *err)
{
    int col[N_BAND_COLS];
    int rc = find_columns(csv, band_cols, N_BAND_COLS, N_BAND_REQUIRED, col, err);
    if (rc != 0)
        return rc;
    if (csv->n_rows < 1 || csv->n_rows > MAX_BANDS)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: %d bands: want 1 to %d", csv->name,
                            csv->n_rows, MAX_BANDS);
    bq_band_table_t t = {.n_bands = csv->n_rows};
    t.bands = bq_calloc_array((size_t)csv->n_rows, sizeof *t.bands);
    if (!t.bands)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", csv->name);
    for (int r = 0; r < csv->n_rows && rc == 0; r++)
        rc = band_row_read(csv, r, col, &t.bands[r], err);
    if (rc == 0 && (rc = bq_lanes_from_bands(&t, out, err)) != 0) {
        /* say which file: the band table's own messages cannot */
        char msg[BQ_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        bq_error_set(err, rc, "%s: %s", csv->name, msg);
    }
    free(t.bands);
    return rc;
}

int bq_lanes_from_csv(const bq_csv_t *csv, bq_lanes_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no output");
    *out = NULL;
    if (!csv)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no table");
    if (bq_csv_column(csv, "strip") >= 0)
        return lanes_file_read(csv, out, err);
    if (bq_csv_column(csv, "band") >= 0 && bq_csv_column(csv, "x_left") >= 0)
        return band_file_read(csv, out, err);
    return bq_error_set(err, BQ_ERR_INVALID,
                        "%s:1: neither a lanes file (strip,y_top,y_bottom,lane,x_left,x_right,"
                        "...) nor a band table (image,lane,band,...,x_left,x_right,...)",
                        csv->name);
}

int bq_lanes_load(const char *path, bq_lanes_t **out, bq_error_t *err)
{
    if (out)
        *out = NULL;
    bq_csv_t *csv = NULL;
    bq_csv_limits_t lim = {.max_bytes = (size_t)64 << 20, .max_rows = MAX_BANDS};
    int rc = bq_csv_read_file(path, &lim, &csv, err);
    if (rc == 0)
        rc = bq_lanes_from_csv(csv, out, err);
    bq_csv_free(csv);
    return rc;
}

/* ---- lanes for an image ------------------------------------------------ */

/* Clip a lane set (checked) to a w x h image; what cannot be clipped into
 * it, a strip below it or a lane centred off it, is an error. */
static int fit_to_image(bq_lanes_t *l, int w, int h, const char *src, bq_error_t *err)
{
    if (l->roi.w > 0 && l->roi.h > 0 && clip_region(&l->roi, w, h, &l->roi) != 0)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "lanes from %s: the region %d,%d,%d,%d lies outside the %dx%d image",
                            src, l->roi.x, l->roi.y, l->roi.w, l->roi.h, w, h);
    for (int s = 0; s < l->n_strips; s++) {
        bq_strip_t *st = &l->strips[s];
        if (st->y_top > h - 1)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "lanes from %s: strip %d (rows %d..%d) lies below the %dx%d image",
                                src, s + 1, st->y_top, st->y_bottom, w, h);
        st->y_bottom = st->y_bottom < h - 1 ? st->y_bottom : h - 1;
        double mid = 0.5 * (st->y_top + st->y_bottom);
        for (int k = 0; k < l->n_lanes; k++) {
            double c = lane_centre_at(&st->lanes[k], mid);
            if (c < 0 || c > w - 1)
                return bq_error_set(err, BQ_ERR_INVALID,
                                    "lanes from %s: lane %d (centre x %.1f in strip %d) lies "
                                    "outside the %dx%d image",
                                    src, k + 1, c, s + 1, w, h);
        }
    }
    return 0;
}

int bq_lanes_manual_apply(const bq_lanes_manual_t *m, const bq_image_t *img,
                          const bq_roi_t *roi, bq_lanes_t **out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no output");
    *out = NULL;
    if (!m || !img || img->width < 1 || img->height < 1)
        return bq_error_set(err, BQ_ERR_INVALID, "lanes: no image or no lanes given");
    if (m->centres)
        return bq_lanes_from_centres(m->centres, m->n_centres, m->width, img->width,
                                     img->height, roi, out, err);
    const char *src = m->source ? m->source : "the caller";
    bq_lanes_t *l = NULL;
    int rc = bq_lanes_check(m->lanes, src, err);
    if (rc == 0)
        rc = bq_lanes_copy(m->lanes, &l, err);
    if (rc == 0)
        rc = fit_to_image(l, img->width, img->height, src, err);
    if (rc != 0) {
        bq_lanes_free(l);
        return rc;
    }
    l->confidence = 1.0;
    l->uncertain = 0;
    *out = l;
    return 0;
}
