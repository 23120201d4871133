/* lanes_sweep - the lane detector against the simulator's truth over presets
 * x seeds x lane counts. Per blot: the lane count must be exact and every
 * lane centre (at each band's row) within 0.25 of the lane pitch of truth.
 *     lanes_sweep [--presets a,b,..] [--seeds N] [--first-seed S] [--lanes LO:HI:STEP] [-v]
 * Prints one line per failure and a summary per preset; exit 1 if any blot
 * fails, a simulation included. The image goes through polarity detection as quant would. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/blotquant.h"

typedef struct stats {
    int n, count_ok, centre_ok;
    double sum_err, max_err_pitch, sum_werr;
    long n_err, n_w;
} stats_t;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One blot; returns 1 if it passes. */
static int run_one(const char *preset, unsigned seed, int n_lanes, int verbose, stats_t *st)
{
    bq_sim_params_t p;
    bq_error_t err;
    bq_error_clear(&err);
    if (bq_sim_params_preset(preset, &p, &err))
        return fprintf(stderr, "%s\n", err.msg), 0;
    p.seed = seed;
    if (n_lanes > 0)
        p.n_lanes = n_lanes;
    bq_image_t *img = NULL;
    bq_sim_truth_t *truth = NULL;
    /* a blot the simulator cannot draw is a broken sweep, not a pass */
    if (bq_simulate(&p, &img, &truth, &err)) {
        printf("FAIL %s seed %u lanes %d: simulation failed: %s\n", preset, seed, n_lanes,
               err.msg);
        return 0;
    }
    if (bq_image_detect_polarity(img))
        bq_image_invert(img);
    bq_lanes_t *l = NULL;
    int rc = bq_membrane_mask(img, NULL); /* as quant runs it */
    if (rc == 0)
        rc = bq_lanes_detect(img, NULL, &l, &err);
    st->n++;
    int ok = 1;
    int want = truth->n_lanes;
    double pitches[64];
    int np = 0;
    for (int i = 0; i + 1 < truth->n_lanes && np < 64; i++)
        pitches[np++] = truth->lanes[i + 1].x_center - truth->lanes[i].x_center;
    qsort(pitches, (size_t)np, sizeof *pitches, cmp_d);
    double pitch = np ? pitches[np / 2] : img->width;
    if (rc || l->n_lanes != want) {
        printf("FAIL %s seed %u lanes %d: %d lanes detected, truth %d%s%s\n", preset, seed,
               n_lanes, rc ? 0 : l->n_lanes, want, rc ? ": " : "", rc ? err.msg : "");
        ok = 0;
    } else {
        st->count_ok++;
        double worst = 0.0;
        int worst_lane = 0;
        for (int b = 0; b < truth->n_bands; b++) {
            const bq_sim_band_t *tb = &truth->bands[b];
            const bq_strip_t *s = bq_lanes_strip_at(l, (int)lround(tb->y_center));
            if (!s) {
                /* a band outside every strip: take the nearest strip */
                double best = 1e30;
                for (int k = 0; k < l->n_strips; k++) {
                    double d = fmin(fabs(tb->y_center - l->strips[k].y_top),
                                    fabs(tb->y_center - l->strips[k].y_bottom));
                    if (d < best) {
                        best = d;
                        s = &l->strips[k];
                    }
                }
            }
            double a, c;
            bq_lane_extent_at(&s->lanes[tb->lane - 1], tb->y_center, &a, &c);
            double e = fabs(0.5 * (a + c) - tb->x_center);
            st->sum_err += e;
            st->n_err++;
            double we = fabs((c - a) - (tb->x_right - tb->x_left));
            st->sum_werr += we;
            st->n_w++;
            if (e / pitch > worst) {
                worst = e / pitch;
                worst_lane = tb->lane;
            }
        }
        if (worst > st->max_err_pitch)
            st->max_err_pitch = worst;
        if (worst > 0.25) {
            printf("FAIL %s seed %u lanes %d: lane %d centre off by %.2f pitch\n", preset, seed,
                   n_lanes, worst_lane, worst);
            ok = 0;
        } else {
            st->centre_ok++;
        }
    }
    bq_lanes_free(l);
    bq_image_free(img);
    bq_sim_truth_free(truth);
    return ok;
}

int main(int argc, char **argv)
{
    char presets[512] = "clean,artefacts,geometry,saturated,kt253,strips,hook,hard";
    int seeds = 3, first = 1, lo = 0, hi = 0, step = 1, verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--presets") && i + 1 < argc)
            snprintf(presets, sizeof presets, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--first-seed") && i + 1 < argc)
            first = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--lanes") && i + 1 < argc) {
            if (sscanf(argv[++i], "%d:%d:%d", &lo, &hi, &step) < 2 || step < 1)
                return fprintf(stderr, "--lanes LO:HI[:STEP]\n"), 2;
        } else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else
            return fprintf(stderr, "usage: lanes_sweep [--presets a,b] [--seeds N] [--first-seed S] [--lanes LO:HI:STEP] [-v]\n"), 2;
    }
    int all_ok = 1;
    stats_t tot;
    memset(&tot, 0, sizeof tot);
    for (char *save = NULL, *pr = strtok_r(presets, ",", &save); pr; pr = strtok_r(NULL, ",", &save)) {
        stats_t st;
        memset(&st, 0, sizeof st);
        for (int s = first; s < first + seeds; s++) {
            if (lo <= 0) {
                if (run_one(pr, (unsigned)s, 0, verbose, &st) == 0)
                    all_ok = 0;
            } else {
                for (int n = lo; n <= hi; n += step)
                    if (run_one(pr, (unsigned)s, n, verbose, &st) == 0)
                        all_ok = 0;
            }
        }
        printf("%-10s blots %3d  count right %3d  centres right %3d  mean centre err %.2f px  "
               "worst %.3f pitch  mean width err %.2f px\n",
               pr, st.n, st.count_ok, st.centre_ok, st.n_err ? st.sum_err / st.n_err : 0.0,
               st.max_err_pitch, st.n_w ? st.sum_werr / st.n_w : 0.0);
        tot.n += st.n;
        tot.count_ok += st.count_ok;
        tot.centre_ok += st.centre_ok;
    }
    printf("total      blots %3d  count right %3d  centres right %3d\n", tot.n, tot.count_ok,
           tot.centre_ok);
    if (tot.n == 0) {
        printf("FAIL no blot was tested\n");
        all_ok = 0;
    }
    return all_ok ? 0 : 1;
}
