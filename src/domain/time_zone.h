/* IANA time-zone names: whether a name is one the system's zoneinfo database knows.
 * The only I/O is reading the first bytes of /usr/share/zoneinfo/<name>. */
#ifndef CAMFLEET_DOMAIN_TIME_ZONE_H
#define CAMFLEET_DOMAIN_TIME_ZONE_H

#include <stdbool.h>

/* Where the zoneinfo files live. */
#define TIME_ZONE_DIRECTORY "/usr/share/zoneinfo"

/* True when name is a safe relative zone name (letters, digits, '/', '_', '-', '+' only, so never
 * "..", no empty segment, no leading or trailing '/') and TIME_ZONE_DIRECTORY/name is a regular
 * file starting with the TZif magic. "UTC" and "Europe/Paris" are known; "../etc/passwd" is not. */
bool time_zone_is_known(const char *name);

#endif
