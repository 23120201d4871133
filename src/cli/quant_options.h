/* quant_options.h - the quantification options shared by quant, analyze and
 * batch, parsed in one place so they mean the same everywhere. */
#ifndef BLOTQUANT_QUANT_OPTIONS_H
#define BLOTQUANT_QUANT_OPTIONS_H

#include <getopt.h>

#include "cli.h"

/* getopt_long codes of the shared options (outside the char range). */
enum {
    QOPT_ROWS = 1000,
    QOPT_LANES,
    QOPT_INVERT,
    QOPT_NO_INVERT,
    QOPT_ROI,
    QOPT_PAGE,
    QOPT_BACKGROUND,
    QOPT_CHANNEL,
    QOPT_MAX_PIXELS,
    QOPT_LANE_CENTRES,
    QOPT_LANE_WIDTH,
    QOPT_LANES_FROM,
    QOPT_SAVE_LANES,
    QOPT_LADDER,
};

/* The getopt_long entries for the shared options; splice into a command's
 * table with QUANT_LONG_OPTIONS. */
#define QUANT_LONG_OPTIONS                                                 \
    {"rows", required_argument, NULL, QOPT_ROWS},                          \
    {"lanes", required_argument, NULL, QOPT_LANES},                        \
    {"invert", no_argument, NULL, QOPT_INVERT},                            \
    {"no-invert", no_argument, NULL, QOPT_NO_INVERT},                      \
    {"roi", required_argument, NULL, QOPT_ROI},                            \
    {"page", required_argument, NULL, QOPT_PAGE},                          \
    {"background", required_argument, NULL, QOPT_BACKGROUND},              \
    {"channel", required_argument, NULL, QOPT_CHANNEL},                    \
    {"max-pixels", required_argument, NULL, QOPT_MAX_PIXELS},              \
    {"lane-centres", required_argument, NULL, QOPT_LANE_CENTRES},          \
    {"lane-width", required_argument, NULL, QOPT_LANE_WIDTH},              \
    {"lanes-from", required_argument, NULL, QOPT_LANES_FROM},              \
    {"save-lanes", required_argument, NULL, QOPT_SAVE_LANES},              \
    {"ladder", required_argument, NULL, QOPT_LADDER}

/* Help text lines for the shared options. */
extern const char QUANT_OPTIONS_HELP[];

/* Options plus the storage that backs their strings and the lanes given
 * by hand (opts.manual_lanes points at `manual` here: do not move it). */
typedef struct quant_cli {
    bq_quant_options_t opts;
    char **row_names; /* from --rows, freed by quant_cli_free */
    double *row_kda;  /* --rows NAME@KDA: the sizes, else NULL */
    bq_channel *row_channel; /* --rows NAME@CHANNEL: the channels, else NULL */
    bq_mw_ladder_t ladder;        /* --ladder (opts.ladder points here) */
    double centres[BQ_MAX_LANES]; /* --lane-centres */
    int n_centres;
    double lane_width;            /* --lane-width; 0 = default */
    const char *lanes_from;       /* --lanes-from FILE */
    const char *save_lanes;       /* --save-lanes FILE */
    bq_lanes_t *lanes_loaded;     /* read from lanes_from by quant_cli_finish */
    bq_lanes_manual_t manual;
} quant_cli_t;

void quant_cli_init(quant_cli_t *q);
void quant_cli_free(quant_cli_t *q);

/* Handle one getopt_long result. Returns 1 if it was a shared option and was
 * applied, 0 if it is not a shared option, or BQ_EXIT_USAGE negated (-2)
 * after printing a usage error. */
int quant_cli_handle(quant_cli_t *q, int opt, const char *arg, const char *cmd);

/* After the last option: refuse combinations that contradict each other
 * (--save-lanes unless one_image), read the --lanes-from file and hand the
 * lanes given by hand to opts. Returns BQ_EXIT_OK, BQ_EXIT_USAGE or
 * BQ_EXIT_FAIL (an unreadable lanes file), the error already printed. */
int quant_cli_finish(quant_cli_t *q, const char *cmd, int one_image);

/* On stderr: the ladder matched on path's blot and its residual, or why no
 * sizes were given (when opts asked for them). */
void quant_cli_report_mw(const char *path, const bq_quant_result_t *res,
                         const bq_quant_options_t *opts);

#endif
