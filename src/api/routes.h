/* Every resource module's routes, each a table ending with an entry whose method is NULL,
 * and the function that joins them into the one table the server routes with. */
#ifndef CAMFLEET_API_ROUTES_H
#define CAMFLEET_API_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const struct route meta_routes[];              /* api/meta.c: health, metrics, documents */
extern const struct route oauth_routes[];             /* api/oauth.c: token endpoint, JWKS, metadata */
extern const struct route event_routes[];             /* api/events.c: the audit log */
extern const struct route event_stream_routes[];      /* api/event_stream.c: the live events */
extern const struct route webhook_routes[];           /* api/webhooks.c */
extern const struct route webhook_delivery_routes[];  /* api/webhook_deliveries.c: deliveries, test */
extern const struct route organisation_routes[];      /* api/organisations.c */
extern const struct route site_routes[];              /* api/sites.c */
extern const struct route user_routes[];              /* api/users.c */
extern const struct route client_routes[];            /* api/clients.c */
extern const struct route camera_routes[];            /* api/cameras.c: claim, get, list, patch, delete */
extern const struct route camera_action_routes[];     /* api/camera_actions.c: state, move, reads */
extern const struct route camera_position_routes[];   /* api/camera_positions.c: position history */
extern const struct route async_request_routes[];     /* api/async_requests.c */
extern const struct route register_batch_routes[];    /* api/register_batches.c */
extern const struct route opening_hours_routes[];     /* api/opening_hours.c: site schedules */
extern const struct route device_credential_routes[]; /* api/device_credentials.c: issue, revoke */
extern const struct route device_routes[];            /* api/device.c: the /device/... endpoints */
extern const struct route ui_routes[];                /* api/ui.c: the dashboard at /ui/ */
extern const struct route me_routes[];                /* api/me.c: the caller's identity */
extern const struct route fleet_summary_routes[];     /* api/fleet_summary.c: the fleet's counts */

/* Builds the joined table (malloc'd; the caller frees it after the server stops). */
struct route *api_routes_build(size_t *count_out);

#endif
