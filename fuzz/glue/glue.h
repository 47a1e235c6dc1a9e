/* Entry points into camfleet's own parsers for the fuzz targets. Each file in glue/ includes
 * one source file of src/ whole, so that the parsers its handlers call (static functions) run
 * exactly as the server runs them, with no copy and no change to the handler; each function here
 * runs one parser on the request and checks what its result promises. They return the parser's
 * verdict (true: accepted). */
#ifndef CAMFLEET_FUZZ_GLUE_H
#define CAMFLEET_FUZZ_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct fuzz_request;
struct http_result;

/* Request bodies (the request's body): JSON, and the device's JPEG frame. */
bool glue_camera_claim(struct fuzz_request *fuzz);            /* POST /cameras */
bool glue_camera_patch(struct fuzz_request *fuzz);            /* PATCH /cameras/{id} */
bool glue_camera_move(struct fuzz_request *fuzz);             /* POST /cameras/{id}/move */
bool glue_put_state_request(struct fuzz_request *fuzz);       /* POST /put-camera-state-requests */
bool glue_register_request(struct fuzz_request *fuzz);        /* POST /register-camera-requests */
bool glue_register_batch(struct fuzz_request *fuzz);          /* POST /register-camera-batches */
bool glue_opening_hours_weekly(struct fuzz_request *fuzz);    /* PUT /sites/{id}/opening-hours */
bool glue_opening_hours_exception(struct fuzz_request *fuzz); /* PUT .../exceptions/{date} */
bool glue_device_heartbeat(struct fuzz_request *fuzz);        /* POST /device/heartbeat */
bool glue_device_video_upload(struct fuzz_request *fuzz);     /* POST /device/video-uploads */
bool glue_user_create(struct fuzz_request *fuzz);             /* POST /users */
bool glue_user_patch(struct fuzz_request *fuzz);              /* PATCH /users/{id} */
bool glue_user_sites(struct fuzz_request *fuzz);              /* PUT /users/{id}/sites */
bool glue_client_create(struct fuzz_request *fuzz);           /* POST /clients */
bool glue_site_create(struct fuzz_request *fuzz);             /* POST /sites */
bool glue_site_patch(struct fuzz_request *fuzz);              /* PATCH /sites/{id} */
bool glue_organisation_create(struct fuzz_request *fuzz);     /* POST /organisations */
bool glue_organisation_patch(struct fuzz_request *fuzz);      /* PATCH /organisations/{id} */
bool glue_frame_request(struct fuzz_request *fuzz);           /* POST /frame-requests */
bool glue_device_frame(struct fuzz_request *fuzz);            /* POST /device/frames (image/jpeg) */

/* Query strings and path parameters (the request's query; path parameters set by the caller). */
bool glue_camera_list_query(
    struct fuzz_request *fuzz);                        /* GET /cameras?state&siteId&userId&limit&after&includeMetrics */
bool glue_camera_get_query(struct fuzz_request *fuzz); /* GET /cameras/{id}?includeMetrics */
bool glue_upload_metrics_query(struct fuzz_request *fuzz);    /* GET .../video-upload-metrics?from&to */
bool glue_camera_hours_query(struct fuzz_request *fuzz);      /* GET /cameras/{id}/opening-hours?date */
bool glue_camera_state_path(struct fuzz_request *fuzz);       /* PUT /cameras/{id}/state/{newState} */
bool glue_device_commands_query(struct fuzz_request *fuzz);   /* GET /device/commands?wait */
bool glue_exception_date_path(struct fuzz_request *fuzz);     /* .../opening-hours/exceptions/{date} */
bool glue_list_organisation_query(struct fuzz_request *fuzz); /* GET /sites|/users|/clients?organisationId */
bool glue_path_uuid(struct fuzz_request *fuzz);               /* every {cameraId}, {siteId}, ... path parameter */

/* The token endpoint: runs POST /oauth/token's handler on the request (form body and headers). */
void glue_oauth_post_token(struct fuzz_request *fuzz);

/* Claims of a verified token into a principal (auth/tokens.c); true when accepted. */
bool glue_principal_from_claims(json_t *claims);

/* The simulator's reading of one server answer; which selects the reader (byte % 6: device
 * token, heartbeat, commands, a setup step chosen by byte / 6, operator token, the camera's
 * name); site_given: the simulator was started with --site. */
void glue_sim_read_answer(uint8_t which, bool site_given, const struct http_result *result);

#endif
