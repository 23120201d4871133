/* bands.c - being written */
#include "internal.h"
