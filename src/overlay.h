/* overlay.h - drawing for the QC overlay: filled and framed boxes and text
 * in a small bitmap font, all clipped to the canvas (the overlay itself,
 * bq_overlay_render, is declared in quantify.h). Never installed. */
#ifndef BLOTQUANT_OVERLAY_H
#define BLOTQUANT_OVERLAY_H

#include <stdint.h>

#include "blotquant/image.h"
#include "blotquant/quantify.h"

/* Font metrics in font pixels (multiply by the scale for canvas pixels). */
#define BQ_FONT_W 5       /* ink columns of a glyph */
#define BQ_FONT_H 8       /* glyph rows: 7 on the baseline, 1 descender */
#define BQ_FONT_ADVANCE 6 /* columns per character, one of them blank */
#define BQ_FONT_LINE 10   /* rows per text line */
#define BQ_TEXT_SCALE_MAX 64

typedef struct bq_colour {
    uint8_t r, g, b;
} bq_colour_t;

/* The glyph of character c: BQ_FONT_H strings of BQ_FONT_W chars, '#'
 * marking ink; a NULL row is blank. NULL when the font has no glyph for c
 * (drawn as a box). */
const char *const *bq_font_glyph(unsigned c);

/* The text scale for a width x height picture: one font pixel per 400 px
 * of the shorter side, at least 1, at most BQ_TEXT_SCALE_MAX. */
int bq_text_scale(int width, int height);

/* Width and height in canvas pixels of text drawn at scale (no blank
 * column after the last character). A UTF-8 sequence counts as one
 * character. */
int bq_text_width(const char *text, int scale);
int bq_text_height(int scale);

/* Fill the box x0..x1, y0..y1 (inclusive, any order) with c, clipped. */
void bq_rgb_fill(bq_rgb_t *rgb, int x0, int y0, int x1, int y1, bq_colour_t c);

/* A frame `thick` pixels wide inside the box x0..x1, y0..y1, clipped. */
void bq_rgb_frame(bq_rgb_t *rgb, int x0, int y0, int x1, int y1, int thick, bq_colour_t c);

/* Draw text with its top-left corner at (x, y), each font pixel a scale x
 * scale square, clipped to the canvas. Only ink is drawn. */
void bq_rgb_text(bq_rgb_t *rgb, int x, int y, const char *text, int scale, bq_colour_t c);

/* A label: text in ink on a box of paper with a margin of `scale` pixels
 * around it, the box's top-left corner at (x, y). */
void bq_rgb_label(bq_rgb_t *rgb, int x, int y, const char *text, int scale, bq_colour_t ink,
                  bq_colour_t paper);
int bq_label_width(const char *text, int scale);
int bq_label_height(int scale);

#endif
