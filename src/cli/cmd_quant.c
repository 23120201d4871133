/* cmd_quant.c - `blotquant quant`: one scanned blot -> band table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "quant_options.h"

static const char usage[] =
    "Usage: blotquant quant [OPTIONS] IMAGE\n"
    "Find lanes and bands in a scanned blot and write the band table\n"
    "(CSV on standard output, or to -o FILE).\n\n"
    "Options:\n"
    "%s"
    "  --overlay FILE.png  also write a QC picture with lanes and band boxes\n"
    "  --format F          csv (default) or json\n"
    "  -o, --output FILE   write the table to FILE (complete or not at all)\n"
    "  -q, --quiet         no informational messages\n"
    "  -h, --help          this help\n";

enum { OPT_OVERLAY = 2000, OPT_FORMAT };

typedef struct table_job {
    const bq_quant_result_t *res;
    const char *image;
    int json;
} table_job_t;

static int write_table(FILE *fp, void *ctx)
{
    const table_job_t *job = ctx;
    if (job->json)
        return bq_band_table_write_json(fp, job->res->table, job->image);
    return bq_band_table_write_csv(fp, job->res->table, job->image, 1);
}

/* What an imager recorded about the scan (Image Lab .scn), one line, so the
 * settings behind the numbers are on record with them. */
static void report_scan(const char *path, const bq_image_t *img)
{
    if (img->format != BQ_FORMAT_SCN)
        return;
    const bq_scan_info_t *s = &img->scan;
    char exposure[32] = "?";
    if (s->exposure_s > 0.0)
        snprintf(exposure, sizeof exposure, "%g s", s->exposure_s);
    cli_info("%s: Image Lab scan: imager %s, application %s, exposure %s, binning %s, "
             "channel %d of %d, data ceiling %ld",
             path, s->imager[0] ? s->imager : "?", s->application[0] ? s->application : "?",
             exposure, s->binning[0] ? s->binning : "?", img->page + 1, img->n_pages,
             s->data_ceiling);
}

/* A two-colour composite: say how its colours were read, and how to
 * measure each protein on its own channel. */
static void report_colour(const char *path, const bq_quant_result_t *res, const quant_cli_t *q)
{
    const bq_image_t *img = res->image;
    if (q->opts.row_channel) {
        cli_info("%s: two-colour composite: lanes from the channels' combined signal, each "
                 "row measured on its own channel",
                 path);
        return;
    }
    double r;
    if (img->colour.n == 0 || !bq_colour_distinct(&img->colour, &r))
        return;
    cli_info("%s: the colour channels show different pictures (correlation %.2f): a "
             "two-colour composite? %s; name the rows by channel (e.g. --rows "
             "ACTB@red,GFP@green) to measure each protein on its own channel",
             path, r,
             img->channel == BQ_CHANNEL_COMBINED
                 ? "lanes and bands were found on the channels' combined signal"
                 : "one channel was measured (--channel)");
}

/* One line that tells the user what was decided automatically, so a wrong
 * guess (polarity, lane count) is visible without opening the overlay. */
static void report(const char *path, const bq_quant_result_t *res, const quant_cli_t *q)
{
    int ladders = 0, saturated = 0, weak = 0;
    /* lanes are matched across strips, so the first strip tells for all */
    if (res->lanes->n_strips > 0)
        for (int k = 0; k < res->lanes->strips[0].n_lanes; k++)
            ladders += res->lanes->strips[0].lanes[k].is_ladder != 0;
    for (int i = 0; i < res->table->n_bands; i++) {
        saturated += (res->table->bands[i].flags & BQ_BAND_SATURATED) != 0;
        weak += (res->table->bands[i].flags & BQ_BAND_WEAK) != 0;
    }
    const char *how = q->lanes_from ? "from " : q->n_centres > 0 ? "as given" : "detected";
    cli_info("%s: %s%s; %d lane%s (%d ladder; %s%s), %d strip%s, %d band row%s; "
             "%d saturated band%s, %d weak",
             path, res->inverted ? "dark bands on light, inverted" : "bright bands, not inverted",
             !res->polarity_auto             ? " (as requested)"
             : res->image->channel >= BQ_CHANNEL_COMBINED ? " (colour signal)"
             : res->image->bands_bright ? " (as the file states)"
                                        : " (detected)",
             res->lanes->n_lanes,
             res->lanes->n_lanes == 1 ? "" : "s", ladders, how,
             q->lanes_from ? q->lanes_from : "", res->lanes->n_strips,
             res->lanes->n_strips == 1 ? "" : "s", res->table->n_rows,
             res->table->n_rows == 1 ? "" : "s", saturated, saturated == 1 ? "" : "s", weak);
    report_colour(path, res, q);
    quant_cli_report_mw(path, res, &q->opts);
    if (res->lanes->uncertain)
        cli_error("%s: warning: lanes uncertain (confidence %.2f): check the overlay, or pass "
                  "--lanes N or --lane-centres X1,X2,...",
                  path, res->lanes->confidence);
}

/* One quant allocates and frees the same few megabytes of working arrays
 * over and over (lane grid, background surfaces, band patches). glibc
 * would serve each large one with a fresh mmap and hand freed heap back to
 * the system, so every reuse pays its first-touch page faults again (about
 * 10 us each on a virtual machine: 190 of them, 2-3 ms, on a 1340x1040
 * blot). A short-lived process keeps its memory instead. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int cmd_quant(int argc, char **argv)
{
    static const struct option long_opts[] = {
        QUANT_LONG_OPTIONS,
        {"overlay", required_argument, NULL, OPT_OVERLAY},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    quant_cli_t q;
    quant_cli_init(&q);
    const char *output = NULL, *overlay = NULL;
    int json = 0, opt, rc = BQ_EXIT_FAIL;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        int handled = quant_cli_handle(&q, opt, optarg, "quant");
        if (handled < 0) {
            quant_cli_free(&q);
            return BQ_EXIT_USAGE;
        }
        if (handled)
            continue;
        switch (opt) {
        case OPT_OVERLAY: overlay = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0)
                json = 0;
            else if (strcmp(optarg, "json") == 0)
                json = 1;
            else {
                quant_cli_free(&q);
                return cli_usage_error("quant", "--format wants csv or json, got '%s'", optarg);
            }
            break;
        case 'o': output = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h':
            printf(usage, QUANT_OPTIONS_HELP);
            quant_cli_free(&q);
            return BQ_EXIT_OK;
        default:
            quant_cli_free(&q);
            return cli_usage_error("quant", "unknown option");
        }
    }
    if (optind != argc - 1) {
        quant_cli_free(&q);
        return cli_usage_error("quant", optind == argc ? "missing IMAGE" : "one IMAGE at a time (use analyze or batch for several)");
    }
    const char *path = argv[optind];
    int finish = quant_cli_finish(&q, "quant", 1);
    if (finish != BQ_EXIT_OK) {
        quant_cli_free(&q);
        return finish;
    }
    keep_freed_memory();

    bq_error_t err = {0};
    bq_quant_result_t *res = NULL;
    if (bq_quant_file(path, &q.opts, &res, &err) != 0) {
        cli_error("%s", err.msg);
        goto done;
    }
    if (res->image->lossy)
        cli_warn_lossy(path);
    report_scan(path, res->image);
    report(path, res, &q);

    table_job_t job = {res, path, json};
    if (overlay && bq_quant_write_overlay(res, overlay, &err) != 0) {
        cli_error("%s", err.msg);
        goto done;
    }
    if (q.save_lanes && bq_lanes_save(q.save_lanes, res->lanes, &err) != 0) {
        cli_error("%s", err.msg);
        goto done;
    }
    if (output) {
        if (bq_file_write_atomic(output, write_table, &job, &err) != 0) {
            cli_error("%s", err.msg);
            goto done;
        }
    } else if (write_table(stdout, &job) != 0) {
        cli_error("error writing standard output");
        goto done;
    }
    rc = BQ_EXIT_OK;
done:
    bq_quant_result_free(res);
    quant_cli_free(&q);
    return rc;
}
