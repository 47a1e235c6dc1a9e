/* Routes of this resource (being written). */
#include "api/routes.h"

const struct route camera_action_routes[] = {
	{NULL, NULL, NULL, 0, 0},
};
