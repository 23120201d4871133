/* test_jpeg.c - the JPEG loader against files written here with libjpeg:
 * a simulated blot as baseline grey, baseline RGB, progressive, CMYK and
 * YCCK (Adobe markers), arithmetic-coded with restart markers, and rotated
 * with an EXIF orientation; every one must give the lanes quant finds on
 * the 16-bit TIFF of the same blot (centres within 1 px). The 8 EXIF
 * orientations on a block pattern; damaged files (truncated, huge declared
 * size, bomb, corrupt entropy data, not a JPEG) fail cleanly, fast and with
 * the path in the message; quant and analyze warn once that JPEG is lossy.
 *
 * usage: test_jpeg OUTDIR BLOTQUANT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blotquant/blotquant.h"
#include "check.h"
#include "test_paths.h"
#include "jpeg_write.h"

static const char *outdir;

static const char *path_of(const char *name)
{
    return test_path(outdir, name);
}

/* ---- the blot ----------------------------------------------------------- */

enum { BW = 360, BH = 240 };

typedef struct lanes_found {
    int n;
    double centre[64];
} lanes_found_t;

/* Lane centres of the band table quant writes for path, as
 * eval/real_blots measures them: a lane's centre is the mean centre of its
 * band boxes (n = -1 when quant fails). */
static lanes_found_t quant_lanes(const char *path)
{
    lanes_found_t f = {-1, {0}};
    bq_quant_result_t *res = NULL;
    bq_error_t err = {0};
    if (bq_quant_file(path, NULL, &res, &err) != 0) {
        fprintf(stderr, "quant %s: %s\n", path, err.msg);
        return f;
    }
    int count[64] = {0};
    f.n = 0;
    for (int i = 0; i < res->table->n_bands; i++) {
        const bq_band_t *b = &res->table->bands[i];
        if (b->lane < 1 || b->lane > 64)
            continue;
        f.centre[b->lane - 1] += 0.5 * (b->x_left + b->x_right);
        count[b->lane - 1]++;
        if (b->lane > f.n)
            f.n = b->lane;
    }
    for (int i = 0; i < f.n; i++)
        f.centre[i] = count[i] ? f.centre[i] / count[i] : NAN;
    bq_quant_result_free(res);
    return f;
}

static void check_same_lanes(const lanes_found_t *ref, const char *name)
{
    lanes_found_t got = quant_lanes(path_of(name));
    CHECK(got.n == ref->n, "%s: %d lanes, the TIFF has %d", name, got.n, ref->n);
    for (int i = 0; i < got.n && i < ref->n; i++)
        CHECK(fabs(got.centre[i] - ref->centre[i]) <= 1.0,
              "%s: lane %d centre %.2f, the TIFF's %.2f", name, i + 1, got.centre[i],
              ref->centre[i]);
}

/* The blot as 8-bit samples, each grey value repeated n times per pixel
 * (CMYK: 255 255 255 g, Adobe-inverted ink that is the same grey). Rows of
 * the stored picture; rotated 90 degrees counter-clockwise when ccw (the
 * picture an EXIF orientation 6 turns upright). */
static uint8_t *blot_samples(const bq_image_t *img, int n, int ccw)
{
    uint8_t *p = malloc((size_t)BW * BH * (size_t)n);
    for (int y = 0; y < BH; y++)
        for (int x = 0; x < BW; x++) {
            double v = img->data[(size_t)y * BW + x] * 255.0 / 65535.0;
            uint8_t g = (uint8_t)lrint(v < 0 ? 0 : v > 255 ? 255 : v);
            /* stored (sx, sy) in a BH x BW picture: upright (x, y) rotated ccw */
            size_t i = ccw ? (size_t)(BW - 1 - x) * BH + (size_t)y : (size_t)y * BW + x;
            for (int s = 0; s < n; s++)
                p[i * (size_t)n + (size_t)s] = n == 4 && s < 3 ? 255 : g;
        }
    return p;
}

static void check_loaded(const char *name, int w, int h, int spp)
{
    bq_image_t *img = NULL;
    bq_error_t err = {0};
    int rc = bq_image_load(path_of(name), NULL, &img, &err);
    CHECK(rc == 0, "%s: %s", name, err.msg);
    if (rc != 0)
        return;
    CHECK(img->width == w && img->height == h, "%s: %dx%d, want %dx%d", name, img->width,
          img->height, w, h);
    CHECK(img->format == BQ_FORMAT_JPEG && img->lossy == 1 && img->bits_per_sample == 8 &&
              img->samples_per_pixel == spp && img->max_value == 255.0,
          "%s: format %d lossy %d bits %d spp %d max %g", name, img->format, img->lossy,
          img->bits_per_sample, img->samples_per_pixel, img->max_value);
    bq_image_free(img);
}

typedef struct variant {
    const char *name;
    int components, ccw, spp;
    jw_opts_t o;
} variant_t;

static void test_blot(void)
{
    bq_sim_params_t p;
    bq_error_t err = {0};
    CHECK(bq_sim_params_preset("clean", &p, &err) == 0, "clean preset: %s", err.msg);
    p.seed = 11;
    p.width = BW;
    p.height = BH;
    p.n_lanes = 8;
    p.polarity = BQ_SIM_DARK; /* as most JPEG exports show a blot */
    bq_image_t *img = NULL;
    CHECK(bq_simulate(&p, &img, NULL, &err) == 0, "simulate: %s", err.msg);
    if (!img)
        return;
    CHECK(bq_image_save_tiff16(img, path_of("blot16.tif"), &err) == 0, "tiff: %s", err.msg);
    lanes_found_t ref = quant_lanes(path_of("blot16.tif"));
    CHECK(ref.n == 8, "the TIFF has %d lanes, want 8", ref.n);

    static const variant_t vs[] = {
        {"baseline_grey.jpg", 1, 0, 1, {.components = 1, .quality = 85}},
        {"baseline_rgb.jpg", 3, 0, 3, {.components = 3, .quality = 85}},
        {"progressive.jpg", 3, 0, 3, {.components = 3, .quality = 85, .progressive = 1}},
        {"cmyk_adobe.jpg", 4, 0, 4, {.components = 4, .quality = 90}},
        {"ycck_adobe.jpg", 4, 0, 4, {.components = 4, .quality = 90, .ycck = 1}},
        {"arith_restart.jpg", 1, 0, 1, {.components = 1, .quality = 85, .arithmetic = 1,
                                         .restart = 2}},
        {"exif_orient6.jpg", 1, 1, 1, {.components = 1, .quality = 85, .orientation = 6}},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        const variant_t *v = &vs[i];
        uint8_t *pix = blot_samples(img, v->components, v->ccw);
        int rc = jw_write(path_of(v->name), pix, v->ccw ? BH : BW, v->ccw ? BW : BH, &v->o);
        free(pix);
        CHECK(rc == 0, "%s: cannot write", v->name);
        check_loaded(v->name, BW, BH, v->spp);
        check_same_lanes(&ref, v->name);
    }
    bq_image_free(img);
}

/* ---- orientations -------------------------------------------------------- */

enum { OW = 32, OH = 16 }; /* 4 x 2 blocks of 8 x 8: lossless enough at q100 */

static int block_value(int x, int y)
{
    return 30 + 50 * (x / 8) + 25 * (y / 8);
}

/* Where stored pixel (x, y) shows, from the EXIF definitions of what the
 * stored 0th row and 0th column are (TIFF 6.0, Orientation). */
static void shown_at(int o, int x, int y, int *dx, int *dy)
{
    static const char *row0 = "TTBBLRRL", *col0 = "LRRLTTBB";
    char r = row0[o - 1], c = col0[o - 1];
    if (o <= 4) {
        *dy = r == 'T' ? y : OH - 1 - y;
        *dx = c == 'L' ? x : OW - 1 - x;
    } else {
        *dx = r == 'L' ? y : OH - 1 - y;
        *dy = c == 'T' ? x : OW - 1 - x;
    }
}

static void test_orientations(void)
{
    uint8_t pix[OW * OH];
    for (int y = 0; y < OH; y++)
        for (int x = 0; x < OW; x++)
            pix[y * OW + x] = (uint8_t)block_value(x, y);
    for (int o = 1; o <= 8; o++) {
        char name[32];
        snprintf(name, sizeof name, "orient%d.jpg", o);
        jw_opts_t opts = {.components = 1, .quality = 100, .orientation = o};
        CHECK(jw_write(path_of(name), pix, OW, OH, &opts) == 0, "%s: cannot write", name);
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        if (bq_image_load(path_of(name), NULL, &img, &err) != 0) {
            CHECK(0, "%s: %s", name, err.msg);
            continue;
        }
        int sw = o >= 5 ? OH : OW, sh = o >= 5 ? OW : OH;
        CHECK(img->width == sw && img->height == sh, "%s: %dx%d", name, img->width,
              img->height);
        int bad = 0;
        for (int y = 0; y < OH && img->width == sw; y++)
            for (int x = 0; x < OW; x++) {
                int dx, dy;
                shown_at(o, x, y, &dx, &dy);
                bad += fabsf(img->data[dy * sw + dx] - (float)block_value(x, y)) > 4.0f;
            }
        CHECK(bad == 0, "%s: %d pixels not where orientation %d puts them", name, bad, o);
        bq_image_free(img);
    }
}

/* ---- damaged files ------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static void spit(const char *name, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    if (f) {
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

/* Offset of the first marker m (0xFFm) after SOI, or 0. */
static size_t find_marker(const unsigned char *b, size_t n, unsigned char m)
{
    for (size_t i = 2; i + 1 < n; i++)
        if (b[i] == 0xFF && b[i + 1] == m)
            return i;
    return 0;
}

/* name must fail with code want (0: any error), fast, naming its path. */
static void check_refused(const char *name, int want)
{
    bq_image_t *img = (bq_image_t *)&img;
    bq_error_t err = {0};
    clock_t t0 = clock();
    int rc = bq_image_load(path_of(name), NULL, &img, &err);
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(rc < 0 && img == NULL, "%s: rc %d, image %p", name, rc, (void *)img);
    CHECK(want == 0 || rc == want, "%s: rc %d, want %d (%s)", name, rc, want, err.msg);
    CHECK(strstr(err.msg, path_of(name)) != NULL, "%s: message '%s' names no file", name,
          err.msg);
    CHECK(s < 2.0, "%s: %.2f s to refuse", name, s);
}

static void patch16(unsigned char *b, size_t at, unsigned v)
{
    b[at] = (unsigned char)(v >> 8);
    b[at + 1] = (unsigned char)v;
}

static void test_damaged(void)
{
    size_t n;
    unsigned char *b = slurp(path_of("baseline_grey.jpg"), &n);
    CHECK(b != NULL && n > 1000, "baseline_grey.jpg to damage");
    if (!b)
        return;
    size_t sof = find_marker(b, n, 0xC0), sos = find_marker(b, n, 0xDA);
    CHECK(sof > 0 && sos > sof, "SOF0 at %zu, SOS at %zu", sof, sos);
    static const double cuts[] = {0.002, 0.05, 0.3, 0.6, 0.98};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char name[40];
        snprintf(name, sizeof name, "truncated_%zu.jpg", i);
        spit(name, b, (size_t)(cuts[i] * (double)n) + 3);
        check_refused(name, 0);
    }
    spit("no_eoi.jpg", b, n - 2); /* every row there, the end marker cut off */
    check_refused("no_eoi.jpg", BQ_ERR_CORRUPT);
    /* SOF0: FF C0, length(2), precision(1), height(2), width(2) */
    unsigned char *huge = malloc(n);
    memcpy(huge, b, n);
    patch16(huge, sof + 5, 65500);
    patch16(huge, sof + 7, 65500);
    spit("huge_65500.jpg", huge, n);
    check_refused("huge_65500.jpg", BQ_ERR_LIMIT);
    /* 20000 x 20000 passes the pixel limit, not what a small file can hold */
    patch16(huge, sof + 5, 20000);
    patch16(huge, sof + 7, 20000);
    spit("bomb_20000.jpg", huge, n);
    check_refused("bomb_20000.jpg", BQ_ERR_LIMIT);
    memcpy(huge, b, n);
    for (size_t i = sos + 40; i < n - 2; i += 97)
        huge[i] ^= 0x5A; /* entropy-coded data hit all through */
    spit("corrupt_huffman.jpg", huge, n);
    check_refused("corrupt_huffman.jpg", BQ_ERR_CORRUPT);
    free(huge);
    free(b);

    spit("zero_length.jpg", (const unsigned char *)"", 0);
    check_refused("zero_length.jpg", 0);
    static const unsigned char garbage[] = {0xFF, 0xD8, 0xFF, 'n', 'o', 't', ' ', 'a',
                                            ' ', 'J', 'P', 'E', 'G', 0x00, 0x13, 0x37};
    spit("magic_then_garbage.jpg", garbage, sizeof garbage);
    check_refused("magic_then_garbage.jpg", BQ_ERR_CORRUPT);
    spit("magic_only.jpg", garbage, 3);
    check_refused("magic_only.jpg", BQ_ERR_CORRUPT);

    bq_load_options_t page1 = {.page = 1};
    bq_image_t *img = NULL;
    bq_error_t err = {0};
    CHECK(bq_image_load(path_of("baseline_grey.jpg"), &page1, &img, &err) == BQ_ERR_INVALID,
          "page 1 of a JPEG: %s", err.msg);
    CHECK(bq_image_sniff(path_of("progressive.jpg")) == BQ_FORMAT_JPEG, "sniff");
}

/* ---- the CLI's warning ---------------------------------------------------- */

static int count_lines(const char *path, const char *what)
{
    FILE *f = fopen(path, "r");
    int k = 0;
    char line[2048];
    while (f && fgets(line, sizeof line, f))
        k += strstr(line, what) != NULL;
    if (f)
        fclose(f);
    return k;
}

static void test_cli_warning(const char *bq)
{
    const char *quiet[] = {"", "-q "};
    for (int q = 0; q < 2; q++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "'%s' quant %s-o '%s' '%s' 2>'%s'", bq, quiet[q],
                 path_of("bands.csv"), path_of("progressive.jpg"), path_of("stderr.txt"));
        CHECK(system(cmd) == 0, "%s failed", cmd);
        int k = count_lines(path_of("stderr.txt"), "JPEG is lossy");
        CHECK(k == 1, "quant %s: the lossy warning %d times", quiet[q], k);
        snprintf(cmd, sizeof cmd, "'%s' quant -o '%s' '%s' 2>'%s'", bq, path_of("bands.csv"),
                 path_of("blot16.tif"), path_of("stderr.txt"));
        CHECK(system(cmd) == 0 && count_lines(path_of("stderr.txt"), "lossy") == 0,
              "no lossy warning for a TIFF");
    }
    /* analyze: once for the command, however many JPEGs */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' analyze -q --rows A,B -o '%s' '%s' '%s' 2>'%s'", bq,
             path_of("analyze"), path_of("progressive.jpg"), path_of("cmyk_adobe.jpg"),
             path_of("stderr.txt"));
    CHECK(system(cmd) == 0, "%s failed", cmd);
    int k = count_lines(path_of("stderr.txt"), "JPEG is lossy");
    CHECK(k == 1, "analyze: the lossy warning %d times", k);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_jpeg OUTDIR BLOTQUANT\n");
        return 2;
    }
    outdir = argv[1];
    test_blot();
    test_orientations();
    test_damaged();
    test_cli_warning(argv[2]);
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
