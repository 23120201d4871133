/* run_record.c - the run.json provenance sidecar. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run_record.h"

/* Single-quote an argument unless it is plainly safe, so the recorded line
 * can be pasted back into a shell. */
static size_t quote_arg(char *dst, const char *arg)
{
    size_t k = 0;
    int plain = *arg != '\0' && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./,=:+@%") == strlen(arg);
    if (plain) {
        size_t len = strlen(arg);
        if (dst)
            memcpy(dst, arg, len);
        return len;
    }
    if (dst)
        dst[k] = '\'';
    k++;
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            if (dst)
                memcpy(dst + k, "'\\''", 4);
            k += 4;
        } else {
            if (dst)
                dst[k] = *p;
            k++;
        }
    }
    if (dst)
        dst[k] = '\'';
    return k + 1;
}

char *run_record_command_line(int argc, char **argv, const char *cmd)
{
    size_t len = strlen("blotquant ") + strlen(cmd);
    for (int i = 1; i < argc; i++)
        len += 1 + quote_arg(NULL, argv[i]);
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    size_t k = (size_t)sprintf(s, "blotquant %s", cmd);
    for (int i = 1; i < argc; i++) {
        s[k++] = ' ';
        k += quote_arg(s + k, argv[i]);
    }
    s[k] = '\0';
    return s;
}

static void put_fixed(FILE *fp, const char *key, int fixed, double v)
{
    fprintf(fp, ",\n    \"%s\": ", key);
    if (fixed)
        fprintf(fp, "%.10g", v);
    else
        fputs("null", fp);
}

/* The lanes given by hand, so a run that did not detect them says so:
 * "lane_centres" and "lane_width" (null = default), or "lanes_from". */
static void put_manual_lanes(FILE *fp, const bq_lanes_manual_t *m)
{
    fputs("    \"lane_centres\": ", fp);
    if (m && m->centres) {
        for (int i = 0; i < m->n_centres; i++)
            fprintf(fp, "%s%.10g", i ? ", " : "[", m->centres[i]);
        fputs("],\n    \"lane_width\": ", fp);
        if (m->width > 0)
            fprintf(fp, "%.10g", m->width);
        else
            fputs("null", fp);
    } else {
        fputs("null,\n    \"lane_width\": null", fp);
    }
    fputs(",\n    \"lanes_from\": ", fp);
    bq_json_put_string(fp, m && !m->centres ? m->source : NULL);
    fputs(",\n", fp);
}

/* The ladder sizes were read against ("ladder": null without one; "auto":
 * used only where it matched well) and the rows' sizes when named by size. */
static void put_sizes(FILE *fp, const bq_quant_options_t *o)
{
    fputs("    \"ladder\": ", fp);
    if (o->ladder) {
        fputs("{\"name\": ", fp);
        bq_json_put_string(fp, o->ladder->name);
        fprintf(fp, ", \"auto\": %s, \"kda\": [", o->ladder_auto ? "true" : "false");
        for (int i = 0; i < o->ladder->n; i++)
            fprintf(fp, "%s%g", i ? ", " : "", o->ladder->kda[i]);
        fputs("]}", fp);
    } else {
        fputs("null", fp);
    }
    fputs(",\n    \"row_kda\": ", fp);
    if (o->row_kda) {
        fputc('[', fp);
        for (int i = 0; i < o->bands.n_row_names; i++)
            fprintf(fp, "%s%g", i ? ", " : "", o->row_kda[i]);
        fputs("]", fp);
    } else {
        fputs("null", fp);
    }
    fputs(",\n", fp);
}

static int write_record(FILE *fp, void *ctx)
{
    const analyze_config_t *r = ctx;
    const bq_quant_options_t *o = r->quant;
    static const char *const polarity[] = {"auto", "invert", "keep"};
    static const char *const channel[] = {"auto", "red", "green", "blue"};
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

    fputs("{\n  \"tool\": \"blotquant\",\n  \"version\": ", fp);
    bq_json_put_string(fp, BQ_VERSION);
    fputs(",\n  \"command_line\": ", fp);
    bq_json_put_string(fp, r->command_line);
    fprintf(fp, ",\n  \"finished_utc\": \"%s\",\n  \"parameters\": {\n", when);
    fprintf(fp, "    \"page\": %d,\n    \"channel\": \"%s\",\n    \"max_pixels\": %llu,\n",
            o->load.page + 1, channel[o->load.channel], (unsigned long long)o->load.max_pixels);
    fprintf(fp, "    \"polarity\": \"%s\",\n    \"lanes\": %d,\n", polarity[o->polarity],
            o->lanes.n_lanes);
    if (o->lanes.roi.w > 0)
        fprintf(fp, "    \"roi\": [%d, %d, %d, %d],\n", o->lanes.roi.x, o->lanes.roi.y,
                o->lanes.roi.w, o->lanes.roi.h);
    else
        fputs("    \"roi\": null,\n", fp);
    put_manual_lanes(fp, o->manual_lanes);
    fputs("    \"rows\": [", fp);
    for (int i = 0; i < o->bands.n_row_names; i++) {
        if (i)
            fputs(", ", fp);
        bq_json_put_string(fp, o->bands.row_names[i]);
    }
    fputs("],\n", fp);
    put_sizes(fp, o);
    fprintf(fp, "    \"background\": \"%s\",\n    \"target\": ",
            bq_background_name(o->background));
    bq_json_put_string(fp, r->target);
    fputs(",\n    \"control\": ", fp);
    bq_json_put_string(fp, r->control);
    fputs(",\n    \"samples\": ", fp);
    bq_json_put_string(fp, r->sheet_path);
    fprintf(fp, ",\n    \"keep_flagged\": %s", r->keep_flagged ? "true" : "false");
    fprintf(fp, ",\n    \"two_channel\": %s", r->two_channel ? "true" : "false");
    put_fixed(fp, "fixed_top", r->fit.fix_top, r->fit.top);
    put_fixed(fp, "fixed_bottom", r->fit.fix_bottom, r->fit.bottom);
    fprintf(fp, ",\n    \"bottom_nonnegative\": %s", r->fit.nonneg_bottom ? "true" : "false");
    fprintf(fp, ",\n    \"hook_from_flagged\": %s", r->fit.hook_from_flagged ? "true" : "false");
    fprintf(fp, ",\n    \"ci\": \"%s\", \"ci_level\": %g", r->fit.ci == BQ_CI_WALD ? "wald" : "profile",
            r->fit.level);
    fprintf(fp, ",\n    \"hook_test\": %s, \"hook_model\": \"%s\"",
            r->fit.detect_hook ? "true" : "false", r->fit.bell ? "bell" : "exclude");
    fputs("\n  }\n}\n", fp);
    return ferror(fp) ? BQ_ERR_IO : 0;
}

int run_record_write(const char *dir, const analyze_config_t *cfg, bq_error_t *err)
{
    size_t n = strlen(dir) + sizeof "/run.json";
    char *path = malloc(n);
    if (!path)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", dir);
    snprintf(path, n, "%s/run.json", dir);
    int rc = bq_file_write_atomic(path, write_record, (void *)cfg, err);
    free(path);
    return rc;
}

typedef struct text_line {
    const char *prefix, *line;
} text_line_t;

static int write_line(FILE *fp, void *ctx)
{
    const text_line_t *t = ctx;
    fprintf(fp, "%s%s\n", t->prefix ? t->prefix : "", t->line);
    return ferror(fp) ? BQ_ERR_IO : 0;
}

int run_record_write_text(const char *path, const char *prefix, const char *line,
                          bq_error_t *err)
{
    text_line_t t = {prefix, line};
    return bq_file_write_atomic(path, write_line, &t, err);
}
