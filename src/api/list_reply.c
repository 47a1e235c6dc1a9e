/* The shared body of the organisation-scoped list handlers, and the ?organisationId= rule they
 * apply (api/list_reply.h). */
#include "api/list_reply.h"

#include <string.h>

enum MHD_Result api_list_reply(struct http_request *request, unsigned role_mask, const char *action, const char *what,
                               api_list_fill_fn *fill)
{
	if (!api_require_role_or_reply(request, role_mask, action))
		return http_replied(request);
	char organisation_id[UUID_BUFFER_SIZE];
	bool nothing_visible = false;
	if (!api_list_organisation_or_reply(request, organisation_id, &nothing_visible))
		return http_replied(request);
	json_t *list = json_array();
	if (list == NULL)
		return http_reply_error(request, 500, "internal error");
	if (nothing_visible)
		return http_reply_json(request, 200, list);
	enum store_result result = fill(request, organisation_id, list);
	if (result != STORE_OK) {
		json_decref(list);
		return api_store_failure(request, result, what, NULL);
	}
	return http_reply_json(request, 200, list);
}

bool api_list_organisation_or_reply(struct http_request *request, char organisation_id[UUID_BUFFER_SIZE],
                                    bool *nothing_visible)
{
	const struct principal *caller = &request->principal;
	const char *filter = http_query(request, "organisationId");
	organisation_id[0] = '\0';
	*nothing_visible = false;
	if (filter != NULL && !uuid_normalize(filter, organisation_id)) {
		http_reply_error(request, 422, "query parameter 'organisationId' must be a UUID");
		return false;
	}
	if (filter != NULL && !policy_organisation_visible(caller, organisation_id))
		*nothing_visible = true;
	if (caller->role != ROLE_OPERATOR)
		memcpy(organisation_id, caller->organisation_id, UUID_BUFFER_SIZE);
	return true;
}

int api_list_append(json_t *list, json_t *item)
{
	return item == NULL || json_array_append_new(list, item) != 0;
}
