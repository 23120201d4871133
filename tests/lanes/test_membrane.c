/* test_membrane - bq_membrane_mask on drawn pictures: a journal-figure crop
 * (white page, two framed strips, labels beside them) loses its page,
 * labels, frame lines and the gap between the strips, and keeps both
 * strips, also with grain of 10 levels on every pixel and when the frames
 * waver as in a lossy copy, printed faint (the paper no end of the range)
 * and photographed under uneven light; a tray lit unevenly, a film lit
 * unevenly, a membrane reaching every edge and a membrane as light as the
 * page are left alone; a film photographed on a lightbox loses the names
 * written on its clear border. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/blotquant.h"
#include "../check.h"

static void fill(bq_image_t *img, int x0, int y0, int x1, int y1, float v)
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            img->data[(size_t)y * (size_t)img->width + (size_t)x] = v;
}

/* A w x h picture of full scale top, every pixel at level (the test
 * stops when there is no memory for it). */
static bq_image_t *picture(int w, int h, double top, float level)
{
    bq_image_t *img = bq_image_new(w, h);
    if (!img) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    img->max_value = top;
    img->clip_level = top;
    fill(img, 0, 0, w - 1, h - 1, level);
    return img;
}

static int valid_at(const bq_image_t *img, int x, int y)
{
    return !img->valid || img->valid[(size_t)y * (size_t)img->width + (size_t)x];
}

/* A framed strip of grey membrane with its grain (+-10 levels, a fixed
 * pseudo-random pattern) and six dark bands. */
static void strip(bq_image_t *img, int y0, int y1)
{
    unsigned r = 12345u;
    for (int y = y0; y <= y1; y++)
        for (int x = 60; x <= 260; x++) {
            r = r * 1103515245u + 12345u;
            img->data[(size_t)y * (size_t)img->width + (size_t)x] = 195.0f + (float)((r >> 16) % 21);
        }
    fill(img, 60, y0, 260, y0, 60.0f); /* frame */
    fill(img, 60, y1, 260, y1, 60.0f);
    fill(img, 60, y0, 60, y1, 60.0f);
    fill(img, 260, y0, 260, y1, 60.0f);
    for (int l = 0; l < 6; l++)
        fill(img, 70 + 32 * l, (y0 + y1) / 2 - 4, 92 + 32 * l, (y0 + y1) / 2 + 4, 40.0f);
}

/* Grain of about sigma levels on every pixel (a fixed pseudo-random sum
 * of three uniforms), clipped to the 8-bit range as a film photo is. */
static void add_noise(bq_image_t *img, double sigma)
{
    unsigned r = 2463534242u;
    for (size_t i = 0; i < (size_t)img->width * (size_t)img->height; i++) {
        double u = 0.0;
        for (int k = 0; k < 3; k++) {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            u += (double)(r % 2001) / 1000.0 - 1.0;
        }
        double v = img->data[i] + sigma * u; /* three uniforms on -1..1: sigma 1 */
        img->data[i] = (float)(v < 0.0 ? 0.0 : v > 255.0 ? 255.0 : v);
    }
}

/* The figure: two framed strips on a white page, a label and a kDa tick
 * beside them. */
static bq_image_t *figure_of_height(int h)
{
    bq_image_t *img = picture(300, h, 255.0, 255.0f);
    img->bits_per_sample = 8;
    strip(img, 30, 70);
    strip(img, 76, 116);
    fill(img, 8, 45, 14, 55, 0.0f);    /* a label beside strip 1 */
    fill(img, 20, 45, 24, 55, 0.0f);
    fill(img, 268, 92, 290, 94, 30.0f); /* a kDa tick beside strip 2 */
    return img;
}

static bq_image_t *figure(void)
{
    return figure_of_height(150);
}

/* The figure's page, labels and frames masked, both strips kept. */
static void check_figure_masked(bq_image_t *img, const char *what, int want_blocks,
                                bq_membrane_info_t *info)
{
    CHECK(bq_membrane_mask(img, info) == 0, "mask failed");
    CHECK(info->page_found, "%s: no page", what);
    CHECK(info->blocks == want_blocks, "%s: %d membrane blocks, want %d", what, info->blocks,
          want_blocks);
    CHECK(!valid_at(img, 10, 50) && !valid_at(img, 22, 50), "%s: label left valid", what);
    CHECK(!valid_at(img, 280, 93), "%s: kDa tick left valid", what);
    CHECK(!valid_at(img, 150, 73), "%s: page between the strips left valid", what);
    CHECK(!valid_at(img, 150, 30) && !valid_at(img, 150, 116), "%s: frame rows left valid", what);
    for (int y = 35; y <= 65; y++)
        CHECK(valid_at(img, 150, y), "%s: strip 1 row %d masked", what, y);
    for (int y = 81; y <= 111; y++)
        CHECK(valid_at(img, 80, y), "%s: strip 2 row %d masked", what, y);
}

/* The figure printed faint: every level squeezed into 30..85 % of the
 * range, so the paper reads 217, no end of the range. Strip 1 still
 * stands off it as a block with a background of its own, which confirms
 * the page; strip 2, blank (a target seen in no lane) and its lightest
 * quarter within the page's tolerance of the paper, is kept beside it. */
static void test_faint_figure(void)
{
    bq_image_t *img = figure();
    unsigned r = 777u;
    for (int y = 77; y <= 115; y++)
        for (int x = 61; x <= 259; x++) {
            r = r * 1103515245u + 12345u;
            img->data[(size_t)y * 300u + (size_t)x] = 240.0f + (float)((r >> 16) % 16);
        }
    for (size_t i = 0; i < 300u * 150u; i++)
        img->data[i] = (float)lround(0.30 * 255.0 + 0.55 * img->data[i]);
    bq_membrane_info_t info;
    check_figure_masked(img, "faint print", 2, &info);
    bq_image_free(img);
}

/* The figure photographed under light falling off to the left: every
 * level times 0.6 at the left edge rising to 1 at the right (the paper
 * reads 153 to 255). The page is that plane; the frames and the page gap
 * between the strips are rules once the light is evened out. */
static void shade(bq_image_t *img)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            float *v = &img->data[y * img->width + x];
            *v = (float)lround(*v * (0.6 + 0.4 * x / (img->width - 1.0)));
        }
}

static void test_shaded_figure(void)
{
    bq_image_t *img = figure();
    shade(img);
    bq_membrane_info_t info;
    check_figure_masked(img, "shaded photo", 2, &info);
    bq_image_free(img);
}

/* The shaded figure on a taller page whose bottom side is all membrane (a
 * third strip cut off by the photo's edge): that side shades the
 * membrane's level, not the paper's, and the page's slope is taken from
 * the paper alone. */
static void test_shaded_figure_cut(void)
{
    bq_image_t *img = figure_of_height(170);
    fill(img, 0, 140, 299, 169, 120.0f); /* the cut-off strip */
    shade(img);
    bq_membrane_info_t info;
    check_figure_masked(img, "shaded photo, membrane along its bottom", 3, &info);
    bq_image_free(img);
}

/* A film filling the picture, its background lit unevenly (210 at the
 * left to 250 at the right) and a row of five bands: the bands make no
 * membrane block on that "page", since the gaps between them sit at its
 * level. Nothing is masked. */
static void test_shaded_film(void)
{
    bq_image_t *img = picture(200, 80, 255.0, 0.0f);
    img->bits_per_sample = 8;
    for (int x = 0; x < 200; x++)
        fill(img, x, 0, x, 79, (float)(210.0 + 40.0 * x / 199.0));
    for (int l = 0; l < 5; l++)
        fill(img, 10 + 38 * l, 30, 38 + 38 * l, 50, 40.0f);
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(!info.page_found && !img->valid, "a film lit unevenly was masked (%d blocks)",
          info.blocks);
    bq_image_free(img);
}

/* Two strips stacked with no page round them (cropped inside the figure's
 * paper, or the paper as light as the membrane), parted by a frame line
 * two rows thick: the line is a rule all the same, and only it is masked. */
static void test_rule_without_page(void)
{
    bq_image_t *img = picture(300, 150, 255.0, 0.0f);
    img->bits_per_sample = 8;
    strip(img, 0, 73);
    strip(img, 76, 149);
    fill(img, 0, 74, 299, 75, 60.0f); /* the frame line between them */
    for (int y = 0; y < 150; y++)     /* membrane out to both sides */
        for (int x = 0; x < 300; x++)
            if (x < 61 || x > 259)
                img->data[y * 300 + x] = 205.0f;
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(!info.page_found && info.blocks == 0, "a page was found (%d blocks)", info.blocks);
    CHECK(info.rule_rows >= 2, "%d rule rows: the frame line was not found", info.rule_rows);
    CHECK(!valid_at(img, 150, 74) && !valid_at(img, 150, 75), "frame line left valid");
    for (int y = 5; y <= 68; y++)
        CHECK(valid_at(img, 150, y) && valid_at(img, 150, y + 76), "strip row %d masked", y);
    bq_image_free(img);
}

/* The figure, clean (noise 0) or with grain of that many levels. */
static void test_figure(double noise)
{
    bq_image_t *img = figure();
    if (noise > 0.0)
        add_noise(img, noise);
    char what[32];
    snprintf(what, sizeof what, "noise %g", noise);
    bq_membrane_info_t info;
    check_figure_masked(img, what, 2, &info);
    CHECK(info.page_level > 240.0, "%s: page at %.1f", what, info.page_level);
    CHECK(info.rule_rows >= 2, "%s: %d rule rows", what, info.rule_rows);
    bq_image_free(img);
}

/* Two framed strips three grey rows apart (not page: a lossy copy has
 * smeared the frames into the gap), each frame line wavering by up to 13
 * levels from one 8-pixel block to the next. The frame rows are still rules
 * (uniform against how far they stand from the rows beside them), so the
 * strips come apart. */
static void test_lossy_frames(void)
{
    bq_image_t *img = picture(300, 150, 255.0, 255.0f);
    strip(img, 30, 70);
    strip(img, 74, 114);
    fill(img, 60, 71, 260, 73, 232.0f); /* not page: the strips are one block */
    int frame_rows[] = {30, 70, 74, 114};
    for (int k = 0; k < 4; k++)
        for (int x = 60; x <= 260; x++)
            img->data[(size_t)frame_rows[k] * 300 + (size_t)x] =
                (float)(47 + (x / 8 * 37 + k * 11) % 27);
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(info.blocks == 1, "%d membrane blocks, drawn as 1", info.blocks);
    CHECK(info.rule_rows >= 3, "%d rule rows: the wavering frames were not taken for rules",
          info.rule_rows);
    CHECK(!valid_at(img, 150, 70) && !valid_at(img, 150, 74), "frame rows between the strips "
          "left valid");
    for (int y = 35; y <= 65; y++)
        CHECK(valid_at(img, 150, y), "strip 1 row %d masked", y);
    for (int y = 79; y <= 109; y++)
        CHECK(valid_at(img, 80, y), "strip 2 row %d masked", y);
    bq_image_free(img);
}

/* A membrane as light as the page (a white export), its lanes dark smears
 * over its height, and a black wedge in one corner (a scanner's edge): the
 * wedge with the lanes it touches makes a block, but most of the ink lies
 * outside it, so nothing is masked. */
static void test_light_membrane(void)
{
    bq_image_t *img = picture(300, 200, 255.0, 255.0f);
    for (int l = 0; l < 8; l++)
        fill(img, 30 + 35 * l, 20, 42 + 35 * l, 180, 150.0f);
    fill(img, 0, 120, 80, 199, 0.0f);
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    for (int l = 0; l < 8; l++)
        CHECK(valid_at(img, 36 + 35 * l, 100), "lane %d masked (%d blocks)", l + 1, info.blocks);
    bq_image_free(img);
}

/* A photo of a film on a lightbox: the white box round the film, the
 * film's clear border (225), the membrane's exposure on it (200) with six
 * lanes, and written on the clear film the lane names below the membrane
 * and an arrow beside it. The film is one block off the white page; on
 * its own clear border the exposure is the membrane: the names and the
 * arrow are masked with the clear film, the lanes kept. */
static void test_film_on_lightbox(void)
{
    bq_image_t *img = picture(320, 240, 255.0, 255.0f);
    img->bits_per_sample = 8;
    fill(img, 8, 8, 311, 231, 225.0f);
    fill(img, 30, 30, 250, 150, 200.0f);
    for (int l = 0; l < 6; l++) {
        int x = 40 + 36 * l;
        fill(img, x, 40, x + 20, 140, 170.0f);           /* the lane's smear */
        fill(img, x, 80, x + 20, 90, 60.0f);             /* its band */
        for (int k = 0; k < 3; k++)                      /* its name: three strokes */
            fill(img, x + 2 + 7 * k, 175, x + 4 + 7 * k, 215, 90.0f);
    }
    fill(img, 265, 80, 300, 82, 40.0f);                  /* the arrow */
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(info.page_found && info.blocks >= 1, "page %d, %d blocks", info.page_found, info.blocks);
    for (int l = 0; l < 6; l++) {
        int x = 50 + 36 * l;
        CHECK(valid_at(img, x, 85) && valid_at(img, x, 120), "lane %d masked", l + 1);
        CHECK(!valid_at(img, x - 6, 195), "lane %d's name left valid", l + 1);
    }
    CHECK(!valid_at(img, 280, 81), "the arrow left valid");
    bq_image_free(img);
}

static void test_uneven_tray(void)
{
    bq_image_t *img = picture(240, 160, 65535.0, 0.0f);
    for (int y = 0; y < 160; y++)
        fill(img, 0, y, 239, y, 1000.0f + 20.0f * y); /* a tray lit from below */
    fill(img, 40, 30, 200, 130, 5200.0f);
    fill(img, 60, 70, 90, 80, 20000.0f);
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(!info.page_found && info.blocks == 0 && !img->valid,
           "an unevenly lit tray was taken for a page (%d blocks)", info.blocks);
    bq_image_free(img);
}

static void test_membrane_to_the_edges(void)
{
    bq_image_t *img = picture(200, 80, 255.0, 150.0f);
    for (int l = 0; l < 5; l++)
        fill(img, 10 + 38 * l, 35, 38 + 38 * l, 45, 30.0f);
    bq_membrane_info_t info;
    CHECK(bq_membrane_mask(img, &info) == 0, "mask failed");
    CHECK(!info.page_found && !img->valid, "a membrane filling the picture was masked");
    bq_image_free(img);
}

int main(void)
{
    test_figure(0.0);
    test_figure(10.0);
    test_lossy_frames();
    test_light_membrane();
    test_faint_figure();
    test_shaded_figure();
    test_shaded_figure_cut();
    test_shaded_film();
    test_rule_without_page();
    test_uneven_tray();
    test_membrane_to_the_edges();
    test_film_on_lightbox();
    if (check_failures == 0)
        printf("membrane: figure, uneven tray, full membrane: all as expected\n");
    return check_failures ? 1 : 0;
}
