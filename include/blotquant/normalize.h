/* normalize.h - (being written) */
#ifndef BLOTQUANT_NORMALIZE_H
#define BLOTQUANT_NORMALIZE_H
#endif
