/* cmd_fit.c - being written */
#include "cli.h"

int cmd_fit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("fit: not built yet");
    return BQ_EXIT_FAIL;
}
