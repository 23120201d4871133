/* sha256.h - SHA-256 (FIPS 180-4), for the checksums a report gives of its
 * inputs, so a reader can tell that a result came from these very files. */
#ifndef BLOTQUANT_SHA256_H
#define BLOTQUANT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t h[8];
    uint64_t bytes;         /* message length so far */
    unsigned char block[64];
    size_t fill;            /* bytes waiting in block */
} sha256_t;

#define SHA256_HEX_SIZE 65 /* 64 hex digits and the terminating NUL */

void sha256_init(sha256_t *s);
void sha256_update(sha256_t *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits into hex. */
void sha256_final_hex(sha256_t *s, char hex[SHA256_HEX_SIZE]);

/* The SHA-256 of the file at path as hex, and its size in bytes. 0, or -1
 * with errno when it cannot be read. */
int sha256_file(const char *path, char hex[SHA256_HEX_SIZE], long long *size);

#endif
