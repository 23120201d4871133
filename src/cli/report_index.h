/* report_index.h - OUTDIR/index.html of a batch: a row per gel (status,
 * DC50s, flags, a link to the gel's report.html), the failed gels with
 * their reasons, and a plot of every DC50 by compound. One file, nothing
 * fetched, no script. */
#ifndef BLOTQUANT_REPORT_INDEX_H
#define BLOTQUANT_REPORT_INDEX_H

#include "analyze_run.h"

/* One gel as the index shows it. Everything borrowed. */
typedef struct index_gel {
    const char *name;                 /* path relative to the batch folder */
    const char *dir;                  /* its output folder, relative to the index */
    const analyze_outcome_t *outcome; /* resumed: what its fit.csv says */
    int ok;                           /* analysed (or resumed) without failure */
    int resumed;                      /* done by an earlier run (--resume) */
} index_gel_t;

typedef struct index_input {
    const index_gel_t *gels;
    size_t n;
    const char *folder;               /* the batch's input folder */
    const char *command_line;
} index_input_t;

/* The page from in (an index_input_t): a bq_write_fn for
 * bq_file_write_atomic. */
int report_index_write(FILE *fp, void *in);

#endif
