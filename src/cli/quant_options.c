/* quant_options.c - parsing of the shared quantification options. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant_options.h"

const char QUANT_OPTIONS_HELP[] =
    "  --rows NAMES        band rows top to bottom, e.g. MDM2,ACTB (higher MW runs higher);\n"
    "                      NAME@KDA (MDM2@90,ACTB@42) names the row nearest that size\n"
    "                      instead (needs a calibrated ladder; else by order, with a warning);\n"
    "                      NAME@CHANNEL (ACTB@red,GFP@green) measures each row on its own\n"
    "                      colour channel of a two-colour composite, lanes found on both\n"
    "  --ladder L          sizes from the ladder lane: auto (default: precision-plus when\n"
    "                      it matches well), none, a preset (pageruler-plus, pageruler,\n"
    "                      precision-plus, spectra-broad, seeblue-plus2, chameleon-duo)\n"
    "                      or the sizes in kDa, largest first: 250,150,100,75,50\n"
    "  --lanes N           force the lane count (default: automatic)\n"
    "  --invert            treat bands as dark on light (invert the image)\n"
    "  --no-invert         treat bands as bright (default: detect polarity)\n"
    "  --roi X,Y,W,H       look for lanes and bands only inside this rectangle\n"
    "  --page N            page of a multi-page TIFF or channel of an .scn,\n"
    "                      1-based (default 1)\n"
    "  --background M      auto (default), rolling-ball, border-median or none\n"
    "  --channel C         colour images: auto (luminance; a two-colour composite: combined),\n"
    "                      red, green, blue (the stored channel) or combined (each pixel's\n"
    "                      largest minus smallest channel: the composite's signal)\n"
    "  --max-pixels N      refuse images larger than N pixels (default 500000000)\n"
    "  --lane-centres X,.. set the lanes by hand: their centre columns in pixels, left\n"
    "                      to right; vertical lanes over the whole height (or --roi)\n"
    "  --lane-width W      with --lane-centres: lane width in pixels (default 0.8 x the\n"
    "                      median spacing of the centres; one lane: 1/10 of the width)\n"
    "  --lanes-from FILE   use the lanes of a --save-lanes file, or rebuild them from a\n"
    "                      bands.csv of one image, instead of detecting them\n"
    "  --save-lanes FILE   quant: write the lanes used (detected or given) to FILE\n";

void quant_cli_init(quant_cli_t *q)
{
    memset(q, 0, sizeof *q);
    q->opts.background = BQ_BG_AUTO;
    q->opts.polarity = BQ_POLARITY_AUTO;
    q->opts.load.max_pixels = BQ_DEFAULT_MAX_PIXELS;
    bq_mw_ladder_parse(BQ_MW_DEFAULT_LADDER, &q->ladder, NULL);
    q->opts.ladder = &q->ladder;
    q->opts.ladder_auto = 1;
}

void quant_cli_free(quant_cli_t *q)
{
    free(q->row_names);
    q->row_names = NULL;
    free(q->row_kda);
    q->row_kda = NULL;
    q->opts.row_kda = NULL;
    free(q->row_channel);
    q->row_channel = NULL;
    q->opts.row_channel = NULL;
    bq_lanes_free(q->lanes_loaded);
    q->lanes_loaded = NULL;
    q->opts.manual_lanes = NULL;
}

/* --lane-centres X1,X2,...: numbers, 1..BQ_MAX_LANES of them, increasing.
 * Whether they lie in the image is known only once it is loaded. */
static int parse_centres(quant_cli_t *q, const char *arg, const char *cmd)
{
    char **items;
    int n = cli_split_list(arg, &items);
    if (n <= 0)
        return -cli_usage_error(cmd, "--lane-centres wants a comma list of x positions, got '%s'",
                                arg);
    int rc = 1;
    if (n > BQ_MAX_LANES)
        rc = -cli_usage_error(cmd, "--lane-centres: at most %d lanes, got %d", BQ_MAX_LANES, n);
    for (int i = 0; i < n && rc > 0; i++)
        if (cli_parse_double(items[i], 0, 1e7, &q->centres[i]) != 0)
            rc = -cli_usage_error(cmd, "--lane-centres: '%s' is not a pixel column (a number >= 0)",
                                  items[i]);
    free(items);
    /* width 1 checks the centres alone: a --lane-width may still come, and
     * quant_cli_finish checks the pair */
    bq_error_t err = {0};
    if (rc > 0 && bq_lanes_check_centres(q->centres, n, 1, &err) != 0)
        rc = -cli_usage_error(cmd, "--lane-centres: %s", err.msg);
    q->n_centres = rc > 0 ? n : 0;
    return rc;
}

/* The part after '@' in item i of --rows: a colour channel (red, green,
 * blue) into channel[i], or a size in kDa into kda[i]. Returns 1 for a
 * channel, 2 for a size, or a negated usage error. */
static int parse_at(const char *name, const char *what, double *kda, bq_channel *channel,
                    const char *cmd)
{
    int c = bq_channel_parse_signal(what);
    if (c >= 0 && c != BQ_CHANNEL_COMBINED) {
        *channel = (bq_channel)c;
        return 1;
    }
    if (name != what - 1 && cli_parse_double(what, 0.5, 10000, kda) == 0)
        return 2;
    return -cli_usage_error(cmd, "--rows: '%s' is not NAME@KDA (a size in kDa) or "
                                 "NAME@CHANNEL (red, green, blue)", name);
}

/* NAME@KDA and NAME@CHANNEL items of --rows: cut the sizes or channels off
 * the names into kda or channel (n of them). Returns 0 if no item has
 * either, 1 if every item has a channel, 2 if every item has a size, or a
 * negated usage error. */
static int split_suffixes(char **names, int n, double *kda, bq_channel *channel,
                          const char *cmd)
{
    int kinds[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        char *at = strrchr(names[i], '@');
        int kind = 0;
        if (at && (kind = parse_at(names[i], at + 1, &kda[i], &channel[i], cmd)) < 0)
            return kind;
        if (at && at == names[i])
            return -cli_usage_error(cmd, "--rows: '%s' has no name before the '@'", names[i]);
        if (at)
            *at = '\0';
        kinds[kind]++;
    }
    if (kinds[1] > 0 && kinds[2] > 0)
        return -cli_usage_error(cmd, "--rows: name rows by channel or by size, not both");
    int kind = kinds[1] > 0 ? 1 : kinds[2] > 0 ? 2 : 0;
    if (kind > 0 && kinds[0] > 0)
        return -cli_usage_error(cmd, "--rows: give a %s to every name or to none",
                                kind == 1 ? "channel" : "size");
    return kind;
}

static int parse_rows(quant_cli_t *q, const char *arg, const char *cmd)
{
    char **names;
    int n = cli_split_list(arg, &names);
    if (n <= 0)
        return -cli_usage_error(cmd, "--rows wants a comma list of names, got '%s'", arg);
    double *kda = calloc((size_t)n, sizeof *kda);
    bq_channel *channel = calloc((size_t)n, sizeof *channel);
    int kind = kda && channel ? split_suffixes(names, n, kda, channel, cmd)
                              : -cli_usage_error(cmd, "out of memory");
    for (int i = 0; i < n && kind >= 0; i++)
        if (strlen(names[i]) >= BQ_NAME_MAX)
            kind = -cli_usage_error(cmd, "--rows: name too long: '%s' (at most %d characters)",
                                    names[i], BQ_NAME_MAX - 1);
    if (kind < 0) {
        free(names);
        free(kda);
        free(channel);
        return kind;
    }
    if (kind != 2) {
        free(kda);
        kda = NULL;
    }
    if (kind != 1) {
        free(channel);
        channel = NULL;
    }
    free(q->row_names);
    free(q->row_kda);
    free(q->row_channel);
    q->row_names = names;
    q->row_kda = kda;
    q->row_channel = channel;
    q->opts.bands.row_names = (const char *const *)names;
    q->opts.bands.n_row_names = n;
    q->opts.row_kda = kda;
    q->opts.row_channel = channel;
    return 1;
}

static int parse_ladder(quant_cli_t *q, const char *arg, const char *cmd)
{
    bq_error_t err = {0};
    q->opts.ladder_auto = strcmp(arg, "auto") == 0;
    q->opts.ladder = strcmp(arg, "none") == 0 ? NULL : &q->ladder;
    if (q->opts.ladder_auto)
        arg = BQ_MW_DEFAULT_LADDER;
    if (q->opts.ladder && bq_mw_ladder_parse(arg, &q->ladder, &err) != 0)
        return -cli_usage_error(cmd, "--ladder: %s", err.msg);
    return 1;
}

void quant_cli_report_mw(const char *path, const bq_quant_result_t *res,
                         const bq_quant_options_t *opts)
{
    if (!opts->ladder) {
        if (opts->row_kda)
            cli_error("%s: warning: rows named by order, not by size: no ladder (--ladder none)",
                      path);
        return;
    }
    const bq_mw_result_t *mw = &res->mw;
    for (int k = 0; k < mw->n; k++) {
        const bq_mw_calib_t *c = &mw->calib[k];
        cli_info("%s: ladder lane %d matches %s: %d markers from %d peaks (%d missing), "
                 "residual %.3f log10 kDa (%.1f %%)",
                 path, mw->lane[k], c->ladder, c->n, c->n_peaks, c->n_missing, c->residual,
                 100.0 * (pow(10.0, c->residual) - 1.0));
    }
    if (opts->row_kda && !res->rows_by_size)
        cli_error("%s: warning: rows named by order, not by size: %s", path,
                  res->mw_note[0] ? res->mw_note : "no calibration");
    else if (res->mw_note[0])
        cli_info("%s: %s", path, res->mw_note);
}

int quant_cli_handle(quant_cli_t *q, int opt, const char *arg, const char *cmd)
{
    long v;
    switch (opt) {
    case QOPT_ROWS:
        return parse_rows(q, arg, cmd);
    case QOPT_LADDER:
        return parse_ladder(q, arg, cmd);
    case QOPT_LANES:
        if (cli_parse_long(arg, 1, BQ_MAX_LANES, &v) != 0)
            return -cli_usage_error(cmd, "--lanes wants a number from 1 to %d, got '%s'",
                                    BQ_MAX_LANES, arg);
        q->opts.lanes.n_lanes = (int)v;
        return 1;
    case QOPT_INVERT:
        q->opts.polarity = BQ_POLARITY_INVERT;
        return 1;
    case QOPT_NO_INVERT:
        q->opts.polarity = BQ_POLARITY_KEEP;
        return 1;
    case QOPT_ROI:
        if (cli_parse_roi(arg, &q->opts.lanes.roi) != 0)
            return -cli_usage_error(cmd, "--roi wants X,Y,W,H (W and H > 0), got '%s'", arg);
        return 1;
    case QOPT_PAGE:
        if (cli_parse_long(arg, 1, 1000000, &v) != 0)
            return -cli_usage_error(cmd, "--page wants a page number from 1, got '%s'", arg);
        q->opts.load.page = (int)v - 1;
        return 1;
    case QOPT_BACKGROUND: {
        int m = bq_background_parse(arg);
        if (m < 0)
            return -cli_usage_error(
                cmd, "--background: unknown method '%s' (auto, rolling-ball, border-median, none)",
                arg);
        q->opts.background = (bq_background)m;
        return 1;
    }
    case QOPT_CHANNEL:
        if (strcmp(arg, "auto") == 0 || strcmp(arg, "gray") == 0)
            q->opts.load.channel = BQ_CHANNEL_AUTO;
        else if (strcmp(arg, "red") == 0)
            q->opts.load.channel = BQ_CHANNEL_RED;
        else if (strcmp(arg, "green") == 0)
            q->opts.load.channel = BQ_CHANNEL_GREEN;
        else if (strcmp(arg, "blue") == 0)
            q->opts.load.channel = BQ_CHANNEL_BLUE;
        else if (strcmp(arg, "combined") == 0)
            q->opts.load.channel = BQ_CHANNEL_COMBINED;
        else
            return -cli_usage_error(cmd, "--channel: unknown channel '%s'", arg);
        return 1;
    case QOPT_LANE_CENTRES:
        return parse_centres(q, arg, cmd);
    case QOPT_LANE_WIDTH:
        if (cli_parse_double(arg, 1, 1e7, &q->lane_width) != 0)
            return -cli_usage_error(cmd, "--lane-width wants a width in pixels (>= 1), got '%s'",
                                    arg);
        return 1;
    case QOPT_LANES_FROM:
        q->lanes_from = arg;
        return 1;
    case QOPT_SAVE_LANES:
        q->save_lanes = arg;
        return 1;
    case QOPT_MAX_PIXELS:
        if (cli_parse_long(arg, 1, 1L << 40, &v) != 0)
            return -cli_usage_error(cmd, "--max-pixels wants a positive number, got '%s'", arg);
        q->opts.load.max_pixels = (uint64_t)v;
        return 1;
    default:
        return 0;
    }
}

/* Options that set the lanes two ways at once, or modify what is not used. */
static int lanes_conflict(const quant_cli_t *q, const char *cmd, int one_image)
{
    const char *given = q->n_centres > 0 ? "--lane-centres" : "--lanes-from";
    if (q->n_centres > 0 && q->lanes_from)
        return cli_usage_error(cmd, "--lane-centres and --lanes-from both set the lanes: give one");
    if ((q->n_centres > 0 || q->lanes_from) && q->opts.lanes.n_lanes > 0)
        return cli_usage_error(cmd, "--lanes counts lanes for the detector; %s sets them", given);
    if (q->lane_width > 0 && q->n_centres == 0)
        return cli_usage_error(cmd, "--lane-width goes with --lane-centres");
    if (q->lanes_from && q->opts.lanes.roi.w > 0)
        return cli_usage_error(cmd, "--roi does not go with --lanes-from (the lanes file holds "
                                    "its region)");
    if (q->save_lanes && !one_image)
        return cli_usage_error(cmd, "--save-lanes writes the lanes of one image: use it with "
                                    "blotquant quant");
    return BQ_EXIT_OK;
}

int quant_cli_finish(quant_cli_t *q, const char *cmd, int one_image)
{
    int rc = lanes_conflict(q, cmd, one_image);
    if (rc != BQ_EXIT_OK)
        return rc;
    bq_error_t err = {0};
    if (q->n_centres > 0) {
        if (bq_lanes_check_centres(q->centres, q->n_centres, q->lane_width, &err) != 0)
            return cli_usage_error(cmd, "--lane-centres: %s", err.msg);
        q->manual = (bq_lanes_manual_t){.centres = q->centres, .n_centres = q->n_centres,
                                        .width = q->lane_width};
    } else if (q->lanes_from) {
        if (bq_lanes_load(q->lanes_from, &q->lanes_loaded, &err) != 0) {
            cli_error("%s", err.msg);
            return BQ_EXIT_FAIL;
        }
        q->manual = (bq_lanes_manual_t){.lanes = q->lanes_loaded, .source = q->lanes_from};
    } else {
        return BQ_EXIT_OK;
    }
    q->opts.manual_lanes = &q->manual;
    return BQ_EXIT_OK;
}
