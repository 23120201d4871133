/* image.c - being written */
#include "internal.h"
