/* background.c - being written */
#include "internal.h"
