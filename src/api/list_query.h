/* What the keyset-paginated listings (GET /cameras, GET /events) share. */
#ifndef CAMFLEET_API_LIST_QUERY_H
#define CAMFLEET_API_LIST_QUERY_H

#include "api/common.h"

/* An optional UUID query parameter into out ("" when absent); 422 when malformed. */
bool api_query_uuid_or_reply(struct http_request *request, const char *name, char out[UUID_BUFFER_SIZE]);
/* ?limit= into *out (0 when absent); 422 unless an integer from 1 to max. */
bool api_query_limit_or_reply(struct http_request *request, unsigned max, unsigned *out);
/* Adds `Link: <path?<the same query but limit and after>&limit=N&after=<last id>>; rel="next"`
 * to the answer (arena memory). */
void api_add_next_link(struct http_request *request, const char *path, unsigned limit, const char *last_id);

#endif
