/* cmd_analyze.c - `blotquant analyze`: images + sample sheet -> bands,
 * normalised table, DC50 fit, overlays and plot, and a one-screen summary. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_options.h"
#include "run_record.h"

static const char usage[] =
    "Usage: blotquant analyze [OPTIONS] -o DIR IMAGE...\n"
    "Quantify each image (several images = replicate blots of one series),\n"
    "normalise the target to the loading control and to vehicle, fit the\n"
    "dose-response curve. Writes DIR/bands.csv, normalized.csv, fit.csv,\n"
    "dose_response.svg, one QC overlay per image, report.html (everything on\n"
    "one self-contained page) and run.json.\n\n"
    "Options:\n"
    "%s"
    "  --samples SHEET     sample sheet: lane,dose,unit[,image,replicate,group]\n"
    "%s"
    "  --two-channel       images come in pairs TARGET_SCAN CONTROL_SCAN of one membrane;\n"
    "                      lanes are found on the control scan and used for both\n"
    "  -o, --output DIR    output folder (required)\n"
    "  -q, --quiet         no summary\n"
    "  -h, --help          this help\n";

enum { OPT_TWO = 2000 };

static void print_number(const char *indent, const char *label, double v, const char *unit)
{
    if (isfinite(v))
        printf("%s%-10s %.4g%s%s\n", indent, label, v, unit ? " " : "", unit ? unit : "");
    else
        printf("%s%-10s n/a\n", indent, label);
}

/* One series' numbers: DC50 with its interval, Dmax, Hill, fit quality,
 * the hook and the fitter's notes. */
static void fit_block(const analyze_config_t *cfg, const analyze_outcome_t *o,
                      const bq_fit_result_t *f, const char *indent)
{
    if (f->status != BQ_FIT_OK) {
        printf("%sfit: %s (%s)\n", indent, bq_fit_status_name(f->status), f->message);
        if (o->n_flagged_lanes > 0 && !cfg->keep_flagged)
            printf("%s%d flagged lane%s (saturated or faint loading control) %s left out; "
                   "--keep-flagged fits them too, less certainly\n",
                   indent, o->n_flagged_lanes, o->n_flagged_lanes == 1 ? "" : "s",
                   o->n_flagged_lanes == 1 ? "was" : "were");
        return;
    }
    if (isfinite(f->dc50_low) || isfinite(f->dc50_high)) {
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, isfinite(f->dc50_low) ? "%.4g" : "open", f->dc50_low);
        snprintf(hi, sizeof hi, isfinite(f->dc50_high) ? "%.4g" : "open", f->dc50_high);
        printf("%s%-10s %.4g %s  (%g%% CI %s to %s)\n", indent, "DC50", f->dc50, o->unit,
               100 * f->level, lo, hi);
    } else {
        print_number(indent, "DC50", f->dc50, o->unit);
    }
    print_number(indent, "DC50 abs", f->dc50_abs, o->unit);
    printf("%s%-10s %.1f %%\n", indent, "Dmax", 100 * f->dmax);
    print_number(indent, "Hill", f->hill, NULL);
    printf("%s%-10s %.4f   RMSE %.4g   n %d\n", indent, "R2", f->r2, f->rmse, f->n);
    if (f->hook && f->model == BQ_FIT_MODEL_BELL) {
        printf("%shook effect detected: bell-shaped model fitted (%.0f %% of the degraded "
               "protein returns, half of it by %.4g %s)\n",
               indent, 100 * f->hook_recovery, f->hook_dc, o->unit);
    } else if (f->hook) {
        printf("%shook effect detected: doses", indent);
        for (int i = 0; i < f->n_hook; i++)
            printf(" %g", f->hook_doses[i]);
        printf(" %s left out of the fit\n", o->unit);
    }
    if (f->message[0])
        printf("%snote: %s\n", indent, f->message);
}

static void summary(const analyze_config_t *cfg, const analyze_outcome_t *o, const char *outdir)
{
    printf("%s / %s: %d image%s, %d lanes", cfg->target, cfg->control, o->n_images,
           o->n_images == 1 ? "" : "s", o->n_lanes);
    if (!o->fitted) {
        printf("; no sample sheet, so no fit\n");
        printf("  tables in %s/\n", outdir);
        return;
    }
    if (o->n_groups > 1)
        printf(", %d dose series (sheet groups)", o->n_groups);
    else
        printf(", %d points fitted", o->fit.n);
    if (o->n_flagged_lanes)
        printf(", %d flagged lane%s", o->n_flagged_lanes, o->n_flagged_lanes == 1 ? "" : "s");
    printf("\n");
    for (int g = 0; g < o->n_groups; g++) {
        if (o->n_groups > 1)
            printf("  %s:\n", o->groups[g][0] ? o->groups[g] : "(no group)");
        fit_block(cfg, o, &o->group_fit[g], o->n_groups > 1 ? "    " : "  ");
    }
    if (o->flagged[0])
        printf("  %s: %s\n", cfg->keep_flagged ? "flagged, fitted anyway" : "left out",
               o->flagged);
    printf("  tables, overlays and dose_response%s.svg in %s/; all of it on one page: "
           "%s/report.html\n",
           o->n_groups > 1 ? "*" : "", outdir, outdir);
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option long_opts[] = {
        QUANT_LONG_OPTIONS,
        ANALYZE_LONG_OPTIONS,
        {"two-channel", no_argument, NULL, OPT_TWO},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    quant_cli_t q;
    quant_cli_init(&q);
    analyze_config_t cfg;
    analyze_config_init(&cfg);
    const char *outdir = NULL;
    int opt, rc = BQ_EXIT_USAGE;
    char *cmdline = run_record_command_line(argc, argv, "analyze");

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        int handled = quant_cli_handle(&q, opt, optarg, "analyze");
        if (handled == 0)
            handled = analyze_cli_handle(&cfg, opt, optarg, "analyze");
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (opt) {
        case OPT_TWO: cfg.two_channel = 1; break;
        case 'o': outdir = optarg; break;
        case 'q': bq_cli_quiet = 1; break;
        case 'h':
            printf(usage, QUANT_OPTIONS_HELP, ANALYZE_OPTIONS_HELP);
            rc = BQ_EXIT_OK;
            goto out;
        default:
            cli_usage_error("analyze", "unknown option");
            goto out;
        }
    }
    if (!outdir) {
        cli_usage_error("analyze", "missing -o DIR");
        goto out;
    }
    int n = argc - optind;
    if (n < 1) {
        cli_usage_error("analyze", "missing IMAGE");
        goto out;
    }
    if (cfg.two_channel && n % 2 != 0) {
        cli_usage_error("analyze", "--two-channel wants images in pairs (target scan, control scan)");
        goto out;
    }
    if (analyze_default_rows(&q, &cfg.target, &cfg.control, "analyze") != 0)
        goto out;
    int finish = quant_cli_finish(&q, "analyze", 0);
    if (finish != BQ_EXIT_OK) {
        rc = finish;
        goto out;
    }
    cfg.quant = &q.opts;
    cfg.command_line = cmdline;

    analyze_outcome_t *o = calloc(1, sizeof *o);
    if (!o) {
        cli_error("out of memory");
        rc = BQ_EXIT_FAIL;
        goto out;
    }
    int failed = analyze_run(&cfg, argv + optind, argv + optind, n, outdir, o) != 0;
    if (o->lossy_image[0])
        cli_warn_lossy(o->lossy_image);
    if (failed) {
        cli_error("%s", o->message);
        rc = BQ_EXIT_FAIL;
    } else {
        if (!bq_cli_quiet)
            summary(&cfg, o, outdir);
        rc = BQ_EXIT_OK;
    }
    free(o);
out:
    quant_cli_free(&q);
    free(cmdline);
    return rc;
}
