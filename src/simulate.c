/* simulate.c - synthetic Western blots with ground truth.
 *
 * The model, in the signal domain (bands bright):
 *   S(x,y) = tray/membrane background + gradient + streaks + smear tails
 *          + sum over bands A * h(u - lane) * g(v - band)
 * where (u,v) are membrane coordinates (lanes vertical, rows horizontal),
 * mapped to the picture by one rotation + shift per membrane strip (tilt,
 * cut strips). h is a flat top with erf edges (integral = band width), g a
 * two-sided Gaussian (sigma above, a longer sigma below), so a band's volume
 * is A * width * sqrt(pi/2) * (sigma_up + sigma_down) exactly; the renderer
 * picks A from the wanted volume. Dust, shot + read noise, rounding and
 * clipping come last; dark polarity is 65535 - S.
 *
 * Two-channel scans render the shared part (layout, loadings, membrane
 * background, streaks) once, then each channel in turn: its own rows'
 * bands and smear tails over a copy of the background, its own dust and
 * noise streams. A one-channel render goes through the same steps with
 * every band in its single channel, so its pixels are unchanged. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/simulate.h"
#include "blotquant/table.h"
#include "internal.h"

#define FULL_SCALE 65535.0
#define SQRT_HALF_PI 1.2533141373155003
#define N_MARKERS 10

/* Streams: each purpose draws from its own generator, so turning one knob
 * (e.g. noise) does not move the lanes or the loadings. */
enum {
    STREAM_LAYOUT = 1, STREAM_LOADING, STREAM_DUST, STREAM_NOISE, STREAM_STRIPS, STREAM_MOTTLE,
    STREAM_DUST_CONTROL, STREAM_NOISE_CONTROL /* two-channel: the control scan's own */
};

/* Channel argument meaning "every band" (one-picture render). */
#define CH_ALL (-1)

#define N_BLOTCHES 6

/* ---- random numbers: splitmix64 seeds xoshiro256** ---------------------- */

typedef struct rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0,1) with 53 random bits. */
static double rng_uniform(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [-1,1). */
static double rng_sym(rng_t *r)
{
    return 2.0 * rng_uniform(r) - 1.0;
}

/* Standard normal by Box-Muller (both values of a pair are used). */
static double rng_normal(rng_t *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = 1.0 - rng_uniform(r); /* (0,1]: log stays finite */
    double u2 = rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1));
    double th = 2.0 * M_PI * u2;
    r->spare = rad * sin(th);
    r->has_spare = 1;
    return rad * cos(th);
}

/* Poisson counts: exact (Knuth) for small means, where the skew shows; the
 * normal approximation above 30, where it does not. */
static double rng_poisson(rng_t *r, double lambda)
{
    if (lambda <= 0.0)
        return 0.0;
    if (lambda < 30.0) {
        double limit = exp(-lambda), p = 1.0;
        int k = -1;
        do {
            k++;
            p *= rng_uniform(r);
        } while (p > limit);
        return (double)k;
    }
    double v = lambda + sqrt(lambda) * rng_normal(r);
    return v < 0.0 ? 0.0 : v;
}

/* ---- presets ------------------------------------------------------------ */

const char *const bq_sim_preset_names[] = {"clean",  "artefacts", "geometry", "saturated",
                                           "kt253",  "strips",    "hook",     "hard",
                                           NULL};

static void set_row(bq_sim_row_t *row, const char *name, double kda, double rel, int target)
{
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", name);
    row->kda = kda;
    row->rel_amplitude = rel;
    row->is_target = target;
}

static void preset_clean(bq_sim_params_t *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->width = 1100;
    p->height = 760;
    p->polarity = BQ_SIM_BRIGHT;
    p->n_lanes = 12;
    p->ladder = BQ_SIM_LADDER_NONE;
    p->margin = 0.0;
    p->tray_level = 0.3;
    p->lane_fill = 0.72;
    p->uneven = 0.0;
    p->n_rows = 2;
    set_row(&p->rows[0], "MDM2", 90.0, 0.6, 1);
    set_row(&p->rows[1], "ACTB", 42.0, 1.0, 0);
    p->band_skew = 0.25;
    p->band_bow = 0.0;
    p->n_vehicle = 1;
    p->dose_min = 0.01;
    p->dose_max = 1000.0;
    snprintf(p->unit, sizeof p->unit, "nM");
    p->dc50 = 3.0;
    p->hill = 1.0;
    p->dmax = 0.9;
    p->hook = 0;
    p->hook_dc = 150.0;
    p->hook_max = 0.6;
    p->loading_cv = 0.1;
    p->offset = 2500.0;
    p->peak = 0.0;
    p->strips = 1;
    p->strip_gap = 30.0;
    p->adc_step = 1;
}

int bq_sim_params_preset(const char *name, bq_sim_params_t *p, bq_error_t *err)
{
    if (!p)
        return bq_error_set(err, BQ_ERR_INVALID, "simulate: no parameter struct");
    if (!name || !*name)
        name = "clean";
    preset_clean(p);
    if (strcmp(name, "clean") == 0) {
        /* nothing to add: the reference every other preset departs from */
    } else if (strcmp(name, "artefacts") == 0) {
        p->gradient = 0.25;
        p->smear = 0.15;
        p->dust = 40;
        p->noise = 1.0;
        p->band_bow = 1.0;
    } else if (strcmp(name, "geometry") == 0) {
        p->tilt_deg = 1.5;
        p->smile_px = 7.0;
        p->uneven = 0.15;
        p->dmax = 0.97; /* MDM2 down to ~3 % of vehicle */
        p->dc50 = 1.0;
        p->noise = 0.5;
        p->band_bow = 1.5;
    } else if (strcmp(name, "saturated") == 0) {
        p->saturate = 1;
        p->rows[0].rel_amplitude = 0.35;
        p->noise = 0.5;
        p->gradient = 0.05;
    } else if (strcmp(name, "kt253") == 0) {
        /* KT-253-like MDM2 degrader: vehicle + 10 half-log doses
         * 0.01-316 nM, DC50 ~0.4 nM, Dmax ~95 %, on a film-like export. */
        p->width = 1200;
        p->height = 840;
        p->n_lanes = 11;
        p->dose_max = 316.0;
        p->dc50 = 0.4;
        p->hill = 1.2;
        p->dmax = 0.95;
        p->loading_cv = 0.12;
        p->rows[0].rel_amplitude = 0.55;
        p->ladder = BQ_SIM_LADDER_LEFT;
        p->margin = 0.04;
        p->polarity = BQ_SIM_DARK;
        p->offset = 6000.0;
        p->gradient = 0.12;
        p->smear = 0.08;
        p->dust = 15;
        p->noise = 0.8;
        p->tilt_deg = 0.4;
        p->smile_px = 3.0;
        p->uneven = 0.05;
        p->band_bow = 1.0;
    } else if (strcmp(name, "strips") == 0) {
        p->strips = 2;
        p->strip_gap = 30.0;
        p->margin = 0.05;
        p->ladder = BQ_SIM_LADDER_LEFT;
        p->noise = 0.5;
        p->gradient = 0.08;
    } else if (strcmp(name, "hook") == 0) {
        p->hook = 1;
        p->dc50 = 1.0;
        p->dmax = 0.92;
        p->noise = 0.3;
    } else if (strcmp(name, "hard") == 0) {
        p->n_lanes = 16;
        p->width = 1340;
        p->height = 1040;
        p->gradient = 0.35;
        p->smear = 0.25;
        p->dust = 60;
        p->noise = 1.5;
        p->tilt_deg = 2.0;
        p->smile_px = 8.0;
        p->uneven = 0.25;
        p->saturate = 1;
        p->rows[0].rel_amplitude = 0.35;
        p->dmax = 0.97;
        p->hook = 1;
        p->strips = 2;
        p->margin = 0.05;
        p->ladder = BQ_SIM_LADDER_BOTH;
        p->polarity = BQ_SIM_DARK;
        p->offset = 6000.0;
        p->band_bow = 1.5;
        p->labels = 1;
    } else {
        return bq_error_set(err, BQ_ERR_INVALID,
                            "simulate: unknown preset '%s' (clean, artefacts, geometry, "
                            "saturated, kt253, strips, hook, hard)",
                            name);
    }
    /* everything but the reference comes from a 12-bit camera scaled to
     * 16 bits, like the ChemiDoc scans (values in steps of 4) */
    if (strcmp(name, "clean") != 0)
        p->adc_step = 4;
    snprintf(p->preset, sizeof p->preset, "%s", name);
    return BQ_OK;
}

/* ---- validation --------------------------------------------------------- */

static int bad_range(double v, double lo, double hi)
{
    return !isfinite(v) || v < lo || v > hi;
}

int bq_sim_params_validate(const bq_sim_params_t *p, bq_error_t *err)
{
/* REQUIRE refuses the parameters with a message when cond is false. */
#define REQUIRE(cond, ...)                                                  \
    do {                                                                    \
        if (!(cond))                                                        \
            return bq_error_set(err, BQ_ERR_INVALID, "simulate: " __VA_ARGS__); \
    } while (0)
    REQUIRE(p != NULL, "no parameters");
    REQUIRE(p->width >= 64 && p->width <= BQ_SIM_MAX_SIDE, "width %d out of range 64..%d",
          p->width, BQ_SIM_MAX_SIDE);
    REQUIRE(p->height >= 64 && p->height <= BQ_SIM_MAX_SIDE, "height %d out of range 64..%d",
          p->height, BQ_SIM_MAX_SIDE);
    REQUIRE((double)p->width * p->height <= BQ_SIM_MAX_PIXELS,
          "%dx%d is more than %d pixels", p->width, p->height, BQ_SIM_MAX_PIXELS);
    REQUIRE(p->polarity == BQ_SIM_BRIGHT || p->polarity == BQ_SIM_DARK, "bad polarity");
    REQUIRE(p->two_channel == 0 || p->two_channel == 1, "two_channel must be 0 or 1");
    /* fluorescence scanners image bright bands; a film-like export of a
     * two-channel scan is not something a scanner writes */
    REQUIRE(!p->two_channel || p->polarity == BQ_SIM_BRIGHT,
          "two-channel scans are fluorescence: polarity must be bright");
    REQUIRE(!p->two_channel || (double)p->width * p->height <= BQ_SIM_MAX_PIXELS / 2,
          "%dx%d is more than %d pixels for a two-channel scan", p->width, p->height,
          BQ_SIM_MAX_PIXELS / 2);
    REQUIRE(p->n_lanes >= BQ_SIM_MIN_LANES && p->n_lanes <= BQ_SIM_MAX_LANES,
          "lanes %d out of range %d..%d", p->n_lanes, BQ_SIM_MIN_LANES, BQ_SIM_MAX_LANES);
    REQUIRE(p->ladder >= BQ_SIM_LADDER_NONE && p->ladder <= BQ_SIM_LADDER_BOTH, "bad ladder");
    REQUIRE(!bad_range(p->margin, 0.0, 0.3), "margin %g out of range 0..0.3", p->margin);
    REQUIRE(!bad_range(p->tray_level, 0.0, 1.0), "tray level %g out of range 0..1",
          p->tray_level);
    REQUIRE(!bad_range(p->lane_fill, 0.3, 0.9), "lane fill %g out of range 0.3..0.9",
          p->lane_fill);
    REQUIRE(!bad_range(p->uneven, 0.0, 0.4), "uneven %g out of range 0..0.4", p->uneven);
    REQUIRE(p->n_rows >= 1 && p->n_rows <= BQ_SIM_MAX_ROWS, "rows %d out of range 1..%d",
          p->n_rows, BQ_SIM_MAX_ROWS);
    for (int r = 0; r < p->n_rows; r++) {
        const bq_sim_row_t *row = &p->rows[r];
        REQUIRE(row->name[0] != '\0', "row %d has no name", r + 1);
        REQUIRE(!bad_range(row->kda, 10.0, 250.0), "row %s: %g kDa out of range 10..250",
              row->name, row->kda);
        REQUIRE(!bad_range(row->rel_amplitude, 0.0, 2.0), "row %s: amplitude %g out of 0..2",
              row->name, row->rel_amplitude);
        REQUIRE(!bad_range(row->sigma_y, 0.0, 30.0), "row %s: sigma %g out of 0..30",
              row->name, row->sigma_y);
        if (r > 0)
            REQUIRE(row->kda < p->rows[r - 1].kda, "rows must be ordered by falling kDa");
    }
    REQUIRE(!bad_range(p->band_skew, 0.0, 2.0), "band skew %g out of range 0..2", p->band_skew);
    REQUIRE(!bad_range(p->band_bow, 0.0, 10.0), "band bow %g out of range 0..10", p->band_bow);
    REQUIRE(p->n_vehicle >= 1 && p->n_vehicle < p->n_lanes,
          "vehicle lanes %d must be 1..lanes-1", p->n_vehicle);
    REQUIRE(!bad_range(p->dose_min, 1e-9, 1e9), "dose_min %g out of range", p->dose_min);
    REQUIRE(!bad_range(p->dose_max, p->dose_min, 1e9), "dose_max %g below dose_min",
          p->dose_max);
    REQUIRE(!bad_range(p->dc50, 1e-9, 1e9), "dc50 %g out of range", p->dc50);
    REQUIRE(!bad_range(p->hill, 0.1, 10.0), "hill %g out of range 0.1..10", p->hill);
    REQUIRE(!bad_range(p->dmax, 0.0, 1.0), "dmax %g out of range 0..1", p->dmax);
    REQUIRE(!bad_range(p->hook_dc, 1e-9, 1e9), "hook dose %g out of range", p->hook_dc);
    REQUIRE(!bad_range(p->hook_max, 0.0, 1.0), "hook strength %g out of range 0..1",
          p->hook_max);
    REQUIRE(!bad_range(p->loading_cv, 0.0, 0.3), "loading cv %g out of range 0..0.3",
          p->loading_cv);
    REQUIRE(!bad_range(p->offset, 0.0, 30000.0), "offset %g out of range 0..30000", p->offset);
    REQUIRE(!bad_range(p->peak, 0.0, 200000.0), "peak %g out of range", p->peak);
    REQUIRE(!bad_range(p->gradient, 0.0, 2.0), "gradient %g out of range 0..2", p->gradient);
    REQUIRE(!bad_range(p->smear, 0.0, 1.0), "smear %g out of range 0..1", p->smear);
    REQUIRE(p->dust >= 0 && p->dust <= 100000, "dust %d out of range 0..100000", p->dust);
    REQUIRE(!bad_range(p->noise, 0.0, 10.0), "noise %g out of range 0..10", p->noise);
    REQUIRE(p->adc_step >= 1 && p->adc_step <= 256, "adc step %d out of range 1..256",
          p->adc_step);
    REQUIRE(!bad_range(p->tilt_deg, -5.0, 5.0), "tilt %g out of range -5..5", p->tilt_deg);
    REQUIRE(!bad_range(p->smile_px, -50.0, 50.0), "smile %g out of range -50..50",
          p->smile_px);
    REQUIRE(!bad_range(p->mw_curve, -0.5, 0.5), "mw curve %g out of range -0.5..0.5",
            p->mw_curve);
    REQUIRE(p->strips == 1 || (p->strips == p->n_rows && p->n_rows > 1),
          "strips must be 1 or the number of rows (%d)", p->n_rows);
    REQUIRE(!bad_range(p->strip_gap, 0.0, 200.0), "strip gap %g out of range 0..200",
          p->strip_gap);
    /* a lane must stay a few pixels wide to hold a band with soft edges */
    int n_total = p->n_lanes + (int)p->ladder;
    double wm = p->width * (1.0 - 2.0 * p->margin);
    REQUIRE(wm * p->lane_fill / (n_total + 1.2) >= 6.0,
          "%d lanes do not fit in %d px width", n_total, p->width);
    double hm = p->height * (1.0 - 2.0 * p->margin) - (p->strips - 1) * p->strip_gap;
    REQUIRE(hm >= 60.0, "membrane height %g px too small", hm);
#undef REQUIRE
    return BQ_OK;
}

/* ---- dose series -------------------------------------------------------- */

double bq_sim_fraction(const bq_sim_params_t *p, double dose)
{
    if (!(dose > 0.0))
        return 1.0;
    double bottom = 1.0 - p->dmax;
    double f = bottom + (1.0 - bottom) / (1.0 + pow(dose / p->dc50, p->hill));
    if (p->hook) {
        /* the ternary complex falls apart at high dose: part of the lost
         * target returns, following a logistic in log dose */
        double s = pow(dose / p->hook_dc, 1.5);
        f += (1.0 - f) * p->hook_max * s / (1.0 + s);
    }
    return f;
}

/* Three significant digits, so the dose written to the sample sheet is the
 * dose the truth was computed from. */
static double round_sig3(double v)
{
    double e = floor(log10(v)) - 2.0;
    double scale = pow(10.0, e);
    return round(v / scale) * scale;
}

/* ---- geometry ----------------------------------------------------------- */

/* One piece of membrane: the band of membrane rows [v0,v1) rotated by
 * (cs,sn) about its centre (cu,cv) and placed with that centre at (ox,oy). */
typedef struct strip {
    double v0, v1;
    double cu, cv;
    double ox, oy;
    double cs, sn;
    double angle_deg, dx, dy;
    int edge_top, edge_bottom, edge_sides; /* which membrane edges exist */
} strip_t;

static void strip_to_image(const strip_t *st, double u, double v, double *x, double *y)
{
    double du = u - st->cu, dv = v - st->cv;
    *x = st->ox + st->cs * du - st->sn * dv;
    *y = st->oy + st->sn * du + st->cs * dv;
}

static void strip_to_membrane(const strip_t *st, double x, double y, double *u, double *v)
{
    double dx = x - st->ox, dy = y - st->oy;
    *u = st->cu + st->cs * dx + st->sn * dy;
    *v = st->cv - st->sn * dx + st->cs * dy;
}

/* 1-pixel anti-aliased membrane edge. */
static double ramp(double d)
{
    return bq_clamp(d + 0.5, 0.0, 1.0);
}

static double strip_mask(const strip_t *st, double wm, double u, double v)
{
    double m = 1.0;
    if (st->edge_sides)
        m *= ramp(u) * ramp(wm - u);
    if (st->edge_top)
        m *= ramp(v - st->v0);
    if (st->edge_bottom)
        m *= ramp(st->v1 - v);
    return m;
}

/* One band to render (sample band or ladder marker). */
typedef struct band_spec {
    int lane, row, strip, ladder;
    double u, v;          /* centre in membrane coordinates */
    double width, sx;     /* flat-top width and edge sigma */
    double su, sd;        /* sigma above / below */
    double bow;
    double amp;           /* peak height (signal units) */
    double kda;
    double volume;
    double lane_width;
} band_spec_t;

typedef struct lane_spec {
    double u, width, loading, dose, fraction;
    int ladder;
} lane_spec_t;

typedef struct sim {
    const bq_sim_params_t *p;
    int W, H;
    double mx0, my0, wm, hm;
    int n_strips;
    strip_t strips[BQ_SIM_MAX_ROWS];
    int n_lanes;
    lane_spec_t *lanes;
    int n_bands;
    band_spec_t *bands;
    double peak, sigma0;
    double grad_cx, grad_cy, grad_q;
    double blotch[N_BLOTCHES][4]; /* x, y, sigma, amplitude */
    double *signal;       /* the picture being rendered, signal domain */
    double *bg;           /* background only (shared by the channels) */
    double *cbg;          /* two-channel: one channel's background (bg plus
                             its bands' smear tails); NULL otherwise */
} sim_t;

/* Where size kda runs: log-linear from 250 kDa near the top to 10 kDa near
 * the bottom, bent by mw_curve (monotone while |mw_curve| < 1). */
static double row_v(const sim_t *s, double kda)
{
    double u = log(250.0 / kda) / log(25.0);
    return s->hm * (0.06 + 0.88 * (u + s->p->mw_curve * u * (1.0 - u)));
}

static int strip_of_v(const sim_t *s, double v)
{
    for (int i = 0; i < s->n_strips; i++)
        if (v < s->strips[i].v1)
            return i;
    return s->n_strips - 1;
}

/* Place the membrane, its strips, the lanes; everything random about the
 * layout comes from the layout stream. */
static void layout(sim_t *s, rng_t *rl, rng_t *rs)
{
    const bq_sim_params_t *p = s->p;
    s->mx0 = p->margin * s->W;
    s->my0 = p->margin * s->H;
    s->wm = s->W - 2.0 * s->mx0;
    s->hm = s->H - 2.0 * s->my0 - (p->strips - 1) * p->strip_gap;
    s->sigma0 = bq_clamp(0.0075 * s->hm, 2.0, 15.0);

    /* strips: cut halfway between consecutive rows */
    s->n_strips = p->strips;
    double tilt = p->tilt_deg * M_PI / 180.0;
    for (int i = 0; i < s->n_strips; i++) {
        strip_t *st = &s->strips[i];
        st->v0 = i == 0 ? 0.0 : 0.5 * (row_v(s, p->rows[i - 1].kda) + row_v(s, p->rows[i].kda));
        st->v1 = i == s->n_strips - 1
                     ? s->hm
                     : 0.5 * (row_v(s, p->rows[i].kda) + row_v(s, p->rows[i + 1].kda));
        double extra = 0.0, dx = 0.0, dy = 0.0;
        if (s->n_strips > 1) {
            /* cut strips are laid down by hand: a little off in x, y, angle */
            extra = 0.6 * rng_sym(rs) * M_PI / 180.0;
            dx = 0.008 * s->W * rng_sym(rs);
            dy = 0.25 * p->strip_gap * rng_sym(rs);
        }
        st->cu = 0.5 * s->wm;
        st->cv = 0.5 * (st->v0 + st->v1);
        st->angle_deg = (tilt + extra) * 180.0 / M_PI;
        st->cs = cos(tilt + extra);
        st->sn = sin(tilt + extra);
        st->dx = dx;
        st->dy = dy + i * p->strip_gap;
        st->ox = s->mx0 + st->cu + st->dx;
        st->oy = s->my0 + st->cv + st->dy;
        st->edge_sides = p->margin > 0.0;
        st->edge_top = p->margin > 0.0 || i > 0;
        st->edge_bottom = p->margin > 0.0 || i < s->n_strips - 1;
    }

    /* lanes: jittered pitches, half a pitch of membrane beyond the outer lanes */
    int n = s->n_lanes;
    double pitch[BQ_SIM_MAX_LANES + 2], total = 0.0;
    for (int i = 0; i < n; i++) {
        pitch[i] = 1.0 + p->uneven * rng_sym(rl);
        total += pitch[i];
    }
    double pad = 0.6;
    double scale = s->wm / (total + 2.0 * pad);
    double acc = pad;
    for (int i = 0; i < n; i++) {
        lane_spec_t *ln = &s->lanes[i];
        ln->u = (acc + 0.5 * pitch[i]) * scale;
        acc += pitch[i];
        ln->width = p->lane_fill * pitch[i] * scale * (1.0 + 0.5 * p->uneven * rng_sym(rl));
        ln->ladder = (p->ladder != BQ_SIM_LADDER_NONE && i == 0) ||
                     (p->ladder == BQ_SIM_LADDER_BOTH && i == n - 1);
    }
    double ang = 2.0 * M_PI * rng_uniform(rl);
    s->grad_cx = cos(ang);
    s->grad_cy = sin(ang);
    s->grad_q = rng_uniform(rl);
}

/* Vehicle first, then rising doses; loadings vary per lane. */
static void dose_series(sim_t *s, rng_t *rload)
{
    const bq_sim_params_t *p = s->p;
    int nd = p->n_lanes - p->n_vehicle;
    double step = sqrt(10.0);
    /* compared as written (3 digits), so 316 nM counts as the half-log step */
    if (nd > 1 && round_sig3(p->dose_min * pow(step, nd - 1)) > p->dose_max)
        step = pow(p->dose_max / p->dose_min, 1.0 / (nd - 1));
    int k = 0;
    for (int i = 0; i < s->n_lanes; i++) {
        lane_spec_t *ln = &s->lanes[i];
        if (ln->ladder) {
            ln->dose = NAN;
            ln->loading = 1.0;
            ln->fraction = 1.0;
            continue;
        }
        ln->dose = k < p->n_vehicle ? 0.0 : round_sig3(p->dose_min * pow(step, k - p->n_vehicle));
        k++;
        ln->loading = bq_clamp(1.0 + p->loading_cv * rng_normal(rload), 0.6, 1.4);
        ln->fraction = bq_sim_fraction(p, ln->dose);
    }
}

/* Marker weights of a typical pre-stained ladder (Bio-Rad Precision Plus,
 * the "precision-plus" preset of mw.h), with its two reference bands
 * brighter. */
static const double marker_kda[N_MARKERS] = {250, 150, 100, 75, 50, 37, 25, 20, 15, 10};
static const double marker_amp[N_MARKERS] = {0.35, 0.35, 0.4, 0.7, 0.4, 0.4, 0.7, 0.35, 0.3, 0.3};

static double smile_offset(const sim_t *s, double u)
{
    double far = 0.0;
    for (int i = 0; i < s->n_lanes; i++)
        far = fmax(far, fabs(s->lanes[i].u - 0.5 * s->wm));
    if (far <= 0.0)
        return 0.0;
    double t = (u - 0.5 * s->wm) / far;
    return -s->p->smile_px * t * t; /* negative v = higher on the membrane */
}

/* Build the band list. Amplitudes are relative (peak = 1) until the peak
 * is chosen. */
static int make_bands(sim_t *s, rng_t *rl)
{
    const bq_sim_params_t *p = s->p;
    int cap = s->n_lanes * (p->n_rows > N_MARKERS ? p->n_rows : N_MARKERS);
    s->bands = bq_calloc_array((size_t)cap, sizeof *s->bands);
    if (!s->bands)
        return BQ_ERR_NOMEM;
    double mean_width = 0.0;
    int n_sample = 0;
    for (int i = 0; i < s->n_lanes; i++)
        if (!s->lanes[i].ladder) {
            mean_width += s->lanes[i].width;
            n_sample++;
        }
    mean_width /= n_sample;
    for (int i = 0; i < s->n_lanes; i++) {
        const lane_spec_t *ln = &s->lanes[i];
        double smile = smile_offset(s, ln->u);
        int n_here = ln->ladder ? N_MARKERS : p->n_rows;
        int row_no = 0;
        for (int r = 0; r < n_here; r++) {
            band_spec_t b;
            memset(&b, 0, sizeof b);
            double kda = ln->ladder ? marker_kda[r] : p->rows[r].kda;
            double sig = ln->ladder ? 0.7 * s->sigma0
                                    : (p->rows[r].sigma_y > 0 ? p->rows[r].sigma_y : s->sigma0);
            /* every draw happens whether or not the band is kept, so the
             * stream stays aligned */
            double jit_s = 1.0 + 0.08 * rng_sym(rl);
            double jit_v = 0.6 * rng_sym(rl);
            b.lane = i + 1;
            b.kda = kda;
            b.ladder = ln->ladder;
            b.u = ln->u;
            b.v = row_v(s, kda) + smile + jit_v;
            b.strip = strip_of_v(s, b.v);
            b.lane_width = ln->width;
            b.width = 0.86 * ln->width;
            b.sx = 0.05 * ln->width + 0.7;
            b.su = sig * jit_s;
            b.sd = b.su * (1.0 + p->band_skew);
            b.bow = p->band_bow;
            const strip_t *st = &s->strips[b.strip];
            /* a marker too close to a cut or the membrane edge is not
             * rendered: its truth would no longer be analytic */
            double room = 4.0 * b.sd + b.bow + 2.0;
            if (ln->ladder && (b.v - room < st->v0 || b.v + room > st->v1))
                continue;
            b.row = ln->ladder ? ++row_no : r + 1;
            double shape = b.width * SQRT_HALF_PI * (b.su + b.sd);
            double shape0 = 0.86 * mean_width * SQRT_HALF_PI * sig * (2.0 + p->band_skew);
            if (ln->ladder) {
                b.volume = marker_amp[r] * shape0;
            } else {
                double frac = p->rows[r].is_target ? ln->fraction : 1.0;
                b.volume = p->rows[r].rel_amplitude * ln->loading * frac * shape0;
            }
            b.amp = b.volume / shape;
            s->bands[s->n_bands++] = b;
        }
    }
    return BQ_OK;
}

/* The illumination gradient's shape (0..1) at image position (tx, ty),
 * both scaled to -1..1: a linear ramp plus a vignette-like bowl. */
static double gradient_shape(const sim_t *s, double tx, double ty)
{
    double norm = fabs(s->grad_cx) + fabs(s->grad_cy);
    double lin = 0.5 * (1.0 + (s->grad_cx * tx + s->grad_cy * ty) / norm);
    double quad = 0.5 * (tx * tx + ty * ty);
    return (1.0 - 0.3 * s->grad_q) * lin + 0.3 * s->grad_q * quad;
}

/* Descending order for the control peaks in choose_peak. */
static int cmp_double_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Choose the peak: leave headroom for background, smear and noise, or, to
 * saturate, drive about the strongest quarter of the control bands past
 * full scale (over seeds 1-20: 2.6 of 12 on `saturated`, 5.5 of 16 on
 * `hard`). A saturated loading control on a real blot is the heaviest-
 * loaded few lanes of an over-exposed scan; the lighter ones stay below the
 * clip level, so a detector must tell them apart and a normaliser still has
 * lanes to work with. Putting the single strongest band 12 % past full
 * scale instead would, at a 10 % loading CV, clip 7 of 12 bands on
 * `saturated` and 14 of 16 on `hard`: far more than "the strongest few". */
static void choose_peak(sim_t *s)
{
    const bq_sim_params_t *p = s->p;
    double max_amp = 0.0;
    double ctrl[BQ_SIM_MAX_LANES * BQ_SIM_MAX_ROWS];
    int n_ctrl = 0;
    for (int i = 0; i < s->n_bands; i++) {
        const band_spec_t *b = &s->bands[i];
        max_amp = fmax(max_amp, b->amp);
        if (b->ladder || p->rows[b->row - 1].is_target ||
            n_ctrl >= (int)(sizeof ctrl / sizeof ctrl[0]))
            continue;
        /* the band's top above the offset at peak = 1: its own amplitude,
         * the gradient where it sits, a typical share of the smear above
         * it and the noise that lifts its brightest pixel */
        double x, y;
        strip_to_image(&s->strips[b->strip], b->u, b->v, &x, &y);
        double g = gradient_shape(s, 2.0 * x / s->W - 1.0, 2.0 * y / s->H - 1.0);
        ctrl[n_ctrl++] = b->amp + p->gradient * g + 0.5 * p->smear + 0.06 * p->noise;
    }
    if (p->peak > 0.0) {
        s->peak = p->peak;
    } else if (p->saturate && n_ctrl > 0) {
        qsort(ctrl, (size_t)n_ctrl, sizeof ctrl[0], cmp_double_desc);
        int k = (n_ctrl + 3) / 4; /* the k highest clip */
        /* the k-th just reaches full scale, the (k+1)-th stays below it */
        double reach = k < n_ctrl ? 0.5 * (ctrl[k - 1] + ctrl[k]) : ctrl[k - 1];
        s->peak = (FULL_SCALE - p->offset) / reach;
    } else {
        s->peak = (0.85 * FULL_SCALE - p->offset) /
                  (max_amp + 1.3 * p->gradient + 1.05 * p->smear + 0.09 * p->noise);
    }
    for (int i = 0; i < s->n_bands; i++) {
        s->bands[i].amp *= s->peak;
        s->bands[i].volume *= s->peak;
    }
}

/* h(u): flat top of width w with Gaussian-blurred edges; integrates to w. */
static double flat_top(double du, double w, double sx)
{
    double k = 1.0 / (M_SQRT2 * sx);
    return 0.5 * (erf((du + 0.5 * w) * k) - erf((du - 0.5 * w) * k));
}

/* The band's vertical offset at horizontal offset du: the ends curve up. */
static double bow_at(const band_spec_t *b, double du)
{
    double t = du / (0.5 * b->width);
    if (t > 1.2)
        t = 1.2;
    if (t < -1.2)
        t = -1.2;
    return -b->bow * t * t;
}

/* Clip a box to the picture; returns 0 if empty. */
static int clip_box(const sim_t *s, double x0, double x1, double y0, double y1, int *ix0,
                    int *ix1, int *iy0, int *iy1)
{
    *ix0 = (int)fmax(0.0, floor(x0));
    *ix1 = (int)fmin(s->W - 1.0, ceil(x1));
    *iy0 = (int)fmax(0.0, floor(y0));
    *iy1 = (int)fmin(s->H - 1.0, ceil(y1));
    return *ix0 <= *ix1 && *iy0 <= *iy1;
}

/* Image bounding box of the membrane rectangle [u0,u1] x [v0,v1]. */
static void bbox(const strip_t *st, double u0, double u1, double v0, double v1, double *x0,
                 double *x1, double *y0, double *y1)
{
    double us[2] = {u0, u1}, vs[2] = {v0, v1};
    *x0 = *y0 = INFINITY;
    *x1 = *y1 = -INFINITY;
    for (int a = 0; a < 2; a++)
        for (int c = 0; c < 2; c++) {
            double x, y;
            strip_to_image(st, us[a], vs[c], &x, &y);
            *x0 = fmin(*x0, x);
            *x1 = fmax(*x1, x);
            *y0 = fmin(*y0, y);
            *y1 = fmax(*y1, y);
        }
}

/* Uneven blocking and substrate leave a few broad blotches of higher
 * background; they come with the gradient knob, from their own stream. */
static void place_blotches(sim_t *s, rng_t *rm)
{
    double side = fmin(s->W, s->H);
    for (int k = 0; k < N_BLOTCHES; k++) {
        s->blotch[k][0] = s->W * rng_uniform(rm);
        s->blotch[k][1] = s->H * rng_uniform(rm);
        s->blotch[k][2] = side * (0.08 + 0.2 * rng_uniform(rm));
        s->blotch[k][3] = s->p->gradient * s->peak * 0.15 * (0.3 + 0.7 * rng_uniform(rm));
    }
}

/* Membrane background, tray outside it, the illumination gradient and the
 * blotches. */
static void render_background(sim_t *s)
{
    const bq_sim_params_t *p = s->p;
    double gamp = p->gradient * s->peak;
    for (int y = 0; y < s->H; y++) {
        double ty = 2.0 * (y + 0.5) / s->H - 1.0;
        for (int x = 0; x < s->W; x++) {
            double tx = 2.0 * (x + 0.5) / s->W - 1.0;
            double m = 0.0;
            for (int k = 0; k < s->n_strips; k++) {
                double u, v;
                strip_to_membrane(&s->strips[k], x + 0.5, y + 0.5, &u, &v);
                m = fmax(m, strip_mask(&s->strips[k], s->wm, u, v));
            }
            double g = gamp * gradient_shape(s, tx, ty);
            double blot = 0.0;
            if (gamp > 0.0)
                for (int k = 0; k < N_BLOTCHES; k++) {
                    double dx = x + 0.5 - s->blotch[k][0], dy = y + 0.5 - s->blotch[k][1];
                    double sg = s->blotch[k][2];
                    blot += s->blotch[k][3] * exp(-0.5 * (dx * dx + dy * dy) / (sg * sg));
                }
            s->bg[(size_t)y * s->W + x] =
                (p->offset + blot) * (p->tray_level + (1.0 - p->tray_level) * m) + g;
        }
    }
}

/* A faint streak along every sample lane, proportional to its load. */
static void render_streaks(sim_t *s)
{
    const bq_sim_params_t *p = s->p;
    if (p->smear <= 0.0)
        return;
    for (int i = 0; i < s->n_lanes; i++) {
        const lane_spec_t *ln = &s->lanes[i];
        if (ln->ladder)
            continue;
        double amp = 0.05 * p->smear * s->peak * ln->loading;
        double w = 0.86 * ln->width, sx = 0.05 * ln->width + 0.7;
        for (int k = 0; k < s->n_strips; k++) {
            const strip_t *st = &s->strips[k];
            double x0, x1, y0, y1;
            bbox(st, ln->u - w, ln->u + w, st->v0, st->v1, &x0, &x1, &y0, &y1);
            int ix0, ix1, iy0, iy1;
            if (!clip_box(s, x0, x1, y0, y1, &ix0, &ix1, &iy0, &iy1))
                continue;
            for (int y = iy0; y <= iy1; y++)
                for (int x = ix0; x <= ix1; x++) {
                    double u, v;
                    strip_to_membrane(st, x + 0.5, y + 0.5, &u, &v);
                    if (v < st->v0 - 1.0 || v > st->v1 + 1.0)
                        continue;
                    /* the streak fades in below the wells */
                    double along = bq_clamp((v - 0.02 * s->hm) / (0.05 * s->hm), 0.0, 1.0);
                    double val = amp * along * flat_top(u - ln->u, w, sx) *
                                 strip_mask(st, s->wm, u, v);
                    s->bg[(size_t)y * s->W + x] += val;
                }
        }
    }
}

/* Does band b show in channel ch? Markers show in both channels, as a
 * two-colour ladder does in both scans. */
static int band_in_channel(const sim_t *s, const band_spec_t *b, int ch)
{
    if (ch == CH_ALL || b->ladder)
        return 1;
    return s->p->rows[b->row - 1].is_target == (ch == BQ_SIM_CH_TARGET);
}

/* Channel ch's bands into signal; their smear tails into bg. */
static void render_bands(sim_t *s, double *bg, int ch)
{
    const bq_sim_params_t *p = s->p;
    for (int i = 0; i < s->n_bands; i++) {
        const band_spec_t *b = &s->bands[i];
        if (!band_in_channel(s, b, ch))
            continue;
        const strip_t *st = &s->strips[b->strip];
        double tail_len = 3.0 * b->sd + 0.04 * s->hm;
        double tail_amp = b->ladder ? 0.0 : p->smear * b->amp;
        double below = tail_amp > 0.0 ? 7.0 * tail_len : 6.0 * b->sd;
        double half = 0.5 * b->width + 6.0 * b->sx;
        double x0, x1, y0, y1;
        bbox(st, b->u - half, b->u + half, b->v - 6.0 * b->su - 1.5 * b->bow, b->v + below, &x0,
             &x1, &y0, &y1);
        int ix0, ix1, iy0, iy1;
        if (!clip_box(s, x0, x1, y0, y1, &ix0, &ix1, &iy0, &iy1))
            continue;
        for (int y = iy0; y <= iy1; y++)
            for (int x = ix0; x <= ix1; x++) {
                double u, v;
                strip_to_membrane(st, x + 0.5, y + 0.5, &u, &v);
                double du = u - b->u;
                double h = flat_top(du, b->width, b->sx);
                if (h < 1e-12)
                    continue;
                double m = strip_mask(st, s->wm, u, v);
                if (m <= 0.0)
                    continue;
                double dv = v - (b->v + bow_at(b, du));
                double sg = dv < 0.0 ? b->su : b->sd;
                double g = exp(-0.5 * dv * dv / (sg * sg));
                size_t idx = (size_t)y * s->W + x;
                s->signal[idx] += b->amp * h * g * m;
                if (tail_amp > 0.0 && dv > -6.0 * b->sd) {
                    /* exponential tail, switched on smoothly at the band */
                    double on = 0.5 * erfc(-dv / (M_SQRT2 * b->sd));
                    bg[idx] += tail_amp * h * m * on * exp(-fmax(dv, 0.0) / tail_len);
                }
            }
    }
}

/* Specks: mostly bright (dust fluoresces / scatters), some dark. */
static void render_dust(sim_t *s, rng_t *rd)
{
    const bq_sim_params_t *p = s->p;
    for (int i = 0; i < p->dust; i++) {
        double cx = s->W * rng_uniform(rd);
        double cy = s->H * rng_uniform(rd);
        double rad = 0.5 + 1.5 * rng_uniform(rd); /* 1-4 px across */
        int dark = rng_uniform(rd) < 0.25;
        double amp = (0.2 + 0.5 * rng_uniform(rd)) * s->peak;
        int ix0, ix1, iy0, iy1;
        if (!clip_box(s, cx - rad - 1.0, cx + rad + 1.0, cy - rad - 1.0, cy + rad + 1.0, &ix0,
                      &ix1, &iy0, &iy1))
            continue;
        for (int y = iy0; y <= iy1; y++)
            for (int x = ix0; x <= ix1; x++) {
                double d = hypot(x + 0.5 - cx, y + 0.5 - cy);
                double cover = bq_clamp(rad + 0.5 - d, 0.0, 1.0);
                if (cover <= 0.0)
                    continue;
                double *px = &s->signal[(size_t)y * s->W + x];
                if (dark) {
                    *px *= 1.0 - 0.8 * cover;
                } else {
                    double add = amp * cover;
                    /* a speck must not fake saturation on an unsaturated blot */
                    if (!p->saturate)
                        add = fmin(add, fmax(0.0, 0.9 * FULL_SCALE - *px));
                    *px += add;
                }
            }
    }
}

/* Shot noise (gain chosen so the sd at the vehicle peak is 1.7 % x noise)
 * plus Gaussian read noise (0.3 % of the peak x noise): at noise 1 the
 * background of a ChemiDoc-like scan varies by ~5 % of its level, the
 * bands by ~2 %. */
static void render_noise(sim_t *s, rng_t *rn)
{
    double f = s->p->noise;
    if (f <= 0.0)
        return;
    double gain = 2.9e-4 * f * f * s->peak;
    double read_sd = 0.003 * f * s->peak;
    size_t n = (size_t)s->W * s->H;
    for (size_t i = 0; i < n; i++) {
        double v = s->signal[i];
        if (gain > 0.0)
            v = gain * rng_poisson(rn, v / gain);
        s->signal[i] = v + read_sd * rng_normal(rn);
    }
}

/* ---- burned-in labels ------------------------------------------------- */

/* A 5x7 pixel font (bit 4 = leftmost column) for the labels exported
 * figures carry: doses over the lanes, row names, marker weights. */
typedef struct glyph {
    char c;
    unsigned char rows[7];
} glyph_t;

static const glyph_t font[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'a', {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}},
    {'e', {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}},
    {'h', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}},
    {'n', {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'v', {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}},
};

static const glyph_t *glyph_for(char c)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof font / sizeof font[0]; i++)
            if (font[i].c == c)
                return &font[i];
        /* lower case we do not draw falls back to upper case */
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
    }
    return NULL;
}

static int text_width(const char *txt, int scale)
{
    return (int)strlen(txt) * 6 * scale - scale;
}

/* Burn txt into the signal at full scale (white on a dark scan, black on a
 * film-like export): labels are drawn onto the exported picture, not
 * imaged. Returns 0 if it did not fit. */
static int draw_text(sim_t *s, const char *txt, int x0, int y0, int scale)
{
    int w = text_width(txt, scale);
    if (x0 < 0 || y0 < 0 || x0 + w > s->W || y0 + 7 * scale > s->H)
        return 0;
    for (const char *c = txt; *c; c++, x0 += 6 * scale) {
        const glyph_t *g = glyph_for(*c);
        if (!g)
            continue;
        for (int r = 0; r < 7; r++)
            for (int col = 0; col < 5; col++) {
                if (!(g->rows[r] & (0x10 >> col)))
                    continue;
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++)
                        s->signal[(size_t)(y0 + r * scale + dy) * s->W + x0 + col * scale + dx] =
                            FULL_SCALE;
            }
    }
    return 1;
}

/* Doses above the lanes (in the margin when there is one), row names
 * right of the last lane, marker weights left of a left ladder; each only
 * where it fits without touching a band. */
static void render_labels(sim_t *s)
{
    locale_t previous = bq_numbers_begin();
    const bq_sim_params_t *p = s->p;
    char buf[32];
    double pitch = s->wm / (s->n_lanes + 1.2);
    int maxlen = 3;
    for (int i = 0; i < s->n_lanes; i++)
        if (!s->lanes[i].ladder) {
            snprintf(buf, sizeof buf, "%g", s->lanes[i].dose);
            maxlen = (int)fmax(maxlen, (double)strlen(buf));
        }
    int scale = (int)bq_clamp(floor(0.9 * pitch / (6.0 * maxlen)), 1.0, 4.0);
    int th = 7 * scale;
    int y = s->my0 >= th + 6 ? (int)(s->my0 - th - 3) : 3;
    const strip_t *top = &s->strips[0];
    for (int i = 0; i < s->n_lanes; i++) {
        const lane_spec_t *ln = &s->lanes[i];
        if (ln->ladder)
            snprintf(buf, sizeof buf, "kDa");
        else if (ln->dose == 0.0)
            snprintf(buf, sizeof buf, "veh");
        else
            snprintf(buf, sizeof buf, "%g", ln->dose);
        double x, yy;
        strip_to_image(top, ln->u, 0.0, &x, &yy);
        draw_text(s, buf, (int)floor(x - 0.5 * text_width(buf, scale)), y, scale);
    }
    /* right of the last lane's bands */
    double right_edge = 0.0;
    for (int i = 0; i < s->n_bands; i++) {
        const band_spec_t *b = &s->bands[i];
        double x0, x1, y0, y1;
        bbox(&s->strips[b->strip], b->u - b->lane_width, b->u + b->lane_width, b->v, b->v, &x0,
             &x1, &y0, &y1);
        right_edge = fmax(right_edge, x1);
    }
    for (int r = 0; r < p->n_rows; r++) {
        for (int i = 0; i < s->n_bands; i++) {
            const band_spec_t *b = &s->bands[i];
            if (b->ladder || b->row != r + 1 || b->lane != s->n_lanes - (p->ladder == BQ_SIM_LADDER_BOTH))
                continue;
            double x, yy;
            strip_to_image(&s->strips[b->strip], b->u, b->v, &x, &yy);
            int w = text_width(p->rows[r].name, scale);
            int x0 = (int)ceil(right_edge) + 4;
            if (x0 + w <= s->W - 2)
                draw_text(s, p->rows[r].name, x0, (int)(yy - 0.5 * th), scale);
        }
    }
    /* marker weights beside a left ladder */
    if (p->ladder != BQ_SIM_LADDER_NONE) {
        for (int i = 0; i < s->n_bands; i++) {
            const band_spec_t *b = &s->bands[i];
            if (b->lane != 1 || !b->ladder)
                continue;
            double x0, x1, y0, y1;
            bbox(&s->strips[b->strip], b->u - 0.5 * b->lane_width, b->u, b->v, b->v, &x0, &x1,
                 &y0, &y1);
            snprintf(buf, sizeof buf, "%g", b->kda);
            int w = text_width(buf, scale);
            if (x0 - w - 3 >= 1)
                draw_text(s, buf, (int)(x0 - w - 3), (int)(0.5 * (y0 + y1) - 0.5 * th), scale);
        }
    }
    bq_numbers_end(previous);
}

/* ---- truth -------------------------------------------------------------- */

static void band_truth(const sim_t *s, const band_spec_t *b, bq_sim_band_t *t)
{
    const strip_t *st = &s->strips[b->strip];
    const bq_sim_params_t *p = s->p;
    t->lane = b->lane;
    t->row = b->row;
    t->ladder = b->ladder;
    const lane_spec_t *ln = &s->lanes[b->lane - 1];
    if (b->ladder)
        snprintf(t->protein, sizeof t->protein, "ladder");
    else
        snprintf(t->protein, sizeof t->protein, "%s", p->rows[b->row - 1].name);
    t->dose = ln->dose;
    double y;
    strip_to_image(st, b->u, b->v, &t->x_center, &t->y_center);
    strip_to_image(st, b->u - 0.5 * b->lane_width, b->v, &t->x_left, &y);
    strip_to_image(st, b->u + 0.5 * b->lane_width, b->v, &t->x_right, &y);
    /* band extent: +-2.5 sigma around the bowed centre line, sampled along
     * the band (the bow is largest at the ends) */
    double top = INFINITY, bottom = -INFINITY;
    for (int k = -4; k <= 4; k++) {
        double du = 0.125 * k * 0.5 * b->width;
        double vc = b->v + bow_at(b, du);
        double xa, ya, yb;
        strip_to_image(st, b->u + du, vc - 2.5 * b->su, &xa, &ya);
        strip_to_image(st, b->u + du, vc + 2.5 * b->sd, &xa, &yb);
        top = fmin(top, ya);
        bottom = fmax(bottom, yb);
    }
    t->y_top = top;
    t->y_bottom = bottom;
    t->volume = b->volume;
}

/* Saturated: any clipped pixel inside the band's truth box (signal domain). */
static int band_clipped(const sim_t *s, const bq_sim_band_t *t)
{
    int ix0, ix1, iy0, iy1;
    double xl = fmin(t->x_left, t->x_right), xr = fmax(t->x_left, t->x_right);
    if (!clip_box(s, xl, xr, t->y_top, t->y_bottom, &ix0, &ix1, &iy0, &iy1))
        return 0;
    for (int y = iy0; y <= iy1; y++)
        for (int x = ix0; x <= ix1; x++)
            if (s->signal[(size_t)y * s->W + x] >= FULL_SCALE)
                return 1;
    return 0;
}

void bq_sim_truth_free(bq_sim_truth_t *truth)
{
    if (!truth)
        return;
    free(truth->lanes);
    free(truth->bands);
    bq_image_free(truth->background);
    bq_image_free(truth->control_background);
    free(truth);
}

/* Round to the ADC step, clip, and write the picture in its polarity;
 * s->signal keeps the clipped signal for the saturation flags. Returns the
 * number of clipped pixels. */
static long finish_picture(sim_t *s, bq_image_t *img)
{
    const bq_sim_params_t *p = s->p;
    size_t npix = (size_t)s->W * s->H;
    long clipped = 0;
    double step = p->adc_step;
    for (size_t i = 0; i < npix; i++) {
        double v = step * floor(s->signal[i] / step + 0.5);
        if (v >= FULL_SCALE) {
            v = FULL_SCALE;
            clipped++;
        }
        if (v < 0.0)
            v = 0.0;
        s->signal[i] = v;
        img->data[i] = (float)(p->polarity == BQ_SIM_DARK ? FULL_SCALE - v : v);
    }
    return clipped;
}

/* Bands, dust, noise and labels of channel ch over the shared background,
 * into img; the channel's background goes to tbg, its saturation flags to
 * the truth bands. */
static void render_channel(sim_t *s, int ch, bq_image_t *img, bq_image_t *tbg,
                           bq_sim_truth_t *truth, long *clipped)
{
    const bq_sim_params_t *p = s->p;
    size_t npix = (size_t)s->W * s->H;
    /* one picture: tails go straight into the shared background, which no
     * other channel needs (and the pixels stay those of earlier versions) */
    double *bg = s->cbg ? s->cbg : s->bg;
    if (s->cbg)
        memcpy(s->cbg, s->bg, npix * sizeof *s->cbg);
    memset(s->signal, 0, npix * sizeof *s->signal);
    render_bands(s, bg, ch);
    for (size_t i = 0; i < npix; i++) {
        s->signal[i] += bg[i];
        tbg->data[i] = (float)bg[i];
    }
    /* the control scan has its own dust and noise; the target scan (or the
     * one picture) keeps the original streams */
    rng_t rd, rn;
    int control = ch == BQ_SIM_CH_CONTROL;
    rng_seed(&rd, p->seed, control ? STREAM_DUST_CONTROL : STREAM_DUST);
    rng_seed(&rn, p->seed, control ? STREAM_NOISE_CONTROL : STREAM_NOISE);
    render_dust(s, &rd);
    render_noise(s, &rn);
    if (p->labels)
        render_labels(s);
    *clipped = finish_picture(s, img);
    for (int i = 0; i < s->n_bands; i++)
        if (band_in_channel(s, &s->bands[i], ch))
            truth->bands[i].saturated |= band_clipped(s, &truth->bands[i]);
}

/* The simulation's working arrays (not the images or the truth). */
static void sim_free(sim_t *s)
{
    free(s->lanes);
    free(s->bands);
    free(s->signal);
    free(s->bg);
    free(s->cbg);
}

/* The working arrays, n_ch images and the truth with its background
 * image(s). 0, or -1 when out of memory (what was made is left for the
 * caller to free). */
static int sim_alloc(sim_t *s, int n_ch, bq_image_t *img[BQ_SIM_MAX_CHANNELS],
                     bq_sim_truth_t **truth)
{
    size_t npix = (size_t)s->W * s->H; /* both <= BQ_SIM_MAX_SIDE: no overflow */
    int ok = 1;
    s->lanes = bq_calloc_array((size_t)s->n_lanes, sizeof *s->lanes);
    s->signal = bq_alloc_array(npix, sizeof *s->signal);
    s->bg = bq_alloc_array(npix, sizeof *s->bg);
    if (n_ch > 1)
        ok &= (s->cbg = bq_alloc_array(npix, sizeof *s->cbg)) != NULL;
    for (int c = 0; c < n_ch; c++)
        ok &= (img[c] = bq_image_new(s->W, s->H)) != NULL;
    *truth = calloc(1, sizeof **truth);
    if (*truth) {
        ok &= ((*truth)->background = bq_image_new(s->W, s->H)) != NULL;
        if (n_ch > 1)
            ok &= ((*truth)->control_background = bq_image_new(s->W, s->H)) != NULL;
    }
    return ok && s->lanes && s->signal && s->bg && *truth ? 0 : -1;
}

/* Lanes, doses, bands, blotches, background and streaks, each from its own
 * random stream (so a knob that changes one leaves the others' draws). */
static int sim_scene(sim_t *s)
{
    const bq_sim_params_t *p = s->p;
    rng_t rl, rload, rs, rm;
    rng_seed(&rm, p->seed, STREAM_MOTTLE);
    rng_seed(&rl, p->seed, STREAM_LAYOUT);
    rng_seed(&rload, p->seed, STREAM_LOADING);
    rng_seed(&rs, p->seed, STREAM_STRIPS);
    layout(s, &rl, &rs);
    dose_series(s, &rload);
    int rc = make_bands(s, &rl);
    if (rc != 0)
        return rc;
    choose_peak(s);
    place_blotches(s, &rm);
    render_background(s);
    render_streaks(s);
    return 0;
}

/* The truth's geometry: parameters, lanes and bands (the channels add the
 * saturation flags when they are rendered). */
static int truth_geometry(const sim_t *s, bq_sim_truth_t *truth)
{
    truth->params = *s->p;
    truth->params.peak = s->peak;
    truth->clip_level = FULL_SCALE;
    truth->n_lanes = s->n_lanes;
    truth->lanes = bq_calloc_array((size_t)s->n_lanes, sizeof *truth->lanes);
    truth->bands = bq_calloc_array((size_t)s->n_bands, sizeof *truth->bands);
    if (!truth->lanes || !truth->bands)
        return BQ_ERR_NOMEM;
    for (int i = 0; i < s->n_lanes; i++) {
        bq_sim_lane_t *tl = &truth->lanes[i];
        const lane_spec_t *ln = &s->lanes[i];
        tl->lane = i + 1;
        tl->ladder = ln->ladder;
        tl->dose = ln->dose;
        tl->loading = ln->loading;
        tl->fraction = ln->fraction;
        tl->width = ln->width;
        double y;
        const strip_t *st = &s->strips[strip_of_v(s, 0.5 * s->hm)];
        strip_to_image(st, ln->u, 0.5 * s->hm, &tl->x_center, &y);
    }
    truth->n_bands = s->n_bands;
    for (int i = 0; i < s->n_bands; i++)
        band_truth(s, &s->bands[i], &truth->bands[i]);
    return 0;
}

int bq_simulate_channels(const bq_sim_params_t *p, bq_image_t *imgs_out[BQ_SIM_MAX_CHANNELS],
                         int *n_imgs, bq_sim_truth_t **truth_out, bq_error_t *err)
{
    if (imgs_out)
        for (int c = 0; c < BQ_SIM_MAX_CHANNELS; c++)
            imgs_out[c] = NULL;
    if (n_imgs)
        *n_imgs = 0;
    if (truth_out)
        *truth_out = NULL;
    int rc = bq_sim_params_validate(p, err);
    if (rc != 0)
        return rc;

    int n_ch = p->two_channel ? 2 : 1;
    sim_t s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.W = p->width;
    s.H = p->height;
    s.n_lanes = p->n_lanes + (int)p->ladder;
    bq_image_t *img[BQ_SIM_MAX_CHANNELS] = {NULL, NULL};
    bq_sim_truth_t *truth = NULL;
    if (sim_alloc(&s, n_ch, img, &truth) != 0) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "simulate: out of memory for %dx%d pixels", s.W,
                          s.H);
        goto fail;
    }
    if ((rc = sim_scene(&s)) != 0 || (rc = truth_geometry(&s, truth)) != 0) {
        bq_error_set(err, rc, "simulate: out of memory");
        goto fail;
    }
    for (int c = 0; c < n_ch; c++) {
        long clipped = 0;
        render_channel(&s, n_ch > 1 ? c : CH_ALL, img[c],
                       c == 0 ? truth->background : truth->control_background, truth, &clipped);
        truth->clipped_pixels += clipped;
        if (n_ch > 1)
            truth->channel_clipped[c] = clipped;
    }
    sim_free(&s);
    for (int c = 0; c < n_ch; c++) {
        if (imgs_out)
            imgs_out[c] = img[c];
        else
            bq_image_free(img[c]);
    }
    if (n_imgs)
        *n_imgs = n_ch;
    if (truth_out)
        *truth_out = truth;
    else
        bq_sim_truth_free(truth);
    return BQ_OK;

fail:
    sim_free(&s);
    for (int c = 0; c < BQ_SIM_MAX_CHANNELS; c++)
        bq_image_free(img[c]);
    bq_sim_truth_free(truth);
    return rc;
}

int bq_simulate(const bq_sim_params_t *p, bq_image_t **img_out, bq_sim_truth_t **truth_out,
                bq_error_t *err)
{
    if (img_out)
        *img_out = NULL;
    if (truth_out)
        *truth_out = NULL;
    if (p && p->two_channel)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "simulate: a two-channel scan is two pictures "
                            "(bq_simulate_channels)");
    bq_image_t *imgs[BQ_SIM_MAX_CHANNELS];
    int rc = bq_simulate_channels(p, imgs, NULL, truth_out, err);
    if (rc != 0)
        return rc;
    if (img_out)
        *img_out = imgs[0];
    else
        bq_image_free(imgs[0]);
    return BQ_OK;
}

/* ---- writers ------------------------------------------------------------ */

static void put_dose(FILE *fp, double dose)
{
    if (isfinite(dose))
        fprintf(fp, "%.6g", dose);
}

int bq_sim_truth_write_csv(FILE *fp, const bq_sim_truth_t *t)
{
    locale_t previous = bq_numbers_begin();
    fputs("lane,row,protein,dose,unit,x_center,x_left,x_right,y_center,y_top,y_bottom,"
          "volume,saturated,ladder\n",
          fp);
    for (int i = 0; i < t->n_bands; i++) {
        const bq_sim_band_t *b = &t->bands[i];
        fprintf(fp, "%d,%d,", b->lane, b->row);
        bq_csv_put_field(fp, b->protein);
        fputc(',', fp);
        put_dose(fp, b->dose);
        fprintf(fp, ",%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.6g,%d,%d\n",
                b->ladder ? "" : t->params.unit, b->x_center, b->x_left, b->x_right,
                b->y_center, b->y_top, b->y_bottom, b->volume, b->saturated, b->ladder);
    }
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}

int bq_sim_samples_write_csv(FILE *fp, const bq_sim_truth_t *t)
{
    locale_t previous = bq_numbers_begin();
    fputs("lane,dose,unit\n", fp);
    for (int i = 0; i < t->n_lanes; i++) {
        const bq_sim_lane_t *l = &t->lanes[i];
        if (l->ladder)
            continue;
        fprintf(fp, "%d,", l->lane);
        put_dose(fp, l->dose);
        fprintf(fp, ",%s\n", t->params.unit);
    }
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}

/* The params table; names[] are the two-channel scans' file names (beside
 * the table), or NULL when the caller does not know them. */
static int params_write(FILE *fp, const bq_sim_truth_t *t, const char *const names[2])
{
    locale_t previous = bq_numbers_begin();
    const bq_sim_params_t *p = &t->params;
    static const char *ladders[] = {"none", "left", "both"};
    fputs("key,value\n", fp);
    fprintf(fp, "seed,%llu\n", (unsigned long long)p->seed);
    fputs("preset,", fp);
    bq_csv_put_field(fp, p->preset[0] ? p->preset : "custom");
    fputc('\n', fp);
    fprintf(fp, "width,%d\nheight,%d\n", p->width, p->height);
    fprintf(fp, "polarity,%s\n", p->polarity == BQ_SIM_DARK ? "dark" : "bright");
    fprintf(fp, "two_channel,%s\n", p->two_channel ? "yes" : "no");
    if (p->two_channel && names) {
        fputs("target_file,", fp);
        bq_csv_put_field(fp, names[BQ_SIM_CH_TARGET]);
        fputs("\ncontrol_file,", fp);
        bq_csv_put_field(fp, names[BQ_SIM_CH_CONTROL]);
        fputc('\n', fp);
    }
    /* how to get back to the domain the truth is in */
    fprintf(fp, "truth_domain,%s\n",
            p->polarity == BQ_SIM_DARK ? "signal = 65535 - pixel" : "signal = pixel");
    fprintf(fp, "clip_level,%.0f\n", t->clip_level);
    fprintf(fp, "clipped_pixels,%ld\n", t->clipped_pixels);
    if (p->two_channel)
        fprintf(fp, "clipped_pixels_target,%ld\nclipped_pixels_control,%ld\n",
                t->channel_clipped[BQ_SIM_CH_TARGET], t->channel_clipped[BQ_SIM_CH_CONTROL]);
    fprintf(fp, "lanes,%d\nsample_lanes,%d\nladder,%s\nvehicle_lanes,%d\n", t->n_lanes,
            p->n_lanes, ladders[p->ladder], p->n_vehicle);
    for (int r = 0; r < p->n_rows; r++) {
        fprintf(fp, "row%d,", r + 1);
        bq_csv_put_field(fp, p->rows[r].name);
        fprintf(fp, "\nrow%d_kda,%g\nrow%d_rel_amplitude,%g\nrow%d_role,%s\n", r + 1,
                p->rows[r].kda, r + 1, p->rows[r].rel_amplitude, r + 1,
                p->rows[r].is_target ? "target" : "control");
    }
    fprintf(fp, "max_signal,%.6g\n", p->peak);
    fprintf(fp, "offset,%g\ntray_level,%g\nmargin,%g\nlane_fill,%g\nuneven,%g\n", p->offset,
            p->tray_level, p->margin, p->lane_fill, p->uneven);
    fprintf(fp, "band_skew,%g\nband_bow,%g\n", p->band_skew, p->band_bow);
    fprintf(fp, "dose_min,%g\ndose_max,%g\nunit,%s\n", p->dose_min, p->dose_max, p->unit);
    fprintf(fp, "dc50,%g\nhill,%g\ndmax,%g\nhook,%s\nhook_dc,%g\nhook_max,%g\n", p->dc50,
            p->hill, p->dmax, p->hook ? "yes" : "no", p->hook_dc, p->hook_max);
    fprintf(fp, "loading_cv,%g\nsaturate,%d\n", p->loading_cv, p->saturate);
    fprintf(fp, "gradient,%g\nsmear,%g\ndust,%d\nnoise,%g\n", p->gradient, p->smear, p->dust,
            p->noise);
    fprintf(fp, "adc_step,%d\nlabels,%d\n", p->adc_step, p->labels);
    fprintf(fp, "tilt_deg,%g\nsmile_px,%g\nstrips,%d\nstrip_gap,%g\n", p->tilt_deg,
            p->smile_px, p->strips, p->strip_gap);
    if (p->mw_curve != 0.0)
        fprintf(fp, "mw_curve,%g\n", p->mw_curve);
    for (int i = 0; i < t->n_lanes; i++) {
        const bq_sim_lane_t *l = &t->lanes[i];
        if (l->ladder)
            continue;
        fprintf(fp, "lane%d_loading,%.6g\nlane%d_fraction,%.6g\n", l->lane, l->loading, l->lane,
                l->fraction);
    }
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}

int bq_sim_params_write_csv(FILE *fp, const bq_sim_truth_t *t)
{
    return params_write(fp, t, NULL);
}

typedef struct writer_ctx {
    int which; /* 0 truth, 1 samples, 2 params */
    const bq_sim_truth_t *truth;
    const char *const *tif_names; /* two-channel scans' base names, or NULL */
} writer_ctx_t;

static int call_writer(FILE *fp, void *ctx)
{
    const writer_ctx_t *w = ctx;
    switch (w->which) {
    case 0:
        return bq_sim_truth_write_csv(fp, w->truth);
    case 1:
        return bq_sim_samples_write_csv(fp, w->truth);
    default:
        return params_write(fp, w->truth, w->tif_names);
    }
}

/* stem + suffix in a new string (NULL when out of memory). */
static char *join_name(const char *path, size_t stem, const char *suffix)
{
    char *s = malloc(stem + strlen(suffix) + 1);
    if (s) {
        memcpy(s, path, stem);
        strcpy(s + stem, suffix);
    }
    return s;
}

int bq_sim_write_channels(const char *tif_path, bq_image_t *const imgs[], int n_imgs,
                          const bq_sim_truth_t *truth, bq_error_t *err)
{
    return bq_sim_write_channels_as(tif_path, imgs, n_imgs, truth, BQ_TIFF_DEFLATE, err);
}

int bq_sim_write_channels_as(const char *tif_path, bq_image_t *const imgs[], int n_imgs,
                             const bq_sim_truth_t *truth, bq_tiff_compression compression,
                             bq_error_t *err)
{
    if (!tif_path || !imgs || !truth || n_imgs < 1 || n_imgs > BQ_SIM_MAX_CHANNELS)
        return bq_error_set(err, BQ_ERR_INVALID, "simulate: nothing to write");
    for (int c = 0; c < n_imgs; c++)
        if (!imgs[c])
            return bq_error_set(err, BQ_ERR_INVALID, "simulate: nothing to write");
    if ((n_imgs == 2) != (truth->params.two_channel != 0))
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s: %d picture(s) for a %s-channel truth", tif_path, n_imgs,
                            truth->params.two_channel ? "two" : "one");
    size_t len = strlen(tif_path);
    size_t stem = 0;
    if (len > 4 && strcmp(tif_path + len - 4, ".tif") == 0)
        stem = len - 4;
    else if (len > 5 && strcmp(tif_path + len - 5, ".tiff") == 0)
        stem = len - 5;
    if (stem == 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: output name must end in .tif or .tiff",
                            tif_path);
    const char *ext = tif_path + stem;
    /* files 0-2 the tables, 3.. the pictures */
    enum { N_TABLES = 3, N_FILES = N_TABLES + BQ_SIM_MAX_CHANNELS };
    static const char *const suffix[N_TABLES] = {".truth.csv", ".samples.csv", ".params.csv"};
    char *names[N_FILES] = {NULL};
    char ch_suffix[2][16];
    int n_files = N_TABLES + n_imgs;
    int rc = BQ_OK, written = 0;
    snprintf(ch_suffix[BQ_SIM_CH_TARGET], sizeof ch_suffix[0], ".target%s", ext);
    snprintf(ch_suffix[BQ_SIM_CH_CONTROL], sizeof ch_suffix[1], ".control%s", ext);
    for (int i = 0; i < n_files; i++) {
        const char *sfx = i < N_TABLES ? suffix[i] : n_imgs == 1 ? ext : ch_suffix[i - N_TABLES];
        if (!(names[i] = join_name(tif_path, stem, sfx))) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", tif_path);
            goto done;
        }
    }
    /* params.csv names the scans as they sit beside it */
    const char *base[BQ_SIM_MAX_CHANNELS] = {NULL, NULL};
    for (int c = 0; c < n_imgs; c++) {
        const char *slash = strrchr(names[N_TABLES + c], '/');
        base[c] = slash ? slash + 1 : names[N_TABLES + c];
    }
    for (int i = 0; i < N_TABLES; i++) {
        writer_ctx_t ctx = {i, truth, n_imgs == 2 ? base : NULL};
        rc = bq_file_write_atomic(names[i], call_writer, &ctx, err);
        if (rc != 0)
            goto done;
        written++;
    }
    for (int c = 0; c < n_imgs; c++) {
        rc = bq_image_save_tiff16_as(imgs[c], names[N_TABLES + c], compression, err);
        if (rc != 0)
            goto done;
        written++;
    }
done:
    /* the set belongs together: a truth file without its image misleads */
    if (rc != 0)
        for (int i = 0; i < written; i++)
            remove(names[i]);
    for (int i = 0; i < N_FILES; i++)
        free(names[i]);
    return rc;
}

int bq_sim_write_all(const char *tif_path, const bq_image_t *img, const bq_sim_truth_t *truth,
                     bq_error_t *err)
{
    /* the pictures are only read; the array type cannot say const twice */
    bq_image_t *imgs[1] = {(bq_image_t *)img};
    return bq_sim_write_channels(tif_path, imgs, 1, truth, err);
}
