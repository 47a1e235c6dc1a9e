/* The access policy: which role may do what, and which organisations, sites and cameras a
 * caller can see. Visibility failures are reported as "not found" so that existence is never
 * revealed across organisations. */
#ifndef CAMFLEET_AUTH_POLICY_H
#define CAMFLEET_AUTH_POLICY_H

#include <stdbool.h>

#include "auth/principal.h"
#include "domain/camera.h"
#include "store/store.h"

#define ROLE_BIT(role) (1u << (role))
#define ROLES_READERS  (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_VIEWER))
#define ROLES_WRITERS  (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_ADMIN))
#define ROLES_OPERATOR (ROLE_BIT(ROLE_OPERATOR))

/* True when the caller's role is in role_mask. */
static inline bool policy_role_allowed(const struct principal *caller, unsigned role_mask)
{
	return (ROLE_BIT(caller->role) & role_mask) != 0;
}

/* True when the caller may see things of organisation_id (operators see all). */
bool policy_organisation_visible(const struct principal *caller, const char *organisation_id);

/* True when the caller's visibility is limited to sites granted to it (a viewer user). */
bool policy_limited_to_granted_sites(const struct principal *caller);

/* STORE_OK when the caller can see the site, STORE_NOT_FOUND when not, or a store error. */
enum store_result policy_site_visible(struct store *store, const struct principal *caller, const char *site_id,
                                      const char *site_organisation_id);

/* STORE_OK when the caller can see the camera, STORE_NOT_FOUND when not, or a store error.
 * Registered (never claimed) cameras are visible to operators only. */
enum store_result policy_camera_visible(struct store *store, const struct principal *caller,
                                        const struct camera *camera);

#endif
