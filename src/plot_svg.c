/* plot_svg.c - being written */
#include "internal.h"
