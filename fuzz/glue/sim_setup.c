/* Glue for src/sim/setup.c: the simulator adopting the camera name the server answers. */
#include "sim/setup.c"

void glue_sim_adopt_name(struct sim_camera *camera, json_t *body);

void glue_sim_adopt_name(struct sim_camera *camera, json_t *body)
{
	adopt_name(camera, body);
}
