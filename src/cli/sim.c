/* `camfleet sim`: parses the options and runs the simulated cameras (src/sim/). */
#include "cli/cli.h"
#include "sim/options.h"
#include "sim/sim.h"

int cli_sim(int argc, char **argv)
{
	struct sim_options options;
	switch (sim_options_parse(argc, argv, &options)) {
	case SIM_OPTIONS_HELP: return 0;
	case SIM_OPTIONS_INVALID: return 2;
	case SIM_OPTIONS_OK: break;
	}
	return sim_run(&options);
}
