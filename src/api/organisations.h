/* What api/organisations.c offers the other directory resources (sites, users, clients): the
 * rule that decides which organisation a newly created thing belongs to (which organisation a
 * list shows: api/list_reply.h). */
#ifndef CAMFLEET_API_ORGANISATIONS_H
#define CAMFLEET_API_ORGANISATIONS_H

#include <stdbool.h>

#include "api/common.h"

/* Resolves the organisation of a new site, user or client from the body's optional
 * organisationId (given_id when given): operators must name one (400 otherwise); admins get
 * their own and may name only it (another → 404). The organisation must exist (404). Copies it
 * into out; false when the request has been answered. */
bool api_organisation_for_new_or_reply(struct http_request *request, bool given, const char *given_id,
                                       char out[UUID_BUFFER_SIZE]);

#endif
