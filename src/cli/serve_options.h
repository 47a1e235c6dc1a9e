/* `camfleet serve`'s options and environment variables: one table (option name, environment
 * variable, kind, the field of struct app_config it sets, default, help text) drives the
 * defaults, the environment, getopt_long and the --help text. */
#ifndef CAMFLEET_CLI_SERVE_OPTIONS_H
#define CAMFLEET_CLI_SERVE_OPTIONS_H

#include <stdio.h>

#include "app.h"

/* Fills config with the defaults, then the environment variables, then the options of argv
 * (argv[0] is "serve"); an option wins over its variable. --log-level takes effect at once.
 * 0 to serve; 1 when --help was printed on stdout; -1 after a message on stderr (and the usage,
 * for an unknown option). */
int serve_options_parse(int argc, char **argv, struct app_config *config) __attribute__((warn_unused_result));

/* Prints the --help text: every option with its variable and default. */
void serve_options_usage(FILE *out);

#endif
