/* fit.h - (being written) */
#ifndef BLOTQUANT_FIT_H
#define BLOTQUANT_FIT_H
#endif
