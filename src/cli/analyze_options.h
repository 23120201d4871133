/* analyze_options.h - the normalisation and fit options shared by analyze
 * and batch, parsed in one place so they mean the same in both. */
#ifndef BLOTQUANT_ANALYZE_OPTIONS_H
#define BLOTQUANT_ANALYZE_OPTIONS_H

#include "analyze_run.h"

enum {
    AOPT_SAMPLES = 1500,
    AOPT_TARGET,
    AOPT_CONTROL,
    AOPT_KEEP_FLAGGED,
    AOPT_TOP,
    AOPT_BOTTOM,
    AOPT_CI,
    AOPT_NO_HOOK,
    AOPT_HOOK_EXCLUDE,
    AOPT_FREE_BOTTOM,
    AOPT_HOOK_UNFLAGGED,
};

#define ANALYZE_LONG_OPTIONS                                            \
    {"samples", required_argument, NULL, AOPT_SAMPLES},                 \
    {"target", required_argument, NULL, AOPT_TARGET},                   \
    {"control", required_argument, NULL, AOPT_CONTROL},                 \
    {"keep-flagged", no_argument, NULL, AOPT_KEEP_FLAGGED},             \
    {"top", required_argument, NULL, AOPT_TOP},                         \
    {"bottom", required_argument, NULL, AOPT_BOTTOM},                   \
    {"ci", required_argument, NULL, AOPT_CI},                           \
    {"no-hook", no_argument, NULL, AOPT_NO_HOOK},                       \
    {"hook-exclude", no_argument, NULL, AOPT_HOOK_EXCLUDE},             \
    {"free-bottom", no_argument, NULL, AOPT_FREE_BOTTOM},               \
    {"hook-unflagged-only", no_argument, NULL, AOPT_HOOK_UNFLAGGED}

/* Help lines for the shared options (the --samples line is the caller's,
 * since analyze and batch use the sheet differently). */
extern const char ANALYZE_OPTIONS_HELP[];

/* Defaults: no sheet, rows from --rows, fit defaults for relative data. */
void analyze_config_init(analyze_config_t *cfg);

/* Handle one getopt_long result: 1 if applied, 0 if not a shared option,
 * -BQ_EXIT_USAGE after printing a usage error. */
int analyze_cli_handle(analyze_config_t *cfg, int opt, const char *arg, const char *cmd);

#endif
