/* run_record.h - provenance: the run.json sidecar that records blotquant's
 * version and every parameter, so a result can be reproduced. */
#ifndef BLOTQUANT_RUN_RECORD_H
#define BLOTQUANT_RUN_RECORD_H

#include "analyze_run.h"

/* "blotquant batch --rows A,B -o out in" as one shell-quoted string
 * (malloc'd; NULL on no memory). argv[0] is the subcommand. */
char *run_record_command_line(int argc, char **argv, const char *cmd);

/* Write DIR/run.json (atomically): version, command line, and every
 * effective parameter of cfg (quantification, rows, sheet, fit). */
int run_record_write(const char *dir, const analyze_config_t *cfg, bq_error_t *err);

/* Write a one-line text file "<prefix><line>\n" atomically. */
int run_record_write_text(const char *path, const char *prefix, const char *line,
                          bq_error_t *err);

#endif
