/* `camfleet sim --outage`: parsing CAMERA_INDEX:START_S:LENGTH_S and finding a camera's next
 * outage (see outage.h). */
#include "sim/outage.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Reads a number of seconds from *text up to `stop` ('\0' or ':'); advances *text past it. */
static int parse_seconds_field(const char **text, char stop, double min, double max, double *out)
{
	char *end = NULL;
	errno = 0;
	double value = strtod(*text, &end);
	if (errno != 0 || end == *text || *end != stop || !isfinite(value) || value < min || value > max)
		return -1;
	*out = value;
	*text = stop == '\0' ? end : end + 1;
	return 0;
}

int sim_outage_parse(const char *text, struct sim_outage *out)
{
	if (text[0] < '0' || text[0] > '9')
		return -1; /* strtoul would take "-1" or " 1" */
	char *end = NULL;
	errno = 0;
	unsigned long camera = strtoul(text, &end, 10);
	if (errno != 0 || *end != ':' || camera > UINT32_MAX)
		return -1;
	const char *rest = end + 1;
	struct sim_outage parsed = {.camera = (uint32_t)camera};
	if (parse_seconds_field(&rest, ':', 0, SIM_OUTAGE_MAX_SECONDS, &parsed.start_seconds) != 0 ||
	    parse_seconds_field(&rest, '\0', SIM_OUTAGE_MIN_LENGTH_S, SIM_OUTAGE_MAX_SECONDS, &parsed.length_seconds) !=
	        0)
		return -1;
	*out = parsed;
	return 0;
}

static int64_t to_millis(double seconds)
{
	return llround(seconds * 1000.0);
}

bool sim_outage_next(const struct sim_outage *outages, size_t count, uint32_t camera, int64_t after_millis,
                     int64_t *begins_millis, int64_t *ends_millis)
{
	bool found = false;
	for (size_t i = 0; i < count; i++) {
		const struct sim_outage *outage = &outages[i];
		int64_t begins = to_millis(outage->start_seconds);
		int64_t ends = to_millis(outage->start_seconds + outage->length_seconds);
		if (outage->camera != camera || ends <= after_millis || (found && begins >= *begins_millis))
			continue;
		*begins_millis = begins;
		*ends_millis = ends;
		found = true;
	}
	return found;
}
