/* cmd_fit.c - `blotquant fit`: a dose/response table -> one fit.csv row. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: blotquant fit [OPTIONS] TABLE.csv\n"
    "Fit the four-parameter log-logistic model to a dose/response table (e.g.\n"
    "normalized.csv) and write one fit.csv row: DC50 with its 95 % CI, Dmax,\n"
    "hill, top, bottom, R2, RMSE, hook. Rows sharing a dose are replicates.\n\n"
    "Options:\n"
    "  --dose-col NAME      dose column (default: dose)\n"
    "  --response-col NAME  response column (default: relative if present, else response)\n"
    "  --top V              hold the top asymptote (vehicle level) at V\n"
    "  --bottom V           hold the bottom asymptote at V\n"
    "  --free-bottom        let the bottom go below zero (by default, when every\n"
    "                       response is >= 0 and the free fit puts the bottom below\n"
    "                       zero, it is held at 0 and the message says so)\n"
    "  --ci METHOD          profile (default; likelihood profile, extra sum of squares)\n"
    "                       or wald (Wald interval on log dc50)\n"
    "  --level P            confidence level (default 0.95)\n"
    "  --no-hook            do not test for a hook effect\n"
    "  --hook-exclude       on a hook, leave the post-hook doses out instead of\n"
    "                       fitting the bell-shaped model (the default)\n"
    "  --keep-flagged       fit flagged lanes too (saturated or faint control, ...)\n"
    "  --hook-unflagged-only  look for a hook among the unflagged rows only (by\n"
    "                       default flagged rows show where the response turns,\n"
    "                       though they are never fitted)\n"
    "  --unit U             dose unit to report in (pM, nM, uM, mM, M); doses with a\n"
    "                       'unit' column are converted to it\n"
    "  --group NAME         the series of this group (a table with a group column,\n"
    "                       e.g. normalized.csv of a sheet with groups); vehicle rows\n"
    "                       without a group belong to every series\n"
    "  --target NAME        label for the target column of fit.csv\n"
    "  --control NAME       label for the control column of fit.csv\n"
    "  --plot FILE.svg      also draw the dose-response plot\n"
    "  --format F           csv (default) or json\n"
    "  -o, --output FILE    write the row to FILE (complete or not at all)\n"
    "  -q, --quiet          no informational messages\n"
    "  -h, --help           this help\n\n"
    "Rows whose response is empty or NA are skipped; rows whose 'flags' column\n"
    "marks an untrustworthy lane (control_saturated, control_faint,\n"
    "target_saturated, no_vehicle, excluded) are left out of the fit and listed.\n"
    "Exit status: 0 fitted, 1 unreadable or degenerate input (the row says why),\n"
    "2 usage error.\n";

enum {
    OPT_DOSE_COL = 3000,
    OPT_RESP_COL,
    OPT_TOP,
    OPT_BOTTOM,
    OPT_CI,
    OPT_LEVEL,
    OPT_NO_HOOK,
    OPT_HOOK_EXCLUDE,
    OPT_FREE_BOTTOM,
    OPT_HOOK_UNFLAGGED,
    OPT_GROUP,
    OPT_KEEP_FLAGGED,
    OPT_UNIT,
    OPT_TARGET,
    OPT_CONTROL,
    OPT_PLOT,
    OPT_FORMAT,
};

typedef struct fit_job {
    const bq_fit_result_t *res;
    const bq_fit_point_t *pts;
    size_t n;
    const char *target, *control, *unit, *resp_col, *group;
    int json;
} fit_job_t;

static int write_row(FILE *fp, void *ctx)
{
    const fit_job_t *job = ctx;
    if (job->json)
        return bq_fit_write_json_group(fp, job->res, job->target, job->control, job->unit,
                                       job->group);
    return bq_fit_write_csv_group(fp, job->res, job->target, job->control, job->unit, job->group,
                                  1);
}

static int write_plot(FILE *fp, void *ctx)
{
    const fit_job_t *job = ctx;
    char title[256];
    snprintf(title, sizeof title, "%s%s%s", job->target ? job->target : "",
             job->target && job->control ? " / " : "", job->control ? job->control : "");
    bq_plot_labels_t labels = {title[0] ? title : NULL, job->unit,
                               strcmp(job->resp_col, "relative") == 0 ? NULL : job->resp_col};
    return bq_plot_dose_response_svg(fp, job->pts, job->n, job->res, &labels);
}

/* What the command line asks for. */
typedef struct fit_args {
    bq_fit_options_t fo;
    const char *dose_col, *resp_col, *output, *plot, *group, *target, *control, *path;
    int json, unit_opt, keep_flagged;
} fit_args_t;

static const struct option long_opts[] = {
    {"dose-col", required_argument, NULL, OPT_DOSE_COL},
    {"response-col", required_argument, NULL, OPT_RESP_COL},
    {"top", required_argument, NULL, OPT_TOP},
    {"bottom", required_argument, NULL, OPT_BOTTOM},
    {"ci", required_argument, NULL, OPT_CI},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"no-hook", no_argument, NULL, OPT_NO_HOOK},
    {"hook-exclude", no_argument, NULL, OPT_HOOK_EXCLUDE},
    {"free-bottom", no_argument, NULL, OPT_FREE_BOTTOM},
    {"hook-unflagged-only", no_argument, NULL, OPT_HOOK_UNFLAGGED},
    {"group", required_argument, NULL, OPT_GROUP},
    {"keep-flagged", no_argument, NULL, OPT_KEEP_FLAGGED},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"target", required_argument, NULL, OPT_TARGET},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"plot", required_argument, NULL, OPT_PLOT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The options that take a value to check: BQ_EXIT_OK, or the usage
 * error's exit status. */
static int parse_value_option(int opt, const char *arg, fit_args_t *a)
{
    switch (opt) {
    case OPT_TOP:
        if (cli_parse_double(arg, -HUGE_VAL, HUGE_VAL, &a->fo.top) != 0)
            return cli_usage_error("fit", "--top wants a number, got '%s'", arg);
        a->fo.fix_top = 1;
        return BQ_EXIT_OK;
    case OPT_BOTTOM:
        if (cli_parse_double(arg, -HUGE_VAL, HUGE_VAL, &a->fo.bottom) != 0)
            return cli_usage_error("fit", "--bottom wants a number, got '%s'", arg);
        a->fo.fix_bottom = 1;
        return BQ_EXIT_OK;
    case OPT_CI:
        if (strcmp(arg, "profile") == 0)
            a->fo.ci = BQ_CI_PROFILE;
        else if (strcmp(arg, "wald") == 0)
            a->fo.ci = BQ_CI_WALD;
        else
            return cli_usage_error("fit", "--ci wants profile or wald, got '%s'", arg);
        return BQ_EXIT_OK;
    case OPT_LEVEL:
        if (cli_parse_double(arg, 0.5, 0.9999, &a->fo.level) != 0)
            return cli_usage_error("fit", "--level wants a number in [0.5, 0.9999], got '%s'",
                                   arg);
        return BQ_EXIT_OK;
    case OPT_UNIT:
        a->unit_opt = bq_unit_parse(arg);
        if (a->unit_opt < 0)
            return cli_usage_error("fit", "--unit wants pM, nM, uM, mM or M, got '%s'", arg);
        return BQ_EXIT_OK;
    case OPT_FORMAT:
        if (strcmp(arg, "csv") == 0)
            a->json = 0;
        else if (strcmp(arg, "json") == 0)
            a->json = 1;
        else
            return cli_usage_error("fit", "--format wants csv or json, got '%s'", arg);
        return BQ_EXIT_OK;
    default:
        return cli_usage_error("fit", "unknown option");
    }
}

/* The command line into a; -1 when it is complete, else the exit status
 * (help printed, or a usage error). */
static int parse_args(int argc, char **argv, fit_args_t *a)
{
    memset(a, 0, sizeof *a);
    bq_fit_options_init(&a->fo);
    a->dose_col = "dose";
    a->unit_opt = -1;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        int rc = BQ_EXIT_OK;
        switch (opt) {
        case OPT_DOSE_COL: a->dose_col = optarg; break;
        case OPT_RESP_COL: a->resp_col = optarg; break;
        case OPT_NO_HOOK: a->fo.detect_hook = 0; break;
        case OPT_HOOK_EXCLUDE: a->fo.bell = 0; break;
        case OPT_FREE_BOTTOM: a->fo.nonneg_bottom = 0; break;
        case OPT_HOOK_UNFLAGGED: a->fo.hook_from_flagged = 0; break;
        case OPT_GROUP: a->group = optarg; break;
        case OPT_KEEP_FLAGGED: a->keep_flagged = 1; break;
        case OPT_TARGET: a->target = optarg; break;
        case OPT_CONTROL: a->control = optarg; break;
        case OPT_PLOT: a->plot = optarg; break;
        case 'o': a->output = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h': fputs(usage, stdout); return BQ_EXIT_OK;
        default: rc = parse_value_option(opt, optarg, a); break;
        }
        if (rc != BQ_EXIT_OK)
            return rc;
    }
    if (a->fo.fix_top && a->fo.fix_bottom && a->fo.top == a->fo.bottom)
        return cli_usage_error("fit", "--top and --bottom cannot be equal");
    if (optind != argc - 1)
        return cli_usage_error("fit", optind == argc ? "missing TABLE.csv" : "one TABLE.csv at a time");
    a->path = argv[optind];
    return -1;
}

/* The table's dose/response points (*pts, *n, their unit in *unit); the
 * response column is settled in a->resp_col. BQ_EXIT_OK or BQ_EXIT_FAIL
 * (said on stderr). */
static int read_points(fit_args_t *a, bq_fit_point_t **pts, size_t *n, int *unit)
{
    bq_error_t err = {0};
    bq_csv_t *csv = NULL;
    if (bq_csv_read_file(a->path, NULL, &csv, &err) != 0) {
        cli_error("%s", err.msg);
        return BQ_EXIT_FAIL;
    }
    if (!a->resp_col)
        a->resp_col = bq_csv_column(csv, "relative") >= 0 ? "relative" : "response";
    /* normalised to vehicle = 1, "50 % remains" is the level 0.5 */
    if (strcmp(a->resp_col, "relative") == 0 && !a->fo.fix_top)
        a->fo.abs_level = 0.5;
    int skipped = 0;
    bq_fit_table_options_t to;
    bq_fit_table_options_init(&to);
    to.dose_col = a->dose_col;
    to.response_col = a->resp_col;
    to.unit = a->unit_opt;
    to.keep_flagged = a->keep_flagged;
    to.group = a->group;
    int rc = bq_fit_points_from_csv(csv, a->path, &to, pts, n, unit, &skipped, &err);
    bq_csv_free(csv);
    if (rc != 0) {
        cli_error("%s", err.msg);
        return BQ_EXIT_FAIL;
    }
    if (skipped)
        cli_info("%s: %d row%s without a %s value skipped", a->path, skipped,
                 skipped == 1 ? "" : "s", a->resp_col);
    return BQ_EXIT_OK;
}

/* What the fit said, on stderr: why it failed, or the hook and notes. */
static int report_fit(const char *path, int frc, const bq_fit_result_t *res)
{
    if (frc != 0) {
        cli_error("%s: %s", path, res->message);
        return BQ_EXIT_FAIL;
    }
    if (res->hook && res->model == BQ_FIT_MODEL_BELL)
        cli_info("%s: hook effect detected; fitted the bell-shaped model (model=bell)", path);
    else if (res->hook)
        cli_info("%s: hook effect detected; excluded doses listed in 'excluded'", path);
    if (res->message[0])
        cli_info("%s: %s", path, res->message);
    return BQ_EXIT_OK;
}

/* The row (to -o or standard output) and the plot, each complete or not at
 * all. The row is written even for a degenerate fit: it says why. */
static int write_outputs(const fit_args_t *a, fit_job_t *job)
{
    bq_error_t err = {0};
    int rc = BQ_EXIT_OK;
    if (a->output) {
        if (bq_file_write_atomic(a->output, write_row, job, &err) != 0) {
            cli_error("%s", err.msg);
            rc = BQ_EXIT_FAIL;
        }
    } else if (write_row(stdout, job) != 0) {
        cli_error("error writing standard output");
        rc = BQ_EXIT_FAIL;
    }
    if (a->plot && bq_file_write_atomic(a->plot, write_plot, job, &err) != 0) {
        cli_error("%s", err.msg);
        rc = BQ_EXIT_FAIL;
    }
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    fit_args_t a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    bq_fit_point_t *pts = NULL;
    size_t n = 0;
    int unit = -1;
    if (read_points(&a, &pts, &n, &unit) != BQ_EXIT_OK)
        return BQ_EXIT_FAIL;
    bq_fit_result_t res;
    bq_error_t err = {0};
    int frc = bq_fit_4pl(pts, n, &a.fo, &res, &err);
    const char *unit_name = unit >= 0 ? bq_unit_name((bq_unit)unit) : "";
    fit_job_t job = {&res, pts, n, a.target, a.control, unit_name, a.resp_col, a.group, a.json};
    rc = report_fit(a.path, frc, &res);
    if (write_outputs(&a, &job) != BQ_EXIT_OK)
        rc = BQ_EXIT_FAIL;
    free(pts);
    return rc;
}
