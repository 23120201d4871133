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
    "  --page N            page of a multi-page TIFF, 1-based (default 1)\n"
    "  --background M      auto (default), rolling-ball, border-median or none\n"
    "  --channel C         colour images: auto (luminance), red, green or blue\n"
    "  --max-pixels N      refuse images larger than N pixels (default 500000000)\n";

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
                free(names);
                return -cli_usage_error(cmd, "--rows: name too long: '%s'", names[i]);
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
    case QOPT_MAX_PIXELS:
        if (cli_parse_long(arg, 1, 1L << 40, &v) != 0)
            return -cli_usage_error(cmd, "--max-pixels wants a positive number, got '%s'", arg);
        q->opts.load.max_pixels = (uint64_t)v;
        return 1;
    default:
        return 0;
    }
}
