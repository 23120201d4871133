/* image_png.c - PNG files through libpng; the only file in the library that
 * includes png.h. libpng reports errors by longjmp: every function that calls
 * into it keeps what it must free in volatile locals or a struct outside the
 * setjmp frame. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include "blotquant/image.h"
#include "internal.h"

/* Where libpng's messages go instead of stderr: the first error and the
 * first warning, per png_struct. */
typedef struct png_msgs {
    char error[256];
    char warning[256];
} png_msgs_t;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_msgs_t *m = png_get_error_ptr(png);
    if (m && m->error[0] == '\0')
        snprintf(m->error, sizeof m->error, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    png_msgs_t *m = png_get_error_ptr(png);
    if (m && m->warning[0] == '\0')
        snprintf(m->warning, sizeof m->warning, "%s", msg);
}

/* ---- writer ------------------------------------------------------------- */

/* The libpng part of the writer, alone in its own frame so nothing it
 * touches after setjmp needs to be volatile. Returns 1 on success. */
static int write_png_stream(FILE *f, const bq_rgb_t *rgb, png_msgs_t *msgs)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, msgs, on_png_error,
                                              on_png_warning);
    if (!png)
        return 0;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)rgb->width, (png_uint_32)rgb->height, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < rgb->height; y++)
        png_write_row(png, rgb->data + (size_t)y * (size_t)rgb->width * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 1;
}

int bq_rgb_save_png(const bq_rgb_t *rgb, const char *path, bq_error_t *err)
{
    if (!rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0 || !path)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no picture to write",
                            path ? path : "(null)");
    char *tmp = NULL;
    int fd = bq_image_tmp_open(path, &tmp, err);
    if (fd < 0)
        return fd;
    FILE *f = fdopen(fd, "wb");
    png_msgs_t msgs = {{0}, {0}};
    int ok = 0;
    if (!f) {
        close(fd);
    } else {
        ok = write_png_stream(f, rgb, &msgs);
        if (fclose(f) != 0)
            ok = 0;
    }
    int rc = bq_image_tmp_commit(tmp, path, ok, err);
    if (!ok)
        rc = bq_error_set(err, BQ_ERR_IO, "%s: cannot write PNG: %s", path,
                          msgs.error[0] ? msgs.error : strerror(errno));
    free(tmp);
    return rc;
}

/* ---- reader (being written) ------------------------------------------- */

int bq_image_load_png(const char *path, const bq_load_options_t *opts,
                      bq_image_t **out, bq_error_t *err)
{
    *out = NULL;
    return bq_error_set(err, BQ_ERR_FORMAT, "%s: PNG reading not written yet", path);
}
