/* test_accuracy.c - issue 2 item 9 in miniature: on simulated blots of every
 * preset, the error of target/control relative abundance (each lane's
 * target/control over the vehicle lanes' mean, minus truth, in percentage
 * points) for blotquant fully automatic, and for the two methods people use
 * today given perfect boxes at the true lanes and rows: ImageJ rolling ball
 * (radius 50) + integrated density, and Image Studio's border median.
 *
 * usage: test_accuracy [--seeds N] [--check] [--bars] [--verbose] [--truth-lanes] [PRESET...]
 *   --check  fail unless blotquant is at least as accurate (median and max)
 *            as the better baseline on every preset, lane counts are right
 *            and saturation flags match the truth.
 *   --bars   fail unless blotquant's median and max error on each preset
 *            are within the absolute bars of accuracy_bars[] and its lanes
 *            are right on every blot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blotquant/blotquant.h"

enum { M_AUTO, M_RB, M_BM, N_METHODS };
static const char *method_name[N_METHODS] = {"blotquant", "imagej-rb50", "border-median"};

#define MAX_ERR 4096

/* Absolute bars on blotquant's error against the simulator's truth, fully
 * automatic (lane detector included), in percentage points: 3x the median
 * and max over seeds 1-10 that eval/run.sh measures (the table in README.md;
 * hook is not in that table and was measured with this program, --seeds 10).
 * The bars hold for any subset of those seeds, so a test may run fewer. */
static const struct {
    const char *preset;
    double med, max; /* bars */
} accuracy_bars[] = {
    {"clean", 0.05, 0.55},     /* measured 0.017 / 0.177 */
    {"artefacts", 1.0, 5.4},   /* measured 0.341 / 1.785 */
    {"geometry", 0.2, 1.6},    /* measured 0.066 / 0.546 */
    {"saturated", 0.5, 1.6},   /* measured 0.174 / 0.516 */
    {"kt253", 0.6, 4.3},       /* measured 0.208 / 1.448 */
    {"strips", 0.35, 1.5},     /* measured 0.115 / 0.482 */
    {"hook", 0.15, 0.7},       /* measured 0.047 / 0.229 */
    {"hard", 2.9, 17.0},       /* measured 0.952 / 5.683 */
};

/* Failures of one preset's median and max against its bar (1 if it has none). */
static int check_bars(const char *preset, double med, double max)
{
    for (size_t i = 0; i < sizeof accuracy_bars / sizeof accuracy_bars[0]; i++) {
        if (strcmp(accuracy_bars[i].preset, preset) != 0)
            continue;
        int bad = !(med <= accuracy_bars[i].med) + !(max <= accuracy_bars[i].max);
        if (bad)
            fprintf(stderr, "FAIL %s: blotquant %.3f/%.3f pp, bars %.3f/%.3f pp\n", preset, med,
                    max, accuracy_bars[i].med, accuracy_bars[i].max);
        return bad;
    }
    fprintf(stderr, "FAIL %s: no accuracy bar for this preset\n", preset);
    return 1;
}

static int verbose;     /* --verbose: every lane's error */
static int truth_lanes; /* --truth-lanes: lanes from the truth, not detected */

/* Lanes built from the simulator's truth: one strip per band row when the
 * membrane is cut, else one strip; extents at the band rows, slope from the
 * movement of the lane centre between rows. Lets this module be measured
 * without the lane detector. Caller frees strips[k].lanes and strips. */
static bq_lanes_t *lanes_from_truth(const bq_sim_truth_t *tr, const bq_image_t *img)
{
    const bq_sim_params_t *p = &tr->params;
    int ns = p->strips > 1 ? p->n_rows : 1, nl = tr->n_lanes;
    bq_lanes_t *ln = calloc(1, sizeof *ln);
    ln->n_lanes = nl;
    ln->n_strips = ns;
    ln->strips = calloc((size_t)ns, sizeof *ln->strips);
    double rowy[BQ_SIM_MAX_ROWS] = {0};
    int rown[BQ_SIM_MAX_ROWS] = {0};
    for (int i = 0; i < tr->n_bands; i++)
        if (!tr->bands[i].ladder) {
            rowy[tr->bands[i].row - 1] += tr->bands[i].y_center;
            rown[tr->bands[i].row - 1]++;
        }
    for (int r = 0; r < p->n_rows; r++)
        rowy[r] /= rown[r] ? rown[r] : 1;
    double slope_sum = 0;
    int slope_n = 0;
    for (int s = 0; s < ns; s++) {
        bq_strip_t *st = &ln->strips[s];
        st->y_top = s == 0 ? 0 : (int)(0.5 * (rowy[s - 1] + rowy[s]));
        st->y_bottom = s == ns - 1 ? img->height - 1 : (int)(0.5 * (rowy[s] + rowy[s + 1])) - 1;
        st->n_lanes = nl;
        st->lanes = calloc((size_t)nl, sizeof *st->lanes);
        for (int l = 0; l < nl; l++) {
            bq_lane_t *lane = &st->lanes[l];
            lane->index = l + 1;
            lane->is_ladder = tr->lanes[l].ladder;
            lane->y_ref = 0.5 * img->height;
            lane->x_left = tr->lanes[l].x_center - 0.5 * tr->lanes[l].width;
            lane->x_right = tr->lanes[l].x_center + 0.5 * tr->lanes[l].width;
            const bq_sim_band_t *first = NULL, *last = NULL;
            for (int i = 0; i < tr->n_bands; i++) {
                const bq_sim_band_t *b = &tr->bands[i];
                if (b->lane != l + 1 || b->ladder)
                    continue;
                if (ns > 1 && b->row != s + 1)
                    continue;
                if (!first)
                    first = b;
                last = b;
            }
            if (first) {
                lane->y_ref = first->y_center;
                lane->x_left = fmin(first->x_left, first->x_right);
                lane->x_right = fmax(first->x_left, first->x_right);
                if (last != first) {
                    lane->slope = (last->x_center - first->x_center) / (last->y_center - first->y_center);
                    slope_sum += lane->slope;
                    slope_n++;
                }
            }
        }
    }
    for (int s = 0; s < ns; s++)
        for (int l = 0; l < nl; l++)
            if (ln->strips[s].lanes[l].is_ladder && slope_n)
                ln->strips[s].lanes[l].slope = slope_sum / slope_n;
    return ln;
}

static void lanes_truth_free(bq_lanes_t *ln)
{
    for (int s = 0; s < ln->n_strips; s++)
        free(ln->strips[s].lanes);
    free(ln->strips);
    free(ln);
}

typedef struct errs {
    double v[MAX_ERR];
    int n;
} errs_t;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void errs_stats(const errs_t *e, double *med, double *max)
{
    double tmp[MAX_ERR];
    memcpy(tmp, e->v, (size_t)e->n * sizeof *tmp);
    qsort(tmp, (size_t)e->n, sizeof *tmp, cmp_d);
    *med = e->n ? (e->n % 2 ? tmp[e->n / 2] : 0.5 * (tmp[e->n / 2 - 1] + tmp[e->n / 2])) : NAN;
    *max = e->n ? tmp[e->n - 1] : NAN;
}

typedef struct blot_eval {
    int lanes_ok;
    int sat_mismatch;
    double ms;      /* the whole pipeline */
    double ms_quant;/* bands + integration only */
} blot_eval_t;

/* Relative abundance errors from per-lane net volumes of target and control;
 * lanes index truth lanes (0-based), only sample lanes count. */
static void add_errors(const char *tag, const bq_sim_truth_t *tr, const double *tgt, const double *ctl,
                       const double *ttgt, const double *tctl, errs_t *out)
{
    double vr = 0, tvr = 0;
    int nv = 0;
    for (int l = 0; l < tr->n_lanes; l++)
        if (!tr->lanes[l].ladder && tr->lanes[l].dose == 0) {
            vr += tgt[l] / ctl[l];
            tvr += ttgt[l] / tctl[l];
            nv++;
        }
    if (nv == 0)
        return;
    vr /= nv;
    tvr /= nv;
    for (int l = 0; l < tr->n_lanes; l++) {
        if (tr->lanes[l].ladder || tr->lanes[l].dose == 0)
            continue;
        double rel = tgt[l] / ctl[l] / vr, trel = ttgt[l] / tctl[l] / tvr;
        if (out->n < MAX_ERR)
            out->v[out->n++] = 100.0 * fabs(rel - trel);
        if (verbose)
            fprintf(stderr, "  lane %2d truth %.4f got %.4f error %+.3f pp (%s)\n", l + 1, trel,
                    rel, 100.0 * (rel - trel), tag);
    }
}

static int row_index(const bq_sim_params_t *p, int want_target)
{
    for (int r = 0; r < p->n_rows; r++)
        if (p->rows[r].is_target == want_target)
            return r;
    return -1;
}

static int eval_blot(const char *preset, unsigned seed, errs_t *e, blot_eval_t *be)
{
    bq_sim_params_t p;
    bq_error_t err = {0};
    memset(be, 0, sizeof *be);
    if (bq_sim_params_preset(preset, &p, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    p.seed = seed;
    bq_image_t *img = NULL;
    bq_sim_truth_t *tr = NULL;
    if (bq_simulate(&p, &img, &tr, &err) != 0) {
        fprintf(stderr, "simulate %s: %s\n", preset, err.msg);
        return -1;
    }
    int rt = row_index(&p, 1), rc_ = row_index(&p, 0);
    int nl = tr->n_lanes;
    double *vol = calloc((size_t)nl * 8, sizeof *vol);
    double *ttgt = vol, *tctl = vol + nl, *tg[N_METHODS], *ct[N_METHODS];
    for (int m = 0; m < N_METHODS; m++) {
        tg[m] = vol + nl * (2 + 2 * m);
        ct[m] = vol + nl * (3 + 2 * m);
    }
    /* truth and perfect boxes */
    bq_band_t *boxes = calloc((size_t)tr->n_bands, sizeof *boxes);
    int nb = 0;
    for (int i = 0; i < tr->n_bands; i++) {
        const bq_sim_band_t *tb = &tr->bands[i];
        if (tb->ladder)
            continue;
        if (tb->row - 1 == rt)
            ttgt[tb->lane - 1] = tb->volume;
        else if (tb->row - 1 == rc_)
            tctl[tb->lane - 1] = tb->volume;
        else
            continue;
        bq_band_t *b = &boxes[nb++];
        b->lane = tb->lane;
        b->row = tb->row;
        b->x_left = (int)lround(fmin(tb->x_left, tb->x_right));
        b->x_right = (int)lround(fmax(tb->x_left, tb->x_right));
        b->y_top = (int)lround(tb->y_top);
        b->y_bottom = (int)lround(tb->y_bottom);
        b->y_peak = tb->y_center;
    }

    /* blotquant, fully automatic, on its own copy of the image */
    bq_image_t *work = bq_image_new(img->width, img->height);
    memcpy(work->data, img->data, (size_t)img->width * img->height * sizeof *img->data);
    work->max_value = img->max_value;
    work->clip_level = img->clip_level;
    work->clip_low = img->clip_low;
    work->bits_per_sample = 16;
    work->samples_per_pixel = 1;
    work->format = BQ_FORMAT_TIFF;
    const char *names[BQ_SIM_MAX_ROWS];
    for (int r = 0; r < p.n_rows; r++)
        names[r] = p.rows[r].name;
    bq_quant_options_t qo;
    memset(&qo, 0, sizeof qo);
    qo.bands.row_names = names;
    qo.bands.n_row_names = p.n_rows;
    qo.background = BQ_BG_AUTO;
    bq_quant_result_t *res = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    if (truth_lanes) {
        /* everything but the lane detector */
        res = calloc(1, sizeof *res);
        res->image = work;
        if (p.polarity == BQ_SIM_DARK)
            bq_image_invert(work);
        res->lanes = lanes_from_truth(tr, work);
        rc = bq_bands_detect(work, res->lanes, &qo.bands, &res->table, &err);
        if (rc == 0)
            rc = bq_quantify(work, res->lanes, BQ_BG_AUTO, res->table, &err);
    } else {
        rc = bq_quant_image(work, &qo, &res, &err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    be->ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (rc != 0) {
        fprintf(stderr, "%s seed %u: quant failed: %s\n", preset, seed, err.msg);
    } else if (res->lanes->n_lanes != nl) {
        fprintf(stderr, "%s seed %u: %d lanes found, truth %d\n", preset, seed,
                res->lanes->n_lanes, nl);
    } else {
        be->lanes_ok = 1;
        for (int l = 0; l < nl; l++) {
            const bq_band_t *bt = bq_band_table_find(res->table, rt + 1, l + 1);
            const bq_band_t *bc = bq_band_table_find(res->table, rc_ + 1, l + 1);
            if (!bt || !bc || strcmp(bt->protein, p.rows[rt].name) != 0) {
                be->lanes_ok = 0;
                break;
            }
            tg[M_AUTO][l] = bt->net_volume;
            ct[M_AUTO][l] = bc->net_volume;
        }
        /* saturation flags against truth */
        for (int i = 0; i < tr->n_bands; i++) {
            const bq_sim_band_t *tb = &tr->bands[i];
            if (tb->ladder || tb->row > res->table->n_rows)
                continue;
            const bq_band_t *b = bq_band_table_find(res->table, tb->row, tb->lane);
            int flagged = b && (b->flags & BQ_BAND_SATURATED);
            if (flagged != (tb->saturated != 0)) {
                be->sat_mismatch++;
                fprintf(stderr, "%s seed %u: lane %d row %d saturated %d flagged %d\n", preset,
                        seed, tb->lane, tb->row, tb->saturated, flagged);
            }
        }
        /* time the stages of this module alone */
        bq_band_table_t *t2 = NULL;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (bq_bands_detect(res->image, res->lanes, &qo.bands, &t2, &err) == 0)
            bq_quantify(res->image, res->lanes, BQ_BG_AUTO, t2, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        be->ms_quant = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        bq_band_table_free(t2);
        if (be->lanes_ok)
            add_errors(method_name[M_AUTO], tr, tg[M_AUTO], ct[M_AUTO], ttgt, tctl, &e[M_AUTO]);
    }
    if (truth_lanes && res) {
        lanes_truth_free(res->lanes);
        res->lanes = NULL;
    }
    bq_quant_result_free(res);

    /* baselines on perfect boxes, in the signal domain */
    if (p.polarity == BQ_SIM_DARK)
        bq_image_invert(img);
    img->bits_per_sample = 16;
    bq_band_table_t t = {.n_bands = nb, .bands = boxes, .n_lanes = nl, .n_rows = p.n_rows};
    const bq_background bm[N_METHODS] = {BQ_BG_AUTO, BQ_BG_ROLLING_BALL, BQ_BG_BORDER_MEDIAN};
    for (int m = M_RB; m < N_METHODS; m++) {
        if (bq_quantify(img, NULL, bm[m], &t, &err) != 0) {
            fprintf(stderr, "%s: %s\n", method_name[m], err.msg);
            continue;
        }
        for (int i = 0; i < nb; i++) {
            if (boxes[i].row - 1 == rt)
                tg[m][boxes[i].lane - 1] = boxes[i].net_volume;
            else
                ct[m][boxes[i].lane - 1] = boxes[i].net_volume;
        }
        add_errors(method_name[m], tr, tg[m], ct[m], ttgt, tctl, &e[m]);
    }
    free(boxes);
    free(vol);
    bq_image_free(img);
    bq_sim_truth_free(tr);
    return 0;
}

int main(int argc, char **argv)
{
    int seeds = 3, check = 0, bars = 0;
    const char *presets[16];
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--truth-lanes") == 0)
            truth_lanes = 1;
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "--bars") == 0)
            bars = 1;
        else if (np < 16)
            presets[np++] = argv[i];
    }
    if (np == 0)
        for (const char *const *n = bq_sim_preset_names; *n && np < 16; n++)
            presets[np++] = *n;
    if (seeds < 1)
        seeds = 1;
    int failures = 0;
    printf("%-10s %5s %6s %13s | %-17s | %-17s | %-17s\n", "preset", "blots", "lanes", "ms all/bands",
           "blotquant med/max", "imagej-rb50", "border-median");
    for (int k = 0; k < np; k++) {
        static errs_t e[N_METHODS];
        memset(e, 0, sizeof e);
        int lanes_ok = 0, sat_bad = 0;
        double ms = 0, msq = 0;
        for (int s = 0; s < seeds; s++) {
            blot_eval_t be;
            if (eval_blot(presets[k], (unsigned)(s + 1), e, &be) != 0) {
                failures++;
                continue;
            }
            lanes_ok += be.lanes_ok;
            sat_bad += be.sat_mismatch;
            ms += be.ms;
            msq += be.ms_quant;
        }
        double med[N_METHODS], max[N_METHODS];
        for (int m = 0; m < N_METHODS; m++)
            errs_stats(&e[m], &med[m], &max[m]);
        printf("%-10s %5d %3d/%-2d %6.1f %6.1f | %7.3f %7.3f pp | %7.3f %7.3f pp | %7.3f %7.3f pp%s\n",
               presets[k], seeds, lanes_ok, seeds, ms / seeds, msq / seeds, med[M_AUTO], max[M_AUTO],
               med[M_RB], max[M_RB], med[M_BM], max[M_BM], sat_bad ? "  SATURATION FLAGS WRONG" : "");
        if (bars) {
            failures += check_bars(presets[k], med[M_AUTO], max[M_AUTO]);
            if (lanes_ok != seeds) {
                fprintf(stderr, "FAIL %s: lanes wrong on %d of %d blots\n", presets[k],
                        seeds - lanes_ok, seeds);
                failures++;
            }
        }
        if (check) {
            double best_med = fmin(med[M_RB], med[M_BM]), best_max = fmin(max[M_RB], max[M_BM]);
            if (lanes_ok != seeds) {
                fprintf(stderr, "FAIL %s: lanes wrong on %d of %d blots\n", presets[k],
                        seeds - lanes_ok, seeds);
                failures++;
            }
            if (sat_bad) {
                fprintf(stderr, "FAIL %s: %d saturation flags wrong\n", presets[k], sat_bad);
                failures++;
            }
            /* the bar of issue 2 item 9: at least as accurate as the better
             * baseline, median and max */
            if (!(med[M_AUTO] <= best_med) || !(max[M_AUTO] <= best_max)) {
                fprintf(stderr, "FAIL %s: blotquant %.3f/%.3f pp vs best baseline %.3f/%.3f pp\n",
                        presets[k], med[M_AUTO], max[M_AUTO], best_med, best_max);
                failures++;
            }
        }
    }
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
