/* table.h - writing tables: the band table as CSV (RFC 4180) or JSON, CSV
 * field quoting, XML text escaping, and all-or-nothing file output (file_write.c). */
#ifndef BLOTQUANT_TABLE_H
#define BLOTQUANT_TABLE_H

#include <stdio.h>

#include "bands.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bands.csv header line (no newline), column order of DESIGN.md. */
BQ_API extern const char BQ_BANDS_CSV_HEADER[];

/* Write one CSV field, quoted when it holds ',', '"', CR or LF. */
BQ_API void bq_csv_put_field(FILE *fp, const char *field);

/* Write s as a JSON string literal (quotes, escapes); NULL writes null. */
BQ_API void bq_json_put_string(FILE *fp, const char *s);

/* Write s as XML / HTML text: & < > " ' as character references, so the
 * text is safe in element content and in quoted attribute values; NULL
 * writes nothing. */
BQ_API void bq_xml_put_text(FILE *fp, const char *s);

/* Write the rows of table as bands.csv, image naming the source in the first
 * column; with header != 0 the header line first. Returns 0 or BQ_ERR_IO. */
BQ_API int bq_band_table_write_csv(FILE *fp, const bq_band_table_t *table,
                                   const char *image, int header);

/* Write table as a JSON document {"image":..., "bands":[{...}, ...]}. */
BQ_API int bq_band_table_write_json(FILE *fp, const bq_band_table_t *table,
                                    const char *image);

/* Write a file all-or-nothing: write_fn fills a temporary file beside path
 * (named path.bq-tmp.XXXXXX), which is flushed, synced and renamed over path
 * only if write_fn returned 0 and no I/O error occurred; otherwise the
 * temporary file is removed and path is untouched. The file gets the mode of
 * any newly created file (0666 less the umask; the umask is never changed),
 * also when it replaces an existing one. write_fn runs with numbers in the C
 * locale. A path that names a device or pipe is written in place. Every file
 * the library writes goes through here. Returns 0 or a negative bq_err. */
typedef int (*bq_write_fn)(FILE *fp, void *ctx);
BQ_API int bq_file_write_atomic(const char *path, bq_write_fn write_fn, void *ctx,
                                bq_error_t *err);

/* Remove the temporaries of bq_file_write_atomic (regular files named
 * *.bq-tmp.XXXXXX) from dir and the folders below it; only a killed
 * process leaves them. Only those untouched for ten minutes go, so another
 * process writing into dir keeps its files in the making; nothing else is
 * touched, and links are not followed. *removed (if not NULL) receives the
 * count. Returns 0 or a negative bq_err. */
BQ_API int bq_file_remove_stale_temps(const char *dir, int *removed, bq_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
