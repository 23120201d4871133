/* fit.c - being written */
#include "internal.h"
