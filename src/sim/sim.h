/* `camfleet sim`: simulated cameras that drive a camfleet server's device link. */
#ifndef CAMFLEET_SIM_SIM_H
#define CAMFLEET_SIM_SIM_H

#include "sim/options.h"

/* Sets up and runs options->cameras cameras until options->duration ends or SIGINT/SIGTERM
 * (see options.c's usage text). Returns the process exit status: 0 after a clean stop, 1
 * when setup failed (the reason is printed on stderr). */
int sim_run(const struct sim_options *options);

#endif
