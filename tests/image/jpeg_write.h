/* jpeg_write.h - writes JPEG variants with libjpeg for the tests and the
 * fuzz seeds (test_jpeg.c, gen_seeds.c): the library only reads JPEG. */
#ifndef BQ_TEST_JPEG_WRITE_H
#define BQ_TEST_JPEG_WRITE_H

#include <stdint.h>

typedef struct jw_opts {
    int components;  /* samples per pixel in pix: 1 grey, 3 RGB, 4 CMYK
                        (Adobe inverted: 255 = no ink; libjpeg writes the
                        Adobe marker for CMYK and YCCK) */
    int ycck;        /* with 4 components: store as YCCK, not plain CMYK */
    int quality;     /* 1..100 */
    int progressive;
    int arithmetic;  /* arithmetic instead of Huffman coding */
    int restart;     /* restart interval in MCU rows, 0 = none */
    int orientation; /* EXIF orientation 1..8 in an APP1 segment, 0 = none */
} jw_opts_t;

/* Write the w x h picture pix (rows of w * components bytes) to path.
 * Returns 0, or -1 when the file cannot be opened. */
int jw_write(const char *path, const uint8_t *pix, int w, int h, const jw_opts_t *o);

#endif
