/* overlay.c - the QC overlay: the blot as film (bands dark) with what the
 * pipeline decided drawn on it, so a person sees at a glance whether it is
 * right: the region holding bands, a frame and a number per strip, lane
 * edges and lane numbers (ladder and empty lanes marked), band boxes
 * coloured by flag, row names, and a caption saying polarity, lane and
 * strip counts and the lane confidence. The caption sits at the top left:
 * above the blot or beside it where the picture has room, else over the
 * blot's corner on a veil that lets the blot show through, with the lane
 * numbers it would hide moved below it where the strip has room.
 *
 * Text scales with the picture (bq_text_scale), so it reads the same on a
 * 300 px crop and a 4000 px scan; lines thicken with it. The overlay uses
 * a handful of fixed colours on the gray picture, and the caption's veil
 * turns what it covers gray, so the PNG writer keeps its palette. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/quantify.h"
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

/* How much of the picture shows through the caption's veil (of 256). */
#define CAPTION_KEEP 96

/* What every drawing step needs. */
typedef struct ov {
    bq_rgb_t *rgb;
    int scale;        /* text scale */
    int thick;        /* line width */
    int cap_w, cap_h; /* the caption's box at the top left */
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

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* A label placed with its top-left corner at (x, y), moved inside the
 * canvas as far as it fits. */
static void label_at(ov_t *o, int x, int y, const char *text, int scale, bq_colour_t ink)
{
    int w = bq_label_width(text, scale), h = bq_label_height(scale);
    x = clampi(x, 0, o->rgb->width - w > 0 ? o->rgb->width - w : 0);
    y = clampi(y, 0, o->rgb->height - h > 0 ? o->rgb->height - h : 0);
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
    bq_rgb_frame(o->rgb, x0, st->y_top, x1, st->y_bottom, o->thick, C_STRIP);
    char text[32];
    snprintf(text, sizeof text, "strip %d", number);
    int w = bq_label_width(text, o->scale), x = x1 + o->thick + 1;
    if (x + w > o->rgb->width)
        x = x1 - o->thick - w;
    label_at(o, x, st->y_top, text, o->scale, C_STRIP);
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
    int y0 = clampi(st->y_top, 0, o->rgb->height), y1 = clampi(st->y_bottom, -1, o->rgb->height - 1);
    for (int y = y0; y <= y1; y++) {
        if (((long)y - st->y_top) % period >= on)
            continue;
        double xl, xr;
        bq_lane_extent_at(lane, y, &xl, &xr);
        bq_rgb_fill(o->rgb, px(xl), y, px(xl) + t - 1, y, c);
        bq_rgb_fill(o->rgb, px(xr) - t + 1, y, px(xr), y, c);
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

/* The left edge of lane l's number, centred on the lane at the strip top. */
static int lane_number_x(const bq_strip_t *st, int l, int scale)
{
    char text[32];
    lane_text(&st->lanes[l], text, sizeof text);
    double xl, xr;
    bq_lane_extent_at(&st->lanes[l], st->y_top, &xl, &xr);
    return px(0.5 * (xl + xr)) - bq_label_width(text, scale) / 2;
}

/* The row of the strip's lane numbers: just above the strip (inside it
 * when that is off the canvas), or all of them below the caption when one
 * would hide under it and the strip has room there. */
static int lane_numbers_y(const ov_t *o, const bq_strip_t *st, int scale)
{
    int h = bq_label_height(scale);
    int y = clampi(st->y_top - o->thick - h, 0, o->rgb->height - h > 0 ? o->rgb->height - h : 0);
    if (y >= o->cap_h || o->cap_h + h > st->y_bottom)
        return y;
    for (int l = 0; l < st->n_lanes; l++)
        if (lane_number_x(st, l, scale) < o->cap_w)
            return o->cap_h;
    return y;
}

/* Lane numbers over the lanes of one strip; a number that would touch its
 * left neighbour's (narrow lanes) goes one label further from the strip,
 * or into it at the top of the canvas. */
static void draw_lane_numbers(ov_t *o, const bq_strip_t *st)
{
    int s = lane_label_scale(o, st), h = bq_label_height(s), y = lane_numbers_y(o, st, s);
    int prev_right = -(1 << 28), stagger = 0;
    for (int l = 0; l < st->n_lanes; l++) {
        const bq_lane_t *lane = &st->lanes[l];
        char text[32];
        lane_text(lane, text, sizeof text);
        int x = lane_number_x(st, l, s);
        stagger = x <= prev_right + s && !stagger; /* touching numbers read as one */
        prev_right = x + bq_label_width(text, s) - 1;
        int ys = !stagger ? y : (y - h >= 0 ? y - h : y + h);
        label_at(o, x, ys, text, s, lane->is_ladder || lane->is_empty ? lane_colour(lane) : C_INK);
    }
}

static void draw_lanes(ov_t *o, const bq_lanes_t *ln)
{
    const bq_roi_t *r = &ln->roi;
    if (r->w > 0 && r->h > 0)
        bq_rgb_frame(o->rgb, r->x, r->y, px((double)r->x + r->w - 1), px((double)r->y + r->h - 1),
                     o->thick, C_ROI);
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
        bq_rgb_frame(o->rgb, b->x_left, b->y_top, b->x_right, b->y_bottom, o->thick,
                     band_colour(b->flags));
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

/* Where the name of the row of `first` starts: left of that band. */
static int row_name_x(const ov_t *o, const bq_band_t *first)
{
    return first->x_left - o->thick - bq_label_width(first->protein, o->scale);
}

/* Each row's name left of its leftmost band, centred on that band. */
static void draw_row_names(ov_t *o, const bq_band_table_t *t)
{
    int h = bq_label_height(o->scale);
    for (int r = 1; r <= t->n_rows; r++) {
        const bq_band_t *first = row_first_band(t, r);
        if (!first)
            continue;
        int yc = first->y_top / 2 + first->y_bottom / 2;
        label_at(o, row_name_x(o, first), yc - h / 2, first->protein, o->scale, C_INK);
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
    vsnprintf(s->text, sizeof s->text, fmt, ap);
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

/* The left and top edges of what the overlay draws on the blot (region,
 * strip frames, lane numbers, row names): the caption stays clear of it
 * where the picture leaves room. */
static void content_start(const ov_t *o, const bq_quant_result_t *res, int *left, int *top)
{
    *left = o->rgb->width;
    *top = o->rgb->height;
    const bq_lanes_t *ln = res->lanes;
    if (ln && ln->roi.w > 0 && ln->roi.h > 0) {
        *left = ln->roi.x < *left ? ln->roi.x : *left;
        *top = ln->roi.y < *top ? ln->roi.y : *top;
    }
    for (int s = 0; ln && s < ln->n_strips; s++) {
        const bq_strip_t *st = &ln->strips[s];
        if (st->n_lanes <= 0)
            continue;
        int x0, x1, y = st->y_top - o->thick - bq_label_height(o->scale);
        strip_box(st, &x0, &x1);
        *left = x0 < *left ? x0 : *left;
        *top = y < *top ? y : *top;
    }
    for (int r = 1; res->table && r <= res->table->n_rows; r++) {
        const bq_band_t *first = row_first_band(res->table, r);
        if (first && row_name_x(o, first) < *left)
            *left = row_name_x(o, first);
    }
}

/* Lay the caption out above the blot when it fits there in lines of half
 * the picture's width, else left of the blot when that is wide enough for
 * its widest piece, else over the blot's top left corner. */
static void caption_place(caption_t *c, const ov_t *o, const bq_quant_result_t *res)
{
    int left, top, s = o->scale, pad = 2 * s;
    content_start(o, res, &left, &top);
    caption_layout(c, o->rgb->width / 2 - 2 * pad, s);
    if (c->height < top)
        return;
    int room = left - s - 2 * pad; /* text width that keeps the box a pixel clear */
    if (room < caption_widest(c, s))
        return;
    caption_layout(c, room, s);
    if (c->height > o->rgb->height)
        caption_layout(c, o->rgb->width / 2 - 2 * pad, s);
}

/* The caption at the top left on a veil that keeps it readable on any
 * background while the blot still shows through. */
static void draw_caption(ov_t *o, const caption_t *c)
{
    int s = o->scale;
    bq_rgb_veil(o->rgb, 0, 0, c->width - 1, c->height - 1, CAPTION_KEEP);
    bq_rgb_frame(o->rgb, -o->thick, -o->thick, c->width - 1, c->height - 1, o->thick, C_EMPTY);
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

/* ---- the overlay ----------------------------------------------------- */

bq_rgb_t *bq_overlay_render(const bq_quant_result_t *res)
{
    if (!res || !res->image)
        return NULL;
    bq_rgb_t *rgb = bq_rgb_from_image(res->image);
    if (!rgb)
        return NULL;
    ov_t o = {rgb, bq_text_scale(rgb->width, rgb->height), 1, 0, 0};
    o.thick = o.scale > 1 ? o.scale / 2 : 1;
    caption_t caption;
    caption_fill(&caption, res);
    caption_place(&caption, &o, res);
    o.cap_w = caption.width;
    o.cap_h = caption.height;
    if (res->lanes)
        draw_lanes(&o, res->lanes);
    if (res->table) {
        draw_bands(&o, res->table);
        draw_row_names(&o, res->table);
    }
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
