/* fit_readback.h - what a finished analysis wrote to its fit.csv, read
 * back, so a batch resumed with --resume still shows the DC50s of the gels
 * an earlier run analysed. */
#ifndef BLOTQUANT_FIT_READBACK_H
#define BLOTQUANT_FIT_READBACK_H

#include "analyze_run.h"

/* Fill out's fit fields (fitted, n_groups, groups, group_fit's status,
 * dc50 and its interval, dmax, hook; unit, target, control, and the
 * largest series' count of flagged lanes) from DIR/fit.csv. 0, or -1 when the file is
 * missing or not a fit table (out then says nothing was fitted). */
int fit_readback(const char *dir, analyze_outcome_t *out);

#endif
