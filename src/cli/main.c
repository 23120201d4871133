/* main.c - the blotquant executable: a table of subcommands drives dispatch
 * and the top-level help. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

typedef struct command {
    const char *name;
    const char *summary;
    bq_command_fn fn;
} command_t;

static const command_t commands[] = {
    {"quant", "quantify one scanned blot into a band table", cmd_quant},
    {"fit", "fit a dose-response table (DC50, Dmax, CI)", cmd_fit},
    {"analyze", "images + sample sheet -> bands, normalised table, fit, plots", cmd_analyze},
    {"batch", "analyse every gel under a folder, in parallel", cmd_batch},
    {"merge", "join the tables of batch shards", cmd_merge},
    {"simulate", "write a synthetic blot with its ground truth", cmd_simulate},
};

static void print_help(FILE *fp)
{
    fprintf(fp,
            "blotquant %s - Western blot densitometry and DC50 fitting\n\n"
            "Usage: blotquant COMMAND [OPTIONS] ...\n\nCommands:\n",
            BQ_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'blotquant COMMAND --help' describes a command's options.\n");
}

/* A failed write to stdout (full disk, closed pipe) must not pass as success. */
static int close_stdout(int rc)
{
    if (fclose(stdout) != 0 && rc == BQ_EXIT_OK) {
        fprintf(stderr, "blotquant: error writing standard output: %s\n", strerror(errno));
        return BQ_EXIT_FAIL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; a failed fit must become an exit code
     * and a message instead. Process-wide, so the program sets it, once,
     * before any thread starts. The command never calls setlocale(): it runs
     * in the C locale, so its own numbers read and print with '.'. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        print_help(stderr);
        return BQ_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return close_stdout(BQ_EXIT_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("blotquant %s\n", BQ_VERSION);
        return close_stdout(BQ_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return close_stdout(commands[i].fn(argc - 1, argv + 1));
    }
    fprintf(stderr, "blotquant: unknown command '%s'\n", name);
    print_help(stderr);
    return BQ_EXIT_USAGE;
}
