/* cmd_merge.c - being written */
#include "cli.h"

int cmd_merge(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("merge: not built yet");
    return BQ_EXIT_FAIL;
}
