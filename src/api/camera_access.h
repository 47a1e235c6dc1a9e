/* What the camera handlers (api/cameras.c, api/camera_actions.c, api/fleet_summary.c) share:
 * loading a camera or a site the caller may see, the scope of a list, the includeMetrics flag,
 * the camera answer, and lifecycle writes decided by domain/lifecycle.h and retried once when the
 * camera changed in between. Each
 * ..._or_reply function returning false has already answered the request. */
#ifndef CAMFLEET_API_CAMERA_ACCESS_H
#define CAMFLEET_API_CAMERA_ACCESS_H

#include <stdbool.h>

#include "api/common.h"
#include "domain/lifecycle.h"

/* Loads camera id into out when the caller may see it; 404 (or 5xx) otherwise. */
bool camera_access_load_or_reply(struct http_request *request, const char *id, struct camera *out);
/* The same decision for a camera read elsewhere (read: the store's result for id; camera: its
 * row when read is STORE_OK): true when the caller may see it; 404 (or 5xx) otherwise. */
bool camera_access_check_or_reply(struct http_request *request, const char *id, enum store_result read,
                                  const struct camera *camera);

/* Loads site site_id into out when the caller may see it; 404 naming it (or 5xx) otherwise. */
bool camera_access_site_or_reply(struct http_request *request, const char *site_id, struct site *out);

/* Narrows filter to what the caller may see at all (GET /cameras, GET /fleet-summary): operators
 * everything, others their organisation, viewer users only the sites granted to them. */
void camera_access_scope_to_caller(const struct principal *caller, struct camera_filter *filter);

/* Reads ?includeMetrics= (true or false; default true); 422 for anything else. */
bool camera_access_include_metrics_or_reply(struct http_request *request, bool *out);

/* The camera as its GET answers it (with metrics), as a JSON object: a new reference the caller
 * releases; NULL without memory. */
json_t *camera_access_json(struct http_request *request, const struct camera *camera);

/* Answers status with the camera as JSON. */
enum MHD_Result camera_access_reply(struct http_request *request, unsigned status, const struct camera *camera,
                                    bool include_metrics);

/* Answers the lifecycle's refusal of action on camera: 409 for a claim, 422 otherwise. */
enum MHD_Result camera_access_refuse(struct http_request *request, const struct camera *camera,
                                     enum camera_action action, enum lifecycle_result refusal);

/* One write of a lifecycle action on current (next is the state the lifecycle allows): the
 * store result, with the camera after the write in out. */
typedef enum store_result (*camera_write_fn)(struct http_request *request, const struct camera *current,
                                             enum camera_state next, void *context, struct camera *out);

/* Lets the lifecycle decide action on camera (loaded and visible) and runs write; when the
 * camera changed meanwhile (STORE_CONFLICT) reloads it and decides once more. On true camera
 * holds the camera after the write. */
bool camera_access_transition_or_reply(struct http_request *request, struct camera *camera, enum camera_action action,
                                       camera_write_fn write, void *context);

#endif
