/* lanes_show - development aid: detect lanes in an image, print them and
 * optionally draw them as a PNG (lane edges at each strip's top and bottom
 * following the tilt; ladders in blue).
 *     lanes_show IMAGE [OUT.png] [--lanes N] [--roi x,y,w,h] [--invert|--no-invert]
 *                [--channel r|g|b] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blotquant/blotquant.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *in = NULL, *png = NULL;
    bq_lane_options_t lo;
    memset(&lo, 0, sizeof lo);
    int pol = -1;
    bq_load_options_t ld;
    memset(&ld, 0, sizeof ld);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--lanes") && i + 1 < argc)
            lo.n_lanes = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--roi") && i + 1 < argc)
            sscanf(argv[++i], "%d,%d,%d,%d", &lo.roi.x, &lo.roi.y, &lo.roi.w, &lo.roi.h);
        else if (!strcmp(argv[i], "--channel") && i + 1 < argc) {
            char c = argv[++i][0];
            ld.channel = c == 'r' ? BQ_CHANNEL_RED : c == 'g' ? BQ_CHANNEL_GREEN
                       : c == 'b' ? BQ_CHANNEL_BLUE : BQ_CHANNEL_AUTO;
        } else if (!strcmp(argv[i], "--invert"))
            pol = 1;
        else if (!strcmp(argv[i], "--no-invert"))
            pol = 0;
        else if (!in)
            in = argv[i];
        else
            png = argv[i];
    }
    if (!in) {
        fprintf(stderr, "usage: lanes_show IMAGE [OUT.png] [--lanes N] [--roi x,y,w,h]\n");
        return 2;
    }
    bq_error_t err;
    bq_error_clear(&err);
    bq_image_t *img = NULL;
    if (bq_image_load(in, &ld, &img, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int inv = pol >= 0 ? pol : bq_image_detect_polarity(img);
    if (inv)
        bq_image_invert(img);
    bq_lanes_t *l = NULL;
    double t0 = now_ms();
    if (bq_membrane_mask(img, NULL) != 0)
        return 1;
    int rc = bq_lanes_detect(img, &lo, &l, &err);
    double t1 = now_ms();
    if (rc) {
        fprintf(stderr, "%s: %s\n", in, err.msg);
        bq_image_free(img);
        return 1;
    }
    printf("%s: %dx%d inverted=%d roi=%d,%d,%d,%d strips=%d lanes=%d (%.2f ms)\n", in,
           img->width, img->height, inv, l->roi.x, l->roi.y, l->roi.w, l->roi.h,
           l->n_strips, l->n_lanes, t1 - t0);
    for (int s = 0; s < l->n_strips; s++) {
        const bq_strip_t *st = &l->strips[s];
        printf(" strip %d: y %d..%d\n", s + 1, st->y_top, st->y_bottom);
        for (int i = 0; i < st->n_lanes; i++) {
            const bq_lane_t *ln = &st->lanes[i];
            printf("  lane %2d: x %.1f..%.1f centre %.1f slope %.4f%s\n", ln->index, ln->x_left,
                   ln->x_right, 0.5 * (ln->x_left + ln->x_right), ln->slope,
                   ln->is_ladder ? " ladder" : "");
        }
    }
    if (png) {
        bq_rgb_t *rgb = bq_rgb_from_image(img);
        if (rgb) {
            bq_rgb_rect(rgb, l->roi.x, l->roi.y, l->roi.x + l->roi.w - 1, l->roi.y + l->roi.h - 1,
                        0, 200, 0);
            for (int s = 0; s < l->n_strips; s++) {
                const bq_strip_t *st = &l->strips[s];
                for (int i = 0; i < st->n_lanes; i++) {
                    const bq_lane_t *ln = &st->lanes[i];
                    for (int y = st->y_top; y <= st->y_bottom; y++) {
                        double a, b;
                        bq_lane_extent_at(ln, y, &a, &b);
                        uint8_t r = ln->is_ladder ? 0 : 255, bl = ln->is_ladder ? 255 : 0;
                        bq_rgb_rect(rgb, (int)(a + 0.5), y, (int)(a + 0.5), y, r, 0, bl);
                        bq_rgb_rect(rgb, (int)(b + 0.5), y, (int)(b + 0.5), y, r, 0, bl);
                    }
                }
            }
            if (bq_rgb_save_png(rgb, png, &err))
                fprintf(stderr, "%s\n", err.msg);
            bq_rgb_free(rgb);
        }
    }
    bq_lanes_free(l);
    bq_image_free(img);
    return 0;
}
