/* Validation of IANA time-zone names against the system's zoneinfo database: the name is
 * checked character by character first, so only a harmless relative path is ever opened. */
#include "domain/time_zone.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TIME_ZONE_NAME_MAX 64

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
	if (length == 0 || length > TIME_ZONE_NAME_MAX)
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

bool time_zone_is_known(const char *name)
{
	if (name == NULL || !name_is_safe(name))
		return false;
	char path[sizeof(TIME_ZONE_DIRECTORY) + TIME_ZONE_NAME_MAX + 2];
	snprintf(path, sizeof(path), "%s/%s", TIME_ZONE_DIRECTORY, name);
	return file_is_tzif(path);
}
