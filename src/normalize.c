/* normalize.c - target / control per lane, relative to vehicle. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/normalize.h"
#include "blotquant/table.h"
#include "internal.h"

const char BQ_NORMALIZED_CSV_HEADER[] =
    "image,lane,dose,unit,target,control,ratio,relative,flags,replicate,group";

static int row_exists(const bq_band_table_t *t, const char *name)
{
    for (int i = 0; i < t->n_bands; i++)
        if (strcmp(t->bands[i].protein, name) == 0)
            return 1;
    return 0;
}

static const bq_band_t *find_band(const bq_band_table_t *t, const char *name, int lane)
{
    for (int i = 0; i < t->n_bands; i++)
        if (t->bands[i].lane == lane && strcmp(t->bands[i].protein, name) == 0)
            return &t->bands[i];
    return NULL;
}

int bq_normalize(const bq_band_table_t *bands, const char *image, const bq_sample_sheet_t *sheet,
                 const char *target, const char *control, int replicate,
                 bq_norm_table_t **out, bq_error_t *err)
{
    *out = NULL;
    const char *img = image ? image : "";
    if (!row_exists(bands, target))
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "%s: no band row named '%s' (name rows with --rows)",
                            img, target);
    if (!row_exists(bands, control))
        return bq_error_set(err, BQ_ERR_NOT_FOUND, "%s: no band row named '%s' (name rows with --rows)",
                            img, control);

    bq_norm_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", img);
    t->image = strdup(img);
    t->rows = bq_calloc_array((size_t)(bands->n_lanes > 0 ? bands->n_lanes : 1), sizeof *t->rows);
    double *controls = bq_calloc_array((size_t)(bands->n_lanes > 0 ? bands->n_lanes : 1), sizeof(double));
    if (!t->image || !t->rows || !controls) {
        free(controls);
        bq_norm_table_free(t);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", img);
    }
    snprintf(t->unit, sizeof t->unit, "%s", sheet->unit_label);

    int n_controls = 0;
    for (int lane = 1; lane <= bands->n_lanes; lane++) {
        const bq_sample_t *s = bq_samples_find(sheet, image, lane);
        const bq_band_t *tb = find_band(bands, target, lane);
        const bq_band_t *cb = find_band(bands, control, lane);
        if (!s || !tb || !cb || (cb->flags & BQ_BAND_LADDER))
            continue;
        bq_norm_row_t *r = &t->rows[t->n++];
        r->lane = lane;
        r->dose = bq_samples_display_dose(sheet, s);
        r->dose_nm = s->dose_nm;
        r->target = tb->net_volume;
        r->control = cb->net_volume;
        r->replicate = s->replicate ? s->replicate : replicate;
        snprintf(r->group, sizeof r->group, "%s", s->group);
        if (cb->flags & BQ_BAND_SATURATED)
            r->flags |= BQ_NORM_CONTROL_SATURATED;
        if (tb->flags & BQ_BAND_SATURATED)
            r->flags |= BQ_NORM_TARGET_SATURATED;
        if (tb->flags & BQ_BAND_WEAK)
            r->flags |= BQ_NORM_TARGET_WEAK;
        controls[n_controls++] = cb->net_volume;
    }
    if (t->n == 0) {
        free(controls);
        bq_norm_table_free(t);
        return bq_error_set(err, BQ_ERR_NOT_FOUND,
                            "%s: none of the image's %d lanes is in the sample sheet %s", img,
                            bands->n_lanes, sheet->path ? sheet->path : "");
    }

    /* A loading control far below its siblings (a bubble, a missing lane)
     * would turn any target into a huge ratio: judge it against the blot's
     * own median control. */
    double median = bq_median_inplace(controls, (size_t)n_controls);
    free(controls);
    for (int i = 0; i < t->n; i++) {
        bq_norm_row_t *r = &t->rows[i];
        if (!(r->control > 0) || !(median > 0) || r->control < BQ_NORM_FAINT_FRACTION * median)
            r->flags |= BQ_NORM_CONTROL_FAINT;
        r->ratio = (r->flags & BQ_NORM_CONTROL_FAINT) ? NAN : r->target / r->control;
    }

    double sum = 0;
    for (int i = 0; i < t->n; i++) {
        const bq_norm_row_t *r = &t->rows[i];
        if (r->dose_nm == 0 && !(r->flags & BQ_NORM_EXCLUDE_MASK) && isfinite(r->ratio)) {
            sum += r->ratio;
            t->n_vehicle++;
        }
    }
    double ref = t->n_vehicle > 0 ? sum / t->n_vehicle : NAN;
    for (int i = 0; i < t->n; i++) {
        bq_norm_row_t *r = &t->rows[i];
        if (t->n_vehicle == 0 || !(ref > 0))
            r->flags |= BQ_NORM_NO_VEHICLE;
        r->relative = (isfinite(r->ratio) && ref > 0) ? r->ratio / ref : NAN;
    }
    *out = t;
    return BQ_OK;
}

void bq_norm_table_free(bq_norm_table_t *table)
{
    if (!table)
        return;
    free(table->image);
    free(table->rows);
    free(table);
}

void bq_norm_table_set_reference(bq_norm_table_t *table, double reference)
{
    for (int i = 0; i < table->n; i++) {
        bq_norm_row_t *r = &table->rows[i];
        r->flags = (r->flags & ~(unsigned)BQ_NORM_NO_VEHICLE) | BQ_NORM_REFERENCE_FITTED;
        r->relative = isfinite(r->ratio) ? r->ratio / reference : NAN;
    }
}

const char *bq_norm_flags_str(unsigned flags, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *word;
    } names[] = {
        {BQ_NORM_CONTROL_SATURATED, "control_saturated"},
        {BQ_NORM_CONTROL_FAINT, "control_faint"},
        {BQ_NORM_TARGET_SATURATED, "target_saturated"},
        {BQ_NORM_TARGET_WEAK, "target_weak"},
        {BQ_NORM_NO_VEHICLE, "no_vehicle"},
        {BQ_NORM_REFERENCE_FITTED, "reference_fitted"},
    };
    size_t k = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        int w = snprintf(buf + k, size - k, "%s%s", k ? ";" : "", names[i].word);
        if (w < 0 || (size_t)w >= size - k)
            break;
        k += (size_t)w;
    }
    return buf;
}

static void put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
}

int bq_norm_table_write_csv(FILE *fp, const bq_norm_table_t *table, int header)
{
    locale_t previous = bq_numbers_begin();
    char flags[160];
    if (header)
        fprintf(fp, "%s\n", BQ_NORMALIZED_CSV_HEADER);
    for (int i = 0; i < table->n; i++) {
        const bq_norm_row_t *r = &table->rows[i];
        bq_csv_put_field(fp, table->image);
        fprintf(fp, ",%d,", r->lane);
        put_number(fp, r->dose);
        fputc(',', fp);
        bq_csv_put_field(fp, table->unit);
        fputc(',', fp);
        put_number(fp, r->target);
        fputc(',', fp);
        put_number(fp, r->control);
        fputc(',', fp);
        put_number(fp, r->ratio);
        fputc(',', fp);
        put_number(fp, r->relative);
        fputc(',', fp);
        bq_csv_put_field(fp, bq_norm_flags_str(r->flags, flags, sizeof flags));
        fprintf(fp, ",%d,", r->replicate);
        bq_csv_put_field(fp, r->group);
        fputc('\n', fp);
    }
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}
