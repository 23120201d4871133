/* html.h - what the HTML reports share: binary data as base64 (for data:
 * URIs), the page's head and foot with its style sheet, and a table cell
 * holding a number. Every string that comes from input (file names,
 * sample-sheet fields, row names) goes through bq_xml_put_text (table.h),
 * so markup in it shows as text. */
#ifndef BLOTQUANT_HTML_H
#define BLOTQUANT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "blotquant/table.h"

/* n bytes as base64 (RFC 4648, with padding, no line breaks). */
void html_base64(FILE *fp, const void *data, size_t n);

/* A relative path as the path of a URL: bytes other than letters, digits,
 * '-', '_', '.', '~' and '/' percent-encoded, so a file name holding '#',
 * '?', '%', a space or markup still links to that file. */
void html_url_path(FILE *fp, const char *path);

/* <!DOCTYPE html> up to and including <body>: the title (escaped) and the
 * reports' inline style sheet, for screen and print. */
void html_begin(FILE *fp, const char *title);
void html_end(FILE *fp);

/* <td class="num"> with v printed as printf's fmt would ("%.4g"), or "–"
 * when v is not finite. The caller has the C locale set for numbers (the
 * atomic writer does). */
void html_num_cell(FILE *fp, const char *fmt, double v);

#endif
