/* main.c — the nnc command: dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "nnc.h"

static void usage(FILE *out)
{
    fputs("usage: nnc COMMAND [OPTIONS]\n"
          "\n"
          "Neural networks in C: fully-connected networks trained by mini-batch SGD.\n"
          "\n"
          "commands:\n"
          "  train     train a network and report test accuracy per epoch\n"
          "  eval      accuracy, per-class precision/recall and confusion matrix of a model\n"
          "  info      sizes, activations, cost and training record of a model file\n"
          "  predict   class and outputs of the network for PNG, JPEG or PGM images\n"
          "  plot      learning curves of runs from their --metrics files (SVG or PNG)\n"
          "  show      pictures of what a network learned and gets wrong (PNG)\n"
          "  report    one self-contained HTML page: summary, curves, pictures, results\n"
          "  export    the model as a C99 header that runs without nnc (float or int8),\n"
          "            or as ONNX\n"
          "  serve     a page on this machine to draw digits against a model, and its\n"
          "            JSON API ('nnc train --serve': the run shown as it trains)\n"
          "\n"
          "'nnc help COMMAND' (or 'nnc COMMAND --help') describes a command's options.\n"
          "  -h, --help      show this help\n"
          "  -V, --version   show the version\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || (!strcmp(cmd, "help") && argc == 2)) {
        usage(stdout);
        return 0;
    }
    char *help[] = {argv[0], NULL, (char *)"--help", NULL};
    if (!strcmp(cmd, "help")) {   /* nnc help COMMAND = nnc COMMAND --help */
        help[1] = argv[2];
        argv = help, argc = 3, cmd = argv[1];
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("nnc %s\n", NNC_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "train"))
        return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict"))
        return cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "show"))
        return cmd_show(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return cmd_export(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc - 1, argv + 1);
    cli_error("unknown command '%s'; try 'nnc help'", cmd);
    return EXIT_USAGE;
}
