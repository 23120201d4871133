/* analyze_options.c - parsing of the options analyze and batch share. */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "analyze_options.h"

const char ANALYZE_OPTIONS_HELP[] =
    "  --target NAME       target row (default: the first of --rows)\n"
    "  --control NAME      loading-control row (default: the last of --rows)\n"
    "  --keep-flagged      fit lanes whose control band is saturated or faint too\n"
    "  --top V, --bottom V fix an asymptote of the 4PL\n"
    "  --free-bottom       let the bottom asymptote go below zero (by default it is\n"
    "                      held at 0 when the free fit puts it there)\n"
    "  --ci profile|wald   DC50 confidence interval (default profile likelihood)\n"
    "  --no-hook           do not test for a hook effect\n"
    "  --hook-exclude      on a hook, leave the post-hook doses out instead of\n"
    "                      fitting the bell-shaped model\n"
    "  --hook-unflagged-only  look for a hook among the unflagged lanes only (by\n"
    "                      default flagged lanes show where the response turns,\n"
    "                      though they are never fitted)\n";

void analyze_config_init(analyze_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    bq_fit_options_init(&cfg->fit);
    cfg->fit.abs_level = 0.5; /* relative data: 50 % of vehicle remains */
}

int analyze_cli_handle(analyze_config_t *cfg, int opt, const char *arg, const char *cmd)
{
    double v;
    switch (opt) {
    case AOPT_SAMPLES: cfg->sheet_path = arg; return 1;
    case AOPT_TARGET: cfg->target = arg; return 1;
    case AOPT_CONTROL: cfg->control = arg; return 1;
    case AOPT_KEEP_FLAGGED: cfg->keep_flagged = 1; return 1;
    case AOPT_TOP:
    case AOPT_BOTTOM:
        if (cli_parse_double(arg, -1e300, 1e300, &v) != 0)
            return -cli_usage_error(cmd, "--%s wants a number, got '%s'",
                                    opt == AOPT_TOP ? "top" : "bottom", arg);
        if (opt == AOPT_TOP) {
            cfg->fit.fix_top = 1;
            cfg->fit.top = v;
        } else {
            cfg->fit.fix_bottom = 1;
            cfg->fit.bottom = v;
        }
        return 1;
    case AOPT_CI:
        if (strcmp(arg, "profile") == 0)
            cfg->fit.ci = BQ_CI_PROFILE;
        else if (strcmp(arg, "wald") == 0)
            cfg->fit.ci = BQ_CI_WALD;
        else
            return -cli_usage_error(cmd, "--ci wants profile or wald, got '%s'", arg);
        return 1;
    case AOPT_NO_HOOK: cfg->fit.detect_hook = 0; return 1;
    case AOPT_HOOK_EXCLUDE: cfg->fit.bell = 0; return 1;
    case AOPT_FREE_BOTTOM: cfg->fit.nonneg_bottom = 0; return 1;
    case AOPT_HOOK_UNFLAGGED: cfg->fit.hook_from_flagged = 0; return 1;
    default: return 0;
    }
}
