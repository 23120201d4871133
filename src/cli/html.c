/* html.c - escaping, base64 and the page frame of the HTML reports. */
#include <math.h>
#include <string.h>

#include "html.h"

void html_base64(FILE *fp, const void *data, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        fputc(digits[v >> 18 & 63], fp);
        fputc(digits[v >> 12 & 63], fp);
        fputc(i + 1 < n ? digits[v >> 6 & 63] : '=', fp);
        fputc(i + 2 < n ? digits[v & 63] : '=', fp);
    }
}

void html_url_path(FILE *fp, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; p && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~/", *p))
            fputc(*p, fp);
        else
            fprintf(fp, "%%%02X", *p);
    }
}

/* One style sheet for every report: tables that fit a printed page, flags
 * in colours that print, figures kept whole across page breaks. */
static const char style[] =
    "body{font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#111;"
    "max-width:1100px;margin:1.5em auto;padding:0 1em}\n"
    "h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #bbb;"
    "margin-top:1.8em}h3{font-size:1.05em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em}\n"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code,.mono{font-family:Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}\n"
    "tr.saturated td{background:#f8c9c9}tr.weak td{background:#fff1b3}\n"
    "tr.excluded td{background:#f8c9c9}tr.kept td{background:#fff1b3}\n"
    "tr.failed td{background:#f8c9c9}\n"
    "table.uncertain{outline:3px solid #e67e00}\n"
    ".warnings li{margin:.2em 0}.warn{color:#a40000}.ok{color:#176117}\n"
    ".dc50{font-size:1.2em;font-weight:bold}\n"
    "figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figure img,figure svg{max-width:100%;height:auto;border:1px solid #ccc}\n"
    "figcaption{font-size:.9em;color:#444}\n"
    "@media print{body{max-width:none;margin:0;font-size:11px}"
    "h2{break-after:avoid;page-break-after:avoid}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}\n";

void html_begin(FILE *fp, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          /* nothing but this page's own style and data: images */
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "img-src data:; style-src 'unsafe-inline'\">\n"
          "<title>",
          fp);
    bq_xml_put_text(fp, title);
    fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

void html_end(FILE *fp)
{
    fputs("</body>\n</html>\n", fp);
}

void html_num_cell(FILE *fp, const char *fmt, double v)
{
    fputs("<td class=\"num\">", fp);
    if (isfinite(v))
        fprintf(fp, fmt, v);
    else
        fputs("\xE2\x80\x93", fp);
    fputs("</td>", fp);
}
