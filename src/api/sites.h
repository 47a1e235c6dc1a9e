/* What api/sites.c offers other resources: loading a site the caller may see. */
#ifndef CAMFLEET_API_SITES_H
#define CAMFLEET_API_SITES_H

#include <stdbool.h>

#include "api/common.h"

/* Fetches site id into out if the caller may see it (viewers: granted sites only); otherwise
 * answers 404 (or the store failure) and returns false. */
bool api_site_load_visible_or_reply(struct http_request *request, const char *id, struct site *out);

#endif
