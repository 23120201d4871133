/* jpeg_write.c - see jpeg_write.h. libjpeg's default error handler (print
 * and exit) is right for a test writer: a failure here is a broken test. */
#include "jpeg_write.h"

#include <stdio.h>

#include <jpeglib.h>

/* An APP1 Exif segment holding only IFD0 with the orientation tag, written
 * big-endian ("MM") as many cameras do. */
static void write_exif(j_compress_ptr c, int orientation)
{
    static const JOCTET head[] = {
        'E', 'x', 'i', 'f', 0, 0,           /* Exif identifier */
        'M', 'M', 0, 42, 0, 0, 0, 8,        /* TIFF header, IFD0 at 8 */
        0, 1,                               /* one entry */
        0x01, 0x12, 0, 3, 0, 0, 0, 1,       /* tag 0x0112, SHORT, count 1 */
    };
    JOCTET seg[sizeof head + 8] = {0};
    for (size_t i = 0; i < sizeof head; i++)
        seg[i] = head[i];
    seg[sizeof head + 1] = (JOCTET)orientation; /* value, then next IFD = 0 */
    jpeg_write_marker(c, JPEG_APP0 + 1, seg, (unsigned)sizeof seg);
}

int jw_write(const char *path, const uint8_t *pix, int w, int h, const jw_opts_t *o)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = o->components;
    c.in_color_space = o->components == 1 ? JCS_GRAYSCALE
                       : o->components == 3 ? JCS_RGB
                                            : JCS_CMYK;
    jpeg_set_defaults(&c);
    if (o->components == 4)
        jpeg_set_colorspace(&c, o->ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&c, o->quality, TRUE);
    if (o->progressive)
        jpeg_simple_progression(&c);
    c.arith_code = o->arithmetic ? TRUE : FALSE;
    c.restart_in_rows = o->restart;
    jpeg_start_compress(&c, TRUE);
    if (o->orientation)
        write_exif(&c, o->orientation);
    size_t stride = (size_t)w * (size_t)o->components;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(pix + c.next_scanline * stride);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return fclose(f) == 0 ? 0 : -1;
}
