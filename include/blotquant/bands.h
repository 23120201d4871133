/* bands.h - the band detector and the band table it fills.
 *
 * Bands are found per lane and grouped across lanes into band rows (one row
 * = one protein). Every lane gets a band in every row: where a lane shows
 * nothing at the row position, the band is still reported there (flagged
 * BQ_BAND_WEAK) so a fully degraded band is measured, not dropped. Rows of
 * burned-in text (dose labels over the lanes) are not band rows: a band is
 * one plateau across its lane, a label several strokes. */
#ifndef BLOTQUANT_BANDS_H
#define BLOTQUANT_BANDS_H

#include "error.h"
#include "export.h"
#include "image.h"
#include "lanes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BQ_NAME_MAX 64

enum bq_band_flags {
    BQ_BAND_SATURATED = 1u << 0, /* clipped pixels inside the box */
    BQ_BAND_WEAK = 1u << 1,      /* not detected in this lane; measured at the row position */
    BQ_BAND_LADDER = 1u << 2,    /* in a ladder lane */
    BQ_BAND_EDGE = 1u << 3,      /* box touches the region border */
    BQ_BAND_MW_EXTRAPOLATED = 1u << 4, /* mw_kda lies beyond the ladder's markers */
};

typedef struct bq_band {
    int lane;                 /* 1-based lane index */
    int row;                  /* 1-based band row, top to bottom */
    char protein[BQ_NAME_MAX];/* row name from --rows, else "row<N>" */
    int x_left, x_right;      /* inclusive pixel box */
    int y_top, y_bottom;
    double y_peak;            /* row of maximal signal */
    double volume;            /* sum of signal in the box */
    double background;        /* background under the box (summed) */
    double net_volume;        /* volume - background */
    double max_value;         /* largest pixel in the box */
    long saturated_pixels;    /* pixels at or above the clipping level */
    unsigned flags;           /* bq_band_flags */
    double mw_kda;            /* apparent size from the ladder (mw.h); 0 = not calibrated */
} bq_band_t;

typedef struct bq_band_table {
    int n_bands;
    bq_band_t *bands;         /* sorted by row, then lane */
    int n_lanes, n_rows;
    int n_strips;             /* of the lanes the bands were found along */
    double lanes_confidence;  /* the lanes' confidence (bq_lanes_t.confidence) */
    int lanes_uncertain;      /* and whether it is below BQ_LANES_UNCERTAIN */
} bq_band_table_t;

typedef struct bq_band_options {
    const char *const *row_names; /* names for rows top to bottom, may be NULL */
    int n_row_names;              /* when > 0 and rows were found, keep the
                                     n_row_names strongest rows */
} bq_band_options_t;

/* Find bands in img along lanes. Fills geometry, row, protein and flags; the
 * signal columns are left 0 for bq_quantify. Caller owns *out. */
BQ_API int bq_bands_detect(const bq_image_t *img, const bq_lanes_t *lanes,
                           const bq_band_options_t *opts, bq_band_table_t **out,
                           bq_error_t *err);

BQ_API void bq_band_table_free(bq_band_table_t *table);

/* The band of (row, lane), or NULL. */
BQ_API const bq_band_t *bq_band_table_find(const bq_band_table_t *table, int row, int lane);

/* Render flags as a ';'-separated word list ("saturated;weak") into buf. */
BQ_API const char *bq_band_flags_str(unsigned flags, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
