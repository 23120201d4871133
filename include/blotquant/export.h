/* export.h - BQ_API marks the functions and data of the public API.
 *
 * The library is compiled with -fvisibility=hidden, so only what is declared
 * with BQ_API in include/blotquant/ is visible in libblotquant.so; every
 * other function stays internal, whatever its linkage inside the library.
 * A build that wants a different rule (a Windows DLL, a test that lists the
 * marked declarations) defines BQ_API itself before including a header. */
#ifndef BLOTQUANT_EXPORT_H
#define BLOTQUANT_EXPORT_H

#ifndef BQ_API
#if defined(__GNUC__) || defined(__clang__)
#define BQ_API __attribute__((visibility("default")))
#else
#define BQ_API
#endif
#endif

#endif
