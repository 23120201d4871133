/* overlay_draw.c - boxes and bitmap text on an RGB canvas. Every
 * operation clips to the canvas first and loops over the clipped box only,
 * so any coordinates are safe and a box far larger than the picture costs
 * no more than the picture. */
#include <limits.h>
#include <stddef.h>

#include "overlay.h"

/* Clip the box to the canvas (sorting its corners); 0 when nothing is left. */
static int clip_box(const bq_rgb_t *rgb, int *x0, int *y0, int *x1, int *y1)
{
    if (!rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0)
        return 0;
    if (*x0 > *x1) {
        int t = *x0;
        *x0 = *x1;
        *x1 = t;
    }
    if (*y0 > *y1) {
        int t = *y0;
        *y0 = *y1;
        *y1 = t;
    }
    if (*x1 < 0 || *y1 < 0 || *x0 >= rgb->width || *y0 >= rgb->height)
        return 0;
    *x0 = *x0 < 0 ? 0 : *x0;
    *y0 = *y0 < 0 ? 0 : *y0;
    *x1 = *x1 >= rgb->width ? rgb->width - 1 : *x1;
    *y1 = *y1 >= rgb->height ? rgb->height - 1 : *y1;
    return 1;
}

static uint8_t *pixel(bq_rgb_t *rgb, int x, int y)
{
    return rgb->data + 3 * ((size_t)y * (size_t)rgb->width + (size_t)x);
}

void bq_rgb_fill(bq_rgb_t *rgb, int x0, int y0, int x1, int y1, bq_colour_t c)
{
    if (!clip_box(rgb, &x0, &y0, &x1, &y1))
        return;
    for (int y = y0; y <= y1; y++) {
        uint8_t *p = pixel(rgb, x0, y);
        for (int x = x0; x <= x1; x++, p += 3) {
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
        }
    }
}

void bq_rgb_frame(bq_rgb_t *rgb, int x0, int y0, int x1, int y1, int thick, bq_colour_t c)
{
    int xa = x0 < x1 ? x0 : x1, xb = x0 < x1 ? x1 : x0;
    int ya = y0 < y1 ? y0 : y1, yb = y0 < y1 ? y1 : y0;
    /* a frame thicker than half the box is the box */
    long t = thick < 1 ? 1 : thick;
    if (2 * t > (long)xb - xa || 2 * t > (long)yb - ya) {
        bq_rgb_fill(rgb, xa, ya, xb, yb, c);
        return;
    }
    int d = (int)t - 1;
    bq_rgb_fill(rgb, xa, ya, xb, ya + d, c);
    bq_rgb_fill(rgb, xa, yb - d, xb, yb, c);
    bq_rgb_fill(rgb, xa, ya + d + 1, xa + d, yb - d - 1, c);
    bq_rgb_fill(rgb, xb - d, ya + d + 1, xb, yb - d - 1, c);
}

/* The next character of a UTF-8 string: an ASCII byte as itself, a
 * multi-byte sequence (lead byte and continuation bytes) as one
 * character the font lacks. 0 at the end. */
static unsigned next_char(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    if (*p == 0)
        return 0;
    unsigned c = *p++;
    if (c >= 0x80) {
        while ((*p & 0xC0) == 0x80)
            p++;
        c = 0xFFFD;
    }
    *s = (const char *)p;
    return c;
}

int bq_text_scale(int width, int height)
{
    int side = width < height ? width : height;
    int s = side / 400;
    return s < 1 ? 1 : (s > BQ_TEXT_SCALE_MAX ? BQ_TEXT_SCALE_MAX : s);
}

static int valid_scale(int scale)
{
    return scale < 1 ? 1 : (scale > BQ_TEXT_SCALE_MAX ? BQ_TEXT_SCALE_MAX : scale);
}

int bq_text_width(const char *text, int scale)
{
    if (!text)
        return 0;
    long n = 0;
    while (next_char(&text) != 0 && n < INT_MAX / (BQ_FONT_ADVANCE * BQ_TEXT_SCALE_MAX))
        n++;
    scale = valid_scale(scale);
    return n == 0 ? 0 : (int)(n * BQ_FONT_ADVANCE * scale - scale);
}

int bq_text_height(int scale)
{
    return BQ_FONT_H * valid_scale(scale);
}

/* One glyph with its top-left corner at (x, y); the font's missing
 * characters as the outline of a capital's cell. */
static void draw_glyph(bq_rgb_t *rgb, int x, int y, unsigned c, int s, bq_colour_t ink)
{
    static const char *const box[BQ_FONT_H] = {"#####", "#...#", "#...#", "#...#",
                                               "#...#", "#...#", "#####"};
    const char *const *rows = bq_font_glyph(c);
    if (!rows)
        rows = box;
    for (int r = 0; r < BQ_FONT_H; r++)
        for (int k = 0; rows[r] && k < BQ_FONT_W && rows[r][k]; k++)
            if (rows[r][k] == '#')
                bq_rgb_fill(rgb, x + k * s, y + r * s, x + k * s + s - 1, y + r * s + s - 1, ink);
}

void bq_rgb_text(bq_rgb_t *rgb, int x, int y, const char *text, int scale, bq_colour_t c)
{
    if (!rgb || !rgb->data || !text)
        return;
    int s = valid_scale(scale), adv = BQ_FONT_ADVANCE * s;
    /* a line wholly above or below the canvas draws nothing */
    if ((long)y + (long)BQ_FONT_H * s <= 0 || y >= rgb->height)
        return;
    long pen = x;
    unsigned ch;
    /* stop at the right edge: the pen never runs far past the canvas */
    while (pen < rgb->width && (ch = next_char(&text)) != 0) {
        if (pen + adv > 0)
            draw_glyph(rgb, (int)pen, y, ch, s, c);
        pen += adv;
    }
}

int bq_label_width(const char *text, int scale)
{
    int s = valid_scale(scale);
    return bq_text_width(text, s) + 2 * s;
}

int bq_label_height(int scale)
{
    return bq_text_height(scale) + 2 * valid_scale(scale);
}

void bq_rgb_label(bq_rgb_t *rgb, int x, int y, const char *text, int scale, bq_colour_t ink,
                  bq_colour_t paper)
{
    int s = valid_scale(scale);
    long x1 = (long)x + bq_label_width(text, s) - 1, y1 = (long)y + bq_label_height(s) - 1;
    if (x1 > INT_MAX || y1 > INT_MAX)
        return;
    bq_rgb_fill(rgb, x, y, (int)x1, (int)y1, paper);
    bq_rgb_text(rgb, x + s, y + s, text, s, ink);
}
