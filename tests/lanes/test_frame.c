/* test_frame.c - lanes inside a figure's frames (lanes_frame.c), on a
 * drawn journal-figure crop shown bands bright: three strips, each boxed
 * by a thin line, the box's inside the page's own level (so no page mask
 * can tell membrane from page), eight lanes of bands, and beside each box
 * a kDa mark ("-NN": a tick and two digits drawn as blobs) on the band's
 * row. The marks form a ninth column of "bands" a pitch beyond the last
 * lane; it lies beyond the frame, so it is no lane, and no lane reaches
 * over a frame. Drawn at two scales, with the last lane's bands wide
 * enough to come near the frame, and with the last lane not loaded (the
 * marks then stand two pitches from the last lane: the well between is
 * no lane once the marks are gone). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/blotquant.h"
#include "../check.h"

#define N_LANES 8
#define N_STRIPS 3

static void fill(bq_image_t *img, double x0, double y0, double x1, double y1, float v)
{
    for (int y = (int)lround(y0); y <= (int)lround(y1); y++)
        for (int x = (int)lround(x0); x <= (int)lround(x1); x++)
            if (x >= 0 && y >= 0 && x < img->width && y < img->height)
                img->data[(size_t)y * (size_t)img->width + (size_t)x] = v;
}

/* A soft band: brightest at its centre line, fading over its half height. */
static void band(bq_image_t *img, double cx, double cy, double hw, double hh, float peak)
{
    for (int y = (int)(cy - hh); y <= (int)(cy + hh); y++)
        for (int x = (int)(cx - hw); x <= (int)(cx + hw); x++) {
            double f = 1.0 - fabs(y - cy) / (hh + 1.0);
            float *p = &img->data[(size_t)y * (size_t)img->width + (size_t)x];
            *p = fmaxf(*p, (float)(peak * f));
        }
}

/* The figure at scale s (1 = 23 px pitch); lane centres to xs. */
/* The last lane's bands wide (LAST_WIDE), or not loaded at all (LAST_BLANK). */
enum { LAST_PLAIN, LAST_WIDE, LAST_BLANK };

static bq_image_t *draw_figure(double s, double *xs, int last)
{
    int w = (int)lround(300 * s), h = (int)lround(150 * s);
    bq_image_t *img = bq_image_new(w, h);
    if (!img)
        return NULL;
    img->max_value = img->clip_level = 255.0;
    unsigned r = 99991u; /* a faint fixed grain over everything */
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        r = r * 1103515245u + 12345u;
        img->data[i] = 6.0f + (float)((r >> 16) % 5);
    }
    double x0 = 70 * s, x1 = 262 * s, line = fmax(1.0, 1.0 * s) - 1.0, pitch = 23 * s;
    for (int i = 0; i < N_LANES; i++)
        xs[i] = x0 + 15 * s + pitch * i;
    for (int k = 0; k < N_STRIPS; k++) {
        double y0 = (10 + 45 * k) * s, y1 = y0 + 38 * s, cy = 0.5 * (y0 + y1);
        fill(img, x0, y0, x1, y0 + line, 200.0f); /* the box */
        fill(img, x0, y1 - line, x1, y1, 200.0f);
        fill(img, x0, y0, x0 + line, y1, 200.0f);
        fill(img, x1 - line, y0, x1, y1, 200.0f);
        for (int i = 0; i < (last == LAST_BLANK ? N_LANES - 1 : N_LANES); i++)
            band(img, xs[i], cy, (last == LAST_WIDE && i == N_LANES - 1 ? 12 : 8) * s, 5 * s,
                 (float)(120 + 15 * ((i + k) % 4)));
        fill(img, x1 + 2 * s, cy - 0.5 * s, x1 + 5 * s, cy + 0.5 * s, 180.0f); /* "-" */
        fill(img, x1 + 7 * s, cy - 4 * s, x1 + 11 * s, cy + 4 * s, 170.0f);   /* "N" */
        fill(img, x1 + 13 * s, cy - 4 * s, x1 + 17 * s, cy + 4 * s, 170.0f);  /* "N" */
    }
    return img;
}

static void check_scale(double s, int last)
{
    double xs[N_LANES];
    bq_image_t *img = draw_figure(s, xs, last);
    int want = last == LAST_BLANK ? N_LANES - 1 : N_LANES;
    CHECK(img != NULL, "out of memory");
    if (!img)
        return;
    bq_lanes_t *lanes = NULL;
    bq_error_t err = {0};
    int rc = bq_lanes_detect(img, NULL, &lanes, &err);
    CHECK(rc == 0, "scale %g: detect failed: %s", s, err.msg);
    if (rc == 0) {
        CHECK(lanes->n_lanes == want, "scale %g: %d lanes, drawn %d (the kDa marks beyond "
              "the frame, or an unloaded well beside them, taken for a lane?)", s,
              lanes->n_lanes, want);
        for (int k = 0; k < lanes->n_strips && lanes->n_lanes == want; k++)
            for (int i = 0; i < want; i++) {
                const bq_lane_t *ln = &lanes->strips[k].lanes[i];
                double c = 0.5 * (ln->x_left + ln->x_right);
                CHECK(fabs(c - xs[i]) < 0.25 * 23 * s, "scale %g strip %d lane %d at %.1f, drawn "
                      "at %.1f", s, k + 1, i + 1, c, xs[i]);
                CHECK(ln->x_left > 70 * s && ln->x_right < 262 * s, "scale %g strip %d lane %d "
                      "spans %.1f..%.1f, over the frame", s, k + 1, i + 1, ln->x_left,
                      ln->x_right);
            }
    }
    bq_lanes_free(lanes);
    bq_image_free(img);
}

int main(void)
{
    for (int last = LAST_PLAIN; last <= LAST_BLANK; last++) {
        check_scale(1.0, last);
        check_scale(2.0, last);
    }
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
