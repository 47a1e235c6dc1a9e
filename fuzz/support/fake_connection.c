/* The connection of fuzz/support/fuzz_request.h. The three libmicrohttpd functions camfleet calls
 * on a connection while parsing and answering (value lookups and queueing a response) are defined
 * here: the executable's definitions take precedence over libmicrohttpd's, so the parsers run
 * unchanged against the fuzz input. Responses themselves are real libmicrohttpd objects. Linked
 * into every target but fuzz_token_endpoint, which runs a real libmicrohttpd connection. */
#include <string.h>
#include <strings.h>

#include "fuzz_request.h"

static const char *pair_lookup(const struct fuzz_pair *pairs, size_t count, const char *key, bool fold_case)
{
	for (size_t i = 0; i < count; i++) {
		bool same = fold_case ? strcasecmp(pairs[i].key, key) == 0 : strcmp(pairs[i].key, key) == 0;
		if (same)
			return pairs[i].value;
	}
	return NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key)
{
	if (connection == NULL || key == NULL)
		return NULL;
	if (kind == MHD_GET_ARGUMENT_KIND)
		return pair_lookup(connection->query, connection->query_count, key, false);
	if (kind == MHD_HEADER_KIND)
		return pair_lookup(connection->headers, connection->header_count, key, true);
	return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind, MHD_KeyValueIterator iterator,
                              void *iterator_cls)
{
	const struct fuzz_pair *pairs = kind == MHD_GET_ARGUMENT_KIND ? connection->query : connection->headers;
	size_t count = kind == MHD_GET_ARGUMENT_KIND ? connection->query_count : connection->header_count;
	if (kind != MHD_GET_ARGUMENT_KIND && kind != MHD_HEADER_KIND)
		return 0;
	for (size_t i = 0; i < count; i++)
		if (iterator != NULL && iterator(iterator_cls, kind, pairs[i].key, pairs[i].value) != MHD_YES)
			return (int)i + 1;
	return (int)count;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
	FUZZ_CHECK(response != NULL);
	connection->replies++;
	connection->status = status_code;
	return MHD_YES;
}
