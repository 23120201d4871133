/* quantify.c - being written */
#include "internal.h"
