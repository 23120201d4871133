/* samples.h - (being written) */
#ifndef BLOTQUANT_SAMPLES_H
#define BLOTQUANT_SAMPLES_H
#endif
