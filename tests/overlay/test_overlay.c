/* test_overlay.c - the QC overlay's drawing: glyph pixels, scaling,
 * clipping at every edge (nothing written outside the canvas, nothing
 * inside but the text), and whole overlays: the caption in a band above
 * the picture, which appears whole and unveiled below it; a number over
 * every lane and every row's name, in margins where the picture has no
 * room; an indexed PNG; tiny, huge and degenerate results draw without
 * crashing. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"
#include "overlay.h"
#include "../check.h"

static const bq_colour_t BLACK = {0, 0, 0}, WHITE = {255, 255, 255}, MARK = {1, 2, 3};
static const bq_colour_t GRAY = {128, 128, 128}, CANVAS = {232, 232, 232};

/* ---- canvases -------------------------------------------------------- */

#define GUARD 4096 /* bytes before and after a guarded canvas */

/* A canvas filled with c whose pixels sit between two guard zones, so a
 * write outside it shows (ASan sees it too). Free with canvas_free. */
static bq_rgb_t *canvas(int w, int h, bq_colour_t c)
{
    size_t n = (size_t)w * (size_t)h * 3;
    uint8_t *buf = malloc(n + 2 * GUARD);
    bq_rgb_t *rgb = malloc(sizeof *rgb);
    if (!buf || !rgb) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memset(buf, 0xA5, n + 2 * GUARD);
    rgb->width = w;
    rgb->height = h;
    rgb->data = buf + GUARD;
    bq_rgb_fill(rgb, 0, 0, w - 1, h - 1, c);
    return rgb;
}

static int guards_intact(const bq_rgb_t *rgb)
{
    size_t n = (size_t)rgb->width * (size_t)rgb->height * 3;
    for (size_t i = 0; i < GUARD; i++)
        if (rgb->data[-1 - (long)i] != 0xA5 || rgb->data[n + i] != 0xA5)
            return 0;
    return 1;
}

static void canvas_free(bq_rgb_t *rgb)
{
    free(rgb->data - GUARD);
    free(rgb);
}

static const uint8_t *at(const bq_rgb_t *rgb, int x, int y)
{
    return rgb->data + 3 * ((size_t)y * (size_t)rgb->width + (size_t)x);
}

static int is(const bq_rgb_t *rgb, int x, int y, bq_colour_t c)
{
    const uint8_t *p = at(rgb, x, y);
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

static long count(const bq_rgb_t *rgb, bq_colour_t c)
{
    long n = 0;
    for (int y = 0; y < rgb->height; y++)
        for (int x = 0; x < rgb->width; x++)
            n += is(rgb, x, y, c);
    return n;
}

/* ---- glyphs ---------------------------------------------------------- */

static int glyph_ink(unsigned ch, int k, int r)
{
    const char *const *rows = bq_font_glyph(ch);
    return rows && rows[r] && k < (int)strlen(rows[r]) && rows[r][k] == '#';
}

/* "A" at scale 1: exactly the font's pixels, by the font and by hand. */
static void test_glyph_pixels(void)
{
    bq_rgb_t *c = canvas(20, 16, WHITE);
    bq_rgb_text(c, 3, 4, "A", 1, BLACK);
    long ink = 0;
    for (int y = 0; y < c->height; y++)
        for (int x = 0; x < c->width; x++) {
            int k = x - 3, r = y - 4;
            int want = k >= 0 && k < BQ_FONT_W && r >= 0 && r < BQ_FONT_H && glyph_ink('A', k, r);
            ink += want;
            CHECK(is(c, x, y, want ? BLACK : WHITE), "'A' pixel (%d,%d) should be %s", x, y,
                  want ? "ink" : "paper");
        }
    CHECK(ink >= 15, "'A' has %ld ink pixels", ink);
    /* the shape itself: apex in the middle of the top row, full crossbar */
    CHECK(is(c, 5, 4, BLACK) && is(c, 3, 4, WHITE) && is(c, 7, 4, WHITE), "'A' apex");
    for (int x = 3; x <= 7; x++)
        CHECK(is(c, x, 7, BLACK), "'A' crossbar at x %d", x);
    canvas_free(c);
}

/* At scale 3 every font pixel is a 3x3 block. */
static void test_glyph_scale(void)
{
    bq_rgb_t *c = canvas(30, 30, WHITE);
    bq_rgb_text(c, 2, 1, "7", 3, BLACK);
    long font_ink = 0;
    for (int r = 0; r < BQ_FONT_H; r++)
        for (int k = 0; k < BQ_FONT_W; k++) {
            font_ink += glyph_ink('7', k, r);
            for (int i = 0; i < 9; i++)
                CHECK(is(c, 2 + 3 * k + i % 3, 1 + 3 * r + i / 3, glyph_ink('7', k, r) ? BLACK : WHITE),
                      "'7' x3: font pixel (%d,%d)", k, r);
        }
    CHECK(count(c, BLACK) == 9 * font_ink, "'7' x3 has %ld ink pixels, want %ld", count(c, BLACK),
          9 * font_ink);
    canvas_free(c);
}

/* Every printable ASCII character the overlay writes has a glyph; one the
 * font lacks is a box, and a UTF-8 sequence is one box. */
static void test_font_coverage(void)
{
    const char *need = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,:;-+_()/%=!?'#<>[]*|\"";
    for (const char *p = need; *p; p++)
        CHECK(bq_font_glyph((unsigned char)*p) != NULL, "no glyph for '%c'", *p);
    CHECK(bq_font_glyph('~') == NULL && bq_font_glyph(200) == NULL, "'~' and byte 200 have glyphs");

    bq_rgb_t *c = canvas(20, 12, WHITE);
    bq_rgb_text(c, 2, 2, "~", 1, BLACK);
    CHECK(is(c, 2, 2, BLACK) && is(c, 6, 2, BLACK) && is(c, 2, 8, BLACK) && is(c, 6, 8, BLACK),
          "unknown character: no box corners");
    CHECK(is(c, 4, 5, WHITE), "unknown character: box is filled");
    long box = count(c, BLACK);
    bq_rgb_fill(c, 0, 0, 19, 11, WHITE);
    bq_rgb_text(c, 2, 2, "\xce\xb2", 1, BLACK); /* UTF-8 beta */
    CHECK(count(c, BLACK) == box, "UTF-8 beta: %ld ink pixels, one box has %ld", count(c, BLACK),
          box);
    canvas_free(c);

    CHECK(bq_text_width("", 3) == 0, "empty text has width");
    CHECK(bq_text_width("ab", 1) == 11, "width of \"ab\" %d, want 11", bq_text_width("ab", 1));
    CHECK(bq_text_width("\xce\xb2-actin", 2) == 7 * 12 - 2, "UTF-8 counts as one character");
    CHECK(bq_text_height(2) == 16, "text height at scale 2");
}

static void test_scale_choice(void)
{
    CHECK(bq_text_scale(300, 300) == 1, "300 px crop: scale %d", bq_text_scale(300, 300));
    CHECK(bq_text_scale(314, 102) == 1, "strip crop: scale %d", bq_text_scale(314, 102));
    CHECK(bq_text_scale(4000, 3000) == 7, "4000x3000 scan: scale %d", bq_text_scale(4000, 3000));
    CHECK(bq_text_scale(8, 8) == 1, "8x8: scale %d", bq_text_scale(8, 8));
    CHECK(bq_text_scale(100000, 100000) == BQ_TEXT_SCALE_MAX, "huge: scale %d",
          bq_text_scale(100000, 100000));
}

/* ---- clipping -------------------------------------------------------- */

/* Text at (x, y) on a w x h canvas shows exactly the window of the same
 * text drawn unclipped, and nothing lands outside the canvas. */
static void check_clipped(int w, int h, int x, int y, const char *text, int s)
{
    bq_rgb_t *c = canvas(w, h, WHITE);
    int rw = bq_text_width(text, s) + 2 * w, rh = bq_text_height(s) + 2 * h;
    bq_rgb_t *ref = canvas(rw, rh, WHITE);
    bq_rgb_text(c, x, y, text, s, BLACK);
    bq_rgb_text(ref, w, h, text, s, BLACK); /* the same text, whole, shifted by (w-x, h-y) */
    CHECK(guards_intact(c), "\"%s\" at (%d,%d) wrote outside a %dx%d canvas", text, x, y, w, h);
    int bad = 0;
    for (int yy = 0; yy < h; yy++)
        for (int xx = 0; xx < w; xx++) {
            int rx = xx - x + w, ry = yy - y + h;
            int want = rx >= 0 && ry >= 0 && rx < rw && ry < rh && is(ref, rx, ry, BLACK);
            bad += is(c, xx, yy, want ? BLACK : WHITE) == 0;
        }
    CHECK(bad == 0, "\"%s\" at (%d,%d) on %dx%d: %d pixels differ from the unclipped text", text,
          x, y, w, h, bad);
    canvas_free(c);
    canvas_free(ref);
}

static void test_clipping(void)
{
    check_clipped(20, 12, -3, 0, "8", 1);      /* left edge */
    check_clipped(20, 12, 16, 2, "Wg", 1);     /* right edge */
    check_clipped(20, 12, 4, -5, "Hg", 1);     /* top edge */
    check_clipped(20, 12, 4, 7, "Hy", 1);      /* bottom edge, descender */
    check_clipped(20, 12, -7, -9, "MDM2", 3);  /* corner, scaled */
    check_clipped(5, 3, -1, -2, "ACTB row1", 2);
    check_clipped(1, 1, 0, 0, "#", 1);

    bq_rgb_t *c = canvas(16, 10, WHITE);
    bq_rgb_text(c, -100000, 3, "far left", 4, BLACK);
    bq_rgb_text(c, 100000, 3, "far right", 4, BLACK);
    bq_rgb_text(c, 2, INT_MIN, "above", 4, BLACK);
    bq_rgb_text(c, INT_MIN, INT_MIN, "corner", 1000, BLACK);
    bq_rgb_text(c, INT_MAX, INT_MAX, "corner", 64, BLACK);
    bq_rgb_text(c, INT_MAX - 3, 0, "edge", 1, BLACK);
    bq_rgb_label(c, INT_MAX - 3, INT_MAX - 3, "label", 2, BLACK, MARK);
    bq_rgb_label(c, INT_MIN, INT_MIN, "label", 2, BLACK, MARK);
    bq_rgb_fill(c, -50, -50, -1, 100, BLACK);
    bq_rgb_fill(c, INT_MIN, 20, INT_MAX, 30, BLACK);
    bq_rgb_frame(c, INT_MIN, INT_MIN, INT_MAX, INT_MAX, 3, BLACK);
    CHECK(count(c, WHITE) == 160 && guards_intact(c), "drawing off the canvas changed it");
    canvas_free(c);

    /* a long string stops at the right edge */
    char longtext[5000];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    check_clipped(40, 12, -30, 1, longtext, 1);
}

/* Frames and fills touch only their box. */
static void test_boxes(void)
{
    bq_rgb_t *c = canvas(12, 10, WHITE);
    bq_rgb_frame(c, 2, 2, 9, 7, 2, BLACK);
    CHECK(count(c, BLACK) == 8 * 6 - 4 * 2, "frame 2 px wide: %ld pixels", count(c, BLACK));
    CHECK(is(c, 2, 2, BLACK) && is(c, 3, 3, BLACK) && is(c, 4, 4, WHITE) && is(c, 1, 1, WHITE),
          "frame drawn inside its box");
    CHECK(guards_intact(c), "boxes wrote outside the canvas");
    canvas_free(c);
}

/* ---- whole overlays -------------------------------------------------- */

/* Text as it is drawn: ink on MARK, to look for in a picture. */
static bq_rgb_t *text_template(const char *text, int s, bq_colour_t ink)
{
    bq_rgb_t *t = canvas(bq_text_width(text, s), bq_text_height(s), MARK);
    bq_rgb_text(t, 0, 0, text, s, ink);
    return t;
}

/* 1 when the template t shows in pic with its top-left corner at (x, y):
 * ink where t has ink, no ink elsewhere in its box, and paper there too
 * when paper is given. */
static int template_at(const bq_rgb_t *pic, int x, int y, const bq_rgb_t *t, bq_colour_t ink,
                       const bq_colour_t *paper)
{
    if (x < 0 || y < 0 || x + t->width > pic->width || y + t->height > pic->height)
        return 0;
    for (int yy = 0; yy < t->height; yy++)
        for (int xx = 0; xx < t->width; xx++) {
            int ok = is(t, xx, yy, ink)
                         ? is(pic, x + xx, y + yy, ink)
                         : !is(pic, x + xx, y + yy, ink) && (!paper || is(pic, x + xx, y + yy, *paper));
            if (!ok)
                return 0;
        }
    return 1;
}

static int text_at(const bq_rgb_t *pic, int x, int y, const char *text, int s, bq_colour_t ink,
                   const bq_colour_t *paper)
{
    bq_rgb_t *t = text_template(text, s, ink);
    int ok = template_at(pic, x, y, t, ink, paper);
    canvas_free(t);
    return ok;
}

/* Search text in the box x0..x1, y0..y1 (top-left corners), at scales s
 * down to 1. */
static int find_text(const bq_rgb_t *pic, int x0, int x1, int y0, int y1, const char *text,
                     int s, bq_colour_t ink, const bq_colour_t *paper)
{
    int found = 0;
    for (; s >= 1 && !found; s--) {
        bq_rgb_t *t = text_template(text, s, ink);
        for (int y = y0 < 0 ? 0 : y0; y <= y1 && !found; y++)
            for (int x = x0 < 0 ? 0 : x0; x <= x1 && !found; x++)
                found = template_at(pic, x, y, t, ink, paper);
        canvas_free(t);
    }
    return found;
}

/* Where the picture lies on the overlay: at the bottom, right of the left
 * margin. The canvas is only wider than margin and picture when the caption
 * is wider than the picture, so for pictures wider than that the margin is
 * what is left; pic_matches checks the answer. */
static void picture_offset(const bq_rgb_t *pic, const bq_image_t *img, int *ox, int *oy)
{
    *ox = pic->width - img->width;
    *oy = pic->height - img->height;
}

/* The fraction of the picture's pixels in x0..x1, y0..y1 (picture
 * coordinates, clipped to it) that show unchanged on the overlay when the
 * picture sits at (ox, oy): the overlay draws lines and labels on the blot,
 * never a box over it. */
static double pic_matches(const bq_rgb_t *pic, const bq_rgb_t *plain, int ox, int oy, int x0,
                          int y0, int x1, int y1)
{
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 >= plain->width ? plain->width - 1 : x1;
    y1 = y1 >= plain->height ? plain->height - 1 : y1;
    long same = 0, n = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++, n++)
            same += ox + x < pic->width && oy + y < pic->height &&
                    memcmp(at(pic, ox + x, oy + y), at(plain, x, y), 3) == 0;
    return n ? (double)same / (double)n : 0.0;
}

/* The caption band: the polarity line at its top left on the canvas
 * colour, and under the caption a gray rule across the canvas, all above
 * the picture (at canvas row oy). Returns the rule's row, -1 if none. */
static int check_caption_band(const bq_rgb_t *pic, const char *pol, int s, int oy, const char *what)
{
    CHECK(text_at(pic, 2 * s, 2 * s, pol, s, BLACK, &CANVAS), "%s: caption \"%s\" not at top left",
          what, pol);
    int rule = 2 * s + bq_text_height(s);
    while (rule < oy && !is(pic, 0, rule, GRAY))
        rule++;
    CHECK(rule < oy, "%s: no gray rule under the caption above the picture (row %d)", what, oy);
    if (rule >= oy)
        return -1;
    for (int x = 0; x < pic->width; x++)
        if (!is(pic, x, rule, GRAY)) {
            CHECK(0, "%s: the rule under the caption stops at x %d", what, x);
            break;
        }
    return rule;
}

static void check_lane_numbers(const bq_rgb_t *pic, const bq_lanes_t *ln, int s, int ox, int oy)
{
    int lh = bq_label_height(s);
    for (int k = 0; k < ln->n_strips; k++) {
        const bq_strip_t *st = &ln->strips[k];
        for (int l = 0; l < st->n_lanes; l++) {
            const bq_lane_t *lane = &st->lanes[l];
            char text[16];
            snprintf(text, sizeof text, "%d%s", lane->index,
                     lane->is_ladder ? "L" : (lane->is_empty ? "e" : ""));
            bq_colour_t ink = lane->is_ladder ? (bq_colour_t){40, 80, 255}
                              : lane->is_empty ? GRAY : BLACK;
            double xl, xr;
            bq_lane_extent_at(lane, st->y_top, &xl, &xr);
            int cx = ox + (int)lround(0.5 * (xl + xr)), tw = bq_text_width(text, s);
            int y = oy + st->y_top;
            /* centred on the lane, within two label heights above the
             * strip (or just inside it where numbers are crowded) */
            int found = find_text(pic, cx - tw, cx, y - 2 * lh, y + lh, text, s, ink, &WHITE);
            CHECK(found, "strip %d lane %d: number \"%s\" not found over x %d", k + 1,
                  lane->index, text, cx);
        }
    }
}

/* Every row of the table is named left of its leftmost band, level with
 * it. Returns the leftmost x at which a name was found. */
static int check_row_names(const bq_rgb_t *pic, const bq_band_table_t *t, int s, int ox, int oy)
{
    int lh = bq_label_height(s), leftmost = INT_MAX;
    for (int r = 1; r <= t->n_rows; r++) {
        const bq_band_t *first = NULL;
        for (int i = 0; i < t->n_bands; i++)
            if (t->bands[i].row == r && (!first || t->bands[i].x_left < first->x_left))
                first = &t->bands[i];
        if (!first)
            continue;
        int yc = oy + (first->y_top + first->y_bottom) / 2, tw = bq_text_width(first->protein, s);
        int xb = ox + first->x_left, found = 0;
        for (int x = xb - tw; x >= 0 && !found; x--)
            if (find_text(pic, x, x, yc - lh, yc, first->protein, s, BLACK, &WHITE)) {
                found = 1;
                leftmost = x < leftmost ? x : leftmost;
            }
        CHECK(found, "row %d: name %s not found left of its first band (x %d, y %d)", r,
              first->protein, xb, yc);
    }
    return leftmost;
}

/* PNG colour type (IHDR byte 25): 3 = indexed. */
static int png_colour_type(const char *path)
{
    unsigned char hdr[26] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(hdr, 1, sizeof hdr, f);
    fclose(f);
    return n == sizeof hdr ? hdr[25] : -1;
}

/* The overlay of a simulated blot (width x height and lanes when not 0):
 * the caption in its band, the picture whole below it, every lane's number
 * and every row's name, written as an indexed PNG. want_rows: the band rows
 * the pipeline must find for the test to mean something. */
static void test_simulated(const char *preset, int width, int height, int lanes, int want_rows,
                           const char *outdir)
{
    bq_sim_params_t p;
    bq_error_t err = {0};
    bq_image_t *img = NULL;
    bq_quant_result_t *res = NULL;
    const char *rows[] = {"MDM2", "ACTB"};
    bq_quant_options_t opts = {0};
    opts.bands.row_names = rows;
    opts.bands.n_row_names = 2;
    char what[64];
    snprintf(what, sizeof what, "%s %dx%d", preset, width, height);
    int rc = bq_sim_params_preset(preset, &p, &err);
    if (rc == 0) {
        p.width = width ? width : p.width;
        p.height = height ? height : p.height;
        p.n_lanes = lanes ? lanes : p.n_lanes;
    }
    if (rc != 0 || bq_simulate(&p, &img, NULL, &err) != 0 ||
        bq_quant_image(img, &opts, &res, &err) != 0) {
        CHECK(0, "%s: %s", what, err.msg);
        return;
    }
    bq_rgb_t *pic = bq_overlay_render(res), *plain = bq_rgb_from_image(res->image);
    int w = res->image->width, h = res->image->height;
    CHECK(pic && pic->width >= w && pic->height > h, "%s: no overlay", what);
    if (pic && plain) {
        int s = bq_text_scale(w, h), ox, oy;
        picture_offset(pic, res->image, &ox, &oy);
        const char *pol = res->inverted ? "bands dark, inverted" : "bands bright, not inverted";
        check_caption_band(pic, pol, s, oy, what);
        /* the lines and labels drawn on the blot leave most of it as it
         * was, its top left corner (where the caption was) too */
        double all = pic_matches(pic, plain, ox, oy, 0, 0, w - 1, h - 1);
        double corner = pic_matches(pic, plain, ox, oy, 0, 0, w / 3, h / 3);
        CHECK(all > 0.8 && corner > 0.8,
              "%s: %.0f %% of the blot, %.0f %% of its top left corner unchanged", what, 100 * all,
              100 * corner);
        check_lane_numbers(pic, res->lanes, s, ox, oy);
        CHECK(res->table->n_rows >= want_rows, "%s: %d band rows found, want %d", what,
              res->table->n_rows, want_rows);
        check_row_names(pic, res->table, s, ox, oy);
    }
    bq_rgb_free(pic);
    bq_rgb_free(plain);
    char path[4096];
    snprintf(path, sizeof path, "%s/overlay_%s_%dx%d.png", outdir, preset, w, h);
    CHECK(bq_quant_write_overlay(res, path, &err) == 0, "%s: %s", what, err.msg);
    CHECK(png_colour_type(path) == 3, "%s: overlay PNG colour type %d, want 3 (indexed)", what,
          png_colour_type(path));
    bq_quant_result_free(res);
}

/* A result built by hand on a w x h image: two strips of two lanes (one
 * a ladder, one empty), a band per lane with a long row name, and lanes
 * as odd as given (NaN, far off). Rendering must not crash or misdraw. */
static void render_by_hand(int w, int h, double x_scale, const char *what)
{
    bq_lane_t lanes[2][2];
    bq_strip_t strips[2];
    bq_band_t bands[4];
    memset(bands, 0, sizeof bands);
    for (int s = 0; s < 2; s++) {
        strips[s] = (bq_strip_t){.y_top = s * h / 2, .y_bottom = h - 1 - (1 - s) * h / 2,
                                 .n_lanes = 2, .lanes = lanes[s]};
        for (int l = 0; l < 2; l++) {
            lanes[s][l] = (bq_lane_t){.index = l + 1, .x_left = x_scale * l * w / 2,
                                      .x_right = x_scale * (l + 1) * w / 2 - 1, .slope = 0.01,
                                      .is_ladder = l == 0, .is_empty = l == 1};
            bq_band_t *b = &bands[2 * s + l];
            b->lane = l + 1;
            b->row = s + 1;
            b->x_left = l * w / 2;
            b->x_right = (l + 1) * w / 2 - 1;
            b->y_top = strips[s].y_top;
            b->y_bottom = strips[s].y_bottom;
            b->flags = l ? BQ_BAND_WEAK : BQ_BAND_LADDER;
            snprintf(b->protein, sizeof b->protein, "%s", "a very long protein name \xce\xb2");
        }
    }
    bq_lanes_t ln = {.roi = {0, 0, w, h}, .n_lanes = 2, .n_strips = 2, .strips = strips,
                     .confidence = 0.25, .uncertain = 1};
    bq_band_table_t table = {.n_bands = 4, .bands = bands, .n_lanes = 2, .n_rows = 2};
    bq_quant_result_t res = {.image = bq_image_new(w, h), .lanes = &ln, .table = &table};
    if (!res.image) {
        CHECK(0, "%s: no memory", what);
        return;
    }
    for (long i = 0; i < (long)w * h; i++)
        res.image->data[i] = (float)(i % 7) * 1000;
    bq_rgb_t *pic = bq_overlay_render(&res);
    CHECK(pic && pic->width >= w && pic->height > h, "%s: no overlay", what);
    if (pic)
        check_caption_band(pic, "bands bright, not inverted", bq_text_scale(w, h),
                           pic->height - h, what);
    bq_rgb_free(pic);
    bq_image_free(res.image);
}

/* On a black picture with nothing found, the caption is black text in a
 * band just high enough for its two lines, over a gray rule, and the
 * picture below is exactly the picture. */
static void test_caption_box(void)
{
    bq_quant_result_t res = {.image = bq_image_new(300, 200), .inverted = 1, .polarity_auto = 1};
    if (!res.image) {
        CHECK(0, "no memory");
        return;
    }
    /* bands bright: all band (black as film) but for 1 % of zeros that
     * set the bottom of the contrast stretch */
    for (long i = 0; i < 300 * 200; i++)
        res.image->data[i] = i % 100 == 50 ? 0 : 1000;
    bq_rgb_t *pic = bq_overlay_render(&res), *plain = bq_rgb_from_image(res.image);
    if (!pic || !plain) {
        CHECK(0, "caption: no overlay");
        bq_rgb_free(pic);
        bq_rgb_free(plain);
        bq_image_free(res.image);
        return;
    }
    int ox, oy;
    picture_offset(pic, res.image, &ox, &oy);
    CHECK(ox == 0 && pic->width == 300, "caption: canvas %d wide, picture at x %d", pic->width, ox);
    CHECK(is(plain, 299, 199, BLACK), "the picture is not black");
    int rule = check_caption_band(pic, "bands dark, inverted (detected)", 1, oy, "caption");
    CHECK(rule == oy - 1, "caption: rule at row %d, picture at row %d", rule, oy);
    /* pad, a line, a line's text, pad, rule */
    CHECK(oy == 2 + BQ_FONT_LINE + BQ_FONT_H + 2 + 1, "caption band %d rows high, want two lines",
          oy);
    CHECK(find_text(pic, 0, 300, 0, oy, "boxes:", 1, BLACK, &CANVAS), "caption: box legend");
    CHECK(pic_matches(pic, plain, ox, oy, 0, 0, 299, 199) == 1.0, "caption: the picture changed");
    bq_rgb_free(pic);
    bq_rgb_free(plain);
    bq_image_free(res.image);
}

/* Ladder and empty lanes are marked in their numbers, the strip has a
 * frame and a number, and the caption gives the confidence and says
 * UNCERTAIN in red. */
static void test_lane_marks(void)
{
    bq_lane_t lanes[3];
    for (int l = 0; l < 3; l++)
        lanes[l] = (bq_lane_t){.index = l + 1, .x_left = 50 + 100 * l, .x_right = 130 + 100 * l,
                               .y_ref = 100, .is_ladder = l == 0, .is_empty = l == 1};
    bq_strip_t strip = {.y_top = 100, .y_bottom = 290, .n_lanes = 3, .lanes = lanes};
    bq_lanes_t ln = {.n_lanes = 3, .n_strips = 1, .strips = &strip, .confidence = 0.25,
                     .uncertain = 1};
    bq_quant_result_t res = {.image = bq_image_new(400, 300), .lanes = &ln};
    if (!res.image) {
        CHECK(0, "no memory");
        return;
    }
    for (long i = 0; i < 400 * 300; i++)
        res.image->data[i] = (float)(i % 7) * 1000;
    bq_rgb_t *pic = bq_overlay_render(&res);
    if (pic) {
        const bq_colour_t magenta = {255, 0, 255}, red = {255, 0, 0};
        int ox, oy;
        picture_offset(pic, res.image, &ox, &oy);
        CHECK(ox == 0, "lane marks: a left margin of %d", ox);
        check_lane_numbers(pic, &ln, 1, ox, oy);
        CHECK(find_text(pic, 0, 200, 0, oy, "3 lanes (1 ladder, 1 empty)", 1, BLACK, &CANVAS),
              "caption: lane counts");
        CHECK(find_text(pic, 0, pic->width, 0, oy, "confidence 0.25", 1, BLACK, &CANVAS),
              "caption: confidence");
        CHECK(find_text(pic, 0, pic->width, 0, oy, "UNCERTAIN", 1, red, &CANVAS),
              "caption: UNCERTAIN in red");
        CHECK(find_text(pic, 331, 340, oy + 95, oy + 110, "strip 1", 1, magenta, &WHITE),
              "strip number");
        CHECK(is(pic, 50, oy + 200, magenta) && is(pic, 330, oy + 200, magenta) &&
                  is(pic, 200, oy + 100, magenta) && is(pic, 200, oy + 290, magenta),
              "strip frame");
    }
    CHECK(pic != NULL, "lane marks: no overlay");
    bq_rgb_free(pic);
    bq_image_free(res.image);
}

/* A blot cropped tight: the strip starts at the picture's top and the
 * first row's first band at its left edge. The lane numbers go in a margin
 * between the caption band and the picture, that row's name in a margin
 * left of it; a row with room left of its band keeps its name there. */
static void test_margins(void)
{
    const int w = 300, h = 120; /* wider than the caption */
    bq_lane_t lanes[3];
    bq_band_t bands[5];
    memset(bands, 0, sizeof bands);
    for (int l = 0; l < 3; l++)
        lanes[l] = (bq_lane_t){.index = l + 1, .x_left = 2 + 68 * l, .x_right = 60 + 68 * l};
    for (int i = 0; i < 5; i++) {
        int l = i < 3 ? i : i - 2, row = i < 3 ? 1 : 2;
        bands[i] = (bq_band_t){.lane = l + 1, .row = row, .x_left = 3 + 68 * l,
                               .x_right = 59 + 68 * l, .y_top = row == 1 ? 20 : 60,
                               .y_bottom = row == 1 ? 35 : 75};
        snprintf(bands[i].protein, sizeof bands[i].protein, "%s", row == 1 ? "MDM2" : "ACTB");
    }
    bq_strip_t strip = {.y_top = 2, .y_bottom = 110, .n_lanes = 3, .lanes = lanes};
    bq_lanes_t ln = {.roi = {0, 0, w, h}, .n_lanes = 3, .n_strips = 1, .strips = &strip,
                     .confidence = 0.9};
    bq_band_table_t table = {.n_bands = 5, .bands = bands, .n_lanes = 3, .n_rows = 2};
    bq_quant_result_t res = {.image = bq_image_new(w, h), .lanes = &ln, .table = &table};
    if (!res.image) {
        CHECK(0, "no memory");
        return;
    }
    for (long i = 0; i < (long)w * h; i++)
        res.image->data[i] = (float)(i % 13) * 100;
    bq_rgb_t *pic = bq_overlay_render(&res), *plain = bq_rgb_from_image(res.image);
    if (!pic || !plain) {
        CHECK(0, "margins: no overlay");
        bq_rgb_free(pic);
        bq_rgb_free(plain);
        bq_image_free(res.image);
        return;
    }
    int ox, oy, th = bq_text_height(1), lh = bq_label_height(1);
    picture_offset(pic, res.image, &ox, &oy);
    int rule = check_caption_band(pic, "bands bright, not inverted", 1, oy, "margins");
    CHECK(ox >= bq_label_width("MDM2", 1) - 3 && ox <= bq_label_width("MDM2", 1),
          "margins: left margin %d px", ox);
    CHECK(rule >= 0 && oy - rule - 1 >= lh - 2 && oy - rule - 1 <= lh + 1,
          "margins: top margin %d px", oy - rule - 1);
    CHECK(pic_matches(pic, plain, ox, oy, 0, 0, w - 1, h - 1) > 0.7,
          "margins: the picture changed");
    CHECK(is(pic, 0, pic->height - 1, CANVAS) && is(pic, ox - 1, oy, CANVAS),
          "margins: not the canvas colour");
    /* every lane number wholly above the picture, under the rule */
    for (int l = 0; l < 3; l++) {
        char text[4];
        snprintf(text, sizeof text, "%d", l + 1);
        int cx = ox + 31 + 68 * l;
        CHECK(find_text(pic, cx - 6, cx, rule + 1, oy - th, text, 1, BLACK, &WHITE),
              "margins: lane number %d not above the picture", l + 1);
    }
    int tw = bq_text_width("MDM2", 1);
    /* starting in the margin, ending left of the band 3 px into the picture */
    CHECK(find_text(pic, 0, ox + 2 - tw, oy + 27 - lh, oy + 27, "MDM2", 1, BLACK, &WHITE),
          "margins: MDM2 not in the left margin");
    tw = bq_text_width("ACTB", 1);
    CHECK(find_text(pic, ox, ox + 71 - tw, oy + 67 - lh, oy + 67, "ACTB", 1, BLACK, &WHITE),
          "margins: ACTB not on the picture left of its band");
    bq_rgb_free(pic);
    bq_rgb_free(plain);
    bq_image_free(res.image);
}

static void test_degenerate(void)
{
    render_by_hand(8, 8, 1.0, "8x8");
    render_by_hand(1, 1, 1.0, "1x1");
    render_by_hand(3, 200, 1.0, "3x200");
    render_by_hand(60, 40, NAN, "NaN lanes");
    render_by_hand(60, 40, 1e300, "far-off lanes");
    render_by_hand(4000, 3000, 1.0, "4000x3000");
    bq_quant_result_t empty = {.image = bq_image_new(8, 8)};
    bq_rgb_t *pic = bq_overlay_render(&empty);
    CHECK(pic != NULL, "no lanes, no table: no overlay");
    bq_rgb_free(pic);
    bq_image_free(empty.image);
    CHECK(bq_overlay_render(NULL) == NULL, "overlay of nothing");
}

int main(int argc, char **argv)
{
    const char *outdir = argc > 1 ? argv[1] : ".";
    test_glyph_pixels();
    test_glyph_scale();
    test_font_coverage();
    test_scale_choice();
    test_clipping();
    test_boxes();
    test_degenerate();
    test_caption_box();
    test_lane_marks();
    test_margins();
    test_simulated("clean", 0, 0, 0, 2, outdir);
    test_simulated("strips", 0, 0, 0, 2, outdir); /* MDM2 and ACTB, one per strip */
    test_simulated("clean", 314, 102, 8, 2, outdir); /* a tight crop */
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
