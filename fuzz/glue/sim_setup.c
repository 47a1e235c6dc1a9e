/* Glue for src/sim/setup.c: the simulator's setup steps reading the server's answers (the camera
 * looked up, its registration request and its result, the claim, the device credentials). */
#include "sim/setup.c"

#include "../support/fuzz_check.h"

void glue_sim_adopt_name(struct sim_camera *camera, json_t *body);
void glue_sim_setup_answer(struct sim_camera *camera, uint8_t which, const struct http_result *result);

void glue_sim_adopt_name(struct sim_camera *camera, json_t *body)
{
	adopt_name(camera, body);
}

/* Runs the callback of setup step which on result, from the phase that sends that step. */
void glue_sim_setup_answer(struct sim_camera *camera, uint8_t which, const struct http_result *result)
{
	static const struct {
		enum camera_phase phase;
		http_done_fn done;
	} steps[] = {
	    {CAMERA_CHECK, check_done},
	    {CAMERA_CLAIM_CHECK, check_done},
	    {CAMERA_REGISTER, register_done},
	    {CAMERA_REGISTER_POLL, register_poll_done},
	    {CAMERA_CLAIM, claim_done},
	    {CAMERA_MOVE, claim_done},
	    {CAMERA_CREDENTIALS, credentials_done},
	};
	size_t step = which % (sizeof(steps) / sizeof(steps[0]));
	camera->phase = steps[step].phase;
	steps[step].done(result, camera);
	FUZZ_CHECK(strnlen(camera->register_request_id, sizeof(camera->register_request_id)) <
	           sizeof(camera->register_request_id));
	FUZZ_CHECK(strnlen(camera->record->device_secret, sizeof(camera->record->device_secret)) <
	           sizeof(camera->record->device_secret));
	FUZZ_CHECK(strnlen(camera->sim->failure, sizeof(camera->sim->failure)) < sizeof(camera->sim->failure));
}
