/* simulate.c - being written */
#include "internal.h"
