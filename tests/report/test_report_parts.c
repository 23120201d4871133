/* test_report_parts.c - the pieces the HTML reports are made of: SHA-256
 * against the FIPS 180-2 examples, base64 against RFC 4648's, HTML
 * escaping and URL paths, and the overlay's downscaling (size, colours
 * kept, grays averaged). */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "blotquant/blotquant.h"
#include "cli/html.h"
#include "cli/sha256.h"

static void digest_of(const void *data, size_t n, char hex[SHA256_HEX_SIZE])
{
    sha256_t s;
    sha256_init(&s);
    sha256_update(&s, data, n);
    sha256_final_hex(&s, hex);
}

static void test_sha256(void)
{
    char hex[SHA256_HEX_SIZE];
    digest_of("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
          "sha256(abc) = %s", hex);
    digest_of("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
          "sha256('') = %s", hex);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_of(two, strlen(two), hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
          "sha256(two blocks) = %s", hex);
    /* a million 'a', fed in uneven pieces so blocks straddle the calls */
    sha256_t s;
    sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    for (size_t piece = 1; left > 0; piece = (piece * 7 + 3) % sizeof a + 1) {
        size_t n = piece < left ? piece : left;
        sha256_update(&s, a, n);
        left -= n;
    }
    sha256_final_hex(&s, hex);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
          "sha256(10^6 x a) = %s", hex);
}

/* What fn wrote to a memory stream, as a string (the caller frees it). */
static char *captured(void (*fn)(FILE *, const void *, size_t), const void *data, size_t n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    fn(fp, data, n);
    fclose(fp);
    return buf;
}

static void put_escaped(FILE *fp, const void *s, size_t n)
{
    (void)n;
    bq_xml_put_text(fp, s);
}

static void put_url(FILE *fp, const void *s, size_t n)
{
    (void)n;
    html_url_path(fp, s);
}

static void test_text(void)
{
    static const char *const b64[][2] = {{"", ""},         {"f", "Zg=="},
                                         {"fo", "Zm8="},   {"foo", "Zm9v"},
                                         {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                         {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
        char *s = captured(html_base64, b64[i][0], strlen(b64[i][0]));
        CHECK(strcmp(s, b64[i][1]) == 0, "base64(%s) = %s, want %s", b64[i][0], s, b64[i][1]);
        free(s);
    }
    char *s = captured(put_escaped, "<img src=x onerror=alert(1)> & \"q\" 'a'", 0);
    CHECK(strcmp(s, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;") == 0,
          "escaped: %s", s);
    free(s);
    s = captured(put_url, "sub dir/<b>#1?%.tif", 0);
    CHECK(strcmp(s, "sub%20dir/%3Cb%3E%231%3F%25.tif") == 0, "url path: %s", s);
    free(s);
}

/* A 1000 x 600 gray ramp with a one-pixel red line at x = 501. */
static void test_downscale(void)
{
    bq_rgb_t big = {1000, 600, calloc(1000 * 600, 3)};
    for (int y = 0; y < big.height; y++)
        for (int x = 0; x < big.width; x++) {
            unsigned char *p = big.data + 3 * (y * big.width + x);
            p[0] = p[1] = p[2] = (unsigned char)(x % 2 ? 200 : 100);
            if (x == 501)
                p[1] = p[2] = 0, p[0] = 255;
        }
    bq_rgb_t *small = bq_rgb_downscale(&big, 100000);
    CHECK(small && (long)small->width * small->height <= 100000, "downscaled size");
    CHECK(small && small->width == 334 && small->height == 200, "factor 3: %dx%d",
          small ? small->width : 0, small ? small->height : 0);
    if (small) {
        const unsigned char *line = small->data + 3 * (10 * small->width + 501 / 3);
        CHECK(line[0] == 255 && line[1] == 0 && line[2] == 0, "the red line survives");
        const unsigned char *gray = small->data + 3 * (10 * small->width + 10);
        CHECK(gray[0] == gray[1] && gray[1] == gray[2] && gray[0] > 100 && gray[0] < 200,
              "grays averaged: %d", gray[0]);
    }
    bq_rgb_free(small);
    bq_rgb_t *same = bq_rgb_downscale(&big, 1000000);
    CHECK(same && same->width == 1000 && memcmp(same->data, big.data, 1000 * 600 * 3) == 0,
          "a picture small enough is copied as it is");
    bq_rgb_free(same);
    free(big.data);
}

int main(void)
{
    test_sha256();
    test_text();
    test_downscale();
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures != 0;
}
