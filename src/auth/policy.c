/* Visibility rules of PRODUCT.md "Roles and access". */
#include "auth/policy.h"

#include <string.h>

bool policy_organisation_visible(const struct principal *caller, const char *organisation_id)
{
	if (caller->role == ROLE_OPERATOR)
		return true;
	return organisation_id != NULL && organisation_id[0] != '\0' &&
	       strcmp(caller->organisation_id, organisation_id) == 0;
}

bool policy_limited_to_granted_sites(const struct principal *caller)
{
	return caller->role == ROLE_VIEWER && caller->kind == SUBJECT_USER;
}

enum store_result policy_site_visible(struct store *store, const struct principal *caller, const char *site_id,
                                      const char *site_organisation_id)
{
	if (!policy_organisation_visible(caller, site_organisation_id))
		return STORE_NOT_FOUND;
	if (!policy_limited_to_granted_sites(caller))
		return STORE_OK;
	return store->ops->user_site_granted(store, caller->subject, site_id);
}

enum store_result policy_camera_visible(struct store *store, const struct principal *caller,
                                        const struct camera *camera)
{
	if (caller->role == ROLE_OPERATOR)
		return STORE_OK;
	if (camera->state == CAMERA_REGISTERED || camera->organisation_id[0] == '\0')
		return STORE_NOT_FOUND;
	return policy_site_visible(store, caller, camera->site_id, camera->organisation_id);
}
