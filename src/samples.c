/* samples.c - being written */
#include "internal.h"
