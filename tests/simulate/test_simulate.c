/* test_simulate.c - the simulator's promises: determinism, truth volumes
 * that match the rendered pixels, honest saturation flags, the dose series
 * of the 4PL formula, parameter checking, all-or-nothing output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>

#define PIN_CLEAN 0xde88676161fd39ecULL
#define PIN_ARTEFACTS 0xb560f1ef8f6292b1ULL

#include "blotquant/blotquant.h"

static int failures = 0;

#define EXPECT(cond, ...)                                        \
    do {                                                         \
        if (!(cond)) {                                           \
            failures++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

static int render(const char *preset, unsigned long long seed, bq_sim_params_t *p_out,
                  bq_image_t **img, bq_sim_truth_t **truth, void (*tweak)(bq_sim_params_t *))
{
    bq_sim_params_t p;
    bq_error_t err = {0, ""};
    if (bq_sim_params_preset(preset, &p, &err) != 0) {
        fprintf(stderr, "FAIL preset %s: %s\n", preset, err.msg);
        failures++;
        return -1;
    }
    p.seed = seed;
    if (tweak)
        tweak(&p);
    if (p_out)
        *p_out = p;
    int rc = bq_simulate(&p, img, truth, &err);
    if (rc != 0) {
        fprintf(stderr, "FAIL simulate %s: %s\n", preset, err.msg);
        failures++;
    }
    return rc;
}

static void test_determinism(void)
{
    bq_image_t *a = NULL, *b = NULL, *c = NULL;
    bq_sim_truth_t *ta = NULL, *tb = NULL, *tc = NULL;
    if (render("hard", 7, NULL, &a, &ta, NULL) || render("hard", 7, NULL, &b, &tb, NULL) ||
        render("hard", 8, NULL, &c, &tc, NULL))
        goto out;
    size_t n = (size_t)a->width * a->height;
    EXPECT(memcmp(a->data, b->data, n * sizeof *a->data) == 0, "same seed, different pixels");
    EXPECT(ta->n_bands == tb->n_bands &&
               memcmp(ta->bands, tb->bands, (size_t)ta->n_bands * sizeof *ta->bands) == 0,
           "same seed, different truth");
    size_t differ = 0;
    for (size_t i = 0; i < n; i++)
        differ += a->data[i] != c->data[i];
    EXPECT(differ > n / 2, "seeds 7 and 8 differ in only %zu of %zu pixels", differ, n);
out:
    bq_image_free(a);
    bq_image_free(b);
    bq_image_free(c);
    bq_sim_truth_free(ta);
    bq_sim_truth_free(tb);
    bq_sim_truth_free(tc);
}

/* FNV-1a over the 16-bit pixel values. */
static uint64_t checksum(const bq_image_t *img)
{
    uint64_t h = 1469598103934665603ULL;
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)img->data[i];
        h = (h ^ (v & 0xff)) * 1099511628211ULL;
        h = (h ^ (v >> 8)) * 1099511628211ULL;
    }
    return h;
}

/* A seed must give the same picture on every platform and in every later
 * build: pinned checksums. If the rendering is changed on purpose, update
 * them (and regenerate sample_blots/) in the same commit. */
static void test_pinned(void)
{
    static const struct {
        const char *preset;
        uint64_t sum;
    } pins[] = {
        {"clean", PIN_CLEAN},
        {"artefacts", PIN_ARTEFACTS},
    };
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        bq_image_t *img = NULL;
        if (render(pins[i].preset, 1, NULL, &img, NULL, NULL))
            continue;
        uint64_t h = checksum(img);
        EXPECT(h == pins[i].sum, "%s seed 1: checksum %016llx, pinned %016llx", pins[i].preset,
               (unsigned long long)h, (unsigned long long)pins[i].sum);
        bq_image_free(img);
    }
}

static void quiet(bq_sim_params_t *p)
{
    p->noise = 0.0;
    p->dust = 0;
    p->saturate = 0;
    p->labels = 0; /* burned-in text beside a ladder sits in the generous box */
}

/* Sum of (pixel - background) over a generous box around every band must be
 * the truth volume within 1 %. The box: half way to the neighbouring lanes,
 * +-6 sigma vertically (y_top/y_bottom are +-2.5 sigma). */
static void check_volumes(const char *preset)
{
    bq_sim_params_t p;
    bq_image_t *img = NULL;
    bq_sim_truth_t *t = NULL;
    if (render(preset, 3, &p, &img, &t, quiet))
        return;
    double worst = 0.0;
    int worst_band = -1;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_sim_band_t *b = &t->bands[i];
        double half = 1e9;
        for (int k = 0; k < t->n_lanes; k++)
            if (k + 1 != b->lane)
                half = fmin(half, 0.5 * fabs(t->lanes[k].x_center - t->lanes[b->lane - 1].x_center));
        int x0 = (int)floor(b->x_center - half), x1 = (int)ceil(b->x_center + half);
        int y0 = (int)floor(b->y_center - 2.4 * (b->y_center - b->y_top));
        int y1 = (int)ceil(b->y_center + 2.4 * (b->y_bottom - b->y_center));
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 >= img->width) x1 = img->width - 1;
        if (y1 >= img->height) y1 = img->height - 1;
        double sum = 0.0;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                size_t idx = (size_t)y * img->width + x;
                double v = img->data[idx];
                if (p.polarity == BQ_SIM_DARK)
                    v = 65535.0 - v;
                sum += v - t->background->data[idx];
            }
        double rel = fabs(sum - b->volume) / b->volume;
        if (rel > worst) {
            worst = rel;
            worst_band = i;
        }
    }
    EXPECT(worst < 0.01, "%s: band %d volume off by %.3f %%", preset, worst_band, 100 * worst);
    printf("volumes %-10s worst relative error %.4f %% over %d bands\n", preset, 100 * worst,
           t->n_bands);
    /* clean has a flat background: the "known background" is the offset */
    if (strcmp(preset, "clean") == 0) {
        size_t n = (size_t)img->width * img->height;
        int flat = 1;
        for (size_t i = 0; i < n; i++)
            flat &= t->background->data[i] == (float)p.offset;
        EXPECT(flat, "clean background is not the constant offset");
    }
    bq_image_free(img);
    bq_sim_truth_free(t);
}

/* Flags must say exactly which bands have a clipped pixel in their box. */
static void check_saturation(const char *preset, int want_some)
{
    bq_sim_params_t p;
    bq_image_t *img = NULL;
    bq_sim_truth_t *t = NULL;
    if (render(preset, 5, &p, &img, &t, NULL))
        return;
    int n_sat = 0, ctrl_sat = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_sim_band_t *b = &t->bands[i];
        int x0 = (int)floor(fmin(b->x_left, b->x_right)), x1 = (int)ceil(fmax(b->x_left, b->x_right));
        int y0 = (int)floor(b->y_top), y1 = (int)ceil(b->y_bottom);
        long clipped = 0;
        for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < img->height; y++)
            for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < img->width; x++) {
                double v = img->data[(size_t)y * img->width + x];
                clipped += p.polarity == BQ_SIM_DARK ? v <= 0.0 : v >= 65535.0;
            }
        EXPECT((clipped > 0) == (b->saturated != 0), "%s: lane %d row %d flag %d but %ld clipped",
               preset, b->lane, b->row, b->saturated, clipped);
        n_sat += b->saturated;
        if (!b->ladder && b->row == p.n_rows && b->saturated)
            ctrl_sat++;
    }
    if (want_some)
        EXPECT(ctrl_sat > 0, "%s: no control band saturated", preset);
    else
        EXPECT(n_sat == 0 && t->clipped_pixels == 0, "%s: %d bands saturated, %ld pixels clipped",
               preset, n_sat, t->clipped_pixels);
    bq_image_free(img);
    bq_sim_truth_free(t);
}

/* The target/control ratio relative to vehicle follows the 4PL (written
 * out here independently of the library), loading cancels in the ratio. */
static void check_dose_series(const char *preset, int hook)
{
    bq_sim_params_t p;
    bq_sim_truth_t *t = NULL;
    if (render(preset, 11, &p, NULL, &t, NULL))
        return;
    EXPECT(p.hook == hook, "%s: hook %d", preset, p.hook);
    double vehicle_ratio = NAN, max_err = 0.0, min_fraction = 1.0, top_fraction = 1.0;
    int n_doses = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int l = 1; l <= t->n_lanes; l++) {
            const bq_sim_band_t *tgt = NULL, *ctl = NULL;
            for (int i = 0; i < t->n_bands; i++)
                if (t->bands[i].lane == l && !t->bands[i].ladder) {
                    if (t->bands[i].row == 1)
                        tgt = &t->bands[i];
                    if (t->bands[i].row == 2)
                        ctl = &t->bands[i];
                }
            if (!tgt || !ctl)
                continue;
            double ratio = tgt->volume / ctl->volume, dose = tgt->dose;
            if (pass == 0) {
                if (dose == 0.0 && isnan(vehicle_ratio))
                    vehicle_ratio = ratio;
                continue;
            }
            double f = 1.0;
            if (dose > 0) {
                f = (1 - p.dmax) + p.dmax / (1 + pow(dose / p.dc50, p.hill));
                if (p.hook) {
                    double s = pow(dose / p.hook_dc, 1.5);
                    f += (1 - f) * p.hook_max * s / (1 + s);
                }
                n_doses++;
                top_fraction = f; /* doses rise left to right */
                min_fraction = fmin(min_fraction, f);
            }
            max_err = fmax(max_err, fabs(ratio / vehicle_ratio - f));
        }
    EXPECT(max_err < 1e-6, "%s: relative abundance differs from 4PL by %g", preset, max_err);
    EXPECT(n_doses >= 1, "%s: no doses", preset);
    if (hook)
        EXPECT(top_fraction > min_fraction + 0.1, "%s: no hook (top %.3f, minimum %.3f)",
               preset, top_fraction, min_fraction);
    if (strcmp(preset, "kt253") == 0) {
        EXPECT(n_doses == 10, "kt253: %d doses, want 10", n_doses);
        EXPECT(fabs(p.dc50 - 0.4) < 1e-12 && p.polarity == BQ_SIM_DARK, "kt253 parameters");
        /* vehicle + half-log doses as written on a real sample sheet */
        static const double want[] = {0, 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100, 316};
        int k = 0;
        for (int l = 0; l < t->n_lanes; l++) {
            if (t->lanes[l].ladder)
                continue;
            EXPECT(k < 11 && fabs(t->lanes[l].dose - want[k]) < 1e-9 * (1 + want[k]),
                   "kt253 lane %d dose %g, want %g", l + 1, t->lanes[l].dose, k < 11 ? want[k] : -1.0);
            k++;
        }
    }
    bq_sim_truth_free(t);
}

static void check_params(void)
{
    bq_sim_params_t p;
    bq_error_t err = {0, ""};
    for (int i = 0; bq_sim_preset_names[i]; i++) {
        EXPECT(bq_sim_params_preset(bq_sim_preset_names[i], &p, &err) == 0, "preset %s",
               bq_sim_preset_names[i]);
        EXPECT(bq_sim_params_validate(&p, &err) == 0, "preset %s invalid: %s",
               bq_sim_preset_names[i], err.msg);
    }
    EXPECT(bq_sim_params_preset("nope", &p, &err) == BQ_ERR_INVALID, "unknown preset accepted");
    bq_sim_params_preset("clean", &p, NULL);
    p.n_lanes = 1;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "1 lane accepted");
    p.n_lanes = 31;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "31 lanes accepted");
    bq_sim_params_preset("clean", &p, NULL);
    p.dmax = NAN;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "NaN dmax accepted");
    bq_sim_params_preset("clean", &p, NULL);
    p.width = 100000;
    bq_image_t *img = (bq_image_t *)&p; /* must be reset to NULL on failure */
    EXPECT(bq_simulate(&p, &img, NULL, NULL) == BQ_ERR_INVALID && img == NULL,
           "huge width accepted");
    /* 30 lanes in a narrow picture cannot hold bands */
    bq_sim_params_preset("clean", &p, NULL);
    p.n_lanes = 30;
    p.width = 120;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "30 lanes in 120 px accepted");
    /* extremes that are allowed must render */
    bq_sim_params_preset("hard", &p, NULL);
    p.n_lanes = 30;
    p.width = 1800;
    bq_sim_truth_t *t = NULL;
    img = NULL;
    EXPECT(bq_simulate(&p, &img, &t, &err) == 0 && t->n_lanes == 32, "30 lanes + 2 ladders: %s",
           err.msg);
    bq_image_free(img);
    bq_sim_truth_free(t);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void check_write(const char *dir)
{
    bq_image_t *img = NULL;
    bq_sim_truth_t *t = NULL;
    if (render("kt253", 1, NULL, &img, &t, NULL))
        return;
    char path[1024], other[1024];
    bq_error_t err = {0, ""};
    snprintf(path, sizeof path, "%s/sim_unit.tif", dir);
    EXPECT(bq_sim_write_all(path, img, t, &err) == 0, "write: %s", err.msg);
    static const char *const sfx[] = {".tif", ".truth.csv", ".samples.csv", ".params.csv"};
    for (int i = 0; i < 4; i++) {
        snprintf(other, sizeof other, "%s/sim_unit%s", dir, sfx[i]);
        EXPECT(file_exists(other), "%s missing", other);
    }
    snprintf(other, sizeof other, "%s/sim_unit.truth.csv", dir);
    FILE *fp = fopen(other, "r");
    char line[256] = "";
    if (fp) {
        if (!fgets(line, sizeof line, fp))
            line[0] = '\0';
        fclose(fp);
    }
    EXPECT(strcmp(line, "lane,row,protein,dose,unit,x_center,x_left,x_right,y_center,y_top,"
                        "y_bottom,volume,saturated,ladder\n") == 0,
           "truth header: %s", line);
    /* a directory that does not exist: nothing may be left behind */
    snprintf(path, sizeof path, "%s/no/such/dir/x.tif", dir);
    EXPECT(bq_sim_write_all(path, img, t, &err) == BQ_ERR_IO, "write into missing dir");
    snprintf(path, sizeof path, "%s/sim_bad.png", dir);
    EXPECT(bq_sim_write_all(path, img, t, &err) == BQ_ERR_INVALID, ".png name accepted");
    snprintf(other, sizeof other, "%s/sim_bad.truth.csv", dir);
    EXPECT(!file_exists(other), "truth written for a refused name");
    bq_image_free(img);
    bq_sim_truth_free(t);
}

/* ---- two-channel scans ------------------------------------------------- */

static void two_channel_setup(bq_sim_params_t *p)
{
    p->polarity = BQ_SIM_BRIGHT;
    p->two_channel = 1;
    p->width = 800;
    p->height = 560;
}

static int render_two(unsigned long long seed, void (*tweak)(bq_sim_params_t *),
                      bq_sim_params_t *p, bq_image_t *imgs[2], bq_sim_truth_t **t)
{
    bq_error_t err = {0, ""};
    int n = -1;
    bq_sim_params_preset("kt253", p, NULL);
    p->seed = seed;
    two_channel_setup(p);
    if (tweak)
        tweak(p);
    if (bq_simulate_channels(p, imgs, &n, t, &err) != 0) {
        EXPECT(0, "two-channel render: %s", err.msg);
        return -1;
    }
    EXPECT(n == 2 && imgs[0] && imgs[1], "two-channel render gave %d pictures", n);
    EXPECT(imgs[0]->width == imgs[1]->width && imgs[0]->height == imgs[1]->height &&
               imgs[0]->width == p->width && imgs[0]->height == p->height,
           "channel sizes %dx%d and %dx%d", imgs[0]->width, imgs[0]->height, imgs[1]->width,
           imgs[1]->height);
    EXPECT((*t)->control_background != NULL, "no control-channel background");
    return n == 2 ? 0 : -1;
}

/* Sum of (pixel - channel background) over a band's truth box. */
static double box_excess(const bq_image_t *img, const bq_image_t *bg, const bq_sim_band_t *b,
                         long *npix)
{
    int x0 = (int)floor(fmin(b->x_left, b->x_right)), x1 = (int)ceil(fmax(b->x_left, b->x_right));
    int y0 = (int)floor(b->y_top), y1 = (int)ceil(b->y_bottom);
    double sum = 0.0;
    *npix = 0;
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < img->height; y++)
        for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < img->width; x++) {
            size_t i = (size_t)y * img->width + x;
            sum += img->data[i] - bg->data[i];
            (*npix)++;
        }
    return sum;
}

/* Each scan holds its own row's bands and nothing of the other's: the
 * excess over the channel's background in a band box is >= 85 % of the
 * volume (the box is +-2.5 sigma) in its own channel and within 1 % of the
 * row's strongest volume of zero in the other. Checked without noise (exact) and with the
 * preset's noise and dust. */
static void check_two_channel_rows(int noisy)
{
    bq_sim_params_t p;
    bq_image_t *imgs[2] = {NULL, NULL};
    bq_sim_truth_t *t = NULL;
    if (render_two(21, noisy ? NULL : quiet, &p, imgs, &t))
        goto out;
    const bq_image_t *bgs[2] = {t->background, t->control_background};
    double worst_own = 1.0, worst_other = 0.0;
    int n_checked = 0;
    /* the other channel is measured against the row's strongest band: the
     * faintest degraded bands are ~5 % of it and noise alone is not */
    double row_max[BQ_SIM_MAX_ROWS] = {0};
    for (int i = 0; i < t->n_bands; i++)
        if (!t->bands[i].ladder)
            row_max[t->bands[i].row - 1] = fmax(row_max[t->bands[i].row - 1], t->bands[i].volume);
    for (int i = 0; i < t->n_bands; i++) {
        const bq_sim_band_t *b = &t->bands[i];
        if (b->ladder)
            continue;
        int own = p.rows[b->row - 1].is_target ? BQ_SIM_CH_TARGET : BQ_SIM_CH_CONTROL;
        for (int c = 0; c < 2; c++) {
            long n;
            double ex = box_excess(imgs[c], bgs[c], b, &n);
            if (c == own) {
                worst_own = fmin(worst_own, ex / b->volume);
            } else {
                double rel = fabs(ex) / row_max[b->row - 1];
                EXPECT(rel < 0.01, "%s: lane %d row %d shows %.4f of the row's volume in the "
                       "other scan", noisy ? "noisy" : "quiet", b->lane, b->row, rel);
                worst_other = fmax(worst_other, rel);
            }
        }
        n_checked++;
    }
    EXPECT(n_checked == 2 * p.n_lanes, "%d bands checked", n_checked);
    EXPECT(worst_own > 0.85 && worst_own < 1.01, "%s: own-channel band holds %.3f of its volume",
           noisy ? "noisy" : "quiet", worst_own);
    printf("two-channel %-6s own channel >= %.3f of volume, other channel <= %.5f of the row\n",
           noisy ? "noisy" : "quiet", worst_own, worst_other);
    if (noisy) {
        /* noise and dust are drawn per channel: residuals must not
         * correlate where neither scan has a band */
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        long n = 0;
        size_t npix = (size_t)p.width * p.height;
        for (size_t i = 0; i < npix; i++) {
            double x = (double)(i % (size_t)p.width), y = (double)(i / (size_t)p.width);
            int in_band = 0;
            for (int k = 0; k < t->n_bands && !in_band; k++) {
                const bq_sim_band_t *b = &t->bands[k];
                in_band = x >= fmin(b->x_left, b->x_right) - 5 &&
                          x <= fmax(b->x_left, b->x_right) + 5 && y >= b->y_top - 10 &&
                          y <= b->y_bottom + 10;
            }
            if (in_band)
                continue;
            double a = imgs[0]->data[i] - bgs[0]->data[i], c = imgs[1]->data[i] - bgs[1]->data[i];
            sa += a, sb += c, saa += a * a, sbb += c * c, sab += a * c;
            n++;
        }
        double cov = sab / n - (sa / n) * (sb / n);
        double r = cov / sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
        EXPECT(n > (long)(npix / 3) && fabs(r) < 0.05,
               "channel noise correlates: r = %.3f over %ld pixels", r, n);
        printf("two-channel noise correlation r = %.4f over %ld pixels\n", r, n);
    }
out:
    bq_image_free(imgs[0]);
    bq_image_free(imgs[1]);
    bq_sim_truth_free(t);
}

/* The same parameters as one bright picture give the same truth: only the
 * split into scans differs. The pair is deterministic. */
static void check_two_channel_truth(void)
{
    bq_sim_params_t p;
    bq_image_t *imgs[2] = {NULL, NULL}, *again[2] = {NULL, NULL}, *one = NULL;
    bq_sim_truth_t *t = NULL, *t2 = NULL, *t1 = NULL;
    bq_error_t err = {0, ""};
    if (render_two(22, NULL, &p, imgs, &t) || render_two(22, NULL, &p, again, &t2))
        goto out;
    size_t npix = (size_t)p.width * p.height;
    for (int c = 0; c < 2; c++)
        EXPECT(memcmp(imgs[c]->data, again[c]->data, npix * sizeof *imgs[c]->data) == 0,
               "channel %d: same seed, different pixels", c);
    EXPECT(memcmp(imgs[0]->data, imgs[1]->data, npix * sizeof *imgs[0]->data) != 0,
           "both channels identical");
    bq_sim_params_t q = p;
    q.two_channel = 0;
    if (bq_simulate(&q, &one, &t1, &err) != 0) {
        EXPECT(0, "one-picture render: %s", err.msg);
        goto out;
    }
    EXPECT(t->n_bands == t1->n_bands && t->n_lanes == t1->n_lanes, "band/lane counts differ");
    double worst = 0.0;
    for (int i = 0; i < t->n_bands && i < t1->n_bands; i++) {
        const bq_sim_band_t *a = &t->bands[i], *b = &t1->bands[i];
        EXPECT(a->lane == b->lane && a->row == b->row && a->ladder == b->ladder &&
                   strcmp(a->protein, b->protein) == 0,
               "band %d identity differs", i);
        double d = fabs(a->volume - b->volume) / b->volume;
        d = fmax(d, fabs(a->x_center - b->x_center));
        d = fmax(d, fabs(a->y_center - b->y_center));
        d = fmax(d, fabs(a->y_top - b->y_top) + fabs(a->y_bottom - b->y_bottom));
        worst = fmax(worst, d);
    }
    EXPECT(worst < 1e-9, "two-channel truth differs from one-picture truth by %g", worst);
    for (int i = 0; i < t->n_lanes && i < t1->n_lanes; i++)
        EXPECT(t->lanes[i].loading == t1->lanes[i].loading &&
                   t->lanes[i].fraction == t1->lanes[i].fraction,
               "lane %d loading/fraction differ", i + 1);
    EXPECT(t->params.two_channel == 1 && t->params.polarity == BQ_SIM_BRIGHT, "truth params");
    EXPECT(t->channel_clipped[0] + t->channel_clipped[1] == t->clipped_pixels,
           "clipped pixels %ld + %ld != %ld", t->channel_clipped[0], t->channel_clipped[1],
           t->clipped_pixels);
out:
    for (int c = 0; c < 2; c++) {
        bq_image_free(imgs[c]);
        bq_image_free(again[c]);
    }
    bq_image_free(one);
    bq_sim_truth_free(t);
    bq_sim_truth_free(t2);
    bq_sim_truth_free(t1);
}

static void saturate_two(bq_sim_params_t *p)
{
    p->saturate = 1;
}

/* Saturation flags follow the band's own scan: the strongest control
 * bands clip in the control scan, the target scan has nothing clipped in
 * its target bands. */
static void check_two_channel_saturation(void)
{
    bq_sim_params_t p;
    bq_image_t *imgs[2] = {NULL, NULL};
    bq_sim_truth_t *t = NULL;
    if (render_two(23, saturate_two, &p, imgs, &t))
        goto out;
    int ctrl_sat = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_sim_band_t *b = &t->bands[i];
        int x0 = (int)floor(fmin(b->x_left, b->x_right)), x1 = (int)ceil(fmax(b->x_left, b->x_right));
        int y0 = (int)floor(b->y_top), y1 = (int)ceil(b->y_bottom);
        long clipped[2] = {0, 0};
        for (int c = 0; c < 2; c++)
            for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < p.height; y++)
                for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < p.width; x++)
                    clipped[c] += imgs[c]->data[(size_t)y * p.width + x] >= 65535.0f;
        long want = b->ladder ? clipped[0] + clipped[1]
                              : clipped[p.rows[b->row - 1].is_target ? 0 : 1];
        EXPECT((want > 0) == (b->saturated != 0), "lane %d row %d: flag %d, %ld clipped",
               b->lane, b->row, b->saturated, want);
        if (!b->ladder && !p.rows[b->row - 1].is_target)
            ctrl_sat += b->saturated;
    }
    EXPECT(ctrl_sat > 0, "no control band saturated in the control scan");
    EXPECT(t->channel_clipped[BQ_SIM_CH_CONTROL] > 0, "control scan has no clipped pixel");
out:
    bq_image_free(imgs[0]);
    bq_image_free(imgs[1]);
    bq_sim_truth_free(t);
}

static int file_has_line(const char *path, const char *want)
{
    FILE *fp = fopen(path, "r");
    char line[512];
    int found = 0;
    if (!fp)
        return 0;
    while (!found && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        found = strcmp(line, want) == 0;
    }
    fclose(fp);
    return found;
}

/* Refusals, and the files: NAME.target.tif + NAME.control.tif instead of
 * NAME.tif, read back pixel for pixel, named in params.csv. */
static void check_two_channel_api(const char *dir)
{
    bq_sim_params_t p;
    bq_error_t err = {0, ""};
    bq_image_t *img = (bq_image_t *)&p, *imgs[2] = {NULL, NULL};
    bq_sim_truth_t *t = NULL;
    bq_sim_params_preset("clean", &p, NULL);
    p.two_channel = 1;
    EXPECT(bq_sim_params_validate(&p, NULL) == 0, "two-channel clean refused");
    EXPECT(bq_simulate(&p, &img, NULL, &err) == BQ_ERR_INVALID && img == NULL,
           "bq_simulate rendered a two-channel scan as one picture");
    p.polarity = BQ_SIM_DARK;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "dark two-channel accepted");
    p.polarity = BQ_SIM_BRIGHT;
    p.two_channel = 2;
    EXPECT(bq_sim_params_validate(&p, NULL) == BQ_ERR_INVALID, "two_channel 2 accepted");

    if (render_two(24, NULL, &p, imgs, &t))
        goto out;
    char path[1024], other[1024];
    snprintf(path, sizeof path, "%s/sim_two.tif", dir);
    EXPECT(bq_sim_write_all(path, imgs[0], t, &err) == BQ_ERR_INVALID,
           "one picture written for a two-channel truth");
    EXPECT(bq_sim_write_channels(path, imgs, 2, t, &err) == 0, "write pair: %s", err.msg);
    static const char *const sfx[] = {".target.tif", ".control.tif", ".truth.csv",
                                      ".samples.csv", ".params.csv"};
    for (int i = 0; i < 5; i++) {
        snprintf(other, sizeof other, "%s/sim_two%s", dir, sfx[i]);
        EXPECT(file_exists(other), "%s missing", other);
    }
    EXPECT(!file_exists(path), "%s written beside the pair", path);
    snprintf(other, sizeof other, "%s/sim_two.params.csv", dir);
    EXPECT(file_has_line(other, "two_channel,yes"), "params: no two_channel,yes");
    EXPECT(file_has_line(other, "target_file,sim_two.target.tif"), "params: no target_file");
    EXPECT(file_has_line(other, "control_file,sim_two.control.tif"), "params: no control_file");
    EXPECT(file_has_line(other, "polarity,bright"), "params: not bright");
    for (int c = 0; c < 2; c++) {
        bq_image_t *back = NULL;
        snprintf(other, sizeof other, "%s/sim_two%s", dir, sfx[c]);
        if (bq_image_load(other, NULL, &back, &err) != 0) {
            EXPECT(0, "reading %s: %s", other, err.msg);
            continue;
        }
        size_t n = (size_t)p.width * p.height;
        EXPECT(back->width == p.width && back->height == p.height &&
                   memcmp(back->data, imgs[c]->data, n * sizeof *back->data) == 0,
               "%s does not read back as rendered", other);
        bq_image_free(back);
    }
    /* a directory that does not exist: nothing left behind */
    snprintf(path, sizeof path, "%s/no/such/dir/x.tif", dir);
    EXPECT(bq_sim_write_channels(path, imgs, 2, t, &err) == BQ_ERR_IO, "write into missing dir");
out:
    bq_image_free(imgs[0]);
    bq_image_free(imgs[1]);
    bq_sim_truth_free(t);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    check_params();
    test_determinism();
    test_pinned();
    const char *volume_presets[] = {"clean", "artefacts", "geometry", "strips", "kt253", "hook",
                                    "hard"};
    for (size_t i = 0; i < sizeof volume_presets / sizeof *volume_presets; i++)
        check_volumes(volume_presets[i]);
    check_saturation("clean", 0);
    check_saturation("artefacts", 0);
    check_saturation("kt253", 0);
    check_saturation("saturated", 1);
    check_saturation("hard", 1);
    check_dose_series("kt253", 0);
    check_dose_series("clean", 0);
    check_dose_series("hook", 1);
    check_write(dir);
    check_two_channel_api(dir);
    check_two_channel_truth();
    check_two_channel_rows(0);
    check_two_channel_rows(1);
    check_two_channel_saturation();
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    else
        printf("all simulate tests passed\n");
    return failures ? 1 : 0;
}
