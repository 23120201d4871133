/* synth.c - see synth.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

void syn_default(syn_params_t *p)
{
    memset(p, 0, sizeof *p);
    p->width = 640;
    p->height = 400;
    p->n_lanes = 8;
    p->lane_width = 44;
    p->pitch = 70;
    p->x_first = 75;
    p->n_rows = 2;
    p->row_y[0] = 140;
    p->row_y[1] = 260;
    p->sigma_y = 4.0;
    for (int r = 0; r < SYN_MAX_ROWS; r++)
        for (int l = 0; l < SYN_MAX_LANES; l++)
            p->amp[r][l] = 8000;
    p->bg0 = 1500;
    p->seed = 1;
}

static double gauss01(unsigned *s)
{
    /* Box-Muller on a small LCG: deterministic across platforms */
    double u1, u2;
    *s = *s * 1103515245u + 12345u;
    u1 = ((*s >> 8) + 1.0) / 16777218.0;
    *s = *s * 1103515245u + 12345u;
    u2 = ((*s >> 8) + 1.0) / 16777218.0;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* across-lane shape: flat top with soft edges */
static double xshape(double x, double c, double w)
{
    return 0.5 * (erf((x - (c - w / 2)) / 1.5) - erf((x - (c + w / 2)) / 1.5));
}

int syn_render(const syn_params_t *p, syn_blot_t *b)
{
    memset(b, 0, sizeof *b);
    b->img = bq_image_new(p->width, p->height);
    if (!b->img)
        return -1;
    b->img->bits_per_sample = 16;
    b->img->max_value = 65535;
    b->img->clip_level = p->clip > 0 ? p->clip : 65535;
    double xmid = p->x_first + 0.5 * (p->n_lanes - 1) * p->pitch;
    double half = 0.5 * (p->n_lanes - 1) * p->pitch;
    double ymid = p->height / 2.0;
    for (int l = 0; l < p->n_lanes; l++) {
        bq_lane_t *ln = &b->lane[l];
        double c = p->x_first + l * p->pitch;
        ln->index = l + 1;
        ln->y_ref = ymid;
        ln->slope = p->slope;
        ln->x_left = c - p->lane_width / 2;
        ln->x_right = c + p->lane_width / 2;
    }
    b->strip.y_top = 0;
    b->strip.y_bottom = p->height - 1;
    b->strip.n_lanes = p->n_lanes;
    b->strip.lanes = b->lane;
    b->lanes.roi.w = 0;
    b->lanes.n_lanes = p->n_lanes;
    b->lanes.n_strips = 1;
    b->lanes.strips = &b->strip;
    unsigned seed = p->seed;
    for (int y = 0; y < p->height; y++) {
        for (int x = 0; x < p->width; x++) {
            double v = p->bg0 + p->bg_dx * x + p->bg_dy * y;
            for (int l = 0; l < p->n_lanes; l++) {
                /* lane centre at this row (tilt), band centre at this x */
                double c = p->x_first + l * p->pitch + p->slope * (y - ymid);
                if (fabs(x - c) > p->lane_width)
                    continue;
                double u = half > 0 ? (c - xmid) / half : 0;
                double xs = xshape(x, c, p->lane_width);
                for (int r = 0; r < p->n_rows; r++) {
                    double yc = p->row_y[r] - p->smile * u * u - p->slope * (x - xmid);
                    double dy = (y - yc) / p->sigma_y;
                    if (fabs(dy) > 8)
                        continue;
                    double s = p->amp[r][l] * xs * exp(-0.5 * dy * dy);
                    v += s;
                    b->volume[r][l] += s;
                }
            }
            if (p->noise > 0)
                v += p->noise * gauss01(&seed);
            if (v < 0)
                v = 0;
            if (v > b->img->clip_level)
                v = b->img->clip_level;
            b->img->data[(size_t)y * p->width + x] = (float)floor(v + 0.5);
        }
    }
    for (int l = 0; l < p->n_lanes; l++) {
        double c = p->x_first + l * p->pitch;
        double u = half > 0 ? (c - xmid) / half : 0;
        for (int r = 0; r < p->n_rows; r++)
            b->yc[r][l] = p->row_y[r] - p->smile * u * u - p->slope * (c - xmid);
    }
    return 0;
}

void syn_free(syn_blot_t *b)
{
    bq_image_free(b->img);
    b->img = NULL;
}
