/* report_html.h - DIR/report.html: one self-contained page per analysis
 * (overlays inlined as PNG data: URIs, the plot as inline SVG, the style
 * inline, no script), readable on screen and printed to PDF. */
#ifndef BLOTQUANT_REPORT_HTML_H
#define BLOTQUANT_REPORT_HTML_H

#include "analyze_run.h"

/* A PNG in memory. */
typedef struct report_png {
    unsigned char *data;
    size_t size;
    int width, height;
} report_png_t;

/* One image of the analysis as the report shows it. Everything borrowed. */
typedef struct report_image {
    const char *name;              /* the tables' label for it */
    const char *path;              /* the file read, checksummed */
    const char *role;              /* "blot", "target scan", "control scan" */
    const bq_quant_result_t *res;  /* lanes, bands, polarity */
    const char *overlay_file;      /* the full-size overlay beside the report */
    const report_png_t *overlay;   /* the overlay shrunk for the page */
} report_image_t;

typedef struct report_input {
    const analyze_config_t *cfg;
    const analyze_outcome_t *out;
    const report_image_t *images;
    int n_images;
    const bq_norm_table_t *const *norms; /* one per blot; NULL without a sheet */
    int n_norms;
    bq_write_fn plot;              /* writes the dose-response SVG; NULL: no plot */
    void *plot_ctx;
} report_input_t;

/* The page from in (a report_input_t): a bq_write_fn for
 * bq_file_write_atomic, which also sets the C locale for its numbers. */
int report_html_write(FILE *fp, void *in);

/* The overlay of res: written full size to path (atomically), and into
 * *page as a PNG shrunk to at most REPORT_OVERLAY_MAX_PIXELS (the caller
 * frees page->data). One rendering and, when no shrinking is needed, one
 * PNG encoding serve both. 0 or a negative bq_err with err set. */
#define REPORT_OVERLAY_MAX_PIXELS 2000000L
int report_overlay_write(const bq_quant_result_t *res, const char *path, report_png_t *page,
                         bq_error_t *err);

#endif
