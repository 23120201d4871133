/* test_labels.c - a column of kDa numbers left of the first lane is no
 * lane (bq_lanes_drop_label_lanes), also when a lossy copy rings round
 * the glyphs. A drawn blot shown bands bright: six lanes, bands on four
 * rows, and beside the first lane a three-glyph number on each band row
 * (each glyph a ring: two strokes across most of its rows). Ringing is
 * drawn as RING levels added to every other column of the pixels
 * touching a glyph, as JPEG leaves round sharp edges: most steps between neighbours
 * along a row of glyphs are then steep, and the row must still read as
 * glyphs, not noise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/blotquant.h"
#include "../check.h"

#define W 320
#define H 140
#define N_LANES 6
#define PITCH 36
#define FIRST 92
#define N_ROWS 4
#define RING 40.0f

static int row_y(int r)
{
    return 25 + 28 * r;
}

static int is_glyph(int x, int y)
{
    for (int r = 0; r < N_ROWS; r++) {
        int dy = y - (row_y(r) - 4);
        if (dy < 0 || dy > 8)
            continue;
        for (int g = 0; g < 3; g++) {
            int dx = x - (44 + 6 * g);
            if (dx < 0 || dx > 3)
                continue;
            int edge_row = dy == 0 || dy == 8, edge_col = dx == 0 || dx == 3;
            if (edge_row || edge_col)
                return 1;
        }
    }
    return 0;
}

static bq_image_t *draw(int ringing)
{
    bq_image_t *img = bq_image_new(W, H);
    if (!img)
        return NULL;
    img->max_value = img->clip_level = 255.0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float v = 10.0f + (float)((x * 7 + y * 13) % 5);
            for (int i = 0; i < N_LANES; i++) {
                int dx = abs(x - (FIRST + PITCH * i));
                for (int r = 0; r < N_ROWS; r++)
                    if (dx <= 13 && abs(y - row_y(r)) <= 3)
                        v = 150.0f + 10.0f * (float)((i + r) % 3);
            }
            if (is_glyph(x, y))
                v = 220.0f;
            else if (ringing && (is_glyph(x - 1, y) || is_glyph(x + 1, y) || is_glyph(x, y - 1) ||
                                 is_glyph(x, y + 1)))
                v += x % 2 ? RING : 0.0f;
            img->data[(size_t)y * W + (size_t)x] = v;
        }
    return img;
}

static void check_labels(int ringing)
{
    bq_image_t *img = draw(ringing);
    CHECK(img != NULL, "out of memory");
    if (!img)
        return;
    bq_lanes_t *lanes = NULL;
    bq_error_t err = {0};
    int rc = bq_lanes_detect(img, NULL, &lanes, &err);
    CHECK(rc == 0, "detect failed: %s", err.msg);
    if (rc == 0) {
        const bq_strip_t *st = &lanes->strips[0];
        double first = 0.5 * (st->lanes[0].x_left + st->lanes[0].x_right);
        CHECK(lanes->n_lanes == N_LANES && fabs(first - FIRST) < 0.25 * PITCH,
              "%s: %d lanes, the first at %.1f; drawn %d from %d (the kDa column taken for a "
              "lane?)", ringing ? "ringing" : "clean", lanes->n_lanes, first, N_LANES, FIRST);
    }
    bq_lanes_free(lanes);
    bq_image_free(img);
}

int main(void)
{
    check_labels(0);
    check_labels(1);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
