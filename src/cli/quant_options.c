/* quant_options.c - parsing of the shared quantification options. */
#include <stdlib.h>
#include <string.h>

#include "quant_options.h"

const char QUANT_OPTIONS_HELP[] =
    "  --rows NAMES        band rows top to bottom, e.g. MDM2,ACTB (higher MW runs higher)\n"
    "  --lanes N           force the lane count (default: automatic)\n"
    "  --invert            treat bands as dark on light (invert the image)\n"
    "  --no-invert         treat bands as bright (default: detect polarity)\n"
    "  --roi X,Y,W,H       look for lanes and bands only inside this rectangle\n"
    "  --page N            page of a multi-page TIFF or channel of an .scn,\n"
    "                      1-based (default 1)\n"
    "  --background M      auto (default), rolling-ball, border-median or none\n"
    "  --channel C         colour images: auto (luminance), red, green or blue\n"
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
}

void quant_cli_free(quant_cli_t *q)
{
    free(q->row_names);
    q->row_names = NULL;
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

int quant_cli_handle(quant_cli_t *q, int opt, const char *arg, const char *cmd)
{
    long v;
    switch (opt) {
    case QOPT_ROWS: {
        char **names;
        int n = cli_split_list(arg, &names);
        if (n <= 0)
            return -cli_usage_error(cmd, "--rows wants a comma list of names, got '%s'", arg);
        for (int i = 0; i < n; i++) {
            if (strlen(names[i]) >= BQ_NAME_MAX) {
                /* the message quotes the name: free the list after it */
                cli_usage_error(cmd, "--rows: name too long: '%s' (at most %d characters)",
                                names[i], BQ_NAME_MAX - 1);
                free(names);
                return -BQ_EXIT_USAGE;
            }
        }
        free(q->row_names);
        q->row_names = names;
        q->opts.bands.row_names = (const char *const *)names;
        q->opts.bands.n_row_names = n;
        return 1;
    }
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
