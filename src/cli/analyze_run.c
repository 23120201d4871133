/* analyze_run.c - images + sample sheet -> the tables, plots and summary of
 * one dose series. `analyze` runs it once; `batch` once per gel. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze_run.h"
#include "quant_options.h"
#include "report_html.h"
#include "run_record.h"

int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    struct stat st;
    if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        return -1;
    }
    return rc;
}

int analyze_default_rows(const quant_cli_t *q, const char **target, const char **control,
                         const char *cmd)
{
    const bq_band_options_t *b = &q->opts.bands;
    if (!*target && b->n_row_names > 0)
        *target = b->row_names[0];
    if (!*control && b->n_row_names > 1)
        *control = b->row_names[b->n_row_names - 1];
    if (!*target || !*control) {
        cli_usage_error(cmd, "name the band rows with --rows TARGET,CONTROL (or --target and --control)");
        return -1;
    }
    if (strcmp(*target, *control) == 0) {
        cli_usage_error(cmd, "--target and --control name the same row '%s'", *target);
        return -1;
    }
    return 0;
}

/* Per-image results kept until every table is written. */
typedef struct blot {
    const char *name;
    const char *control_name;       /* two-channel: the control scan's name */
    bq_quant_result_t *res;         /* target (or only) scan */
    bq_quant_result_t *control_res; /* two-channel: the control scan */
    bq_band_table_t *merged;        /* two-channel: both scans' bands */
    bq_norm_table_t *norm;
    char overlay_file[300], control_overlay_file[300]; /* "<stem>.overlay.png" */
    report_png_t page, control_page; /* the overlays shrunk for the report */
} blot_t;

static const bq_band_table_t *blot_bands(const blot_t *b)
{
    return b->merged ? b->merged : b->res->table;
}

static void set_failure(analyze_outcome_t *out, const char *stage, const char *msg)
{
    snprintf(out->failed_stage, sizeof out->failed_stage, "%s", stage);
    snprintf(out->message, sizeof out->message, "%s", msg);
}

static const char *stage_of_load_error(int code)
{
    switch (code) {
    case BQ_ERR_IO:
    case BQ_ERR_FORMAT:
    case BQ_ERR_CORRUPT:
    case BQ_ERR_LIMIT: return "load";
    default: return "quant";
    }
}

static char *path_in(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, file);
    return s;
}

/* "gels/blot 1.tif" -> "blot 1" */
static void stem_of(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(buf, size, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
}

/* Two-channel scans of one membrane: lanes come from the control scan (the
 * loading control is in every lane) and are applied to the target scan. */
static int quant_two_channel(const analyze_config_t *cfg, const char *target_path,
                             const char *control_path, blot_t *b, bq_error_t *err)
{
    bq_quant_options_t copts = *cfg->quant;
    const char *crow[1] = {cfg->control}, *trow[1] = {cfg->target};
    copts.bands.row_names = crow;
    copts.bands.n_row_names = 1;
    copts.row_kda = NULL; /* one row per channel: nothing to tell apart by size */
    copts.row_channel = NULL; /* each scan is one channel already */
    int rc = bq_quant_file(control_path, &copts, &b->control_res, err);
    if (rc != 0)
        return rc;

    bq_image_t *img = NULL;
    rc = bq_image_load(target_path, &cfg->quant->load, &img, err);
    if (rc != 0)
        return rc;
    bq_quant_result_t *res = calloc(1, sizeof *res);
    if (!res) {
        bq_image_free(img);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", target_path);
    }
    res->image = img;
    int invert = cfg->quant->polarity == BQ_POLARITY_INVERT ||
                 (cfg->quant->polarity == BQ_POLARITY_AUTO && bq_image_detect_polarity(img) == 1);
    res->polarity_auto = cfg->quant->polarity == BQ_POLARITY_AUTO;
    if (invert)
        bq_image_invert(img);
    res->inverted = img->inverted;
    if (img->width != b->control_res->image->width || img->height != b->control_res->image->height) {
        bq_quant_result_free(res);
        return bq_error_set(err, BQ_ERR_INVALID, "%s: %dx%d, but the control scan %s is %dx%d",
                            target_path, img->width, img->height, control_path,
                            b->control_res->image->width, b->control_res->image->height);
    }
    /* the result owns its lanes; share the control's and detach before freeing */
    res->lanes = b->control_res->lanes;
    bq_quant_options_t topts = *cfg->quant;
    topts.bands.row_names = trow;
    topts.bands.n_row_names = 1;
    rc = bq_bands_detect(img, res->lanes, &topts.bands, &res->table, err);
    if (rc == 0)
        rc = bq_quantify(img, res->lanes, cfg->quant->background, res->table, err);
    b->res = res;
    if (rc != 0)
        return rc;

    /* one band table with both proteins, as normalisation expects */
    const bq_band_table_t *t = res->table, *c = b->control_res->table;
    bq_band_table_t *m = calloc(1, sizeof *m);
    if (m)
        m->bands = calloc((size_t)(t->n_bands + c->n_bands), sizeof *m->bands);
    if (!m || !m->bands) {
        free(m);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", target_path);
    }
    memcpy(m->bands, t->bands, (size_t)t->n_bands * sizeof *m->bands);
    for (int i = 0; i < c->n_bands; i++) {
        m->bands[t->n_bands + i] = c->bands[i];
        m->bands[t->n_bands + i].row += t->n_rows;
    }
    m->n_bands = t->n_bands + c->n_bands;
    m->n_lanes = t->n_lanes;
    m->n_rows = t->n_rows + c->n_rows;
    b->merged = m;
    return 0;
}

/* DIR/<image stem>.overlay.png, its name into file (300 bytes), and the
 * report's copy into page. */
static int write_overlay(const bq_quant_result_t *res, const char *name, const char *outdir,
                         char *file, report_png_t *page, analyze_outcome_t *out)
{
    bq_error_t err = {0};
    char stem[256];
    stem_of(name, stem, sizeof stem);
    snprintf(file, 300, "%s.overlay.png", stem);
    char *path = path_in(outdir, file);
    int rc = path ? report_overlay_write(res, path, page, &err) : BQ_ERR_NOMEM;
    if (rc != 0)
        set_failure(out, "write", path ? err.msg : "out of memory");
    free(path);
    return rc;
}

typedef struct tables_job {
    const blot_t *blots;
    int n;
} tables_job_t;

static int write_bands(FILE *fp, void *ctx)
{
    const tables_job_t *j = ctx;
    int rc = 0;
    for (int i = 0; i < j->n && rc == 0; i++) {
        const blot_t *b = &j->blots[i];
        /* each band under the scan it was measured on */
        rc = bq_band_table_write_csv(fp, b->res->table, b->name, i == 0);
        if (rc == 0 && b->control_res)
            rc = bq_band_table_write_csv(fp, b->control_res->table, b->control_name, 0);
    }
    return rc;
}

static int write_normalized(FILE *fp, void *ctx)
{
    const tables_job_t *j = ctx;
    int rc = 0;
    for (int i = 0; i < j->n && rc == 0; i++)
        rc = bq_norm_table_write_csv(fp, j->blots[i].norm, i == 0);
    return rc;
}

/* Every series' points, kept for the plots and the report. */
typedef struct series_points {
    bq_fit_point_t *pts; /* series g's points start at g * stride */
    size_t stride;
    size_t n[ANALYZE_MAX_GROUPS];
} series_points_t;

/* The plots: every series (only < 0) or series `only`. */
typedef struct plot_job {
    const analyze_outcome_t *out;
    const analyze_config_t *cfg;
    const series_points_t *sp;
    int only;
} plot_job_t;

/* fit.csv: one row per series (group). */
static int write_fits(FILE *fp, void *ctx)
{
    const analyze_outcome_t *o = ctx;
    int rc = 0;
    for (int g = 0; g < o->n_groups && rc == 0; g++)
        rc = bq_fit_write_csv_group(fp, &o->group_fit[g], o->target, o->control, o->unit,
                                    o->groups[g], g == 0);
    return rc;
}

static int write_plot(FILE *fp, void *ctx)
{
    const plot_job_t *j = ctx;
    const analyze_outcome_t *o = j->out;
    bq_plot_series_t series[ANALYZE_MAX_GROUPS];
    int ns = 0;
    for (int g = 0; g < o->n_groups; g++) {
        if (j->only >= 0 && g != j->only)
            continue;
        const bq_fit_result_t *res = &o->group_fit[g];
        series[ns].pts = j->sp->pts + (size_t)g * j->sp->stride;
        series[ns].n = j->sp->n[g];
        series[ns].res = res->status == BQ_FIT_OK || isfinite(res->dc50) ? res : NULL;
        series[ns].name = o->groups[g];
        ns++;
    }
    char title[2 * BQ_NAME_MAX + BQ_SAMPLE_GROUP_MAX + 8];
    const char *group = j->only >= 0 ? o->groups[j->only] : o->n_groups == 1 ? o->groups[0] : "";
    snprintf(title, sizeof title, "%s / %s%s%s", j->cfg->target, j->cfg->control,
             group[0] ? ": " : "", group);
    bq_plot_labels_t labels = {title, o->unit, NULL};
    return bq_plot_dose_response_svg_multi(fp, series, ns, &labels);
}

/* A blot whose vehicle lanes are all unusable (their loading control
 * saturated, say) still carries its dose response in the ratios: fit them
 * with the top free and use that top as the vehicle level. Left undefined
 * (and flagged no_vehicle) when that fit fails. */
static void reference_from_fit(const analyze_config_t *cfg, bq_norm_table_t *norm)
{
    bq_fit_point_t *pts = calloc((size_t)(norm->n > 0 ? norm->n : 1), sizeof *pts);
    if (!pts)
        return;
    size_t k = 0;
    for (int r = 0; r < norm->n; r++) {
        const bq_norm_row_t *row = &norm->rows[r];
        if (!isfinite(row->ratio))
            continue;
        pts[k].dose = row->dose_nm;
        pts[k].response = row->ratio;
        pts[k].excluded = !cfg->keep_flagged &&
                          (row->flags & BQ_NORM_EXCLUDE_MASK & ~(unsigned)BQ_NORM_NO_VEHICLE) != 0;
        k++;
    }
    bq_fit_options_t opts = cfg->fit;
    opts.fix_top = 0;
    opts.abs_level = NAN;
    bq_fit_result_t res;
    if (bq_fit_4pl(pts, k, &opts, &res, NULL) == 0 && res.top > 0)
        bq_norm_table_set_reference(norm, res.top);
    free(pts);
}

/* The index of group g among the outcome's series, -1 if new. */
static int find_group(const analyze_outcome_t *out, const char *g)
{
    for (int i = 0; i < out->n_groups; i++)
        if (strcmp(out->groups[i], g) == 0)
            return i;
    return -1;
}

/* dose_response.GROUP.svg, the group's name made safe for a file name
 * (anything but letters, digits, '-', '_' and '.' becomes '_'). */
static void group_file_name(const char *group, char *buf, size_t size)
{
    char safe[BQ_SAMPLE_GROUP_MAX];
    size_t k = 0;
    for (const char *p = group; *p && k + 1 < sizeof safe; p++) {
        unsigned char ch = (unsigned char)*p;
        int keep = isalnum(ch) || ch == '-' || ch == '_' || (ch == '.' && k > 0);
        safe[k++] = keep ? (char)ch : '_';
    }
    safe[k] = '\0';
    snprintf(buf, size, "dose_response.%s.svg", k ? safe : "_");
}

/* Add a flagged lane to the summary's list, e.g. "lane 3
 * (control_saturated)"; past the buffer the list ends in "...". */
static void list_flagged(analyze_outcome_t *out, const char *image, const bq_norm_row_t *row)
{
    char flags[128], item[256];
    bq_norm_flags_str(row->flags & BQ_NORM_EXCLUDE_MASK, flags, sizeof flags);
    snprintf(item, sizeof item, "%s%s%slane %d (%s)", out->flagged[0] ? ", " : "",
             image ? image : "", image ? " " : "", row->lane, flags);
    size_t len = strlen(out->flagged), room = sizeof out->flagged - len;
    if (len >= 3 && strcmp(out->flagged + len - 3, "...") == 0)
        return;
    if (strlen(item) + 4 < room)
        memcpy(out->flagged + len, item, strlen(item) + 1);
    else if (room > 5)
        memcpy(out->flagged + len, ", ...", 6);
}

/* Remember the first image read from a lossy format, for one warning. */
static void note_lossy(analyze_outcome_t *out, const bq_quant_result_t *res, const char *path)
{
    if (!out->lossy_image[0] && res->image && res->image->lossy)
        snprintf(out->lossy_image, sizeof out->lossy_image, "%s", path);
}

/* outdir/file written by fn(ctx), complete or not at all; a failure is
 * recorded in out as the write stage. */
static int write_output(const char *outdir, const char *file, bq_write_fn fn, void *ctx,
                        analyze_outcome_t *out, bq_error_t *err)
{
    char *path = path_in(outdir, file);
    int rc = path ? bq_file_write_atomic(path, fn, ctx, err) : BQ_ERR_NOMEM;
    if (rc != 0)
        set_failure(out, "write", path ? err->msg : "out of memory");
    free(path);
    return rc;
}

/* Every blot normalised against the sheet; *n_pts gets the rows in all. */
static int normalize_blots(const analyze_config_t *cfg, const bq_sample_sheet_t *sheet,
                           blot_t *blots, int n, size_t *n_pts, analyze_outcome_t *out,
                           bq_error_t *err)
{
    *n_pts = 0;
    for (int i = 0; i < n; i++) {
        int rc = bq_normalize(blot_bands(&blots[i]), blots[i].name, sheet, cfg->target,
                              cfg->control, i + 1, &blots[i].norm, err);
        if (rc != 0) {
            set_failure(out, "normalize", err->msg);
            return rc;
        }
        if (blots[i].norm->n_vehicle == 0)
            reference_from_fit(cfg, blots[i].norm);
        *n_pts += (size_t)blots[i].norm->n;
    }
    snprintf(out->unit, sizeof out->unit, "%s", sheet->unit_label);
    return 0;
}

/* The flagged lanes listed and the dose series (one per group of dosed
 * lanes, in the sheet's order) collected into out; *no_vehicle_blots gets
 * the blots without a usable vehicle lane. */
static int collect_series(const analyze_config_t *cfg, const blot_t *blots, int n,
                          int *no_vehicle_blots, analyze_outcome_t *out, bq_error_t *err)
{
    *no_vehicle_blots = 0;
    for (int i = 0; i < n; i++) {
        *no_vehicle_blots += blots[i].norm->n > 0 &&
                             (blots[i].norm->rows[0].flags & BQ_NORM_NO_VEHICLE) != 0;
        for (int r = 0; r < blots[i].norm->n; r++) {
            const bq_norm_row_t *row = &blots[i].norm->rows[r];
            if (row->flags & BQ_NORM_EXCLUDE_MASK) {
                list_flagged(out, n > 1 ? blots[i].name : NULL, row);
                out->n_flagged_lanes++;
            }
            if (row->dose_nm > 0 && find_group(out, row->group) < 0) {
                if (out->n_groups == ANALYZE_MAX_GROUPS) {
                    snprintf(err->msg, sizeof err->msg,
                             "%s: more than %d groups (dose series); analyze them in parts",
                             cfg->sheet_path, ANALYZE_MAX_GROUPS);
                    set_failure(out, "samples", err->msg);
                    return BQ_ERR_LIMIT;
                }
                snprintf(out->groups[out->n_groups++], sizeof out->groups[0], "%s", row->group);
            }
        }
    }
    if (out->n_groups == 0)
        out->n_groups = 1; /* vehicle lanes only: one (degenerate) series */
    return 0;
}

/* Series g's points into gp (a vehicle lane without a group is every
 * series' vehicle; lanes without a number are left out); returns how many. */
static size_t series_points(const analyze_config_t *cfg, const bq_sample_sheet_t *sheet,
                            const blot_t *blots, int n, const char *group, bq_fit_point_t *gp)
{
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < blots[i].norm->n; r++) {
            const bq_norm_row_t *row = &blots[i].norm->rows[r];
            int mine = strcmp(row->group, group) == 0 ||
                       (row->dose_nm == 0 && row->group[0] == '\0');
            if (!mine || !isfinite(row->relative))
                continue;
            gp[k].dose = bq_unit_convert(row->dose_nm, BQ_UNIT_NM, sheet->unit);
            gp[k].response = row->relative;
            gp[k].replicate = row->replicate;
            gp[k].excluded = !cfg->keep_flagged && (row->flags & BQ_NORM_EXCLUDE_MASK) != 0;
            k++;
        }
    return k;
}

/* Fit series g on its k points gp into out->group_fit[g]. A degenerate fit
 * is reported in fit.csv; when blots lack a vehicle, its message says so
 * (the fitter only sees that points are missing). */
static void fit_series(const analyze_config_t *cfg, const bq_fit_point_t *gp, size_t k,
                       int no_vehicle_blots, bq_fit_result_t *fit)
{
    bq_error_t fit_err = {0};
    bq_fit_4pl(gp, k, &cfg->fit, fit, &fit_err);
    if (fit->status != BQ_FIT_OK && no_vehicle_blots > 0)
        snprintf(fit->message, sizeof fit->message,
                 "%d blot%s without a usable vehicle lane (vehicle loading control saturated "
                 "or faint) and too few unflagged lanes to estimate the vehicle level from the "
                 "curve; --keep-flagged uses the flagged lanes too",
                 no_vehicle_blots, no_vehicle_blots == 1 ? "" : "s");
}

/* dose_response.svg with every series, and with groups each series' own
 * dose_response.GROUP.svg. */
static int write_plots(const analyze_config_t *cfg, const series_points_t *sp,
                       const char *outdir, analyze_outcome_t *out, bq_error_t *err)
{
    plot_job_t pj = {out, cfg, sp, -1};
    for (int g = -1; g < (out->n_groups > 1 ? out->n_groups : 0); g++) {
        char file[BQ_SAMPLE_GROUP_MAX + 32];
        if (g < 0)
            snprintf(file, sizeof file, "dose_response.svg");
        else
            group_file_name(out->groups[g], file, sizeof file);
        pj.only = g;
        int rc = write_output(outdir, file, write_plot, &pj, out, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Normalise every blot, fit each series' points (kept in sp, the caller
 * frees sp->pts), write normalized.csv, fit.csv and dose_response.svg. */
static int normalize_and_fit(const analyze_config_t *cfg, blot_t *blots, int n,
                             const char *outdir, series_points_t *sp, analyze_outcome_t *out,
                             bq_error_t *err)
{
    bq_sample_sheet_t *sheet = NULL;
    size_t n_pts = 0;
    int no_vehicle_blots = 0;
    int rc = bq_samples_read(cfg->sheet_path, &sheet, err);
    if (rc != 0) {
        set_failure(out, "samples", err->msg);
        return rc;
    }
    tables_job_t tj = {blots, n};
    if ((rc = normalize_blots(cfg, sheet, blots, n, &n_pts, out, err)) != 0 ||
        (rc = write_output(outdir, "normalized.csv", write_normalized, &tj, out, err)) != 0 ||
        (rc = collect_series(cfg, blots, n, &no_vehicle_blots, out, err)) != 0)
        goto done;
    out->fitted = 1;
    /* every series' points stay until the combined plot is drawn */
    sp->stride = n_pts ? n_pts : 1; /* room for every lane in each series */
    sp->pts = calloc((size_t)out->n_groups * sp->stride, sizeof *sp->pts);
    if (!sp->pts) {
        rc = BQ_ERR_NOMEM;
        set_failure(out, "fit", "out of memory");
        goto done;
    }
    for (int g = 0; g < out->n_groups; g++) {
        bq_fit_point_t *gp = sp->pts + (size_t)g * sp->stride;
        sp->n[g] = series_points(cfg, sheet, blots, n, out->groups[g], gp);
        fit_series(cfg, gp, sp->n[g], no_vehicle_blots, &out->group_fit[g]);
    }
    if ((rc = write_plots(cfg, sp, outdir, out, err)) != 0)
        goto done;
    memcpy(&out->fit, &out->group_fit[0], sizeof out->fit);
    snprintf(out->target, sizeof out->target, "%s", cfg->target);
    snprintf(out->control, sizeof out->control, "%s", cfg->control);
    rc = write_output(outdir, "fit.csv", write_fits, out, out, err);
done:
    bq_samples_free(sheet);
    return rc;
}

/* The report's view of blot b's images (one, or the target and control
 * scans) into im; returns how many. */
static int report_images(const analyze_config_t *cfg, const blot_t *b, char *const *paths,
                         report_image_t *im)
{
    im[0] = (report_image_t){b->name, paths[0], cfg->two_channel ? "target scan" : "blot",
                             b->res, b->overlay_file, &b->page};
    if (!b->control_res)
        return 1;
    im[1] = (report_image_t){b->control_name, paths[1], "control scan", b->control_res,
                             b->control_overlay_file, &b->control_page};
    return 2;
}

/* DIR/report.html from everything the run kept. */
static int write_report(const analyze_config_t *cfg, const blot_t *blots, int n_blots,
                        char *const *paths, const series_points_t *sp, const char *outdir,
                        analyze_outcome_t *out, bq_error_t *err)
{
    int step = cfg->two_channel ? 2 : 1;
    report_image_t *images = calloc((size_t)(n_blots > 0 ? n_blots * step : 1), sizeof *images);
    const bq_norm_table_t **norms = calloc((size_t)(n_blots > 0 ? n_blots : 1), sizeof *norms);
    int rc = BQ_ERR_NOMEM;
    if (!images || !norms) {
        set_failure(out, "write", "out of memory");
        goto done;
    }
    int n_images = 0, n_norms = 0;
    for (int i = 0; i < n_blots; i++) {
        n_images += report_images(cfg, &blots[i], paths + i * step, images + n_images);
        if (blots[i].norm)
            norms[n_norms++] = blots[i].norm;
    }
    plot_job_t pj = {out, cfg, sp, -1};
    report_input_t in = {cfg, out, images, n_images, norms, n_norms,
                         out->fitted ? write_plot : NULL, &pj};
    rc = write_output(outdir, "report.html", report_html_write, &in, out, err);
done:
    free(images);
    free(norms);
    return rc;
}

int analyze_run(const analyze_config_t *cfg, char *const *paths, char *const *names, int n,
                const char *outdir, analyze_outcome_t *out)
{
    memset(out, 0, sizeof *out);
    bq_error_t err = {0};
    int step = cfg->two_channel ? 2 : 1;
    int n_blots = n / step, rc = 0;
    char *path = NULL;
    series_points_t sp = {0};
    blot_t *blots = calloc((size_t)(n_blots > 0 ? n_blots : 1), sizeof *blots);
    if (!blots) {
        set_failure(out, "quant", "out of memory");
        return BQ_ERR_NOMEM;
    }
    if (make_dirs(outdir) != 0) {
        snprintf(err.msg, sizeof err.msg, "%s: cannot create: %s", outdir, strerror(errno));
        set_failure(out, "write", err.msg);
        free(blots);
        return BQ_ERR_IO;
    }
    out->n_images = n;

    for (int i = 0; i < n_blots; i++) {
        blot_t *b = &blots[i];
        b->name = names[i * step];
        b->control_name = cfg->two_channel ? names[i * step + 1] : NULL;
        if (cfg->two_channel)
            rc = quant_two_channel(cfg, paths[2 * i], paths[2 * i + 1], b, &err);
        else
            rc = bq_quant_file(paths[i], cfg->quant, &b->res, &err);
        if (rc == 0)
            quant_cli_report_mw(paths[i], b->res, cfg->quant);
        if (rc != 0) {
            set_failure(out, stage_of_load_error(rc), err.msg);
            goto done;
        }
        if (i == 0)
            out->n_lanes = b->res->lanes->n_lanes;
        out->lanes_uncertain |= b->res->lanes->uncertain ||
                                (b->control_res && b->control_res->lanes->uncertain);
        note_lossy(out, b->res, paths[i * step]);
        if (b->control_res)
            note_lossy(out, b->control_res, paths[i * step + 1]);
        if ((rc = write_overlay(b->res, b->name, outdir, b->overlay_file, &b->page, out)) != 0 ||
            (b->control_res &&
             (rc = write_overlay(b->control_res, b->control_name, outdir,
                                 b->control_overlay_file, &b->control_page, out)) != 0))
            goto done;
    }

    tables_job_t tj = {blots, n_blots};
    path = path_in(outdir, "bands.csv");
    if (!path || (rc = bq_file_write_atomic(path, write_bands, &tj, &err)) != 0) {
        rc = path ? rc : BQ_ERR_NOMEM;
        set_failure(out, "write", path ? err.msg : "out of memory");
        goto done;
    }
    if (cfg->sheet_path &&
        (rc = normalize_and_fit(cfg, blots, n_blots, outdir, &sp, out, &err)) != 0)
        goto done;
    if ((rc = write_report(cfg, blots, n_blots, paths, &sp, outdir, out, &err)) != 0)
        goto done;
    /* written last: its presence marks a complete output folder (batch --resume) */
    if ((rc = run_record_write(outdir, cfg, &err)) != 0)
        set_failure(out, "write", err.msg);
done:
    free(path);
    for (int i = 0; i < n_blots; i++) {
        if (blots[i].control_res && blots[i].res) {
            blots[i].res->lanes = NULL; /* shared with the control scan */
        }
        bq_quant_result_free(blots[i].res);
        bq_quant_result_free(blots[i].control_res);
        if (blots[i].merged) {
            free(blots[i].merged->bands);
            free(blots[i].merged);
        }
        bq_norm_table_free(blots[i].norm);
        free(blots[i].page.data);
        free(blots[i].control_page.data);
    }
    free(blots);
    free(sp.pts);
    return rc;
}
