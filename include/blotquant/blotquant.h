/* blotquant.h - Western blot densitometry: the whole public API.
 *
 * Pipeline, one direction: image (image.h) -> lanes (lanes.h; or set by hand,
 * lanes_manual.h) -> bands (bands.h) -> background and integration
 * (quantify.h; sizes from a ladder lane, mw.h) -> normalisation
 * (normalize.h, samples.h) -> dose-response fit (fit.h) -> tables (table.h).
 *
 * Ownership, once for every function in this library:
 *   - Pointer inputs are borrowed and const unless documented otherwise; the
 *     library keeps no reference to them after the call returns.
 *   - An object returned through an out-pointer (T **out) belongs to the
 *     caller and is released with the matching bq_*_free; free(NULL)-style
 *     calls are no-ops. On failure *out is set to NULL.
 *   - Functions return 0 on success or a negative bq_err (error.h) and, when
 *     given a bq_error_t, fill it with a message naming the input at fault.
 *   - The library never prints, exits or aborts.
 */
#ifndef BLOTQUANT_H
#define BLOTQUANT_H

#define BQ_VERSION "0.1.0"

#include "bands.h"
#include "error.h"
#include "export.h"
#include "image.h"
#include "lanes.h"
#include "lanes_manual.h"
#include "membrane.h"
#include "mw.h"
#include "quantify.h"
#include "table.h"
#include "csv.h"
#include "samples.h"
#include "normalize.h"
#include "fit.h"
#include "fit_table.h"
#include "simulate.h"

#endif
