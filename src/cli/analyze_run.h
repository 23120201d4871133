/* analyze_run.h - one analysis: images (replicate blots of one dose series)
 * + sample sheet -> DIR/bands.csv, normalized.csv, fit.csv, overlays,
 * dose_response.svg, report.html, run.json. Shared by `analyze` and by each gel of `batch`. */
#ifndef BLOTQUANT_ANALYZE_RUN_H
#define BLOTQUANT_ANALYZE_RUN_H

#include "quant_options.h"

typedef struct analyze_config {
    const bq_quant_options_t *quant;
    const char *target;        /* row name of the target protein, e.g. MDM2 */
    const char *control;       /* row name of the loading control, e.g. ACTB */
    const char *sheet_path;    /* NULL: quantify only, no normalisation or fit */
    bq_fit_options_t fit;
    int keep_flagged;          /* 1: fit flagged lanes too */
    int two_channel;           /* images come in pairs: target scan, control scan */
    const char *command_line;  /* recorded in run.json */
} analyze_config_t;

/* What happened, for summaries and errors.csv. */
/* Dose series per analysis: the sample sheet's `group` values. */
#define ANALYZE_MAX_GROUPS 16

typedef struct analyze_outcome {
    int n_images;
    int n_lanes;               /* lanes of the first image */
    int fitted;                /* 1 if a fit was attempted */
    bq_fit_result_t fit;       /* the first (often only) series */
    int n_groups;              /* series fitted: one per sheet group (1 without groups) */
    char groups[ANALYZE_MAX_GROUPS][BQ_SAMPLE_GROUP_MAX];
    bq_fit_result_t group_fit[ANALYZE_MAX_GROUPS];
    char unit[32];
    char target[BQ_NAME_MAX], control[BQ_NAME_MAX]; /* the series' row names */
    int lanes_uncertain;       /* 1 if the lanes of some image are uncertain */
    int n_flagged_lanes;
    char flagged[512];         /* "lane 3 (control_saturated), ..." for the summary
                                  (image-qualified with several images; cut with
                                  "..." when long) */
    char lossy_image[256];     /* the first image read from a lossy format
                                  (JPEG), "" if none */
    char failed_stage[16];     /* "" on success, else load/quant/samples/normalize/fit/write */
    char message[BQ_ERROR_MSG_MAX + 64];
} analyze_outcome_t;

/* Run the analysis of n images (paths; names label them in the tables, e.g.
 * paths relative to a batch folder) into outdir (created if missing).
 * Returns 0, or a negative bq_err with out->failed_stage/message set. A fit
 * that is degenerate (too few doses, no response) is not a failure: fit.csv
 * says why. */
int analyze_run(const analyze_config_t *cfg, char *const *paths, char *const *names, int n,
                const char *outdir, analyze_outcome_t *out);

/* Fill target/control from --rows (first and last) where not given.
 * Returns 0, or -1 after a usage message. */
int analyze_default_rows(const quant_cli_t *q, const char **target, const char **control,
                         const char *cmd);

/* Create a directory and its parents (mkdir -p). 0 or -1 with errno. */
int make_dirs(const char *path);

#endif
