/* cli_common.c - messages and strict argument parsing for every subcommand. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int bq_cli_quiet = 0;

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("blotquant: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_info(const char *fmt, ...)
{
    if (bq_cli_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("blotquant: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn_lossy(const char *path)
{
    cli_error("%s: warning: JPEG is lossy: these are compressed 8-bit values, usually "
              "gamma-encoded for display, not linear signal; band volumes are approximate, "
              "and saturation is judged only from what the data show (pixels at 0 or 255); "
              "quantify the imager's original TIFF when you have it",
              path);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "blotquant %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'blotquant %s --help'.\n", cmd);
    va_end(ap);
    return BQ_EXIT_USAGE;
}

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end); /* '.' decimal: the command runs in the C locale */
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_split_list(const char *s, char ***out)
{
    size_t len = strlen(s);
    int n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    /* one block: the pointer array, then a copy of the string */
    char **arr = malloc((size_t)(n + 1) * sizeof *arr + len + 1);
    if (!arr)
        return -1;
    char *copy = (char *)(arr + n + 1);
    memcpy(copy, s, len + 1);
    int k = 0;
    char *p = copy;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p == '\0') {
            free(arr);
            return -1;
        }
        arr[k++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    arr[k] = NULL;
    *out = arr;
    return k;
}

int cli_parse_roi(const char *s, bq_roi_t *roi)
{
    char **parts;
    int n = cli_split_list(s, &parts);
    if (n != 4) {
        if (n > 0)
            free(parts);
        return -1;
    }
    long v[4];
    int ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= cli_parse_long(parts[i], i < 2 ? 0 : 1, 1L << 30, &v[i]) == 0;
    free(parts);
    if (!ok)
        return -1;
    roi->x = (int)v[0];
    roi->y = (int)v[1];
    roi->w = (int)v[2];
    roi->h = (int)v[3];
    return 0;
}

int cli_ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
