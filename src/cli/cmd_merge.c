/* cmd_merge.c - `blotquant merge`: join the tables of batch shards into the
 * set one unsharded run would have written. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_run.h"
#include "run_record.h"
#include "tables_join.h"

static const char usage[] =
    "Usage: blotquant merge -o DIR SHARD_DIR...\n"
    "Join bands.csv, normalized.csv, fits.csv and errors.csv of batch shard\n"
    "outputs into DIR, rows ordered by image as a single batch run orders them.\n\n"
    "Options:\n"
    "  -o, --output DIR    output folder (required)\n"
    "  -q, --quiet         no summary on stderr\n"
    "  -h, --help          this help\n";

int cmd_merge(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const tables[] = {"bands.csv", "normalized.csv", "fits.csv", "errors.csv"};
    const char *outdir = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'o': outdir = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h': fputs(usage, stdout); return BQ_EXIT_OK;
        default: return cli_usage_error("merge", "unknown option");
        }
    }
    if (!outdir)
        return cli_usage_error("merge", "missing -o DIR");
    int n = argc - optind;
    if (n < 1)
        return cli_usage_error("merge", "missing SHARD_DIR");
    for (int i = 0; i < n; i++) {
        char *probe = malloc(strlen(argv[optind + i]) + sizeof "/errors.csv");
        if (!probe)
            return BQ_EXIT_FAIL;
        sprintf(probe, "%s/errors.csv", argv[optind + i]);
        FILE *fp = fopen(probe, "r");
        free(probe);
        if (!fp) {
            cli_error("%s: not a batch output folder (no errors.csv)", argv[optind + i]);
            return BQ_EXIT_FAIL;
        }
        fclose(fp);
    }
    if (make_dirs(outdir) != 0) {
        cli_error("%s: cannot create: %s", outdir, strerror(errno));
        return BQ_EXIT_FAIL;
    }

    join_input_t *in = calloc((size_t)n, sizeof *in);
    char **paths = calloc((size_t)n, sizeof *paths);
    int rc = BQ_EXIT_OK;
    if (!in || !paths) {
        cli_error("out of memory");
        rc = BQ_EXIT_FAIL;
    }
    for (int t = 0; t < 4 && rc == BQ_EXIT_OK; t++) {
        for (int i = 0; i < n; i++) {
            const char *dir = argv[optind + i];
            paths[i] = malloc(strlen(dir) + strlen(tables[t]) + 2);
            if (paths[i])
                sprintf(paths[i], "%s/%s", dir, tables[t]);
            in[i].path = paths[i] ? paths[i] : "";
        }
        char *out = malloc(strlen(outdir) + strlen(tables[t]) + 2);
        bq_error_t err = {0};
        if (out) {
            sprintf(out, "%s/%s", outdir, tables[t]);
            /* shards are disjoint; sorting by image restores the one-run order */
            if (tables_join(in, n, NULL, t == 3 ? "image,stage,message" : NULL, 1, out, &err) != 0) {
                cli_error("%s", err.msg);
                rc = BQ_EXIT_FAIL;
            }
        } else {
            rc = BQ_EXIT_FAIL;
        }
        free(out);
        for (int i = 0; i < n; i++)
            free(paths[i]);
    }
    free(in);
    free(paths);
    if (rc == BQ_EXIT_OK) {
        char *cmdline = run_record_command_line(argc, argv, "merge");
        char *rec = malloc(strlen(outdir) + sizeof "/merge.txt");
        bq_error_t err = {0};
        if (cmdline && rec) {
            sprintf(rec, "%s/merge.txt", outdir);
            if (run_record_write_text(rec, "blotquant " BQ_VERSION ": ", cmdline, &err) != 0) {
                cli_error("%s", err.msg);
                rc = BQ_EXIT_FAIL;
            }
        }
        free(rec);
        free(cmdline);
        if (rc == BQ_EXIT_OK)
            cli_info("merge: %d shard%s joined into %s", n, n == 1 ? "" : "s", outdir);
    }
    return rc;
}
