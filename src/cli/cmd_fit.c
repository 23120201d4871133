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

int cmd_fit(int argc, char **argv)
{
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
    bq_fit_options_t fo;
    bq_fit_options_init(&fo);
    const char *dose_col = "dose", *resp_col = NULL, *output = NULL, *plot = NULL, *group = NULL;
    const char *target = NULL, *control = NULL;
    int json = 0, unit_opt = -1, keep_flagged = 0, opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        switch (opt) {
        case OPT_DOSE_COL: dose_col = optarg; break;
        case OPT_RESP_COL: resp_col = optarg; break;
        case OPT_TOP:
            if (cli_parse_double(optarg, -HUGE_VAL, HUGE_VAL, &fo.top) != 0)
                return cli_usage_error("fit", "--top wants a number, got '%s'", optarg);
            fo.fix_top = 1;
            break;
        case OPT_BOTTOM:
            if (cli_parse_double(optarg, -HUGE_VAL, HUGE_VAL, &fo.bottom) != 0)
                return cli_usage_error("fit", "--bottom wants a number, got '%s'", optarg);
            fo.fix_bottom = 1;
            break;
        case OPT_CI:
            if (strcmp(optarg, "profile") == 0)
                fo.ci = BQ_CI_PROFILE;
            else if (strcmp(optarg, "wald") == 0)
                fo.ci = BQ_CI_WALD;
            else
                return cli_usage_error("fit", "--ci wants profile or wald, got '%s'", optarg);
            break;
        case OPT_LEVEL:
            if (cli_parse_double(optarg, 0.5, 0.9999, &fo.level) != 0)
                return cli_usage_error("fit", "--level wants a number in [0.5, 0.9999], got '%s'",
                                       optarg);
            break;
        case OPT_NO_HOOK: fo.detect_hook = 0; break;
        case OPT_HOOK_EXCLUDE: fo.bell = 0; break;
        case OPT_FREE_BOTTOM: fo.nonneg_bottom = 0; break;
        case OPT_HOOK_UNFLAGGED: fo.hook_from_flagged = 0; break;
        case OPT_GROUP: group = optarg; break;
        case OPT_KEEP_FLAGGED: keep_flagged = 1; break;
        case OPT_UNIT:
            unit_opt = bq_unit_parse(optarg);
            if (unit_opt < 0)
                return cli_usage_error("fit", "--unit wants pM, nM, uM, mM or M, got '%s'", optarg);
            break;
        case OPT_TARGET: target = optarg; break;
        case OPT_CONTROL: control = optarg; break;
        case OPT_PLOT: plot = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0)
                json = 0;
            else if (strcmp(optarg, "json") == 0)
                json = 1;
            else
                return cli_usage_error("fit", "--format wants csv or json, got '%s'", optarg);
            break;
        case 'o': output = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h': fputs(usage, stdout); return BQ_EXIT_OK;
        default: return cli_usage_error("fit", "unknown option");
        }
    }
    if (fo.fix_top && fo.fix_bottom && fo.top == fo.bottom)
        return cli_usage_error("fit", "--top and --bottom cannot be equal");
    if (optind != argc - 1)
        return cli_usage_error("fit", optind == argc ? "missing TABLE.csv" : "one TABLE.csv at a time");
    const char *path = argv[optind];

    bq_error_t err = {0};
    bq_csv_t *csv = NULL;
    if (bq_csv_read_file(path, NULL, &csv, &err) != 0) {
        cli_error("%s", err.msg);
        return BQ_EXIT_FAIL;
    }
    if (!resp_col)
        resp_col = bq_csv_column(csv, "relative") >= 0 ? "relative" : "response";
    /* normalised to vehicle = 1, "50 % remains" is the level 0.5 */
    if (strcmp(resp_col, "relative") == 0 && !fo.fix_top)
        fo.abs_level = 0.5;

    bq_fit_point_t *pts = NULL;
    size_t n = 0;
    int unit = -1, skipped = 0;
    bq_fit_table_options_t to;
    bq_fit_table_options_init(&to);
    to.dose_col = dose_col;
    to.response_col = resp_col;
    to.unit = unit_opt;
    to.keep_flagged = keep_flagged;
    to.group = group;
    if (bq_fit_points_from_csv(csv, path, &to, &pts, &n, &unit, &skipped, &err) != 0) {
        cli_error("%s", err.msg);
        bq_csv_free(csv);
        return BQ_EXIT_FAIL;
    }
    bq_csv_free(csv);
    if (skipped)
        cli_info("%s: %d row%s without a %s value skipped", path, skipped,
                 skipped == 1 ? "" : "s", resp_col);

    bq_fit_result_t res;
    int frc = bq_fit_4pl(pts, n, &fo, &res, &err);
    const char *unit_name = unit >= 0 ? bq_unit_name((bq_unit)unit) : "";
    fit_job_t job = {&res, pts, n, target, control, unit_name, resp_col, group, json};
    int rc = BQ_EXIT_OK;
    if (frc != 0) {
        cli_error("%s: %s", path, res.message);
        rc = BQ_EXIT_FAIL;
    } else {
        if (res.hook && res.model == BQ_FIT_MODEL_BELL)
            cli_info("%s: hook effect detected; fitted the bell-shaped model (model=bell)",
                     path);
        else if (res.hook)
            cli_info("%s: hook effect detected; excluded doses listed in 'excluded'", path);
        if (res.message[0])
            cli_info("%s: %s", path, res.message);
    }
    /* the row is written even for a degenerate fit: it says why */
    if (output) {
        if (bq_file_write_atomic(output, write_row, &job, &err) != 0) {
            cli_error("%s", err.msg);
            rc = BQ_EXIT_FAIL;
        }
    } else if (write_row(stdout, &job) != 0) {
        cli_error("error writing standard output");
        rc = BQ_EXIT_FAIL;
    }
    if (plot && bq_file_write_atomic(plot, write_plot, &job, &err) != 0) {
        cli_error("%s", err.msg);
        rc = BQ_EXIT_FAIL;
    }
    free(pts);
    return rc;
}
