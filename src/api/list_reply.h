/* The one body of the organisation-scoped lists (GET /sites, /users, /clients): the role check,
 * the ?organisationId= the caller may list, an empty list when it names one the caller cannot
 * see, else the store's rows as a JSON array; each resource supplies only how to fetch them. */
#ifndef CAMFLEET_API_LIST_REPLY_H
#define CAMFLEET_API_LIST_REPLY_H

#include "api/common.h"

/* Appends the items of organisation_id ("" = every organisation) that the caller of request may
 * see to list (a JSON array), typically with store->ops->*_list and api_list_append. */
typedef enum store_result api_list_fill_fn(struct http_request *request, const char *organisation_id, json_t *list);

/* Answers the list: 403 unless the caller's role is in role_mask (action names what was
 * refused), 422 for a malformed ?organisationId=, [] when it names an organisation the caller
 * cannot see, else 200 with fill's items; a store failure answers as api_store_failure naming
 * what ("site", "user", ...). */
enum MHD_Result api_list_reply(struct http_request *request, unsigned role_mask, const char *action, const char *what,
                               api_list_fill_fn *fill);

/* The organisation a list of sites, users or clients is limited to, from the optional
 * ?organisationId= (422 when malformed): operators get the one named ("" = all), others always
 * their own; *nothing_visible is set when the caller named an organisation it cannot see (the
 * answer is then an empty list). False when the request has been answered. */
bool api_list_organisation_or_reply(struct http_request *request, char organisation_id[UUID_BUFFER_SIZE],
                                    bool *nothing_visible);

/* Appends item (a new reference; NULL when it could not be built) to list, taking the
 * reference; non-zero on failure: a store list callback's return value. */
int api_list_append(json_t *list, json_t *item);

#endif
