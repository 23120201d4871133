/* samples.c - sample sheets: lane -> dose, in one consistent unit. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/samples.h"
#include "internal.h"

static const struct {
    const char *name;
    bq_unit unit;
} unit_names[] = {
    {"pM", BQ_UNIT_PM},
    {"nM", BQ_UNIT_NM},
    {"uM", BQ_UNIT_UM},
    {"\xC2\xB5M", BQ_UNIT_UM}, /* U+00B5 MICRO SIGN */
    {"\xCE\xBCM", BQ_UNIT_UM}, /* U+03BC GREEK SMALL LETTER MU */
    {"mM", BQ_UNIT_MM},
    {"M", BQ_UNIT_M},
};

/* s without its surrounding blanks: the start, and the length in *len. */
static const char *trimmed(const char *s, size_t *len)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/* Copy s without surrounding blanks into buf (truncating). */
static void trim_copy(char *buf, size_t size, const char *s)
{
    size_t len;
    s = trimmed(s, &len);
    if (len >= size)
        len = size - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* Does s, without its surrounding blanks, fit a buffer of size bytes? */
static int fits_trimmed(const char *s, size_t size)
{
    size_t len;
    trimmed(s, &len);
    return len < size;
}

int bq_unit_parse(const char *s)
{
    if (!s)
        return -1;
    char buf[16];
    trim_copy(buf, sizeof buf, s);
    for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++)
        if (strcmp(buf, unit_names[k].name) == 0)
            return (int)unit_names[k].unit;
    return -1;
}

const char *bq_unit_name(bq_unit unit)
{
    switch (unit) {
    case BQ_UNIT_PM: return "pM";
    case BQ_UNIT_NM: return "nM";
    case BQ_UNIT_UM: return "uM";
    case BQ_UNIT_MM: return "mM";
    case BQ_UNIT_M: return "M";
    }
    return "?";
}

double bq_unit_nm(bq_unit unit)
{
    switch (unit) {
    case BQ_UNIT_PM: return 1e-3;
    case BQ_UNIT_NM: return 1.0;
    case BQ_UNIT_UM: return 1e3;
    case BQ_UNIT_MM: return 1e6;
    case BQ_UNIT_M: return 1e9;
    }
    return NAN;
}

double bq_unit_convert(double value, bq_unit from, bq_unit to)
{
    if (from == to)
        return value;
    return value * bq_unit_nm(from) / bq_unit_nm(to);
}

/* Strict number: the whole (trimmed) field, finite. */
static int parse_number(const char *s, double *out)
{
    char buf[128];
    trim_copy(buf, sizeof buf, s);
    if (!buf[0] || strlen(s) >= sizeof buf)
        return -1;
    char *end;
    errno = 0;
    double v = bq_strtod(buf, &end);
    if (errno == ERANGE && fabs(v) > 1.0)
        return -1;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char buf[64];
    trim_copy(buf, sizeof buf, s);
    if (!buf[0] || strlen(s) >= sizeof buf)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The file name of path without directories and without its last extension. */
static void image_key(char *buf, size_t size, const char *path)
{
    char tmp[BQ_SAMPLE_IMAGE_MAX];
    trim_copy(tmp, sizeof tmp, path);
    const char *base = tmp;
    for (const char *p = tmp; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    snprintf(buf, size, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
}

/* Order rows by (lane, image), then by line. */
static int cmp_sample_key(const void *pa, const void *pb)
{
    const bq_sample_t *a = *(const bq_sample_t *const *)pa, *b = *(const bq_sample_t *const *)pb;
    if (a->lane != b->lane)
        return a->lane < b->lane ? -1 : 1;
    int c = strcmp(a->image, b->image);
    if (c != 0)
        return c;
    return (a->line > b->line) - (a->line < b->line);
}

/* A lane given twice for one image makes its dose ambiguous. Sorting the
 * rows finds repeats in O(n log n) (comparing each row with every earlier
 * one is quadratic: minutes on a hostile 10^5-row sheet). The error names the first
 * repeat in file order and the line it repeats, as a top-down scan would. */
static int check_repeats(const bq_sample_sheet_t *sh, const char *name, bq_error_t *err)
{
    if (sh->n < 2)
        return 0;
    const bq_sample_t **by = bq_alloc_array((size_t)sh->n, sizeof *by);
    if (!by)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
    for (int k = 0; k < sh->n; k++)
        by[k] = &sh->samples[k];
    qsort(by, (size_t)sh->n, sizeof *by, cmp_sample_key);
    const bq_sample_t *rep = NULL, *orig = NULL;
    for (int k = 1, g = 0; k < sh->n; k++) {
        if (by[k]->lane != by[g]->lane || strcmp(by[k]->image, by[g]->image) != 0) {
            g = k;
            continue;
        }
        /* the second row of a group is that group's first repeat */
        if (k == g + 1 && (!rep || by[k]->line < rep->line)) {
            rep = by[k];
            orig = by[g];
        }
    }
    free(by);
    if (!rep)
        return 0;
    if (rep->image[0])
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s:%d: lane %d of image '%s' is already given on line %d", name,
                            rep->line, rep->lane, rep->image, orig->line);
    return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: lane %d is already given on line %d", name,
                        rep->line, rep->lane, orig->line);
}

/* The sheet's columns; -1 for an optional one it lacks. */
typedef struct sheet_cols {
    int lane, dose, unit, image, rep, group;
} sheet_cols_t;

/* A row's lane number and dose. */
static int parse_lane_dose(const char *name, int line, const char *lane, const char *dose,
                           bq_sample_t *s, bq_error_t *err)
{
    long lv;
    char tmp[64];
    trim_copy(tmp, sizeof tmp, lane);
    if (!tmp[0])
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: lane is missing", name, line);
    if (parse_int(lane, 1, 100000, &lv) != 0)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s:%d: lane '%.40s' is not a lane number (1, 2, ...)", name, line,
                            lane);
    s->lane = (int)lv;
    trim_copy(tmp, sizeof tmp, dose);
    if (!tmp[0])
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: dose is missing for lane %d", name,
                            line, s->lane);
    if (parse_number(dose, &s->dose) != 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: dose '%.40s' is not a number", name,
                            line, dose);
    if (s->dose < 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: dose %g is negative", name, line,
                            s->dose);
    return 0;
}

/* A row's unit and its dose in nM. The first real dose decides how the
 * sheet's doses are shown (sh->unit, set once: *have_unit); a vehicle
 * without a unit gets the sheet's unit later. */
static int parse_unit(const char *name, int line, const char *unit, bq_sample_t *s,
                      bq_sample_sheet_t *sh, int *have_unit, bq_error_t *err)
{
    char ubuf[32];
    trim_copy(ubuf, sizeof ubuf, unit);
    int u = bq_unit_parse(ubuf);
    if (ubuf[0] && u < 0)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s:%d: unknown unit '%.20s' (use pM, nM, uM, mM or M)", name, line,
                            ubuf);
    if (!ubuf[0] && s->dose != 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: dose %g has no unit", name, line,
                            s->dose);
    if (u >= 0) {
        s->unit = (bq_unit)u;
        if (!*have_unit && s->dose > 0) {
            *have_unit = 1;
            sh->unit = s->unit;
            snprintf(sh->unit_label, sizeof sh->unit_label, "%s", ubuf);
        }
    } else {
        s->unit = (bq_unit)-1;
    }
    s->dose_nm = u >= 0 ? s->dose * bq_unit_nm(s->unit) : 0.0;
    return 0;
}

/* A row's image, group and replicate, where the sheet has them. Names are
 * compared whole: one cut to fit would silently stop matching its image,
 * or merge two groups. */
static int parse_labels(const bq_csv_t *csv, int r, const sheet_cols_t *c, const char *name,
                        int line, bq_sample_t *s, bq_error_t *err)
{
    if (c->image >= 0 && !fits_trimmed(bq_csv_cell(csv, r, c->image), sizeof s->image))
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: image name longer than %d characters",
                            name, line, (int)sizeof s->image - 1);
    if (c->group >= 0 && !fits_trimmed(bq_csv_cell(csv, r, c->group), sizeof s->group))
        return bq_error_set(err, BQ_ERR_INVALID, "%s:%d: group name longer than %d characters",
                            name, line, (int)sizeof s->group - 1);
    if (c->image >= 0)
        trim_copy(s->image, sizeof s->image, bq_csv_cell(csv, r, c->image));
    if (c->group >= 0)
        trim_copy(s->group, sizeof s->group, bq_csv_cell(csv, r, c->group));
    if (c->rep >= 0) {
        const char *rep = bq_csv_cell(csv, r, c->rep);
        char tmp[64];
        long lv = 0;
        trim_copy(tmp, sizeof tmp, rep);
        if (tmp[0] && parse_int(rep, 1, 1000000, &lv) != 0)
            return bq_error_set(err, BQ_ERR_INVALID,
                                "%s:%d: replicate '%.40s' is not a positive integer", name, line,
                                rep);
        s->replicate = tmp[0] ? (int)lv : 0;
    }
    return 0;
}

/* Every row of csv into sh. */
static int parse_rows(const bq_csv_t *csv, const sheet_cols_t *c, const char *name,
                      bq_sample_sheet_t *sh, int *have_unit, bq_error_t *err)
{
    for (int r = 0; r < csv->n_rows; r++) {
        bq_sample_t *s = &sh->samples[sh->n];
        int line = bq_csv_line(csv, r);
        s->line = line;
        int rc = parse_lane_dose(name, line, bq_csv_cell(csv, r, c->lane),
                                 bq_csv_cell(csv, r, c->dose), s, err);
        if (rc == 0)
            rc = parse_unit(name, line, bq_csv_cell(csv, r, c->unit), s, sh, have_unit, err);
        if (rc == 0)
            rc = parse_labels(csv, r, c, name, line, s, err);
        if (rc != 0)
            return rc;
        sh->n++;
    }
    return 0;
}

int bq_samples_from_csv(const bq_csv_t *csv, bq_sample_sheet_t **out, bq_error_t *err)
{
    *out = NULL;
    const char *name = csv->name ? csv->name : "<sheet>";
    sheet_cols_t c = {bq_csv_column(csv, "lane"),  bq_csv_column(csv, "dose"),
                      bq_csv_column(csv, "unit"),  bq_csv_column(csv, "image"),
                      bq_csv_column(csv, "replicate"), bq_csv_column(csv, "group")};
    const char *missing = c.lane < 0 ? "lane" : c.dose < 0 ? "dose" : c.unit < 0 ? "unit" : NULL;
    if (missing)
        return bq_error_set(err, BQ_ERR_INVALID,
                            "%s:1: no '%s' column (a sample sheet needs lane,dose,unit)", name,
                            missing);
    if (csv->n_rows == 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no samples (only a header)", name);

    bq_sample_sheet_t *sh = calloc(1, sizeof *sh);
    if (!sh)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
    sh->samples = bq_calloc_array((size_t)csv->n_rows, sizeof *sh->samples);
    sh->path = strdup(name);
    if (!sh->samples || !sh->path) {
        bq_samples_free(sh);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", name);
    }
    int have_unit = 0;
    int rc = parse_rows(csv, &c, name, sh, &have_unit, err);
    if (rc == 0)
        rc = check_repeats(sh, name, err);
    if (rc != 0) {
        bq_samples_free(sh);
        return rc;
    }
    if (!have_unit) {
        sh->unit = BQ_UNIT_NM;
        snprintf(sh->unit_label, sizeof sh->unit_label, "nM");
    }
    for (int k = 0; k < sh->n; k++)
        if ((int)sh->samples[k].unit < 0)
            sh->samples[k].unit = sh->unit;
    *out = sh;
    return 0;
}

int bq_samples_read(const char *path, bq_sample_sheet_t **out, bq_error_t *err)
{
    *out = NULL;
    bq_csv_t *csv;
    int rc = bq_csv_read_file(path, NULL, &csv, err);
    if (rc != 0)
        return rc;
    rc = bq_samples_from_csv(csv, out, err);
    bq_csv_free(csv);
    return rc;
}

void bq_samples_free(bq_sample_sheet_t *sheet)
{
    if (!sheet)
        return;
    free(sheet->path);
    free(sheet->samples);
    free(sheet);
}

const bq_sample_t *bq_samples_find(const bq_sample_sheet_t *sheet, const char *image, int lane)
{
    if (!sheet)
        return NULL;
    char want[BQ_SAMPLE_IMAGE_MAX] = "";
    if (image)
        image_key(want, sizeof want, image);
    const bq_sample_t *generic = NULL;
    for (int k = 0; k < sheet->n; k++) {
        const bq_sample_t *s = &sheet->samples[k];
        if (s->lane != lane)
            continue;
        if (!s->image[0]) {
            if (!generic)
                generic = s;
            continue;
        }
        char have[BQ_SAMPLE_IMAGE_MAX];
        image_key(have, sizeof have, s->image);
        if (want[0] && strcmp(have, want) == 0)
            return s;
    }
    return generic;
}

double bq_samples_display_dose(const bq_sample_sheet_t *sheet, const bq_sample_t *s)
{
    if (s->unit == sheet->unit)
        return s->dose; /* no round trip through nM: 0.3 stays 0.3 */
    return s->dose_nm / bq_unit_nm(sheet->unit);
}
