/* cmd_simulate.c - being written */
#include "cli.h"

int cmd_simulate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("simulate: not built yet");
    return BQ_EXIT_FAIL;
}
