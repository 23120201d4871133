/* samples.h - sample sheets: which dose went into which lane.
 *
 * A sheet is a CSV with columns lane,dose,unit and optionally image,
 * replicate, group. Dose 0 marks vehicle lanes (their unit may be empty).
 * Units pM, nM, uM/µM/μM, mM, M are recognised (case of the prefix matters:
 * "mM" is millimolar, "MM" is refused); every dose is also kept in nM so
 * doses written in different units compare, while the sheet remembers the
 * unit the user wrote for display. */
#ifndef BLOTQUANT_SAMPLES_H
#define BLOTQUANT_SAMPLES_H

#include "csv.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bq_unit {
    BQ_UNIT_PM = 0,
    BQ_UNIT_NM,
    BQ_UNIT_UM,
    BQ_UNIT_MM,
    BQ_UNIT_M,
} bq_unit;

/* Parse a unit name ("nM", "µM", "uM", ...; blanks around it ignored).
 * Returns the bq_unit, or -1 if unknown. */
BQ_API int bq_unit_parse(const char *s);

/* The ASCII name of a unit: "pM", "nM", "uM", "mM", "M". */
BQ_API const char *bq_unit_name(bq_unit unit);

/* How many nM one unit is (pM 1e-3 ... M 1e9). */
BQ_API double bq_unit_nm(bq_unit unit);

/* value in unit `from` expressed in unit `to`. */
BQ_API double bq_unit_convert(double value, bq_unit from, bq_unit to);

#define BQ_SAMPLE_IMAGE_MAX 256
#define BQ_SAMPLE_GROUP_MAX 64

typedef struct bq_sample {
    char image[BQ_SAMPLE_IMAGE_MAX]; /* "" = applies to every image */
    int lane;                        /* 1-based */
    double dose;                     /* as written, in `unit` */
    bq_unit unit;                    /* for vehicle rows without a unit: the sheet's unit */
    double dose_nm;                  /* dose in nM */
    int replicate;                   /* from the sheet; 0 = not given */
    char group[BQ_SAMPLE_GROUP_MAX]; /* from the sheet; "" = not given */
    int line;                        /* line in the sheet, for messages */
} bq_sample_t;

typedef struct bq_sample_sheet {
    char *path;          /* the sheet's name, for messages */
    int n;
    bq_sample_t *samples;
    bq_unit unit;        /* display unit: the first non-vehicle row's unit */
    char unit_label[32]; /* that unit as the user spelled it ("µM", "uM", ...) */
} bq_sample_sheet_t;

/* Read a sample sheet. Errors name the sheet and line: missing column,
 * missing or non-integer lane, non-numeric, negative or non-finite dose,
 * unknown or missing unit, duplicate (image, lane). Caller owns *out
 * (bq_samples_free). */
BQ_API int bq_samples_read(const char *path, bq_sample_sheet_t **out, bq_error_t *err);

/* Same from an already parsed CSV (csv->name labels messages). */
BQ_API int bq_samples_from_csv(const bq_csv_t *csv, bq_sample_sheet_t **out, bq_error_t *err);

BQ_API void bq_samples_free(bq_sample_sheet_t *sheet);

/* The sample of lane in image, or NULL. image is compared with the sheet's
 * image column by file name: directories and a trailing extension are
 * ignored ("gels/blot1.tif" matches "blot1"). A row naming the image wins
 * over a row without an image. image may be NULL. */
BQ_API const bq_sample_t *bq_samples_find(const bq_sample_sheet_t *sheet, const char *image,
                                          int lane);

/* The dose of s in the sheet's display unit. */
BQ_API double bq_samples_display_dose(const bq_sample_sheet_t *sheet, const bq_sample_t *s);

#ifdef __cplusplus
}
#endif
#endif
