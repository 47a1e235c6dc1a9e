/* Checks a webhook's URL and, unless allowed, refuses hosts with private addresses (target.h). */
#include "webhooks/target.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "domain/webhook.h"

/* Whether every address host resolves to is public; *resolved false when it does not resolve. */
static bool host_is_public(const char *host, bool *resolved)
{
	char name[256];
	size_t length = strlen(host);
	if (length >= 2 && host[0] == '[' && host[length - 1] == ']') { /* an IPv6 literal */
		host++;
		length -= 2;
	}
	if (length == 0 || length >= sizeof(name)) {
		*resolved = false;
		return false;
	}
	memcpy(name, host, length);
	name[length] = '\0';
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *addresses = NULL;
	*resolved = getaddrinfo(name, NULL, &hints, &addresses) == 0 && addresses != NULL;
	if (!*resolved)
		return false;
	bool public = true;
	for (const struct addrinfo *address = addresses; address != NULL && public; address = address->ai_next)
	public = !webhook_address_is_private(address->ai_addr);
	freeaddrinfo(addresses);
	return public;
}

const char *webhook_target_problem(const char *url, bool allow_private)
{
	if (strlen(url) > WEBHOOK_URL_MAX)
		return "field 'url' is longer than 2048 bytes";
	CURLU *parsed = curl_url();
	if (parsed == NULL)
		return "field 'url' cannot be checked now (out of memory)";
	char *scheme = NULL, *host = NULL, *user = NULL;
	const char *problem = NULL;
	if (curl_url_set(parsed, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(parsed, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		problem = "field 'url' must be an absolute http or https URL with a host";
	} else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		problem = "field 'url' must use http or https";
	} else if (curl_url_get(parsed, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		problem = "field 'url' must not carry credentials; authenticate deliveries by their signature";
	} else if (!allow_private) {
		bool resolved = false;
		if (!host_is_public(host, &resolved))
			problem = resolved ? "the host of field 'url' has a loopback, private, link-local or reserved "
			                     "address; the server "
			                     "refuses those unless it runs with --allow-private-webhooks"
			                   : "the host of field 'url' does not resolve";
	}
	curl_free(user);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(parsed);
	return problem;
}
