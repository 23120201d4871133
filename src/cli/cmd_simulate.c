/* cmd_simulate.c - `blotquant simulate`: a synthetic blot with its truth. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: blotquant simulate [OPTIONS] -o NAME.tif\n"
    "Render a synthetic 16-bit Western blot and write NAME.tif with\n"
    "NAME.truth.csv (true lanes and band volumes), NAME.samples.csv (lane,dose,unit)\n"
    "and NAME.params.csv (how it was made). The same options and seed give the\n"
    "same pixels. With --two-channel, NAME.target.tif and NAME.control.tif take\n"
    "the place of NAME.tif.\n\n"
    "Options (knobs override the preset):\n"
    "  --preset NAME     clean (default), artefacts, geometry, saturated, kt253,\n"
    "                    strips, hook, hard\n"
    "  --seed N          random seed (default 1)\n"
    "  --width W         image width in px (64..20000)\n"
    "  --height H        image height in px (64..20000)\n"
    "  --lanes N         sample lanes, 2..30 (ladder lanes come on top)\n"
    "  --vehicles N      leading vehicle (dose 0) lanes (default 1)\n"
    "  --ladder[=WHERE]  marker lane(s): left (default for the bare flag), both, none\n"
    "  --rows A,B        target and control row names (default MDM2,ACTB)\n"
    "  --band-sigma PX   vertical band sigma for every row (default: from the height)\n"
    "  --polarity P      bright (fluorescence) or dark (film-like export)\n"
    "  --two-channel     LI-COR-style pair of scans of one membrane: NAME.target.tif\n"
    "                    (target row only) and NAME.control.tif (control row only),\n"
    "                    same lanes and truth, own dust and noise; implies bright\n"
    "  --margin F        membrane margin as a fraction of the picture (0..0.3)\n"
    "  --uneven F        lane pitch/width jitter (0..0.4)\n"
    "  --tilt DEG        rotate the lane grid (-5..5)\n"
    "  --smile PX        edge lanes' bands this many px higher (-50..50)\n"
    "  --mw-curve F      bend migration away from log-linear in kDa (-0.5..0.5)\n"
    "  --gradient F      background rise across the picture, x peak (0..2)\n"
    "  --smear F         tail below bands and streaks along lanes (0..1)\n"
    "  --dust N          number of 1-4 px specks\n"
    "  --noise F         shot + read noise, 1 = realistic, 0 = none (0..10)\n"
    "  --adc-step N      pixel values in steps of N (1..256; 4 = 12-bit camera)\n"
    "  --strips N        1 = whole membrane, 2 = cut into one strip per row\n"
    "  --labels          burn in dose, row and marker labels (--no-labels: none)\n"
    "  --saturate        drive the strongest control bands past 65535\n"
    "  --no-saturate     keep every band below full scale\n"
    "  --offset V        membrane background in 16-bit units (0..30000)\n"
    "  --peak V          vehicle peak height (default: chosen automatically)\n"
    "  --dc50 X          target DC50 (default per preset)\n"
    "  --hill H          Hill slope (0.1..10)\n"
    "  --dmax D          maximal degradation (0..1)\n"
    "  --hook            degradation weakens again at the top doses\n"
    "  --no-hook         no hook\n"
    "  --loading-cv F    lane loading variation, sd (0..0.3)\n"
    "  --dose-min X      first non-zero dose (default 0.01)\n"
    "  --dose-max X      highest allowed dose (default 1000)\n"
    "  --compression C   TIFF storage: deflate (default), none (as scanner and\n"
    "                    camera exports usually are) or lzw\n"
    "  -o, --output FILE the TIFF to write (.tif or .tiff); the CSVs go beside it\n"
    "  -q, --quiet       no informational messages\n"
    "  -h, --help        this help\n";

enum {
    OPT_PRESET = 3000, OPT_SEED, OPT_WIDTH, OPT_HEIGHT, OPT_LANES, OPT_VEHICLES, OPT_LADDER,
    OPT_ROWS, OPT_POLARITY, OPT_MARGIN, OPT_UNEVEN, OPT_TILT, OPT_SMILE, OPT_GRADIENT,
    OPT_SMEAR, OPT_DUST, OPT_NOISE, OPT_STRIPS, OPT_SATURATE, OPT_NO_SATURATE, OPT_OFFSET,
    OPT_PEAK, OPT_DC50, OPT_HILL, OPT_DMAX, OPT_HOOK, OPT_NO_HOOK, OPT_LOADING_CV,
    OPT_DOSE_MIN, OPT_DOSE_MAX, OPT_ADC_STEP, OPT_BAND_SIGMA, OPT_LABELS, OPT_NO_LABELS,
    OPT_TWO_CHANNEL, OPT_COMPRESSION, OPT_MW_CURVE,
};

static const struct option long_opts[] = {
    {"preset", required_argument, NULL, OPT_PRESET},
    {"seed", required_argument, NULL, OPT_SEED},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"lanes", required_argument, NULL, OPT_LANES},
    {"vehicles", required_argument, NULL, OPT_VEHICLES},
    {"ladder", optional_argument, NULL, OPT_LADDER},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"polarity", required_argument, NULL, OPT_POLARITY},
    {"two-channel", no_argument, NULL, OPT_TWO_CHANNEL},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"uneven", required_argument, NULL, OPT_UNEVEN},
    {"tilt", required_argument, NULL, OPT_TILT},
    {"smile", required_argument, NULL, OPT_SMILE},
    {"mw-curve", required_argument, NULL, OPT_MW_CURVE},
    {"gradient", required_argument, NULL, OPT_GRADIENT},
    {"smear", required_argument, NULL, OPT_SMEAR},
    {"dust", required_argument, NULL, OPT_DUST},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"strips", required_argument, NULL, OPT_STRIPS},
    {"saturate", no_argument, NULL, OPT_SATURATE},
    {"no-saturate", no_argument, NULL, OPT_NO_SATURATE},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"peak", required_argument, NULL, OPT_PEAK},
    {"dc50", required_argument, NULL, OPT_DC50},
    {"hill", required_argument, NULL, OPT_HILL},
    {"dmax", required_argument, NULL, OPT_DMAX},
    {"hook", no_argument, NULL, OPT_HOOK},
    {"no-hook", no_argument, NULL, OPT_NO_HOOK},
    {"loading-cv", required_argument, NULL, OPT_LOADING_CV},
    {"dose-min", required_argument, NULL, OPT_DOSE_MIN},
    {"dose-max", required_argument, NULL, OPT_DOSE_MAX},
    {"band-sigma", required_argument, NULL, OPT_BAND_SIGMA},
    {"labels", no_argument, NULL, OPT_LABELS},
    {"no-labels", no_argument, NULL, OPT_NO_LABELS},
    {"adc-step", required_argument, NULL, OPT_ADC_STEP},
    {"compression", required_argument, NULL, OPT_COMPRESSION},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Library messages start with "simulate: "; the usage line says it already. */
static const char *strip_prefix(const char *msg)
{
    static const char prefix[] = "simulate: ";
    return strncmp(msg, prefix, sizeof prefix - 1) == 0 ? msg + sizeof prefix - 1 : msg;
}

/* The preset is applied first and the knobs over it, whatever their order
 * on the command line: find it before parsing anything else. */
static const char *find_preset(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc)
            name = argv[i + 1];
        else if (strncmp(argv[i], "--preset=", 9) == 0)
            name = argv[i] + 9;
    }
    return name;
}

static int set_rows(bq_sim_params_t *p, const char *list)
{
    char **names;
    int n = cli_split_list(list, &names);
    if (n < 0)
        return -1;
    int ok = n == p->n_rows;
    for (int i = 0; ok && i < n; i++)
        ok = strlen(names[i]) < sizeof p->rows[i].name && strchr(names[i], '"') == NULL;
    for (int i = 0; ok && i < n; i++)
        snprintf(p->rows[i].name, sizeof p->rows[i].name, "%s", names[i]);
    free(names);
    return ok ? 0 : -1;
}

/* What the command line asks for: the parameters, the output and how to
 * store it. */
typedef struct sim_cli {
    bq_sim_params_t p;
    const char *out;
    int polarity_given;
    bq_tiff_compression compression;
} sim_cli_t;

/* An option's outcome: go on parsing, or leave with an exit code. */
enum { SIM_NEXT = -1 };

static int parse_seed(const char *a, sim_cli_t *s)
{
    char *end;
    if (!a || !*a || *a == '-' || *a == '+' || *a == ' ')
        return cli_usage_error("simulate", "bad --seed '%s'", a ? a : "");
    errno = 0;
    unsigned long long v = strtoull(a, &end, 10);
    if (*end != '\0' || errno != 0)
        return cli_usage_error("simulate", "bad --seed '%s'", a);
    s->p.seed = v;
    return SIM_NEXT;
}

/* The integer options. */
static int parse_count(int c, const char *a, sim_cli_t *s)
{
    const char *cmd = "simulate";
    bq_sim_params_t *p = &s->p;
    long l;
    switch (c) {
    case OPT_WIDTH:
    case OPT_HEIGHT:
        if (cli_parse_long(a, 64, BQ_SIM_MAX_SIDE, &l) != 0)
            return cli_usage_error(cmd, "--%s must be 64..%d, got '%s'",
                                   c == OPT_WIDTH ? "width" : "height", BQ_SIM_MAX_SIDE, a);
        *(c == OPT_WIDTH ? &p->width : &p->height) = (int)l;
        return SIM_NEXT;
    case OPT_LANES:
        if (cli_parse_long(a, BQ_SIM_MIN_LANES, BQ_SIM_MAX_LANES, &l) != 0)
            return cli_usage_error(cmd, "--lanes must be %d..%d, got '%s'", BQ_SIM_MIN_LANES,
                                   BQ_SIM_MAX_LANES, a);
        p->n_lanes = (int)l;
        if (p->n_vehicle >= p->n_lanes)
            p->n_vehicle = 1;
        return SIM_NEXT;
    case OPT_VEHICLES:
        if (cli_parse_long(a, 1, BQ_SIM_MAX_LANES - 1, &l) != 0)
            return cli_usage_error(cmd, "--vehicles must be 1..%d, got '%s'",
                                   BQ_SIM_MAX_LANES - 1, a);
        p->n_vehicle = (int)l;
        return SIM_NEXT;
    case OPT_DUST:
        if (cli_parse_long(a, 0, 100000, &l) != 0)
            return cli_usage_error(cmd, "--dust must be 0..100000, got '%s'", a);
        p->dust = (int)l;
        return SIM_NEXT;
    case OPT_ADC_STEP:
        if (cli_parse_long(a, 1, 256, &l) != 0)
            return cli_usage_error(cmd, "--adc-step must be 1..256, got '%s'", a);
        p->adc_step = (int)l;
        return SIM_NEXT;
    case OPT_STRIPS:
        if (cli_parse_long(a, 1, BQ_SIM_MAX_ROWS, &l) != 0 || (l != 1 && l != p->n_rows))
            return cli_usage_error(cmd, "--strips must be 1 or %d, got '%s'", p->n_rows, a);
        p->strips = (int)l;
        return SIM_NEXT;
    default:
        return 0; /* not an integer option */
    }
}

/* The options that take one of a few words. */
static int parse_choice(int c, const char *a, sim_cli_t *s)
{
    const char *cmd = "simulate";
    bq_sim_params_t *p = &s->p;
    switch (c) {
    case OPT_LADDER:
        if (!a || strcmp(a, "left") == 0)
            p->ladder = BQ_SIM_LADDER_LEFT;
        else if (strcmp(a, "both") == 0)
            p->ladder = BQ_SIM_LADDER_BOTH;
        else if (strcmp(a, "none") == 0)
            p->ladder = BQ_SIM_LADDER_NONE;
        else
            return cli_usage_error(cmd, "--ladder must be left, both or none, got '%s'", a);
        return SIM_NEXT;
    case OPT_ROWS:
        if (set_rows(p, a) != 0)
            return cli_usage_error(cmd, "--rows needs %d short names, target first, got '%s'",
                                   p->n_rows, a);
        return SIM_NEXT;
    case OPT_POLARITY:
        if (strcmp(a, "bright") == 0)
            p->polarity = BQ_SIM_BRIGHT;
        else if (strcmp(a, "dark") == 0)
            p->polarity = BQ_SIM_DARK;
        else
            return cli_usage_error(cmd, "--polarity must be bright or dark, got '%s'", a);
        s->polarity_given = 1;
        return SIM_NEXT;
    case OPT_COMPRESSION:
        if (strcmp(a, "deflate") == 0)
            s->compression = BQ_TIFF_DEFLATE;
        else if (strcmp(a, "none") == 0)
            s->compression = BQ_TIFF_NONE;
        else if (strcmp(a, "lzw") == 0)
            s->compression = BQ_TIFF_LZW;
        else
            return cli_usage_error(cmd, "--compression wants none, deflate or lzw, got '%s'", a);
        return SIM_NEXT;
    default:
        return 0; /* not a choice */
    }
}

/* The real-valued knobs: one table instead of a case each. */
static int parse_knob(int c, const char *a, const char *opt_text, sim_cli_t *s)
{
    static const struct {
        int opt;
        const char *name;
        double lo, hi;
        size_t off;
    } knobs[] = {
        {OPT_MARGIN, "margin", 0, 0.3, offsetof(bq_sim_params_t, margin)},
        {OPT_UNEVEN, "uneven", 0, 0.4, offsetof(bq_sim_params_t, uneven)},
        {OPT_TILT, "tilt", -5, 5, offsetof(bq_sim_params_t, tilt_deg)},
        {OPT_SMILE, "smile", -50, 50, offsetof(bq_sim_params_t, smile_px)},
        {OPT_MW_CURVE, "mw-curve", -0.5, 0.5, offsetof(bq_sim_params_t, mw_curve)},
        {OPT_GRADIENT, "gradient", 0, 2, offsetof(bq_sim_params_t, gradient)},
        {OPT_SMEAR, "smear", 0, 1, offsetof(bq_sim_params_t, smear)},
        {OPT_NOISE, "noise", 0, 10, offsetof(bq_sim_params_t, noise)},
        {OPT_OFFSET, "offset", 0, 30000, offsetof(bq_sim_params_t, offset)},
        {OPT_PEAK, "peak", 1, 200000, offsetof(bq_sim_params_t, peak)},
        {OPT_DC50, "dc50", 1e-9, 1e9, offsetof(bq_sim_params_t, dc50)},
        {OPT_HILL, "hill", 0.1, 10, offsetof(bq_sim_params_t, hill)},
        {OPT_DMAX, "dmax", 0, 1, offsetof(bq_sim_params_t, dmax)},
        {OPT_LOADING_CV, "loading-cv", 0, 0.3, offsetof(bq_sim_params_t, loading_cv)},
        {OPT_DOSE_MIN, "dose-min", 1e-9, 1e9, offsetof(bq_sim_params_t, dose_min)},
        {OPT_DOSE_MAX, "dose-max", 1e-9, 1e9, offsetof(bq_sim_params_t, dose_max)},
    };
    size_t k = 0, nk = sizeof knobs / sizeof knobs[0];
    while (k < nk && knobs[k].opt != c)
        k++;
    if (k == nk)
        return cli_usage_error("simulate", "unknown option '%s'", opt_text);
    double d;
    if (cli_parse_double(a, knobs[k].lo, knobs[k].hi, &d) != 0)
        return cli_usage_error("simulate", "--%s must be a number in %g..%g, got '%s'",
                               knobs[k].name, knobs[k].lo, knobs[k].hi, a);
    *(double *)((char *)&s->p + knobs[k].off) = d;
    return SIM_NEXT;
}

/* One option from getopt_long; opt_text is how it was written. */
static int parse_option(int c, const char *a, const char *opt_text, sim_cli_t *s)
{
    int rc = parse_count(c, a, s);
    if (rc == 0)
        rc = parse_choice(c, a, s);
    if (rc != 0)
        return rc;
    double d;
    switch (c) {
    case OPT_PRESET: return SIM_NEXT; /* applied before the options */
    case OPT_SEED: return parse_seed(a, s);
    case OPT_BAND_SIGMA:
        if (cli_parse_double(a, 1.0, 30.0, &d) != 0)
            return cli_usage_error("simulate", "--band-sigma must be a number in 1..30, got '%s'",
                                   a);
        for (int r = 0; r < s->p.n_rows; r++)
            s->p.rows[r].sigma_y = d;
        return SIM_NEXT;
    case OPT_TWO_CHANNEL: s->p.two_channel = 1; return SIM_NEXT;
    case OPT_SATURATE:
    case OPT_NO_SATURATE: s->p.saturate = c == OPT_SATURATE; return SIM_NEXT;
    case OPT_LABELS:
    case OPT_NO_LABELS: s->p.labels = c == OPT_LABELS; return SIM_NEXT;
    case OPT_HOOK:
    case OPT_NO_HOOK: s->p.hook = c == OPT_HOOK; return SIM_NEXT;
    case 'o': s->out = a; return SIM_NEXT;
    case 'q': bq_cli_quiet = 1; return SIM_NEXT;
    case 'h': fputs(usage, stdout); return BQ_EXIT_OK;
    case ':': return cli_usage_error("simulate", "option '%s' needs a value", opt_text);
    case '?': return cli_usage_error("simulate", "unknown option '%s'", opt_text);
    default: return parse_knob(c, a, opt_text, s);
    }
}

/* What the options mean together: an output name, and polarity and the
 * parameters' combinations that no single option can check. */
static int check_request(sim_cli_t *s, bq_error_t *err)
{
    const char *cmd = "simulate";
    if (!s->out)
        return cli_usage_error(cmd, "-o NAME.tif is required");
    size_t len = strlen(s->out);
    if (!((len > 4 && strcmp(s->out + len - 4, ".tif") == 0) ||
          (len > 5 && strcmp(s->out + len - 5, ".tiff") == 0)))
        return cli_usage_error(cmd, "-o must name a .tif or .tiff file");
    if (s->p.two_channel) {
        /* a preset's film-like export gives way to the scanner's bright
         * bands; only an explicit --polarity dark contradicts the flag */
        if (s->polarity_given && s->p.polarity == BQ_SIM_DARK)
            return cli_usage_error(cmd, "--two-channel scans are fluorescence: not --polarity dark");
        s->p.polarity = BQ_SIM_BRIGHT;
    }
    /* combinations (e.g. --vehicles >= --lanes) are checked by the library;
     * they are still usage errors */
    if (bq_sim_params_validate(&s->p, err) != 0)
        return cli_usage_error(cmd, "%s", strip_prefix(err->msg));
    return SIM_NEXT;
}

/* Render the blot and write its files; one line says what was made. */
static int render(const sim_cli_t *s, bq_error_t *err)
{
    const bq_sim_params_t *p = &s->p;
    bq_image_t *imgs[BQ_SIM_MAX_CHANNELS] = {NULL, NULL};
    int n_imgs = 0;
    bq_sim_truth_t *truth = NULL;
    int rc = bq_simulate_channels(p, imgs, &n_imgs, &truth, err);
    if (rc == 0)
        rc = bq_sim_write_channels_as(s->out, imgs, n_imgs, truth, s->compression, err);
    if (rc != 0) {
        cli_error("%s", err->msg);
    } else {
        int sat = 0;
        for (int i = 0; i < truth->n_bands; i++)
            sat += truth->bands[i].saturated;
        cli_info("%s%s: %dx%d, preset %s, seed %llu, %d lanes (%d ladder), %d bands, %d saturated",
                 s->out, n_imgs > 1 ? " (as .target + .control)" : "", p->width, p->height,
                 p->preset, (unsigned long long)p->seed, truth->n_lanes, (int)p->ladder,
                 truth->n_bands, sat);
    }
    for (int k = 0; k < BQ_SIM_MAX_CHANNELS; k++)
        bq_image_free(imgs[k]);
    bq_sim_truth_free(truth);
    return rc != 0 ? BQ_EXIT_FAIL : BQ_EXIT_OK;
}

int cmd_simulate(int argc, char **argv)
{
    sim_cli_t s = {.compression = BQ_TIFF_DEFLATE};
    bq_error_t err = {0, ""};
    if (bq_sim_params_preset(find_preset(argc, argv), &s.p, &err) != 0)
        return cli_usage_error("simulate", "%s", strip_prefix(err.msg));
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
        int rc = parse_option(c, optarg, argv[optind - 1], &s);
        if (rc != SIM_NEXT)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error("simulate", "unexpected argument '%s'", argv[optind]);
    int rc = check_request(&s, &err);
    if (rc != SIM_NEXT)
        return rc;
    return render(&s, &err);
}
