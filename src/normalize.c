/* normalize.c - being written */
#include "internal.h"
