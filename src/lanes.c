/* lanes.c - being written */
#include "internal.h"
