/* overlay.c - the QC overlay: the blot as film (bands dark) with what the
 * pipeline decided drawn on it, so a person sees at a glance whether it is
 * right: the region holding bands, a frame and a number per strip, lane
 * edges and lane numbers (ladder and empty lanes marked), band boxes
 * coloured by flag, row names (with their sizes when a ladder calibrated
 * the blot), a kDa scale beside each calibrated ladder, and a caption saying polarity, lane and
 * strip counts and the lane confidence.
 *
 * The caption never covers the blot: the canvas is the picture with a band
 * above it just high enough for the caption, and, where they would not fit
 * on the picture, a margin left of it for row names and one above it for
 * the top strip's lane numbers. The canvas grows to the right when the
 * caption's widest piece is wider than the picture (tiny images).
 *
 * Text scales with the picture (bq_text_scale), so it reads the same on a
 * 300 px crop and a 4000 px scan; lines thicken with it. The overlay uses
 * a handful of fixed colours on the gray picture and a light gray canvas,
 * so the PNG writer keeps its palette. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/quantify.h"
#include "internal.h"
#include "overlay.h"

static const bq_colour_t C_ROI = {0, 200, 255};
static const bq_colour_t C_STRIP = {255, 0, 255};
static const bq_colour_t C_LANE = {255, 140, 0};
static const bq_colour_t C_LADDER = {40, 80, 255};
static const bq_colour_t C_EMPTY = {128, 128, 128};
static const bq_colour_t C_OK = {0, 200, 0};
static const bq_colour_t C_WEAK = {255, 220, 0};
static const bq_colour_t C_SATURATED = {255, 0, 0};
static const bq_colour_t C_INK = {0, 0, 0};
static const bq_colour_t C_PAPER = {255, 255, 255};
static const bq_colour_t C_CANVAS = {232, 232, 232}; /* the caption band and margins */

/* What every drawing step needs. The pipeline's coordinates are the
 * picture's; (ox, oy) is where the picture's top-left pixel is on the
 * canvas. */
typedef struct ov {
    bq_rgb_t *rgb;
    int scale;  /* text scale */
    int thick;  /* line width */
    int ox, oy; /* the picture on the canvas */
    int w, h;   /* the picture's size */
    int top;    /* the first canvas row below the caption band */
} ov_t;

/* A coordinate from the pipeline as a pixel: NaN or a wild value lands far
 * off the canvas, where the clipped drawing ignores it, without letting
 * sums of coordinates and text sizes overflow. */
static int px(double v)
{
    const double lim = 1 << 28;
    if (!(v > -lim))
        return -(1 << 28);
    return v < lim ? (int)lround(v) : 1 << 28;
}

/* A picture coordinate v on the canvas, whose picture starts at origin;
 * as px, a wild value lands far off the canvas. */
static int at(int origin, long v)
{
    const long lim = 1L << 28;
    v += origin;
    return v < -lim ? (int)-lim : (v > lim ? (int)lim : (int)v);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* A label placed with its top-left corner at canvas pixel (x, y), moved
 * inside the canvas below the caption band as far as it fits. */
static void label_at(ov_t *o, int x, int y, const char *text, int scale, bq_colour_t ink)
{
    int w = bq_label_width(text, scale), h = bq_label_height(scale);
    x = clampi(x, 0, o->rgb->width - w > 0 ? o->rgb->width - w : 0);
    y = clampi(y, o->top, o->rgb->height - h > o->top ? o->rgb->height - h : o->top);
    bq_rgb_label(o->rgb, x, y, text, scale, ink, C_PAPER);
}

/* ---- strips and lanes ------------------------------------------------ */

/* The strip's frame: the outer edges of its lanes, tilt included. */
static void strip_box(const bq_strip_t *st, int *x0, int *x1)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int l = 0; l < st->n_lanes; l++)
        for (int e = 0; e < 2; e++) {
            double xl, xr;
            bq_lane_extent_at(&st->lanes[l], e ? st->y_bottom : st->y_top, &xl, &xr);
            lo = fmin(lo, xl);
            hi = fmax(hi, xr);
        }
    *x0 = px(lo);
    *x1 = px(hi);
}

/* The strip's frame and its number at its top right, outside the frame
 * where the picture has room. */
static void draw_strip(ov_t *o, const bq_strip_t *st, int number)
{
    if (st->n_lanes <= 0)
        return;
    int x0, x1;
    strip_box(st, &x0, &x1);
    x0 += o->ox;
    x1 += o->ox;
    bq_rgb_frame(o->rgb, x0, at(o->oy, st->y_top), x1, at(o->oy, st->y_bottom), o->thick, C_STRIP);
    char text[32];
    snprintf(text, sizeof text, "strip %d", number);
    int w = bq_label_width(text, o->scale), x = x1 + o->thick + 1;
    if (x + w > o->rgb->width)
        x = x1 - o->thick - w;
    label_at(o, x, at(o->oy, st->y_top), text, o->scale, C_STRIP);
}

static bq_colour_t lane_colour(const bq_lane_t *lane)
{
    return lane->is_ladder ? C_LADDER : (lane->is_empty ? C_EMPTY : C_LANE);
}

/* Lane edges following the tilt: dots, dashes for an empty lane. */
static void draw_lane_edges(ov_t *o, const bq_strip_t *st, const bq_lane_t *lane)
{
    int t = o->thick, period = lane->is_empty ? 8 * t : 3 * t, on = lane->is_empty ? 4 * t : t;
    bq_colour_t c = lane_colour(lane);
    int y0 = clampi(st->y_top, 0, o->h), y1 = clampi(st->y_bottom, -1, o->h - 1);
    for (int y = y0; y <= y1; y++) {
        if (((long)y - st->y_top) % period >= on)
            continue;
        double xl, xr;
        bq_lane_extent_at(lane, y, &xl, &xr);
        int l = o->ox + px(xl), r = o->ox + px(xr);
        bq_rgb_fill(o->rgb, l, o->oy + y, l + t - 1, o->oy + y, c);
        bq_rgb_fill(o->rgb, r - t + 1, o->oy + y, r, o->oy + y, c);
    }
}

/* "3", "1L" for a ladder, "7e" for an empty lane. */
static void lane_text(const bq_lane_t *lane, char *text, size_t size)
{
    snprintf(text, size, "%d%s", lane->index,
             lane->is_ladder ? "L" : (lane->is_empty ? "e" : ""));
}

/* The text scale at which every lane number of the strip fits over its
 * lane pitch (at least 1). */
static int lane_label_scale(const ov_t *o, const bq_strip_t *st)
{
    double pitch = INFINITY;
    int chars = 1;
    for (int l = 0; l < st->n_lanes; l++) {
        char text[32];
        lane_text(&st->lanes[l], text, sizeof text);
        chars = (int)strlen(text) > chars ? (int)strlen(text) : chars;
        if (l > 0)
            pitch = fmin(pitch, st->lanes[l].x_left - st->lanes[l - 1].x_left);
    }
    int s = o->scale;
    while (s > 1 && (double)(chars * BQ_FONT_ADVANCE + 1) * s > pitch)
        s--;
    return s;
}

/* The left edge of lane l's number (picture x), centred on the lane at the
 * strip top. */
static int lane_number_x(const bq_strip_t *st, int l, int scale)
{
    char text[32];
    lane_text(&st->lanes[l], text, sizeof text);
    double xl, xr;
    bq_lane_extent_at(&st->lanes[l], st->y_top, &xl, &xr);
    return px(0.5 * (xl + xr)) - bq_label_width(text, scale) / 2;
}

/* Lane l's number: its left edge (picture x), and in *stagger whether it
 * goes one label further up, because it would touch its left neighbour's
 * (narrow lanes) and that one stayed: touching numbers read as one. Call
 * for l = 0, 1, ... with *prev_right far left and *stagger 0 at first. */
static int lane_number_step(const bq_strip_t *st, int l, int scale, int *prev_right, int *stagger)
{
    char text[32];
    lane_text(&st->lanes[l], text, sizeof text);
    int x = lane_number_x(st, l, scale);
    *stagger = x <= *prev_right + scale && !*stagger;
    *prev_right = x + bq_label_width(text, scale) - 1;
    return x;
}

/* How far above the strip top its lane numbers start: a line and a label. */
static int lane_numbers_rise(const ov_t *o, const bq_strip_t *st)
{
    return o->thick + bq_label_height(lane_label_scale(o, st));
}

/* Lane numbers just above the lanes of one strip (the top margin gives
 * them room above the picture); a number that would touch its left
 * neighbour's goes one label further up, or into the strip where that
 * would reach the caption band. */
static void draw_lane_numbers(ov_t *o, const bq_strip_t *st)
{
    int s = lane_label_scale(o, st), h = bq_label_height(s);
    int y = at(o->oy, (long)st->y_top - lane_numbers_rise(o, st));
    int prev_right = -(1 << 28), stagger = 0;
    for (int l = 0; l < st->n_lanes; l++) {
        const bq_lane_t *lane = &st->lanes[l];
        char text[32];
        lane_text(lane, text, sizeof text);
        int x = lane_number_step(st, l, s, &prev_right, &stagger);
        int ys = !stagger ? y : (y - h >= o->top ? y - h : y + h);
        label_at(o, o->ox + x, ys, text, s,
                 lane->is_ladder || lane->is_empty ? lane_colour(lane) : C_INK);
    }
}

static void draw_lanes(ov_t *o, const bq_lanes_t *ln)
{
    const bq_roi_t *r = &ln->roi;
    if (r->w > 0 && r->h > 0)
        bq_rgb_frame(o->rgb, at(o->ox, r->x), at(o->oy, r->y), o->ox + px((double)r->x + r->w - 1),
                     o->oy + px((double)r->y + r->h - 1), o->thick, C_ROI);
    for (int s = 0; s < ln->n_strips; s++) {
        const bq_strip_t *st = &ln->strips[s];
        for (int l = 0; l < st->n_lanes; l++)
            draw_lane_edges(o, st, &st->lanes[l]);
        draw_strip(o, st, s + 1);
    }
}

/* ---- bands ----------------------------------------------------------- */

static bq_colour_t band_colour(unsigned flags)
{
    if (flags & BQ_BAND_LADDER)
        return C_LADDER;
    if (flags & BQ_BAND_SATURATED)
        return C_SATURATED;
    if (flags & BQ_BAND_WEAK)
        return C_WEAK;
    return C_OK;
}

static void draw_bands(ov_t *o, const bq_band_table_t *t)
{
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        bq_rgb_frame(o->rgb, at(o->ox, b->x_left), at(o->oy, b->y_top), at(o->ox, b->x_right),
                     at(o->oy, b->y_bottom), o->thick, band_colour(b->flags));
    }
}

/* The leftmost band of row r, NULL when the row has none. */
static const bq_band_t *row_first_band(const bq_band_table_t *t, int r)
{
    const bq_band_t *first = NULL;
    for (int i = 0; i < t->n_bands; i++)
        if (t->bands[i].row == r && (!first || t->bands[i].x_left < first->x_left))
            first = &t->bands[i];
    return first;
}

/* The name of row r, with its size ("MDM2 90 kDa": the mean over its
 * sample bands) when the blot is calibrated. */
static const char *row_label(const bq_band_table_t *t, int r, char *buf, size_t size)
{
    const bq_band_t *first = row_first_band(t, r);
    double sum = 0.0;
    int n = 0;
    for (int i = 0; i < t->n_bands; i++)
        if (t->bands[i].row == r && !(t->bands[i].flags & BQ_BAND_LADDER) &&
            t->bands[i].mw_kda > 0) {
            sum += t->bands[i].mw_kda;
            n++;
        }
    if (n > 0)
        snprintf(buf, size, "%s %.0f kDa", first->protein, sum / n);
    else
        snprintf(buf, size, "%s", first->protein);
    return buf;
}

/* How far left of its leftmost band the name of row r starts. */
static int row_name_reach(const ov_t *o, const bq_band_table_t *t, int r)
{
    char text[BQ_NAME_MAX + 32];
    return o->thick + bq_label_width(row_label(t, r, text, sizeof text), o->scale);
}

/* Each row's name left of its leftmost band, centred on that band (the
 * left margin gives it room left of the picture). */
static void draw_row_names(ov_t *o, const bq_band_table_t *t)
{
    int h = bq_label_height(o->scale);
    for (int r = 1; r <= t->n_rows; r++) {
        const bq_band_t *first = row_first_band(t, r);
        if (!first)
            continue;
        char text[BQ_NAME_MAX + 32];
        long yc = first->y_top / 2 + first->y_bottom / 2;
        label_at(o, at(o->ox, (long)first->x_left - row_name_reach(o, t, r)),
                 at(o->oy, yc - h / 2), row_label(t, r, text, sizeof text), o->scale, C_INK);
    }
}

/* ---- the kDa scale of each ladder --------------------------------------- */

/* Where marker i of ladder k is: its row y and the ladder lane's edges
 * there; 0 when its lane is not in the strip at y. */
static int marker_at(const bq_quant_result_t *res, int k, int i, double *y, double *xl,
                     double *xr)
{
    const bq_mw_calib_t *c = &res->mw.calib[k];
    *y = bq_mw_image_row(res->lanes, c->y[i]);
    const bq_strip_t *st = bq_lanes_strip_at(res->lanes, (int)lround(*y));
    int li = res->mw.lane[k] - 1;
    if (!st || li < 0 || li >= st->n_lanes)
        return 0;
    bq_lane_extent_at(&st->lanes[li], *y, xl, xr);
    return 1;
}

/* A ladder in the left half of the picture has its scale on its left. */
static int scale_on_left(const ov_t *o, const bq_quant_result_t *res, int k)
{
    return res->mw.x[k] < 0.5 * o->w;
}

/* How far left of the picture the scales need room. */
static int mw_scale_margin(const ov_t *o, const bq_quant_result_t *res)
{
    int need = 0;
    for (int k = 0; res->lanes && k < res->mw.n; k++)
        for (int i = 0; scale_on_left(o, res, k) && i < res->mw.calib[k].n; i++) {
            double y, xl, xr;
            char text[16];
            snprintf(text, sizeof text, "%.0f", pow(10.0, res->mw.calib[k].logk[i]));
            if (!marker_at(res, k, i, &y, &xl, &xr))
                continue;
            long reach = 4L * o->thick + bq_label_width(text, o->scale) - px(xl);
            need = reach > need ? (int)reach : need;
        }
    return need;
}

/* Beside every calibrated ladder lane, a tick and the size at each marker
 * it matched, so a wrong match (a marker taken for its neighbour) shows. */
static void draw_mw_scales(ov_t *o, const bq_quant_result_t *res)
{
    int h = bq_label_height(o->scale), tick = 3 * o->thick;
    for (int k = 0; res->lanes && k < res->mw.n; k++) {
        int left = scale_on_left(o, res, k);
        for (int i = 0; i < res->mw.calib[k].n; i++) {
            double y, xl, xr;
            if (!marker_at(res, k, i, &y, &xl, &xr))
                continue;
            char text[16];
            snprintf(text, sizeof text, "%.0f", pow(10.0, res->mw.calib[k].logk[i]));
            int yc = o->oy + px(y), x0 = o->ox + px(left ? xl - tick : xr);
            bq_rgb_fill(o->rgb, x0, yc - o->thick / 2, x0 + tick, yc + o->thick / 2, C_LADDER);
            int w = bq_label_width(text, o->scale);
            label_at(o, left ? x0 - o->thick - w : x0 + tick + o->thick, yc - h / 2, text,
                     o->scale, C_LADDER);
        }
    }
}

/* ---- caption --------------------------------------------------------- */

#define CAPTION_MAX_SEGS 12

/* A piece of the caption: text, optionally after a colour swatch. */
typedef struct seg {
    char text[64];
    bq_colour_t ink;
    int has_swatch;
    bq_colour_t swatch;
    int glue; /* on the same line as the next piece */
    int x, y; /* where it goes, from caption_layout */
} seg_t;

typedef struct caption {
    seg_t seg[CAPTION_MAX_SEGS];
    int n;
    int width, height; /* the box */
} caption_t;

static seg_t *caption_add(caption_t *c, bq_colour_t ink, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static seg_t *caption_add(caption_t *c, bq_colour_t ink, const char *fmt, ...)
{
    if (c->n >= CAPTION_MAX_SEGS)
        return NULL;
    seg_t *s = &c->seg[c->n++];
    memset(s, 0, sizeof *s);
    s->ink = ink;
    va_list ap;
    va_start(ap, fmt);
    locale_t previous = bq_numbers_begin();
    vsnprintf(s->text, sizeof s->text, fmt, ap);
    bq_numbers_end(previous);
    va_end(ap);
    return s;
}

static void caption_swatch(caption_t *c, bq_colour_t colour, const char *name)
{
    seg_t *s = caption_add(c, C_INK, "%s", name);
    if (s) {
        s->has_swatch = 1;
        s->swatch = colour;
    }
}

/* Lane counts as the first strip tells them: lanes are matched across
 * strips. */
static void caption_lanes(caption_t *c, const bq_lanes_t *ln)
{
    int ladders = 0, empty = 0;
    if (ln->n_strips > 0)
        for (int k = 0; k < ln->strips[0].n_lanes; k++) {
            ladders += ln->strips[0].lanes[k].is_ladder != 0;
            empty += ln->strips[0].lanes[k].is_empty != 0;
        }
    char extra[48] = "";
    if (ladders && empty)
        snprintf(extra, sizeof extra, " (%d ladder, %d empty)", ladders, empty);
    else if (ladders || empty)
        snprintf(extra, sizeof extra, " (%d %s)", ladders + empty, ladders ? "ladder" : "empty");
    caption_add(c, C_INK, "%d lane%s%s", ln->n_lanes, ln->n_lanes == 1 ? "" : "s", extra);
    caption_add(c, C_INK, "%d strip%s", ln->n_strips, ln->n_strips == 1 ? "" : "s");
    caption_add(c, C_INK, "confidence %.2f", ln->confidence);
    if (ln->uncertain)
        caption_add(c, C_SATURATED, "UNCERTAIN");
}

static void caption_fill(caption_t *c, const bq_quant_result_t *res)
{
    c->n = 0;
    caption_add(c, C_INK, "%s (%s)",
                res->inverted ? "bands dark, inverted" : "bands bright, not inverted",
                res->polarity_auto ? "detected" : "as requested");
    if (res->lanes)
        caption_lanes(c, res->lanes);
    else
        caption_add(c, C_INK, "no lanes");
    seg_t *boxes = caption_add(c, C_INK, "boxes:");
    if (boxes)
        boxes->glue = 1;
    caption_swatch(c, C_OK, "ok");
    caption_swatch(c, C_WEAK, "weak");
    caption_swatch(c, C_SATURATED, "saturated");
    caption_swatch(c, C_LADDER, "ladder");
}

/* A segment's width: a swatch is a square one character wide plus a blank. */
static int seg_width(const seg_t *s, int scale)
{
    return bq_text_width(s->text, scale) + (s->has_swatch ? 2 * BQ_FONT_ADVANCE * scale : 0);
}

static int caption_widest(const caption_t *c, int scale)
{
    int w = 0;
    for (int i = 0; i < c->n; i++)
        w = seg_width(&c->seg[i], scale) > w ? seg_width(&c->seg[i], scale) : w;
    return w;
}

/* Flow the segments into lines of at most max_w pixels of text (or the
 * widest segment), two blanks apart, and size the box around them. */
static void caption_layout(caption_t *c, int max_w, int scale)
{
    int pad = 2 * scale, gap = 2 * BQ_FONT_ADVANCE * scale, line = BQ_FONT_LINE * scale;
    max_w = caption_widest(c, scale) > max_w ? caption_widest(c, scale) : max_w;
    int x = pad, y = pad, right = pad;
    for (int i = 0; i < c->n; i++) {
        int w = seg_width(&c->seg[i], scale), need = w;
        if (c->seg[i].glue && i + 1 < c->n)
            need += gap + seg_width(&c->seg[i + 1], scale);
        if (x > pad && x - pad + gap + need > max_w) {
            x = pad;
            y += line;
        } else if (x > pad) {
            x += gap;
        }
        c->seg[i].x = x;
        c->seg[i].y = y;
        x += w;
        right = x > right ? x : right;
    }
    c->width = right + pad;
    c->height = y + bq_text_height(scale) + pad;
}

/* The caption band: the caption's lines on the canvas colour, a gray rule
 * under them across the canvas. Drawn last, so nothing else shows in it. */
static void draw_caption(ov_t *o, const caption_t *c)
{
    int s = o->scale;
    bq_rgb_fill(o->rgb, 0, 0, o->rgb->width - 1, o->top - 1, C_CANVAS);
    bq_rgb_fill(o->rgb, 0, o->top - o->thick, o->rgb->width - 1, o->top - 1, C_EMPTY);
    for (int i = 0; i < c->n; i++) {
        const seg_t *g = &c->seg[i];
        int x = g->x;
        if (g->has_swatch) {
            bq_rgb_fill(o->rgb, x, g->y + s, x + BQ_FONT_W * s - 1, g->y + 6 * s, g->swatch);
            x += 2 * BQ_FONT_ADVANCE * s;
        }
        bq_rgb_text(o->rgb, x, g->y, g->text, s, g->ink);
    }
}

/* ---- the canvas ------------------------------------------------------ */

/* The room labels need beyond the picture's left and top edges: for the
 * row name that least fits left of its row's first band, and for the lane
 * numbers of the strip nearest the top (two labels high where numbers
 * stagger). Never more than the labels' own size, however odd the
 * coordinates. */
static void margins(const ov_t *o, const bq_quant_result_t *res, int *left, int *top)
{
    *left = *top = 0;
    const bq_band_table_t *t = res->table;
    for (int r = 1; t && r <= t->n_rows; r++) {
        const bq_band_t *first = row_first_band(t, r);
        if (!first)
            continue;
        int reach = row_name_reach(o, t, r);
        long need = first->x_left < 0 ? reach : (long)reach - first->x_left;
        *left = need > *left ? (int)need : *left;
    }
    int scales = mw_scale_margin(o, res);
    *left = scales > *left ? scales : *left;
    const bq_lanes_t *ln = res->lanes;
    for (int k = 0; ln && k < ln->n_strips; k++) {
        const bq_strip_t *st = &ln->strips[k];
        if (st->n_lanes <= 0)
            continue;
        int s = lane_label_scale(o, st), prev_right = -(1 << 28), stagger = 0, any = 0;
        for (int l = 0; l < st->n_lanes; l++) {
            lane_number_step(st, l, s, &prev_right, &stagger);
            any |= stagger;
        }
        int reach = lane_numbers_rise(o, st) + (any ? bq_label_height(s) : 0);
        long need = st->y_top < 0 ? reach : (long)reach - st->y_top;
        *top = need > *top ? (int)need : *top;
    }
}

/* Grow the picture in place into a width x height canvas with the
 * picture's top-left pixel at (ox, oy) and C_CANVAS around it. 0, or -1
 * when memory runs out (the picture is then left as it was). */
static int canvas_grow(bq_rgb_t *rgb, int width, int height, int ox, int oy)
{
    int w = rgb->width, h = rgb->height;
    size_t n, bytes;
    if (bq_mul_size((size_t)width, (size_t)height, &n) != 0 || bq_mul_size(n, 3, &bytes) != 0)
        return -1;
    uint8_t *data = realloc(rgb->data, bytes);
    if (!data)
        return -1;
    rgb->data = data;
    rgb->width = width;
    rgb->height = height;
    /* last row first: each row moves down and right, onto rows already
     * moved or onto its own old place, never onto one still to move */
    for (int y = h - 1; y >= 0; y--)
        memmove(data + 3 * ((size_t)(oy + y) * (size_t)width + (size_t)ox),
                data + 3 * (size_t)y * (size_t)w, 3 * (size_t)w);
    if (oy > 0)
        bq_rgb_fill(rgb, 0, 0, width - 1, oy - 1, C_CANVAS);
    if (ox > 0)
        bq_rgb_fill(rgb, 0, oy, ox - 1, height - 1, C_CANVAS);
    if (ox + w < width)
        bq_rgb_fill(rgb, ox + w, oy, width - 1, height - 1, C_CANVAS);
    return 0;
}

/* ---- the overlay ----------------------------------------------------- */

bq_rgb_t *bq_overlay_render(const bq_quant_result_t *res)
{
    if (!res || !res->image)
        return NULL;
    bq_rgb_t *rgb = bq_rgb_from_image(res->image);
    if (!rgb)
        return NULL;
    ov_t o = {.rgb = rgb, .scale = bq_text_scale(rgb->width, rgb->height), .w = rgb->width,
              .h = rgb->height};
    o.thick = o.scale > 1 ? o.scale / 2 : 1;
    int left, top;
    margins(&o, res, &left, &top);
    caption_t caption;
    caption_fill(&caption, res);
    /* lines as wide as margin and picture, less the caption's padding */
    caption_layout(&caption, left + o.w - 2 * 2 * o.scale, o.scale);
    o.ox = left;
    o.top = caption.height + o.thick;
    o.oy = o.top + top;
    int64_t width = (int64_t)left + o.w, height = (int64_t)o.oy + o.h;
    width = caption.width > width ? caption.width : width;
    if (width > INT_MAX || height > INT_MAX ||
        canvas_grow(rgb, (int)width, (int)height, o.ox, o.oy) != 0) {
        bq_rgb_free(rgb);
        return NULL;
    }
    if (res->lanes)
        draw_lanes(&o, res->lanes);
    if (res->table) {
        draw_bands(&o, res->table);
        draw_row_names(&o, res->table);
    }
    draw_mw_scales(&o, res);
    if (res->lanes)
        for (int s = 0; s < res->lanes->n_strips; s++)
            draw_lane_numbers(&o, &res->lanes->strips[s]);
    draw_caption(&o, &caption);
    return rgb;
}

int bq_quant_write_overlay(const bq_quant_result_t *res, const char *path, bq_error_t *err)
{
    if (!res || !res->image || !path)
        return bq_error_set(err, BQ_ERR_INVALID, "overlay: nothing to draw");
    bq_rgb_t *rgb = bq_overlay_render(res);
    if (!rgb)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory for the overlay", path);
    int rc = bq_rgb_save_png(rgb, path, err);
    bq_rgb_free(rgb);
    return rc;
}
