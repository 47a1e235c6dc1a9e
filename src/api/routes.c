/* Joins the per-resource route tables into one. */
#include "api/routes.h"

#include <stdlib.h>

static const struct route *const route_tables[] = {
    meta_routes,
    oauth_routes,
    organisation_routes,
    site_routes,
    user_routes,
    client_routes,
    camera_routes,
    camera_action_routes,
    camera_position_routes,
    async_request_routes,
    register_batch_routes,
    event_routes,
    event_stream_routes,
    opening_hours_routes,
    device_credential_routes,
    device_routes,
    webhook_routes,
    webhook_delivery_routes,
    ui_routes,
    me_routes,
    fleet_summary_routes,
};

struct route *api_routes_build(size_t *count_out)
{
	size_t count = 0;
	for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++)
		for (const struct route *r = route_tables[t]; r->method != NULL; r++)
			count++;
	struct route *routes = calloc(count, sizeof(*routes));
	if (routes == NULL)
		return NULL;
	size_t i = 0;
	for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++)
		for (const struct route *r = route_tables[t]; r->method != NULL; r++)
			routes[i++] = *r;
	*count_out = count;
	return routes;
}
