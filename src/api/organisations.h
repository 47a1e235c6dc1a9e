/* What api/organisations.c offers the other directory resources (sites, users, clients): the
 * rule that decides which organisation a newly created thing belongs to. */
#ifndef CAMFLEET_API_ORGANISATIONS_H
#define CAMFLEET_API_ORGANISATIONS_H

#include <stdbool.h>

#include "api/common.h"

/* Resolves the organisation of a new site, user or client from the body's optional
 * organisationId (given_id when given): operators must name one (400 otherwise); admins get
 * their own and may name only it (another → 404). The organisation must exist (404). Copies it
 * into out; false when the request has been answered. */
bool api_organisation_for_new(struct http_request *request, bool given, const char *given_id,
                              char out[UUID_BUFFER_SIZE]);

/* The organisation a list of sites, users or clients is limited to, from the optional
 * ?organisationId= (422 when malformed): operators get the one named ("" = all), others always
 * their own; *nothing_visible is set when the caller named an organisation it cannot see (the
 * answer is then an empty list). False when the request has been answered. */
bool api_list_organisation(struct http_request *request, char organisation_id[UUID_BUFFER_SIZE],
			   bool *nothing_visible);

#endif
