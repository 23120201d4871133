/* membrane.h - the membrane mask: the parts of a picture that are page
 * (paper, a surround, printed labels on them) and give no band evidence. */
#ifndef BLOTQUANT_MEMBRANE_H
#define BLOTQUANT_MEMBRANE_H

#include "export.h"
#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bq_membrane_info {
    int page_found;         /* the border is mostly one level (or plane) with membrane on it */
    double page_level;      /* that level, at the picture's centre (NAN when not found) */
    int blocks;             /* membrane blocks kept (0: nothing masked) */
    int pixels_masked;      /* pixels made invalid as page */
    int rule_rows;          /* rows made invalid as frame lines or page gaps */
} bq_membrane_info_t;

/* Find the page around the membrane and make it invalid (pixels 0, a
 * validity mask allocated when the image has none): the border's level
 * marks the page; each large solid block off the page (spanning a quarter
 * of the width or more) is membrane and keeps its bounding rectangle;
 * labels, numbers and handwriting on the page go with it. Inside what is
 * left, thin runs of uniform rows that stand apart from the rows beside
 * them (frame lines, the page gap between stacked strips) are made invalid
 * too, which separates the strips; in a picture with no page at its
 * border only such rules are. info may be NULL. 0 on success,
 * BQ_ERR_NOMEM. */
BQ_API int bq_membrane_mask(bq_image_t *img, bq_membrane_info_t *info);

#ifdef __cplusplus
}
#endif
#endif
