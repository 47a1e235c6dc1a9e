/* The Prometheus text of GET /metrics, for the main API and the separate metrics listener. */
#ifndef CAMFLEET_API_META_H
#define CAMFLEET_API_META_H

#include <stddef.h>

#include "app.h"

/* The whole metrics exposition (malloc'd; the caller frees it) and its length; NULL when out of
 * memory. */
char *api_metrics_text(struct app *app, size_t *length);

#endif
