/* test_combfit.c - the comb fitted to a column profile (stage 5d) on drawn
 * profiles: touching lanes merged by the peak picker are split again at
 * their true centres, and faint lanes it missed between strong ones are
 * added; lanes of hollow bands (two lobes each), and lanes
 * spaced unevenly with none merged, are left as found. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lanes_internal.h"
#include "../check.h"

#define W 400
#define A 10
#define B 389

/* n Gaussian lanes of sigma s at centres c[] over a slope (the broad
 * humps a real membrane adds) and a floor. */
static void draw_scaled(double *v, const double *c, const double *amp, int n, double s,
                        double lobe)
{
    for (int x = 0; x < W; x++) {
        v[x] = 0.1 + 0.0004 * x;
        for (int i = 0; i < n; i++) {
            double a = amp ? amp[i] : 1.0;
            if (lobe > 0.0) {
                double d1 = x - (c[i] - lobe), d2 = x - (c[i] + lobe);
                v[x] += a * (exp(-0.5 * d1 * d1 / (s * s)) + exp(-0.5 * d2 * d2 / (s * s)));
            } else {
                double d = x - c[i];
                v[x] += a * exp(-0.5 * d * d / (s * s));
            }
        }
    }
}

static void draw(double *v, const double *c, int n, double s, double lobe)
{
    draw_scaled(v, c, NULL, n, s, lobe);
}

static peak_t lane(double left, double right)
{
    peak_t p;
    memset(&p, 0, sizeof p);
    p.pos = 0.5 * (left + right);
    p.left = left;
    p.right = right;
    return p;
}

/* The comb's m teeth are the n lanes at centres c, each within 2 px. */
static void check_teeth(const char *what, const peak_t *t, int m, const double *c, int n)
{
    CHECK(m == n, "%s: %d teeth, expected %d", what, m, n);
    for (int i = 0; i < m && m == n; i++)
        CHECK(fabs(t[i].pos - c[i]) <= 2.0, "%s: tooth %d at %.1f, lane at %.1f", what, i,
              t[i].pos, c[i]);
}

static int fit(const double *v, const peak_t *found, int nf, peak_t *out)
{
    peak_t cand[W + 1];
    int nc = bq_lanes_find_peaks(v, A, B, cand, W + 1);
    return bq_lanes_fit_comb(v, W, A, B, 0.002, cand, nc, found, nf, out);
}

/* 16 touching lanes at pitch 22 (sigma 8: the dip between two is shallow);
 * the peak picker found 12, two of them each two lanes merged. */
static void test_merged_split(void)
{
    double c[16], v[W];
    for (int i = 0; i < 16; i++)
        c[i] = 30.0 + 22.0 * i;
    draw(v, c, 16, 8.0, 0.0);
    peak_t found[16];
    int nf = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 3 || i == 9) {  /* lanes 3+4 and 9+10 merged */
            found[nf++] = lane(c[i] - 11.0, c[i + 1] + 11.0);
            i++;
            continue;
        }
        if (i == 6 || i == 13)   /* two lanes missed altogether */
            continue;
        found[nf++] = lane(c[i] - 11.0, c[i] + 11.0);
    }
    peak_t out[BQ_MAX_LANES];
    int m = fit(v, found, nf, out);
    check_teeth("touching lanes", out, m, c, 16);
}

/* 8 lanes at pitch 44, each band hollow (two lobes 8 apart): found right;
 * the comb at half the pitch stands on the lobes but splits every lane. */
static void test_hollow_kept(void)
{
    double c[8], v[W];
    for (int i = 0; i < 8; i++)
        c[i] = 40.0 + 44.0 * i;
    draw(v, c, 8, 4.0, 8.0);
    peak_t found[8];
    for (int i = 0; i < 8; i++)
        found[i] = lane(c[i] - 16.0, c[i] + 16.0);
    peak_t out[BQ_MAX_LANES];
    CHECK(fit(v, found, 8, out) == 0, "hollow bands: the lanes were split");
}

/* 10 lanes spaced unevenly (a ladder set apart at each end), none merged:
 * nothing for the comb to mend. */
static void test_uneven_kept(void)
{
    const double c[10] = {25, 70, 100, 130, 160, 190, 220, 250, 280, 340};
    double v[W];
    draw(v, c, 10, 6.0, 0.0);
    peak_t found[10];
    for (int i = 0; i < 10; i++)
        found[i] = lane(c[i] - 12.0, c[i] + 12.0);
    peak_t out[BQ_MAX_LANES];
    CHECK(fit(v, found, 10, out) == 0, "uneven lanes were replaced by a comb");
}

/* 8 lanes at pitch 40, the middle two at a fifth of the others (weak
 * samples between saturated ones, as a figure's "young" group): the peak
 * picker kept only the six strong ones. The comb adds the two between. */
static void test_faint_gap_filled(void)
{
    double c[8], amp[8], v[W];
    for (int i = 0; i < 8; i++) {
        c[i] = 50.0 + 40.0 * i;
        amp[i] = i == 4 || i == 5 ? 0.2 : 1.0;
    }
    draw_scaled(v, c, amp, 8, 7.0, 0.0);
    peak_t found[8];
    int nf = 0;
    for (int i = 0; i < 8; i++)
        if (amp[i] == 1.0)
            found[nf++] = lane(c[i] - 14.0, c[i] + 14.0);
    peak_t out[BQ_MAX_LANES];
    int m = fit(v, found, nf, out);
    check_teeth("faint lanes between strong ones", out, m, c, 8);
}

/* Two groups of four lanes at pitch 36 with 2.5 pitches of bare membrane
 * between them: no comb keeps a tooth on every lane, so nothing is added. */
static void test_groups_kept(void)
{
    double c[8], v[W];
    for (int i = 0; i < 8; i++)
        c[i] = 40.0 + 36.0 * i + (i >= 4 ? 54.0 : 0.0);
    draw(v, c, 8, 6.0, 0.0);
    peak_t found[8];
    for (int i = 0; i < 8; i++)
        found[i] = lane(c[i] - 12.0, c[i] + 12.0);
    peak_t out[BQ_MAX_LANES];
    CHECK(fit(v, found, 8, out) == 0, "two groups of lanes were made one comb");
}

int main(void)
{
    test_faint_gap_filled();
    test_groups_kept();
    test_merged_split();
    test_hollow_kept();
    test_uneven_kept();
    if (check_failures)
        fprintf(stderr, "%d checks failed\n", check_failures);
    return check_failures ? 1 : 0;
}
