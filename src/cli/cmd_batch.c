/* cmd_batch.c - being written */
#include "cli.h"

int cmd_batch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("batch: not built yet");
    return BQ_EXIT_FAIL;
}
