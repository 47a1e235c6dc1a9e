/* Segment-wise matching of request paths against the route table. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

#define ROUTER_MAX_SEGMENTS 8

struct compiled_route {
	size_t segment_count;
	const char *segments[ROUTER_MAX_SEGMENTS]; /* NULL for a {placeholder} */
	size_t segment_lengths[ROUTER_MAX_SEGMENTS];
	bool trailing_slash; /* the pattern ends with "/" ("/ui/"): only such paths match it */
};

static struct route *table;
static size_t table_count;
static struct compiled_route *compiled;
static struct compiled_route compiled_storage[128];

static int compile(const char *pattern, struct compiled_route *out)
{
	if (pattern[0] != '/')
		return -1;
	out->segment_count = 0;
	size_t pattern_length = strlen(pattern);
	out->trailing_slash = pattern_length > 1 && pattern[pattern_length - 1] == '/';
	const char *p = pattern + 1;
	while (*p != '\0') {
		if (out->segment_count >= ROUTER_MAX_SEGMENTS)
			return -1;
		const char *end = strchr(p, '/');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		bool placeholder = length >= 2 && p[0] == '{' && p[length - 1] == '}';
		out->segments[out->segment_count] = placeholder ? NULL : p;
		out->segment_lengths[out->segment_count] = length;
		out->segment_count++;
		if (end == NULL || end[1] == '\0')
			break;
		p = end + 1;
	}
	return 0;
}

int router_init(struct route *routes, size_t count)
{
	if (count > sizeof(compiled_storage) / sizeof(compiled_storage[0]))
		return -1;
	for (size_t i = 0; i < count; i++) {
		routes[i].index = (unsigned)i;
		if (compile(routes[i].pattern, &compiled_storage[i]) != 0) {
			log_error("router: invalid pattern %s", routes[i].pattern);
			return -1;
		}
	}
	table = routes;
	table_count = count;
	compiled = compiled_storage;
	return 0;
}

const struct route *router_routes(size_t *count)
{
	*count = table_count;
	return table;
}

/* Splits path into segments (pointers into path, with lengths); returns the count or -1.
 * *trailing_slash tells whether the path ends with "/" after its last segment; only routes whose
 * pattern does too match it. */
static int split_path(const char *path, const char **segments, size_t *lengths, bool *trailing_slash)
{
	*trailing_slash = false;
	if (path[0] != '/')
		return -1;
	int count = 0;
	const char *p = path + 1;
	while (*p != '\0') {
		if (count >= ROUTER_MAX_SEGMENTS)
			return -1;
		const char *end = strchr(p, '/');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		segments[count] = p;
		lengths[count] = length;
		count++;
		if (end == NULL)
			break;
		p = end + 1;
		if (*p == '\0') { /* trailing slash */
			*trailing_slash = true;
			break;
		}
	}
	return count;
}

static bool path_matches(const struct compiled_route *route, const char **segments, const size_t *lengths, size_t count,
                         bool trailing_slash)
{
	if (route->segment_count != count || route->trailing_slash != trailing_slash)
		return false;
	for (size_t i = 0; i < count; i++) {
		if (route->segments[i] == NULL) {
			if (lengths[i] == 0)
				return false;
			continue;
		}
		if (route->segment_lengths[i] != lengths[i] || memcmp(route->segments[i], segments[i], lengths[i]) != 0)
			return false;
	}
	return true;
}

enum router_match router_match(struct http_request *request, char *allow, size_t allow_size)
{
	const char *segments[ROUTER_MAX_SEGMENTS];
	size_t lengths[ROUTER_MAX_SEGMENTS];
	bool trailing_slash = false;
	int count = split_path(request->path, segments, lengths, &trailing_slash);
	if (count < 0)
		return ROUTER_NO_PATH;
	bool path_found = false;
	/* HEAD is answered as GET; libmicrohttpd leaves the body out. */
	const char *method = strcmp(request->method, "HEAD") == 0 ? "GET" : request->method;
	if (allow_size > 0)
		allow[0] = '\0';
	for (size_t i = 0; i < table_count; i++) {
		if (!path_matches(&compiled[i], segments, lengths, (size_t)count, trailing_slash))
			continue;
		path_found = true;
		if (strcmp(table[i].method, method) != 0) {
			size_t used = strlen(allow);
			if (strstr(allow, table[i].method) == NULL && used + strlen(table[i].method) + 3 < allow_size)
				snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", table[i].method);
			continue;
		}
		request->route = &table[i];
		request->path_param_count = 0;
		for (size_t s = 0; s < (size_t)count; s++) {
			if (compiled[i].segments[s] != NULL || request->path_param_count >= HTTP_MAX_PATH_PARAMS)
				continue;
			char *value = arena_strndup(&request->arena, segments[s], lengths[s]);
			if (value == NULL)
				return ROUTER_NO_PATH;
			request->path_params[request->path_param_count++] = value;
		}
		return ROUTER_MATCHED;
	}
	return path_found ? ROUTER_WRONG_METHOD : ROUTER_NO_PATH;
}

bool router_query_allowed(const struct route *route, const char *name)
{
	size_t length = strlen(name);
	for (const char *p = route->query; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t item = end != NULL ? (size_t)(end - p) : strlen(p);
		if (item == length && memcmp(p, name, length) == 0)
			return true;
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}
