/* Glue for src/sim/sim.c: the simulator reading the answer to its operator token request. */
#include "sim/sim.c"

#include "../support/fuzz_check.h"

void glue_sim_operator_token(struct sim *sim, const struct http_result *result);

void glue_sim_operator_token(struct sim *sim, const struct http_result *result)
{
	sim->phase = SIM_OPERATOR_TOKEN;
	operator_token_done(result, sim);
	FUZZ_CHECK(sim->phase == SIM_OPERATOR_TOKEN || sim->phase == SIM_SETUP || sim->phase == SIM_FAILED);
	FUZZ_CHECK(sim->phase != SIM_SETUP || sim->operator_token != NULL);
	FUZZ_CHECK(strnlen(sim->failure, sizeof(sim->failure)) < sizeof(sim->failure));
	free(sim->operator_token);
	sim->operator_token = NULL;
}
