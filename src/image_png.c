/* image_png.c - being written */
#include "internal.h"
