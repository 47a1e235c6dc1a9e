/* Glue for src/sim/camera.c and sim.c: how a simulated camera reads the server's answers to its
 * token request, its heartbeats and its command polls, how any error answer is described, and
 * (through glue/sim_setup.c and glue/sim_run.c) the answers to its setup steps and to the
 * operator's token request. */
#include "sim/camera.c"

#include "../support/fuzz_check.h"
#include "glue.h"

/* One camera of a simulator with default options. */
struct glue_sim {
	struct sim sim;
	struct sim_options options;
	struct sim_state_camera record;
	struct sim_camera camera;
};

static void glue_sim_init(struct glue_sim *glue, bool site_given)
{
	memset(glue, 0, sizeof(*glue));
	schedule_init(&glue->sim.schedule);
	if (site_given)
		snprintf(glue->options.site_id, sizeof(glue->options.site_id), "5f0c2b1e-8a7d-4c3b-9e2f-1a0b9c8d7e6f");
	glue->sim.options = &glue->options;
	glue->sim.heartbeat_interval = 10;
	glue->camera.sim = &glue->sim;
	glue->camera.record = &glue->record;
	snprintf(glue->record.id, sizeof(glue->record.id), "0b6f8a2e-5c4d-4e3f-8a9b-1c2d3e4f5a6b");
	snprintf(glue->record.name, sizeof(glue->record.name), "camera 1");
}

/* glue/sim_setup.c */
void glue_sim_adopt_name(struct sim_camera *camera, json_t *body);
void glue_sim_setup_answer(struct sim_camera *camera, uint8_t which, const struct http_result *result);
/* glue/sim_run.c */
void glue_sim_operator_token(struct sim *sim, const struct http_result *result);

void glue_sim_read_answer(uint8_t which, bool site_given, const struct http_result *result)
{
	struct glue_sim *glue = malloc(sizeof(*glue));
	FUZZ_CHECK(glue != NULL);
	glue_sim_init(glue, site_given);
	struct sim_camera *camera = &glue->camera;
	char described[256];
	sim_describe(result, described, sizeof(described));
	FUZZ_CHECK(strnlen(described, sizeof(described)) < sizeof(described));
	switch (which % 6) {
	case 0:
		if (store_token(camera, result)) {
			FUZZ_CHECK(camera->token != NULL);
			FUZZ_CHECK(camera->token_refresh_due > 0);
		}
		break;
	case 1:
		read_heartbeat_answer(camera, result, 1000);
		FUZZ_CHECK(glue->sim.heartbeat_interval >= 1 && glue->sim.heartbeat_interval <= 3600);
		break;
	case 2: read_commands(camera, result); break;
	case 3: glue_sim_setup_answer(camera, which / 6, result); break;
	case 4: glue_sim_operator_token(&glue->sim, result); break;
	default: {
		json_t *body = sim_response_json(result);
		glue_sim_adopt_name(camera, body);
		json_decref(body);
		FUZZ_CHECK(strnlen(glue->record.name, sizeof(glue->record.name)) < sizeof(glue->record.name));
		break;
	}
	}
	FUZZ_CHECK(strnlen(glue->record.name, sizeof(glue->record.name)) < sizeof(glue->record.name));
	free(camera->token);
	schedule_release(&glue->sim.schedule);
	free(glue);
}
