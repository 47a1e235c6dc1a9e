/* What the keyset-paginated listings (GET /cameras, GET /events) share: their optional UUID and
 * limit query parameters, and the Link header that names the next page. */
#include "api/list_query.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

bool api_query_uuid_or_reply(struct http_request *request, const char *name, char out[UUID_BUFFER_SIZE])
{
	const char *value = http_query(request, name);
	out[0] = '\0';
	if (value == NULL || uuid_normalize(value, out))
		return true;
	http_reply_error(request, 422, "query parameter '%s' must be a UUID (8-4-4-4-12 hexadecimal digits)", name);
	return false;
}

bool api_query_limit_or_reply(struct http_request *request, unsigned max, unsigned *out)
{
	const char *value = http_query(request, "limit");
	*out = 0;
	if (value == NULL)
		return true;
	unsigned limit = 0;
	size_t length = strlen(value);
	bool valid = length >= 1 && length <= 4;
	for (size_t i = 0; valid && i < length; i++) {
		valid = value[i] >= '0' && value[i] <= '9';
		limit = limit * 10 + (unsigned)(value[i] - '0');
	}
	if (!valid || limit < 1 || limit > max) {
		http_reply_error(request, 422, "query parameter 'limit' must be an integer from 1 to %u", max);
		return false;
	}
	*out = limit;
	return true;
}

/* Appends text to the link target, percent-encoding all but RFC 3986 unreserved characters;
 * with out NULL only counts. */
static void link_put(char *out, size_t *length, const char *text, bool encode)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
		bool plain = !encode || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		             (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' || *c == '~';
		if (plain) {
			if (out != NULL)
				out[*length] = (char)*c;
			*length += 1;
			continue;
		}
		if (out != NULL) {
			out[*length] = '%';
			out[*length + 1] = hex[*c >> 4];
			out[*length + 2] = hex[*c & 15];
		}
		*length += 3;
	}
}

struct link_builder {
	char *out; /* NULL while measuring */
	size_t length;
};

/* Copies every query parameter but limit and after, as "key=value&". */
static enum MHD_Result link_visit(void *context, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct link_builder *link = context;
	if (key == NULL || strcmp(key, "limit") == 0 || strcmp(key, "after") == 0)
		return MHD_YES;
	link_put(link->out, &link->length, key, true);
	if (value != NULL) {
		link_put(link->out, &link->length, "=", false);
		link_put(link->out, &link->length, value, true);
	}
	link_put(link->out, &link->length, "&", false);
	return MHD_YES;
}

static void link_compose(struct http_request *request, struct link_builder *link, const char *path, const char *tail)
{
	link_put(link->out, &link->length, "<", false);
	link_put(link->out, &link->length, path, false);
	link_put(link->out, &link->length, "?", false);
	MHD_get_connection_values(request->connection, MHD_GET_ARGUMENT_KIND, link_visit, link);
	link_put(link->out, &link->length, tail, false);
}

void api_add_next_link(struct http_request *request, const char *path, unsigned limit, const char *last_id)
{
	char tail[128];
	snprintf(tail, sizeof(tail), "limit=%u&after=%s>; rel=\"next\"", limit, last_id);
	struct link_builder link = {NULL, 0};
	link_compose(request, &link, path, tail);
	link.out = arena_alloc(&request->arena, link.length + 1);
	if (link.out == NULL) {
		log_error("%s: no memory for the Link header", path);
		return;
	}
	link.length = 0;
	link_compose(request, &link, path, tail);
	link.out[link.length] = '\0';
	http_reply_add_header(request, "Link", link.out);
}
