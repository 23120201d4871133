/* cli.h - what the subcommands of the blotquant executable share. */
#ifndef BLOTQUANT_CLI_H
#define BLOTQUANT_CLI_H

#include <stdio.h>

#include "blotquant/blotquant.h"

/* Exit codes of the command-line contract. */
enum { BQ_EXIT_OK = 0, BQ_EXIT_FAIL = 1, BQ_EXIT_USAGE = 2 };

/* Every subcommand: argv[0] is the subcommand's name. Returns an exit code. */
typedef int (*bq_command_fn)(int argc, char **argv);

int cmd_quant(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Set by -q: suppress informational messages on stderr. */
extern int bq_cli_quiet;

/* "blotquant: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line on stderr, unless quiet. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After reading path from a lossy format (bq_image_t.lossy: JPEG), say on
 * stderr what that means for its numbers; once per command. A warning, so
 * -q keeps it, as it keeps "lanes uncertain". */
void cli_warn_lossy(const char *path);
/* "blotquant <cmd>: <message>" + "Try 'blotquant <cmd> --help'." on stderr;
 * returns BQ_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing: the whole string must be a number within [lo, hi].
 * Return 0 on success, -1 otherwise. */
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *s, double lo, double hi, double *out);

/* Split a comma list into a NULL-terminated array of strings (one allocation
 * to free with free()). Empty items are refused. Returns the count or -1. */
int cli_split_list(const char *s, char ***out);

/* Parse "x,y,w,h" into roi. Returns 0 or -1. */
int cli_parse_roi(const char *s, bq_roi_t *roi);

/* Number of online CPUs, at least 1. */
int cli_ncpus(void);

#endif
