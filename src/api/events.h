/* What GET /events and GET /events/stream share: the query that filters events, and the event as
 * the API shows it. */
#ifndef CAMFLEET_API_EVENTS_H
#define CAMFLEET_API_EVENTS_H

#include <jansson.h>

#include "api/common.h"

/* Fills filter from ?type= (repeatable), ?cameraId=, ?siteId=, ?since= (422 when malformed) and
 * limits it to what the caller may see: operators everything, others their organisation, viewer
 * users the sites granted to them. */
bool api_event_filter_or_reply(struct http_request *request, struct event_filter *filter);

#endif
