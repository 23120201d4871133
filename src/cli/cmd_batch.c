/* cmd_batch.c - `blotquant batch`: every gel under a folder, in parallel,
 * one failure never stopping the rest; combined tables in a fixed order. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze_options.h"
#include "fit_readback.h"
#include "gel_list.h"
#include "report_index.h"
#include "run_record.h"
#include "tables_join.h"

static const char usage[] =
    "Usage: blotquant batch [OPTIONS] -o OUTDIR FOLDER\n"
    "Analyse every TIFF, PNG and .gel under FOLDER (recursively). A gel X.tif\n"
    "takes its sample sheet from X.samples.csv beside it, else samples.csv in\n"
    "its folder; a gel without one is quantified but not fitted.\n"
    "Writes OUTDIR/<gel>/ (what analyze writes, report.html included), the\n"
    "combined tables OUTDIR/bands.csv, normalized.csv, fits.csv, errors.csv,\n"
    "OUTDIR/index.html (every gel linked to its report, the failures, the\n"
    "DC50s on one plot) and run.json.\n\n"
    "Options:\n"
    "%s"
    "  --samples SHEET     sample sheet for gels that have none of their own\n"
    "%s"
    "  -j, --jobs N        parallel workers (default: number of cores)\n"
    "  --resume            skip gels whose outputs are complete and newer than their inputs\n"
    "  --shard K/N         process only shard K of N (deterministic by path)\n"
    "  -o, --output DIR    output folder (required)\n"
    "  -q, --quiet         no progress or summary on stderr\n"
    "  -h, --help          this help\n";

enum { OPT_RESUME = 2000, OPT_SHARD };

typedef struct gel_result {
    analyze_outcome_t outcome;
    int ok;
    int resumed;
    int has_fit;
} gel_result_t;

typedef struct batch {
    const gel_list_t *gels;
    gel_result_t *results;
    const char *outdir;
    analyze_config_t cfg;
    int resume;
    atomic_size_t next;
    atomic_size_t done;
    atomic_size_t failed;
    pthread_mutex_t progress_lock;
    int show_progress;
    struct timespec start;
} batch_t;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int newer_than(const char *output, const char *input)
{
    struct stat so, si;
    if (!input)
        return 1;
    if (stat(output, &so) != 0 || stat(input, &si) != 0)
        return 0;
    return so.st_mtim.tv_sec > si.st_mtim.tv_sec ||
           (so.st_mtim.tv_sec == si.st_mtim.tv_sec && so.st_mtim.tv_nsec > si.st_mtim.tv_nsec);
}

/* run.json is the last file analyze writes: its presence, newer than the
 * gel and its sheet, means the folder is complete. */
static int is_complete(const char *gel_dir, const gel_t *g, const char *fallback_sheet)
{
    char *marker = path_join(gel_dir, "run.json");
    int ok = marker && newer_than(marker, g->path) && newer_than(marker, g->sheet ? g->sheet : fallback_sheet);
    free(marker);
    return ok;
}

static void show_progress(batch_t *b)
{
    size_t done = atomic_load(&b->done), total = b->gels->n;
    double t = seconds_since(&b->start);
    double rate = t > 0 ? (double)done / t : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    pthread_mutex_lock(&b->progress_lock);
    fprintf(stderr, "\rblotquant: batch %zu/%zu done, %zu failed, %.1f gels/s, ETA %.0f s   ",
            done, total, atomic_load(&b->failed), rate, eta);
    fflush(stderr);
    pthread_mutex_unlock(&b->progress_lock);
}

static void process_gel(batch_t *b, size_t i)
{
    const gel_t *g = &b->gels->gels[i];
    gel_result_t *r = &b->results[i];
    char *dir = path_join(b->outdir, g->outsub);
    if (!dir) {
        snprintf(r->outcome.failed_stage, sizeof r->outcome.failed_stage, "write");
        snprintf(r->outcome.message, sizeof r->outcome.message, "out of memory");
        return;
    }
    if (b->resume && is_complete(dir, g, b->cfg.sheet_path)) {
        r->ok = 1;
        r->resumed = 1;
        fit_readback(dir, &r->outcome); /* no fit.csv: quantified only */
    } else {
        analyze_config_t cfg = b->cfg;
        if (g->sheet)
            cfg.sheet_path = g->sheet; /* a gel's own sheet wins over --samples */
        char *paths[1] = {g->path}, *names[1] = {g->rel};
        r->ok = analyze_run(&cfg, paths, names, 1, dir, &r->outcome) == 0;
    }
    free(dir);
}

static void *worker(void *arg)
{
    batch_t *b = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->gels->n)
            break;
        process_gel(b, i);
        if (!b->results[i].ok)
            atomic_fetch_add(&b->failed, 1);
        atomic_fetch_add(&b->done, 1);
        if (b->show_progress)
            show_progress(b);
    }
    return NULL;
}

typedef struct errors_job {
    const gel_list_t *gels;
    const gel_result_t *results;
} errors_job_t;

static int write_errors(FILE *fp, void *ctx)
{
    const errors_job_t *job = ctx;
    fputs("image,stage,message\n", fp);
    for (size_t i = 0; i < job->gels->n; i++) {
        const gel_result_t *r = &job->results[i];
        if (r->ok)
            continue;
        bq_csv_put_field(fp, job->gels->gels[i].rel);
        fputc(',', fp);
        bq_csv_put_field(fp, r->outcome.failed_stage);
        fputc(',', fp);
        bq_csv_put_field(fp, r->outcome.message);
        fputc('\n', fp);
    }
    return ferror(fp) ? BQ_ERR_IO : 0;
}

/* Join the per-gel tables of every successful gel, in gel order. */
static int combine(const batch_t *b, bq_error_t *err)
{
    static const char *const tables[] = {"bands.csv", "normalized.csv", "fit.csv"};
    static const char *const combined[] = {"bands.csv", "normalized.csv", "fits.csv"};
    size_t n = b->gels->n;
    join_input_t *in = calloc(n ? n : 1, sizeof *in);
    char **paths = calloc(n ? n : 1, sizeof *paths);
    int rc = 0;
    if (!in || !paths) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", b->outdir);
        goto done;
    }
    for (int t = 0; t < 3 && rc == 0; t++) {
        int k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!b->results[i].ok)
                continue;
            char *dir = path_join(b->outdir, b->gels->gels[i].outsub);
            paths[k] = dir ? path_join(dir, tables[t]) : NULL;
            free(dir);
            if (!paths[k]) {
                rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", b->outdir);
                break;
            }
            in[k].path = paths[k];
            in[k].prefix = b->gels->gels[i].rel;
            k++;
        }
        char *out = path_join(b->outdir, combined[t]);
        if (rc == 0 && out) {
            /* fit.csv has no image column: the combined fits.csv gains one */
            const char *fallback = t == 0 ? BQ_BANDS_CSV_HEADER
                                   : t == 1 ? BQ_NORMALIZED_CSV_HEADER
                                            : NULL;
            rc = tables_join(in, k, t == 2 ? "image" : NULL, fallback, 0, out, err);
            if (rc == 0 && t == 2 && k == 0) {
                /* no gel produced a fit.csv: still leave a well-formed fits.csv */
                rc = run_record_write_text(out, "image,", BQ_FIT_CSV_HEADER, err);
            }
        } else if (rc == 0) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", b->outdir);
        }
        free(out);
        for (int i = 0; i < k; i++)
            free(paths[i]);
    }
    if (rc == 0) {
        char *out = path_join(b->outdir, "errors.csv");
        errors_job_t job = {b->gels, b->results};
        rc = out ? bq_file_write_atomic(out, write_errors, &job, err)
                 : bq_error_set(err, BQ_ERR_NOMEM, "out of memory");
        free(out);
    }
done:
    free(in);
    free(paths);
    return rc;
}

/* OUTDIR/index.html: every gel with a link to its report, the failures
 * with their reasons, the DC50s. */
static int write_index(const batch_t *b, const char *folder, bq_error_t *err)
{
    size_t n = b->gels->n;
    index_gel_t *gels = calloc(n ? n : 1, sizeof *gels);
    char *path = path_join(b->outdir, "index.html");
    int rc = BQ_ERR_NOMEM;
    if (!gels || !path) {
        bq_error_set(err, rc, "%s: out of memory", b->outdir);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const gel_result_t *r = &b->results[i];
        gels[i] = (index_gel_t){b->gels->gels[i].rel, b->gels->gels[i].outsub, &r->outcome,
                                r->ok, r->resumed};
    }
    index_input_t in = {gels, n, folder, b->cfg.command_line};
    rc = bq_file_write_atomic(path, report_index_write, &in, err);
done:
    free(gels);
    free(path);
    return rc;
}

/* A batch killed mid-write leaves the library's temporaries behind. Only
 * files of the library's temporary naming go, and only those no live
 * writer can be filling (see bq_file_remove_stale_temps): another batch
 * may be writing into the same folder. */
static int remove_stale_temps(const char *outdir)
{
    bq_error_t err = {0};
    int removed = 0;
    if (bq_file_remove_stale_temps(outdir, &removed, &err) != 0) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (removed > 0)
        cli_info("%s: removed %d temporary file%s left by an interrupted run", outdir, removed,
                 removed == 1 ? "" : "s");
    return 0;
}

static int parse_shard(const char *s, int *k, int *n)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s)
        return -1;
    char head[32];
    size_t len = (size_t)(slash - s);
    if (len >= sizeof head)
        return -1;
    memcpy(head, s, len);
    head[len] = '\0';
    long kk, nn;
    if (cli_parse_long(head, 1, 1000000, &kk) != 0 || cli_parse_long(slash + 1, 1, 1000000, &nn) != 0 ||
        kk > nn)
        return -1;
    *k = (int)kk;
    *n = (int)nn;
    return 0;
}

/* The input must be a folder; the output folder is made, and cleared of
 * the temporaries an interrupted run left. 0, or -1 (said on stderr). */
static int prepare_folders(const char *folder, const char *outdir)
{
    struct stat st;
    if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("%s: not a folder", folder);
        return -1;
    }
    if (make_dirs(outdir) != 0) {
        cli_error("%s: cannot create: %s", outdir, strerror(errno));
        return -1;
    }
    return remove_stale_temps(outdir);
}

/* Every gel through up to jobs worker threads (never more than gels); the
 * work is done here when no thread starts. */
static void run_workers(batch_t *b, long jobs)
{
    size_t n = b->gels->n;
    int n_threads = (int)jobs;
    if ((size_t)n_threads > n)
        n_threads = n > 0 ? (int)n : 1;
    pthread_t *threads = calloc((size_t)n_threads, sizeof *threads);
    int started = 0;
    if (threads) {
        for (; started < n_threads; started++)
            if (pthread_create(&threads[started], NULL, worker, b) != 0)
                break;
    }
    if (started == 0)
        worker(b);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (b->show_progress)
        fputc('\n', stderr);
}

/* The failed gels and the summary on stderr, and the lossy warning once for
 * the batch, naming the first JPEG (a folder of phone photos would
 * otherwise repeat it for every gel). Returns the number of failed gels. */
static size_t report_batch(const batch_t *b, int shard_n)
{
    const gel_list_t *gels = b->gels;
    size_t failed = 0, resumed = 0, fitted = 0, unsheeted = 0, lossy = 0;
    const char *first_lossy = NULL;
    for (size_t i = 0; i < gels->n; i++) {
        const gel_result_t *r = &b->results[i];
        if (r->outcome.lossy_image[0] && lossy++ == 0)
            first_lossy = r->outcome.lossy_image;
        if (!r->ok) {
            failed++;
            cli_info("%s: %s failed: %s", gels->gels[i].rel, r->outcome.failed_stage,
                     r->outcome.message);
            continue;
        }
        resumed += r->resumed;
        if (!gels->gels[i].sheet && !b->cfg.sheet_path)
            unsheeted++;
        else if (!r->resumed && r->outcome.fitted)
            fitted++;
    }
    if (first_lossy) {
        cli_warn_lossy(first_lossy);
        if (lossy > 1)
            cli_error("batch: %zu of the gels are JPEG, lossy like the one above", lossy);
    }
    cli_info("batch: %zu gel%s%s, %zu failed, %zu fitted, %zu without a sample sheet (quantified only), "
             "%zu resumed, %.1f s",
             gels->n, gels->n == 1 ? "" : "s", shard_n > 1 ? " in this shard" : "", failed, fitted,
             unsheeted, resumed, seconds_since(&b->start));
    return failed;
}

static const struct option long_opts[] = {
    QUANT_LONG_OPTIONS,
    ANALYZE_LONG_OPTIONS,
    {"jobs", required_argument, NULL, 'j'},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What the command line asks of batch itself (quant's and analyze's
 * options go to q and b->cfg). */
typedef struct batch_args {
    long jobs;
    int shard_k, shard_n;
    const char *outdir;
} batch_args_t;

/* The options into q, b and a: -1 when they are complete, else the exit
 * status (help printed, or a usage error). */
static int parse_options(int argc, char **argv, quant_cli_t *q, batch_t *b, batch_args_t *a)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:o:qh", long_opts, NULL)) != -1) {
        int handled = quant_cli_handle(q, opt, optarg, "batch");
        if (handled == 0)
            handled = analyze_cli_handle(&b->cfg, opt, optarg, "batch");
        if (handled < 0)
            return BQ_EXIT_USAGE;
        if (handled)
            continue;
        switch (opt) {
        case 'j':
            if (cli_parse_long(optarg, 1, 1024, &a->jobs) != 0)
                return cli_usage_error("batch", "-j wants a number of workers from 1 to 1024, got '%s'", optarg);
            break;
        case OPT_RESUME: b->resume = 1; break;
        case OPT_SHARD:
            if (parse_shard(optarg, &a->shard_k, &a->shard_n) != 0)
                return cli_usage_error("batch", "--shard wants K/N with 1 <= K <= N, got '%s'", optarg);
            break;
        case 'o': a->outdir = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h':
            printf(usage, QUANT_OPTIONS_HELP, ANALYZE_OPTIONS_HELP);
            return BQ_EXIT_OK;
        default:
            return cli_usage_error("batch", "unknown option");
        }
    }
    return -1;
}

int cmd_batch(int argc, char **argv)
{
    quant_cli_t q;
    quant_cli_init(&q);
    batch_t b;
    memset(&b, 0, sizeof b);
    analyze_config_init(&b.cfg);
    batch_args_t a = {cli_ncpus(), 1, 1, NULL};
    int rc = BQ_EXIT_FAIL;
    gel_list_t gels = {0};
    char *cmdline = run_record_command_line(argc, argv, "batch");
    int parsed = parse_options(argc, argv, &q, &b, &a);
    if (parsed >= 0) {
        rc = parsed;
        goto out;
    }
    const char *outdir = a.outdir;
    if (!outdir) {
        rc = cli_usage_error("batch", "missing -o OUTDIR");
        goto out;
    }
    if (optind != argc - 1) {
        rc = cli_usage_error("batch", optind == argc ? "missing FOLDER" : "one FOLDER at a time");
        goto out;
    }
    const char *folder = argv[optind];
    if (analyze_default_rows(&q, &b.cfg.target, &b.cfg.control, "batch") != 0) {
        rc = BQ_EXIT_USAGE;
        goto out;
    }
    int finish = quant_cli_finish(&q, "batch", 0);
    if (finish != BQ_EXIT_OK) {
        rc = finish;
        goto out;
    }
    if (prepare_folders(folder, outdir) != 0)
        goto out;
    char *msg = NULL;
    if (gel_list_scan(folder, outdir, &gels, &msg) != 0) {
        cli_error("%s: %s", msg ? msg : folder, strerror(errno));
        free(msg);
        goto out;
    }
    if (a.shard_n > 1)
        gel_list_shard(&gels, a.shard_k, a.shard_n);

    b.gels = &gels;
    b.outdir = outdir;
    b.cfg.quant = &q.opts;
    b.cfg.command_line = cmdline;
    b.results = calloc(gels.n ? gels.n : 1, sizeof *b.results);
    if (!b.results) {
        cli_error("out of memory");
        goto out;
    }
    b.show_progress = !bq_cli_quiet && isatty(STDERR_FILENO);
    pthread_mutex_init(&b.progress_lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b.start);

    run_workers(&b, a.jobs);

    bq_error_t err = {0};
    if (combine(&b, &err) != 0 || write_index(&b, folder, &err) != 0 ||
        run_record_write(outdir, &b.cfg, &err) != 0) {
        cli_error("%s", err.msg);
        goto out_threads;
    }

    rc = report_batch(&b, a.shard_n) ? BQ_EXIT_FAIL : BQ_EXIT_OK;
out_threads:
    pthread_mutex_destroy(&b.progress_lock);
out:
    free(b.results);
    gel_list_free(&gels);
    quant_cli_free(&q);
    free(cmdline);
    return rc;
}
