/* table.c - being written */
#include "internal.h"
