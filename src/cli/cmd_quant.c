/* cmd_quant.c - being written */
#include "cli.h"

int cmd_quant(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("quant: not built yet");
    return BQ_EXIT_FAIL;
}
