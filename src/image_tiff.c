/* image_tiff.c - being written */
#include "internal.h"
