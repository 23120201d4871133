/* image_colour.c - colour rows into one channel (luminance, one stored
 * channel, or a composite's channel signal), and what the loader learns
 * about how the channels relate: enough to tell a two-colour composite from
 * grey stored as colour or from a tinted photograph. */
#include <math.h>
#include <string.h>

#include "blotquant/image.h"
#include "image_internal.h"

/* A channel that varies by less than this fraction of the full scale (its
 * standard deviation) is flat: an unused channel of a composite (blue, on a
 * LI-COR export), so it says nothing about how the others relate. */
#define FLAT_CHANNEL_FRACTION 0.02

/* Channels whose excesses correlate at least this well show one picture
 * in one tint. Below it, less than half of one channel's variation
 * (r^2 < 0.5) follows another: the channels show different things, as a
 * composite's proteins do. */
#define SAME_PICTURE_CORRELATION 0.7

/* A composite's colours: at least two of the three hues (by largest
 * channel) each hold this share of the chromatic pixels. A tinted photo or
 * a coloured tray is one hue with a little ink or a label beside it. */
#define SECOND_HUE_SHARE 0.05

/* And chromatic pixels are no negligible part of the picture: a grey scan
 * with a few coloured annotation marks is grey. */
#define MIN_CHROMATIC_SHARE 0.01

int bq_channel_parse_signal(const char *name)
{
    static const struct {
        const char *name;
        bq_channel channel;
    } names[] = {
        {"red", BQ_CHANNEL_RED_SIGNAL},
        {"green", BQ_CHANNEL_GREEN_SIGNAL},
        {"blue", BQ_CHANNEL_BLUE_SIGNAL},
        {"combined", BQ_CHANNEL_COMBINED},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return (int)names[i].channel;
    return -1;
}

const char *bq_channel_name(bq_channel channel)
{
    switch (channel) {
    case BQ_CHANNEL_RED:
    case BQ_CHANNEL_RED_SIGNAL:
        return "red";
    case BQ_CHANNEL_GREEN:
    case BQ_CHANNEL_GREEN_SIGNAL:
        return "green";
    case BQ_CHANNEL_BLUE:
    case BQ_CHANNEL_BLUE_SIGNAL:
        return "blue";
    case BQ_CHANNEL_COMBINED:
        return "combined";
    case BQ_CHANNEL_AUTO:
        break;
    }
    return "luminance";
}

static double correlation(const bq_colour_stats_t *s, int a, int b, int cross)
{
    double n = s->n;
    double va = s->sum_sq[a] / n - (s->sum[a] / n) * (s->sum[a] / n);
    double vb = s->sum_sq[b] / n - (s->sum[b] / n) * (s->sum[b] / n);
    double cov = s->sum_cross[cross] / n - (s->sum[a] / n) * (s->sum[b] / n);
    return cov / sqrt(va * vb);
}

static int channel_varies(const bq_colour_stats_t *s, int c)
{
    double mean = s->sum[c] / s->n;
    double var = s->sum_sq[c] / s->n - mean * mean;
    double flat = FLAT_CHANNEL_FRACTION * s->full_scale;
    return var > flat * flat;
}

/* Lowest correlation between two varying channels; 1 when fewer vary. */
static double lowest_correlation(const bq_colour_stats_t *s)
{
    static const int pair[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    double lowest = 1.0;
    for (int k = 0; k < 3; k++) {
        int a = pair[k][0], b = pair[k][1];
        if (!channel_varies(s, a) || !channel_varies(s, b))
            continue;
        double r = correlation(s, a, b, k);
        if (r < lowest)
            lowest = r;
    }
    return lowest;
}

static int several_hues(const bq_colour_stats_t *s)
{
    double chromatic = s->chromatic[0] + s->chromatic[1] + s->chromatic[2];
    if (chromatic < MIN_CHROMATIC_SHARE * s->n)
        return 0;
    int hues = 0;
    for (int c = 0; c < 3; c++)
        hues += s->chromatic[c] >= SECOND_HUE_SHARE * chromatic;
    return hues >= 2;
}

int bq_colour_distinct(const bq_colour_stats_t *stats, double *min_corr)
{
    if (min_corr)
        *min_corr = 1.0;
    if (!stats || stats->n < 2 || !(stats->full_scale > 0))
        return 0;
    double r = lowest_correlation(stats);
    if (min_corr)
        *min_corr = r;
    return r < SAME_PICTURE_CORRELATION && several_hues(stats);
}

/* The channels' excesses over the pixel's smallest are what the stats
 * hold: grey content (white labels, black frames) has none, so it cannot
 * make the channels look alike, and a tint, a fixed mixture of the
 * channels, keeps its excesses in proportion. */
static void count_pixel(bq_colour_stats_t *s, const float *p)
{
    double lo = fmin(p[0], fmin(p[1], p[2]));
    double r = p[0] - lo, g = p[1] - lo, b = p[2] - lo;
    s->n += 1.0;
    s->sum[0] += r;
    s->sum[1] += g;
    s->sum[2] += b;
    s->sum_sq[0] += r * r;
    s->sum_sq[1] += g * g;
    s->sum_sq[2] += b * b;
    s->sum_cross[0] += r * g;
    s->sum_cross[1] += r * b;
    s->sum_cross[2] += g * b;
    double hi = fmax(r, fmax(g, b));
    if (hi > BQ_CHROMATIC_FRACTION * s->full_scale)
        s->chromatic[hi == r ? 0 : hi == g ? 1 : 2] += 1.0;
}

static double reduce_pixel(const float *p, bq_channel channel)
{
    double lo = fmin(p[0], fmin(p[1], p[2]));
    switch (channel) {
    case BQ_CHANNEL_RED:
        return p[0];
    case BQ_CHANNEL_GREEN:
        return p[1];
    case BQ_CHANNEL_BLUE:
        return p[2];
    case BQ_CHANNEL_COMBINED:
        return fmax(p[0], fmax(p[1], p[2])) - lo;
    case BQ_CHANNEL_RED_SIGNAL:
        return p[0] - lo;
    case BQ_CHANNEL_GREEN_SIGNAL:
        return p[1] - lo;
    case BQ_CHANNEL_BLUE_SIGNAL:
        return p[2] - lo;
    case BQ_CHANNEL_AUTO:
        break;
    }
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

void bq_image_put_colour_row(bq_image_t *img, int y, const float *samples, int has_alpha,
                             bq_channel channel, float full_scale)
{
    int stride = 3 + (has_alpha ? 1 : 0);
    float *dst = img->data + (size_t)y * (size_t)img->width;
    uint8_t *vrow = img->valid ? img->valid + (size_t)y * (size_t)img->width : NULL;
    bq_colour_stats_t *s = &img->colour;
    s->full_scale = full_scale;
    for (int x = 0; x < img->width; x++) {
        const float *p = samples + (size_t)x * (size_t)stride;
        if (has_alpha && p[3] == 0.0f) {
            dst[x] = 0.0f;
            if (vrow)
                vrow[x] = 0;
            continue;
        }
        count_pixel(s, p);
        dst[x] = (float)reduce_pixel(p, channel);
    }
}
