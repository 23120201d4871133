/* csv.h - (being written) */
#ifndef BLOTQUANT_CSV_H
#define BLOTQUANT_CSV_H
#endif
