/* The system tz database through glibc. Zone names are checked character by character before
 * anything is opened or put into the environment, so only a harmless relative path under
 * /usr/share/zoneinfo is ever read. The only question asked of a zone is "what is the UTC offset
 * at instant t?", answered by localtime_r (tm_gmtoff).
 *
 * glibc's localtime_r reads the zone chosen by the last tzset(), which reads the TZ environment
 * variable. To switch zones safely among threads:
 * - once (pthread_once), putenv() puts tz_variable, a static buffer of fixed capacity, into the
 *   environment, so environ points at it; TZ is never given to setenv/unsetenv, so environ is never
 *   reallocated afterwards on our account;
 * - a switch rewrites tz_variable in place ("TZ=:/usr/share/zoneinfo/<zone>", an absolute path, so
 *   TZDIR is not consulted) and calls tzset(), under zone_lock;
 * - zoneinfo_with_zone holds zone_lock from its switch through the end of its work, so no other
 *   thread changes the zone under the offsets the work asks for. */
#include "util/zoneinfo.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TZ_PREFIX   "TZ=:" ZONEINFO_DIRECTORY "/"
#define TZ_INITIAL  "TZ=UTC0" /* a POSIX rule: no file needed at startup */
#define TZ_CAPACITY 128       /* > sizeof(TZ_PREFIX) + ZONEINFO_NAME_MAX */
#define TZDATA_ZI   ZONEINFO_DIRECTORY "/tzdata.zi"
#define VERSION_MAX 16

_Static_assert(sizeof(TZ_PREFIX) + ZONEINFO_NAME_MAX < TZ_CAPACITY, "tz_variable too small");

/* ---- zone names ---- */

static bool is_name_character(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
	       c == '-' || c == '+';
}

/* Files of the zoneinfo directory that are not zones, or not plain IANA ones. */
static bool is_excluded(const char *name)
{
	return strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0 || strncmp(name, "posix/", 6) == 0 ||
	       strncmp(name, "right/", 6) == 0;
}

/* Every '/'-separated segment is non-empty: no leading, trailing or doubled '/'. */
static bool segments_are_safe(const char *name)
{
	const char *segment = name;
	for (;;) {
		size_t length = strcspn(segment, "/");
		if (length == 0)
			return false;
		if (segment[length] == '\0')
			return true;
		segment += length + 1;
	}
}

static bool name_is_safe(const char *name)
{
	size_t length = strlen(name);
	if (length == 0 || length > ZONEINFO_NAME_MAX)
		return false;
	for (size_t i = 0; i < length; i++)
		if (!is_name_character(name[i]))
			return false;
	return segments_are_safe(name) && !is_excluded(name); /* no '.' at all, so no ".." */
}

static bool file_is_tzif(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	struct stat info;
	char magic[4];
	bool known = fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && read(fd, magic, sizeof(magic)) == 4 &&
	             memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return known;
}

bool zoneinfo_zone_is_known(const char *zone)
{
	if (zone == NULL || !name_is_safe(zone))
		return false;
	char path[sizeof(ZONEINFO_DIRECTORY) + ZONEINFO_NAME_MAX + 2];
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIRECTORY, zone);
	return file_is_tzif(path);
}

/* ---- the process's TZ, owned by this file ---- */

static pthread_once_t environment_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char tz_variable[TZ_CAPACITY] = TZ_INITIAL; /* in environ after environment_once */
static bool environment_ready;                     /* putenv succeeded; written once */
static char current_zone[ZONEINFO_NAME_MAX + 1];   /* what tz_variable names; "" = TZ_INITIAL */
static _Thread_local bool inside_zone;             /* this thread runs a zoneinfo_with_zone work */

static void install_tz_variable(void)
{
	environment_ready = putenv(tz_variable) == 0;
	if (environment_ready)
		tzset();
}

/* Makes zone (a known name: checked, so harmless in the environment) the one localtime_r
 * answers for; the caller holds zone_lock. */
static bool switch_zone_locked(const char *zone)
{
	if (strcmp(current_zone, zone) == 0)
		return true;
	char next[TZ_CAPACITY];
	int length = snprintf(next, sizeof(next), "%s%s", TZ_PREFIX, zone);
	if (length < 0 || (size_t)length >= sizeof(next))
		return false;
	memcpy(tz_variable, next, (size_t)length + 1); /* in place: environ keeps pointing here */
	tzset();
	memcpy(current_zone, zone, strlen(zone) + 1); /* at most ZONEINFO_NAME_MAX: the name is known */
	return true;
}

enum zoneinfo_result zoneinfo_with_zone(const char *zone, void (*work)(void *context), void *context)
{
	if (!zoneinfo_zone_is_known(zone))
		return ZONEINFO_UNKNOWN_ZONE;
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return ZONEINFO_ERROR;
	if (pthread_mutex_lock(&zone_lock) != 0)
		return ZONEINFO_ERROR;
	enum zoneinfo_result result = ZONEINFO_ERROR;
	if (switch_zone_locked(zone)) {
		inside_zone = true;
		work(context);
		inside_zone = false;
		result = ZONEINFO_OK;
	}
	if (pthread_mutex_unlock(&zone_lock) != 0)
		return ZONEINFO_ERROR;
	return result;
}

bool zoneinfo_offset_at(int64_t instant, long *offset)
{
	time_t t = (time_t)instant;
	struct tm fields;
	if (!inside_zone || (int64_t)t != instant || localtime_r(&t, &fields) == NULL)
		return false;
	*offset = fields.tm_gmtoff;
	return true;
}

enum zoneinfo_result zoneinfo_init(void)
{
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return ZONEINFO_ERROR;
	return ZONEINFO_OK;
}

/* ---- the data version ---- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char zone_data_version[VERSION_MAX] = "unknown";

/* Reads "# version 2025b" from tzdata.zi's first line; leaves "unknown" on any failure. */
static void read_zone_data_version(void)
{
	FILE *file = fopen(TZDATA_ZI, "re");
	if (file == NULL)
		return;
	char line[64];
	bool got_line = fgets(line, sizeof(line), file) != NULL;
	if (fclose(file) != 0 || !got_line)
		return;
	static const char prefix[] = "# version ";
	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0)
		return;
	const char *version = line + sizeof(prefix) - 1;
	size_t length = strcspn(version, "\r\n");
	if (length == 0 || length >= VERSION_MAX)
		return;
	for (size_t i = 0; i < length; i++)
		if (!((version[i] >= '0' && version[i] <= '9') || (version[i] >= 'a' && version[i] <= 'z')))
			return;
	memcpy(zone_data_version, version, length);
	zone_data_version[length] = '\0';
}

const char *zoneinfo_data_version(void)
{
	if (pthread_once(&version_once, read_zone_data_version) != 0)
		return "unknown";
	return zone_data_version;
}
