/* Health-alert event data (see health_alert_event.h): the camera events extend the data every
 * camera event has (domain/event.c); the site events list the cameras. */
#include "domain/health_alert_event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/event.h"
#include "util/timeutil.h"

char *health_alert_camera_data(const struct camera *camera, int64_t now, unsigned online_window,
                               int64_t offline_since_ms, bool reminder)
{
	char *base = event_camera_data(EVENT_CAMERA_OFFLINE, NULL, camera, now, online_window);
	if (base == NULL)
		return NULL;
	char since[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(offline_since_ms / 1000, since);
	/* base is "{...}": the extras go before its closing brace */
	size_t base_length = strlen(base) - 1;
	const char *reminder_text = reminder ? ",\"reminder\":true" : "";
	size_t size = base_length + sizeof(",\"offlineSince\":\"\"") - 1 + strlen(since) + strlen(reminder_text) + 2;
	char *text = malloc(size);
	if (text != NULL)
		snprintf(text, size, "%.*s,\"offlineSince\":\"%s\"%s}", (int)base_length, base, since, reminder_text);
	free(base);
	return text;
}

char *health_alert_site_data(const char *const *camera_ids, size_t count, int64_t offline_since_ms)
{
	json_t *ids = json_array();
	for (size_t i = 0; ids != NULL && i < count; i++) {
		if (json_array_append_new(ids, json_string(camera_ids[i])) != 0) {
			json_decref(ids);
			ids = NULL;
		}
	}
	char since[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(offline_since_ms / 1000, since);
	json_t *data = ids != NULL ? json_pack("{s:o,s:s}", "cameraIds", ids, "offlineSince", since) : NULL;
	char *text = data != NULL ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	return text;
}
