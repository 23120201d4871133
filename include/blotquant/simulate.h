/* simulate.h - (being written) */
#ifndef BLOTQUANT_SIMULATE_H
#define BLOTQUANT_SIMULATE_H
#endif
