/* Validation of --public-url and its default from the listen address. */
#include "http/public_url.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int public_url_normalize(const char *text, char *out, size_t out_size, const char **error)
{
	const char *scheme;
	size_t scheme_length;
	if (strncasecmp(text, "http://", 7) == 0) {
		scheme = "http://";
		scheme_length = 7;
	} else if (strncasecmp(text, "https://", 8) == 0) {
		scheme = "https://";
		scheme_length = 8;
	} else {
		*error = "the scheme must be http:// or https://";
		return -1;
	}
	const char *rest = text + scheme_length;
	size_t authority = strcspn(rest, "/");
	if (authority == 0) {
		*error = "a host is required after the scheme";
		return -1;
	}
	if (memchr(rest, '@', authority) != NULL) {
		*error = "user information (user@) is not allowed";
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)rest; *p != '\0'; p++) {
		if (*p == '?' || *p == '#') {
			*error = "a query (?) or fragment (#) is not allowed";
			return -1;
		}
		if (*p <= 0x20 || *p >= 0x7f) {
			*error = "spaces, control characters and non-ASCII bytes are not allowed (percent-encode them)";
			return -1;
		}
	}
	size_t length = strlen(rest);
	while (length > authority && rest[length - 1] == '/')
		length--;
	if (scheme_length + length + 1 > out_size) {
		*error = "the URL is too long";
		return -1;
	}
	memcpy(out, scheme, scheme_length);
	memcpy(out + scheme_length, rest, length);
	out[scheme_length + length] = '\0';
	return 0;
}

int public_url_from_listen(const char *host, unsigned port, char *out, size_t out_size)
{
	const char *shown = host[0] != '\0' ? host : "localhost";
	bool ipv6 = strchr(shown, ':') != NULL;
	int n = snprintf(out, out_size, ipv6 ? "http://[%s]:%u" : "http://%s:%u", shown, port);
	return n < 0 || (size_t)n >= out_size ? -1 : 0;
}

const char *public_url_path(const char *url)
{
	const char *authority = strstr(url, "://");
	if (authority == NULL)
		return "";
	authority += 3;
	return authority + strcspn(authority, "/");
}
