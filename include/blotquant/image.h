/* image.h - the image loader: TIFF, PNG, JPEG, Amersham .gel and Bio-Rad
 * .scn files into one float intensity plane of linear signal (JPEG: see
 * lossy below).
 *
 * The format is decided by the file's magic bytes, never by its extension.
 * Colour is reduced to one intensity channel (see bq_channel). Polarity is a separate step
 * (bq_image_detect_polarity / bq_image_invert) so the caller can override it.
 *
 * What the loaded values mean ("larger = brighter, as a viewer shows it"):
 *   - 8-bit data on 0..255, 16-bit on 0..65535, as stored; 1/2/4-bit gray is
 *     scaled to 0..255 (max_value 255); 32-bit float as stored.
 *   - MINISWHITE TIFFs store darkness; they are mirrored (v' = full - v) so
 *     the data are the brightness a viewer displays. A float MINISWHITE
 *     image is mirrored about max(1, data maximum).
 *   - Palette images map each index through the colour map, then to one
 *     channel like RGB; 16-bit TIFF colour maps are brought to 0..255.
 *   - .gel (tag 33445 = 2): value = stored^2 x scale (tag 33446).
 *   - JPEG: 8-bit on 0..255 with lossy = 1: an export (usually gamma-encoded)
 *     with compression artefacts, not linear signal. CMYK/YCCK is converted
 *     to RGB (Adobe inverted CMYK when an Adobe marker is present), then to
 *     one channel like RGB; the EXIF orientation is applied, so width and
 *     height are those of the upright picture.
 *   - .scn: counts as stored (linear signal, bands high, whatever the
 *     file's display convention); clip_level is the scanner's data ceiling
 *     when the data respect it; each channel is a page.
 *   - Alpha 0 marks a pixel invalid (valid[i] = 0, data 0); other alpha
 *     values are ignored (premultiplied TIFF colour is divided out).
 *   - max_value: the full scale (255, 65535, 65535^2 x scale for .gel; for
 *     float, the data maximum if above 1, else 1). clip_level: the full
 *     scale for integers, or a TIFF MaxSampleValue below it when the data
 *     respect it; for float, the data maximum if a plateau of pixels sits
 *     there, else +INFINITY. clip_low: 0 for integers, -INFINITY for float.
 *   - Errors: a negative bq_err and "PATH: reason". NaN/Inf in float data,
 *     or a magnitude above 1e30 (it would overflow on inversion), is
 *     BQ_ERR_CORRUPT; images over max_pixels, and files claiming far more
 *     pixel data than their size can hold (decompression bombs), are
 *     BQ_ERR_LIMIT, refused before allocating. libtiff, libpng and libjpeg
 *     messages go into the error, never to stderr; loading is safe on
 *     several threads. */
#ifndef BLOTQUANT_IMAGE_H
#define BLOTQUANT_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bq_format {
    BQ_FORMAT_UNKNOWN = 0,
    BQ_FORMAT_TIFF,
    BQ_FORMAT_PNG,
    BQ_FORMAT_GEL, /* TIFF with Molecular Dynamics square-root encoding (tag 33445 = 2) */
    BQ_FORMAT_JPEG,
    BQ_FORMAT_SCN, /* Bio-Rad Image Lab .scn (one page per channel) */
} bq_format;

/* How colour becomes one channel.
 *
 * A two-colour composite (LI-COR, fluorescence) shows each protein in its
 * own colour, and whatever is grey in it (burned-in white text, a black
 * frame, a white background) is the same in every channel, so it carries no
 * protein's signal. A channel's signal is therefore its excess over the
 * pixel's smallest channel, and the composite's combined signal the largest
 * of those excesses (max - min, the chroma): high wherever any protein is,
 * on a dark or a white background alike, and bounded by the full scale, so
 * a clipped channel still reaches the clipping level. */
typedef enum bq_channel {
    BQ_CHANNEL_AUTO = 0, /* gray as is; colour: luminance (0.299 R + 0.587 G + 0.114 B),
                            or BQ_CHANNEL_COMBINED when the channels are distinct
                            (bq_colour_distinct) */
    BQ_CHANNEL_RED,      /* the stored channel, as is */
    BQ_CHANNEL_GREEN,
    BQ_CHANNEL_BLUE,
    BQ_CHANNEL_COMBINED, /* composite: max - min over the three channels */
    BQ_CHANNEL_RED_SIGNAL,   /* composite: red - min over the three channels */
    BQ_CHANNEL_GREEN_SIGNAL,
    BQ_CHANNEL_BLUE_SIGNAL,
} bq_channel;

/* Parse "red", "green", "blue" (a composite channel's signal, the
 * BQ_CHANNEL_*_SIGNAL values) and "combined"; -1 if unknown. */
BQ_API int bq_channel_parse_signal(const char *name);
/* "red", "green", "blue", "combined", "luminance" for the matching
 * values (either kind of red is "red"). */
BQ_API const char *bq_channel_name(bq_channel channel);

typedef struct bq_load_options {
    int page;             /* 0-based page (IFD) of a multi-page TIFF, or channel
                             of a .scn; 0 = first */
    bq_channel channel;   /* colour reduction */
    uint64_t max_pixels;  /* refuse larger images; 0 = BQ_DEFAULT_MAX_PIXELS */
} bq_load_options_t;

#define BQ_DEFAULT_MAX_PIXELS 500000000ULL

/* Acquisition settings a scanner file records (Image Lab .scn); zero or
 * empty where the file does not say. Text is as stored, cut to fit. */
typedef struct bq_scan_info {
    double exposure_s;     /* exposure time in seconds */
    char binning[16];      /* e.g. "4x4" */
    char application[64];  /* the imaging application, e.g. "Chemi Hi Sensitivity" */
    char imager[64];       /* the instrument model */
    int channels;          /* channels in the file (= n_pages) */
    long data_ceiling;     /* the scanner's maximum data value */
} bq_scan_info_t;

/* How the colour channels of a colour file relate, gathered over the valid
 * pixels while loading (all zero for grey files). Sums are of the stored
 * samples on the loader's scale (see max_value). */
typedef struct bq_colour_stats {
    double n;             /* pixels counted */
    double sum[3], sum_sq[3];
    double sum_cross[3];  /* R*G, R*B, G*B */
    double chromatic[3];  /* pixels whose channels differ by over
                             BQ_CHROMATIC_FRACTION of the full scale, by
                             their largest channel */
    double full_scale;    /* the samples' full scale */
} bq_colour_stats_t;

#define BQ_CHROMATIC_FRACTION 0.15

/* 1 when a colour image's channels carry different pictures (a two-colour
 * composite), not grey stored as colour, nor a tinted photograph of a film
 * or membrane; 0 otherwise. *min_corr (may be NULL) receives the lowest
 * correlation between two channels that vary (1 when fewer than two vary). */
BQ_API int bq_colour_distinct(const bq_colour_stats_t *stats, double *min_corr);

/* One decoded image. Owned by whoever bq_image_load/bq_image_new returned it
 * to; free with bq_image_free. */
typedef struct bq_image {
    int width, height;
    float *data;          /* width*height, row-major, linear signal */
    uint8_t *valid;       /* NULL = every pixel valid; else 1 = valid, 0 = outside
                             the picture (transparent alpha); such pixels hold 0 */
    double max_value;     /* the format's full scale: 255, 65535, 1.0 for float
                             data in [0,1], stored max² × scale for .gel */
    double clip_level;    /* pixels >= clip_level (in the current polarity) are
                             saturated; set by the loader, kept valid by invert */
    double clip_low;      /* pixels <= clip_low are clipped at the dark end (e.g.
                             a chemiluminescence export saturated to black);
                             after bq_image_invert this becomes clip_level */
    int inverted;         /* 1 once bq_image_invert has been applied */
    bq_format format;
    int bits_per_sample;  /* as stored: 8, 16, 32 */
    int samples_per_pixel;/* as stored: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; palette = 1 */
    int is_float;         /* stored as IEEE float */
    int page, n_pages;    /* which page was read, how many the file has */
    double gel_scale;     /* .gel: the scale of tag 33446; 0 otherwise */
    int lossy;            /* 1 when the stored pixels went through lossy
                             compression (a JPEG file, or JPEG inside a
                             TIFF): values carry its artefacts */
    int bands_bright;     /* 1 when the format defines the stored values as
                             signal (bands high): polarity needs no guess */
    bq_scan_info_t scan;  /* .scn: what the scanner recorded */
    bq_colour_stats_t colour; /* colour files: how the channels relate */
    bq_channel channel;   /* how colour became this one channel (AUTO for grey
                             files; the reduction AUTO chose for colour ones) */
} bq_image_t;

/* Allocate a width x height image of zeros (valid = NULL, max_value = clip_level
 * = 65535). Returns NULL on overflow or out of memory. */
BQ_API bq_image_t *bq_image_new(int width, int height);

/* Release an image and everything it owns (NULL is fine). */
BQ_API void bq_image_free(bq_image_t *img);

/* Detect the format of a file from its first bytes. Returns BQ_FORMAT_UNKNOWN
 * for anything we cannot read (including unreadable files). */
BQ_API bq_format bq_image_sniff(const char *path);

/* Load path into *out (caller owns it). opts may be NULL for defaults.
 * Returns 0 or a negative bq_err; on failure *out is NULL and err names the
 * file and the problem. */
BQ_API int bq_image_load(const char *path, const bq_load_options_t *opts,
                         bq_image_t **out, bq_error_t *err);

/* Guess polarity: returns 1 if bands look dark on a light background (the
 * image should be inverted), 0 if bands are already bright (always 0 for an
 * image whose format says so, bands_bright, until it is inverted). */
BQ_API int bq_image_detect_polarity(const bq_image_t *img);

/* Invert in place to "bands bright": v -> max_value - v over valid pixels,
 * swapping clip_low/clip_level accordingly and toggling inverted. */
BQ_API void bq_image_invert(bq_image_t *img);

/* Write img as a single-page 16-bit grayscale TIFF (values rounded and clamped
 * to 0..65535), Deflate-compressed. Written to a temporary file and renamed,
 * so path is either complete or untouched. */
BQ_API int bq_image_save_tiff16(const bq_image_t *img, const char *path, bq_error_t *err);

/* How bq_image_save_tiff16_as stores the pixels. Scanner and camera exports
 * ("export for analysis") are usually uncompressed. */
typedef enum bq_tiff_compression {
    BQ_TIFF_DEFLATE = 0, /* Deflate with the horizontal predictor (the default) */
    BQ_TIFF_NONE,        /* uncompressed */
    BQ_TIFF_LZW,         /* LZW with the horizontal predictor */
} bq_tiff_compression;

/* As bq_image_save_tiff16 with the compression chosen; BQ_ERR_INVALID for a
 * value outside bq_tiff_compression. */
BQ_API int bq_image_save_tiff16_as(const bq_image_t *img, const char *path,
                                   bq_tiff_compression compression, bq_error_t *err);

/* An 8-bit RGB picture for QC overlays. */
typedef struct bq_rgb {
    int width, height;
    uint8_t *data; /* width*height*3 */
} bq_rgb_t;

/* Render img as an RGB picture with a contrast stretch (bands dark, like a
 * film), for drawing on. Caller frees with bq_rgb_free. NULL on no memory. */
BQ_API bq_rgb_t *bq_rgb_from_image(const bq_image_t *img);
BQ_API void bq_rgb_free(bq_rgb_t *rgb);
/* Draw a 1-pixel rectangle outline, clipped to the picture. */
BQ_API void bq_rgb_rect(bq_rgb_t *rgb, int x0, int y0, int x1, int y1,
                        uint8_t r, uint8_t g, uint8_t b);
/* Write rgb as an 8-bit RGB PNG (temp file + rename). */
BQ_API int bq_rgb_save_png(const bq_rgb_t *rgb, const char *path, bq_error_t *err);
/* Write rgb as a PNG to an open stream (a memory stream, say, to inline the
 * picture somewhere), the same bytes bq_rgb_save_png puts in a file: an
 * indexed-colour PNG when the picture's colours fit a palette of grays and
 * a few colours, else 8-bit RGB. 0, BQ_ERR_INVALID for no picture, or
 * BQ_ERR_IO. */
BQ_API int bq_rgb_write_png(FILE *fp, const bq_rgb_t *rgb, bq_error_t *err);
/* A copy of rgb shrunk by a whole factor so that it has at most max_pixels
 * pixels (the factor is 1, a plain copy, when it has no more already).
 * Each pixel of the copy stands for a square of the original: gray squares
 * are averaged, and a square holding a colour (an annotation of a QC
 * overlay: a lane edge, a band box) takes that colour, so thin lines stay
 * visible and the copy keeps the original's few colours. Caller frees with
 * bq_rgb_free; NULL on no memory or max_pixels < 1. */
BQ_API bq_rgb_t *bq_rgb_downscale(const bq_rgb_t *rgb, long max_pixels);

/* 1 if path is a TIFF carrying the Molecular Dynamics square-root tag
 * (33445 = 2), else 0. */
BQ_API int bq_image_tiff_is_gel(const char *path);

#ifdef __cplusplus
}
#endif
#endif
