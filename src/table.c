/* table.c - the band table as CSV and JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/table.h"
#include "internal.h"

const char BQ_BANDS_CSV_HEADER[] =
    "image,lane,band,protein,x_left,x_right,y_top,y_bottom,y_peak,volume,"
    "background,net_volume,max_value,saturated_pixels,flags,mw_kda";

void bq_csv_put_field(FILE *fp, const char *field)
{
    if (strpbrk(field, ",\"\r\n") == NULL) {
        fputs(field, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

/* %.10g keeps every digit a 16-bit image can carry in a summed volume while
 * staying readable; non-finite values become empty cells, not "nan". */
static void put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
}

int bq_band_table_write_csv(FILE *fp, const bq_band_table_t *table, const char *image,
                            int header)
{
    char flags[128];
    locale_t previous = bq_numbers_begin();
    if (header)
        fprintf(fp, "%s\n", BQ_BANDS_CSV_HEADER);
    for (int i = 0; i < table->n_bands; i++) {
        const bq_band_t *b = &table->bands[i];
        bq_csv_put_field(fp, image);
        fprintf(fp, ",%d,%d,", b->lane, b->row);
        bq_csv_put_field(fp, b->protein);
        fprintf(fp, ",%d,%d,%d,%d,", b->x_left, b->x_right, b->y_top, b->y_bottom);
        put_number(fp, b->y_peak);
        fputc(',', fp);
        put_number(fp, b->volume);
        fputc(',', fp);
        put_number(fp, b->background);
        fputc(',', fp);
        put_number(fp, b->net_volume);
        fputc(',', fp);
        put_number(fp, b->max_value);
        fprintf(fp, ",%ld,", b->saturated_pixels);
        bq_csv_put_field(fp, bq_band_flags_str(b->flags, flags, sizeof flags));
        fputc(',', fp);
        put_number(fp, b->mw_kda > 0 ? b->mw_kda : NAN); /* empty: not calibrated */
        fputc('\n', fp);
    }
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}

void bq_xml_put_text(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

void bq_json_put_string(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

static void put_json_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
    else
        fputs("null", fp);
}

int bq_band_table_write_json(FILE *fp, const bq_band_table_t *table, const char *image)
{
    char flags[128];
    locale_t previous = bq_numbers_begin();
    fputs("{\"image\": ", fp);
    bq_json_put_string(fp, image);
    fprintf(fp, ", \"lanes\": %d, \"rows\": %d, \"strips\": %d, \"lanes_confidence\": ",
            table->n_lanes, table->n_rows, table->n_strips);
    put_json_number(fp, table->lanes_confidence);
    fprintf(fp, ", \"lanes_uncertain\": %s, \"bands\": [", table->lanes_uncertain ? "true" : "false");
    for (int i = 0; i < table->n_bands; i++) {
        const bq_band_t *b = &table->bands[i];
        fprintf(fp, "%s\n  {\"lane\": %d, \"band\": %d, \"protein\": ", i ? "," : "", b->lane,
                b->row);
        bq_json_put_string(fp, b->protein);
        fprintf(fp, ", \"x_left\": %d, \"x_right\": %d, \"y_top\": %d, \"y_bottom\": %d",
                b->x_left, b->x_right, b->y_top, b->y_bottom);
        fputs(", \"y_peak\": ", fp);
        put_json_number(fp, b->y_peak);
        fputs(", \"volume\": ", fp);
        put_json_number(fp, b->volume);
        fputs(", \"background\": ", fp);
        put_json_number(fp, b->background);
        fputs(", \"net_volume\": ", fp);
        put_json_number(fp, b->net_volume);
        fputs(", \"max_value\": ", fp);
        put_json_number(fp, b->max_value);
        fprintf(fp, ", \"saturated_pixels\": %ld, \"flags\": ", b->saturated_pixels);
        bq_json_put_string(fp, bq_band_flags_str(b->flags, flags, sizeof flags));
        fputs(", \"mw_kda\": ", fp);
        put_json_number(fp, b->mw_kda > 0 ? b->mw_kda : NAN);
        fputc('}', fp);
    }
    fputs("\n]}\n", fp);
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : BQ_OK;
}
