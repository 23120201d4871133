/* numbers.c - numbers read and written in the C locale, whatever locale the
 * embedding program has set: a CSV written under a German locale must still
 * say "0.5", not "0,5", and "0.5" must still read as one half. */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

static locale_t c_numbers;
static pthread_once_t c_numbers_once = PTHREAD_ONCE_INIT;

static void c_numbers_create(void)
{
    c_numbers = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* uselocale() changes the calling thread's locale only, so this is safe
 * under batch -j; setlocale() would change every thread's. */
locale_t bq_numbers_begin(void)
{
    pthread_once(&c_numbers_once, c_numbers_create);
    return c_numbers ? uselocale(c_numbers) : (locale_t)0;
}

void bq_numbers_end(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

double bq_strtod(const char *s, char **end)
{
    locale_t previous = bq_numbers_begin();
    double v = strtod(s, end);
    bq_numbers_end(previous);
    return v;
}
