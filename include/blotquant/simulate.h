/* simulate.h - synthetic 16-bit Western blots with ground truth.
 *
 * The simulator renders a membrane with lanes and band rows (proteins), a
 * degrader dose series behind the target row, and every artefact the
 * detector must survive (gradient, smear, dust, noise, tilt, smile, cut
 * strips, saturation), each as a separate knob. Everything random comes
 * from one seed through a private xoshiro256** generator, so a seed gives
 * the same pixels on every platform (libm's exp/erf/log are the only
 * platform-dependent parts; their last-ulp differences would have to land
 * exactly on a .5 rounding boundary to change a pixel).
 *
 * Truth lives in the signal domain (bands bright) even when the image is
 * exported dark-on-light: a band's truth volume is the analytic integral of
 * its rendered profile above the background, before noise and clipping.
 *
 * Two-channel scans (LI-COR style, two_channel = 1): the target and the
 * loading control are imaged as two pictures of one membrane (e.g. the
 * 800 nm and 700 nm channels). Both share the geometry, the membrane
 * background and the truth; each holds only its own rows' bands (markers
 * show in both, as a two-colour ladder does), its own smear tails, dust and
 * noise. Fluorescence: two-channel scans are always bright polarity. */
#ifndef BLOTQUANT_SIMULATE_H
#define BLOTQUANT_SIMULATE_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "export.h"
#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BQ_SIM_MIN_LANES 2
#define BQ_SIM_MAX_LANES 30   /* sample lanes, ladders come on top */
#define BQ_SIM_MAX_ROWS 4
#define BQ_SIM_NAME_MAX 32
#define BQ_SIM_MAX_SIDE 20000 /* width/height limit */
#define BQ_SIM_MAX_PIXELS 40000000 /* ~1 GB of working planes; two-channel
                                      scans half of it (more planes each) */
#define BQ_SIM_MAX_CHANNELS 2

/* Index of a two-channel scan in the bq_simulate_channels output. */
typedef enum bq_sim_channel {
    BQ_SIM_CH_TARGET = 0,  /* target rows (is_target), e.g. 800 nm */
    BQ_SIM_CH_CONTROL = 1, /* loading-control rows, e.g. 700 nm */
} bq_sim_channel;

typedef enum bq_sim_polarity {
    BQ_SIM_BRIGHT = 0, /* fluorescence-like: bright bands on a dark background */
    BQ_SIM_DARK = 1,   /* film-like export: dark bands on a light background */
} bq_sim_polarity;

typedef enum bq_sim_ladder {
    BQ_SIM_LADDER_NONE = 0,
    BQ_SIM_LADDER_LEFT = 1,
    BQ_SIM_LADDER_BOTH = 2, /* one at each edge */
} bq_sim_ladder;

/* One band row (protein). Position follows its molecular weight: heavier
 * proteins run nearer the top. */
typedef struct bq_sim_row {
    char name[BQ_SIM_NAME_MAX]; /* "MDM2" */
    double kda;                 /* apparent molecular weight */
    double rel_amplitude;       /* vehicle peak height relative to the
                                   strongest row (ACTB = 1) */
    double sigma_y;             /* vertical sigma in px; 0 = from the height */
    int is_target;              /* 1: degraded along the dose series;
                                   0: loading control (only loading varies) */
} bq_sim_row_t;

typedef struct bq_sim_params {
    uint64_t seed;
    char preset[BQ_SIM_NAME_MAX]; /* name of the preset this started from */
    int width, height;            /* image size in px */
    bq_sim_polarity polarity;

    /* layout */
    int n_lanes;            /* sample lanes, BQ_SIM_MIN_LANES..BQ_SIM_MAX_LANES */
    bq_sim_ladder ladder;   /* marker lanes at the edge(s), not in n_lanes */
    double margin;          /* fraction of width/height outside the membrane on
                               each side (0 = membrane fills the picture) */
    double tray_level;      /* signal outside the membrane, as a fraction of
                               the membrane background offset (dark tray in
                               bright polarity, white border in dark) */
    double lane_fill;       /* lane width / lane pitch, 0.3..0.95 */
    double uneven;          /* relative jitter of lane pitch and width, 0..0.4 */
    int n_rows;             /* 1..BQ_SIM_MAX_ROWS */
    bq_sim_row_t rows[BQ_SIM_MAX_ROWS];
    double band_skew;       /* sigma below / sigma above the band centre - 1 */
    double band_bow;        /* px: band ends curve up within a lane */

    /* dose series */
    int n_vehicle;          /* leading vehicle lanes (dose 0), >= 1 */
    double dose_min;        /* first non-zero dose */
    double dose_max;        /* upper bound: doses are half-log steps from
                               dose_min, squeezed to fit below dose_max */
    char unit[8];           /* "nM" */
    double dc50, hill, dmax;/* target fraction = (1-dmax) + dmax/(1+(d/dc50)^hill) */
    int hook;               /* degradation weakens again at the top doses */
    double hook_dc, hook_max; /* hook midpoint dose and the largest recovery
                                 (fraction of the lost signal that returns) */
    double loading_cv;      /* lane loading sd (relative); scales every row */

    /* intensity (signal domain, 16-bit units) */
    double offset;          /* membrane background */
    double peak;            /* vehicle peak height of a rel_amplitude 1 band at
                               loading 1; 0 = choose so nothing clips (or, with
                               saturate, so the strongest control bands clip) */
    int saturate;           /* drive the strongest control bands into 65535 */

    /* artefacts */
    double gradient;        /* background rise across the picture / peak */
    double smear;           /* tail below each band, relative to its peak,
                               plus a faint streak along each lane */
    int dust;               /* number of 1-4 px specks (3/4 bright, 1/4 dark) */
    double noise;           /* 1 = realistic shot + read noise, 0 = none */
    int adc_step;           /* pixel values are multiples of this (1 = any
                               16-bit value, 4 = a 12-bit camera scaled up) */
    double tilt_deg;        /* rotation of the lane grid, |tilt| <= 5 */
    double smile_px;        /* edge lanes' bands this many px higher than the
                               centre lanes' (quadratic in lane position) */
    double mw_curve;        /* bend of migration against log kDa, -0.5..0.5:
                               0 = log-linear; > 0 = the middle sizes run
                               further than the straight line between 250
                               and 10 kDa would put them (markers and sample
                               rows alike) */
    int strips;             /* 1 = whole membrane; n_rows = cut into one strip
                               per row, each shifted and tilted slightly */
    double strip_gap;       /* px between cut strips */
    int labels;             /* burn in text at full scale (doses over the
                               lanes, row names, marker weights), as exported
                               figures have; its pixels count as clipped */
    int two_channel;        /* 1 = target and control as two scans of one
                               membrane (bq_simulate_channels); needs
                               BQ_SIM_BRIGHT */
} bq_sim_params_t;

/* One lane x band row of the truth (truth.csv). Lanes are numbered 1.. left
 * to right including ladder lanes, as a detector would count them. */
typedef struct bq_sim_band {
    int lane, row;          /* 1-based; ladder lanes: row = marker index */
    char protein[BQ_SIM_NAME_MAX]; /* row name, or "ladder" */
    double dose;            /* NAN for ladder lanes */
    double x_center, x_left, x_right; /* lane extent at the band's y */
    double y_center, y_top, y_bottom; /* band extent (+-2.5 sigma, tilt and
                                         bow included) in that lane */
    double volume;          /* analytic band integral above background */
    int saturated;          /* a rendered pixel in the band box clipped (in
                               the band's own channel; markers: either) */
    int ladder;             /* 1 in a ladder lane */
} bq_sim_band_t;

typedef struct bq_sim_lane {
    int lane;               /* 1-based */
    int ladder;
    double dose;            /* 0 = vehicle; NAN for ladder lanes */
    double loading;         /* relative protein load */
    double fraction;        /* expected target remaining (1 for vehicle) */
    double x_center, width; /* at the vertical centre of the membrane */
} bq_sim_lane_t;

typedef struct bq_sim_truth {
    bq_sim_params_t params; /* the parameters after defaults were resolved
                               (peak chosen, etc.) */
    int n_lanes;            /* all lanes including ladders */
    bq_sim_lane_t *lanes;
    int n_bands;            /* sorted by lane, then row */
    bq_sim_band_t *bands;
    bq_image_t *background; /* signal-domain background without bands, noise
                               or dust (offset, gradient, smear, streaks, tray);
                               two-channel: the target channel's */
    double clip_level;      /* 65535 */
    long clipped_pixels;    /* pixels at the clip level (signal domain);
                               two-channel: both channels together */
    /* two-channel scans only (params.two_channel), else NULL / 0 */
    bq_image_t *control_background;       /* the control channel's background */
    long channel_clipped[BQ_SIM_MAX_CHANNELS]; /* by bq_sim_channel */
} bq_sim_truth_t;

/* Names of the built-in presets, NULL-terminated. */
BQ_API extern const char *const bq_sim_preset_names[];

/* Fill *p with the preset `name` ("clean", "artefacts", "geometry",
 * "saturated", "kt253", "strips", "hook", "hard"); NULL or "" = "clean".
 * The seed is set to 1. Returns 0 or BQ_ERR_INVALID for an unknown name. */
BQ_API int bq_sim_params_preset(const char *name, bq_sim_params_t *p, bq_error_t *err);

/* Check every field of p against its documented range. Returns 0 or
 * BQ_ERR_INVALID with a message naming the field. */
BQ_API int bq_sim_params_validate(const bq_sim_params_t *p, bq_error_t *err);

/* Render a blot. On success *img (in the requested polarity, 16-bit values
 * stored as floats, max_value = clip_level = 65535) and *truth belong to the
 * caller; on failure both are NULL. Either out-pointer may be NULL when the
 * caller does not want it. A two-channel p is refused (BQ_ERR_INVALID):
 * one picture cannot hold it, use bq_simulate_channels. */
BQ_API int bq_simulate(const bq_sim_params_t *p, bq_image_t **img, bq_sim_truth_t **truth,
                       bq_error_t *err);

/* Render a blot as one picture per channel: imgs[0] alone when
 * p->two_channel is 0 (the same pixels bq_simulate gives), else
 * imgs[BQ_SIM_CH_TARGET] and imgs[BQ_SIM_CH_CONTROL]. *n_imgs (may be NULL)
 * gets the count; unused slots are NULL. On success the images and *truth
 * belong to the caller; on failure all are NULL. truth may be NULL. */
BQ_API int bq_simulate_channels(const bq_sim_params_t *p,
                                bq_image_t *imgs[BQ_SIM_MAX_CHANNELS], int *n_imgs,
                                bq_sim_truth_t **truth, bq_error_t *err);

BQ_API void bq_sim_truth_free(bq_sim_truth_t *truth);

/* The expected target fraction remaining at dose (1 at dose 0), with the
 * hook if p->hook is set. */
BQ_API double bq_sim_fraction(const bq_sim_params_t *p, double dose);

/* Write the truth table (header lane,row,protein,dose,unit,x_center,x_left,
 * x_right,y_center,y_top,y_bottom,volume,saturated,ladder). */
BQ_API int bq_sim_truth_write_csv(FILE *fp, const bq_sim_truth_t *truth);
/* Write the sample sheet lane,dose,unit (sample lanes only; ladders have no
 * dose). */
BQ_API int bq_sim_samples_write_csv(FILE *fp, const bq_sim_truth_t *truth);
/* Write key,value lines describing how the blot was made (two-channel
 * file names are added only by bq_sim_write_channels, which knows them). */
BQ_API int bq_sim_params_write_csv(FILE *fp, const bq_sim_truth_t *truth);

/* Write NAME.tif plus NAME.truth.csv, NAME.samples.csv and NAME.params.csv
 * beside it (tif_path must end in .tif or .tiff). Each file is written to a
 * temporary name and renamed, so it is complete or absent. */
BQ_API int bq_sim_write_all(const char *tif_path, const bq_image_t *img,
                            const bq_sim_truth_t *truth, bq_error_t *err);

/* As bq_sim_write_all for the output of bq_simulate_channels: n_imgs 1
 * writes NAME.tif; n_imgs 2 writes NAME.target.tif and NAME.control.tif
 * instead (imgs by bq_sim_channel) and names them in NAME.params.csv. The
 * set is complete or absent. */
BQ_API int bq_sim_write_channels(const char *tif_path, bq_image_t *const imgs[], int n_imgs,
                                 const bq_sim_truth_t *truth, bq_error_t *err);

/* As bq_sim_write_channels, the pictures stored with the given compression
 * (bq_sim_write_channels: BQ_TIFF_DEFLATE). */
BQ_API int bq_sim_write_channels_as(const char *tif_path, bq_image_t *const imgs[],
                                    int n_imgs, const bq_sim_truth_t *truth,
                                    bq_tiff_compression compression, bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
