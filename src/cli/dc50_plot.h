/* dc50_plot.h - the batch index's summary plot: every gel's DC50 with its
 * confidence interval on one log dose axis, a row each, grouped and
 * coloured by compound (the sample sheet's group). */
#ifndef BLOTQUANT_DC50_PLOT_H
#define BLOTQUANT_DC50_PLOT_H

#include <stdio.h>

typedef struct dc50_row {
    const char *label;   /* the gel */
    const char *group;   /* its series ("" = none) */
    double dc50, low, high; /* nM; low/high NaN when open */
} dc50_row_t;

/* Rows shown at most; the plot says when there were more. */
#define DC50_PLOT_MAX_ROWS 200

/* An inline SVG (no XML declaration) of the n rows, sorted by group (in
 * order of first appearance) and kept in order within a group. Labels are
 * escaped. Numbers need the C locale (the atomic writer sets it). */
void dc50_plot_svg(FILE *fp, const dc50_row_t *rows, int n);

#endif
