/* Roles: what a caller may be (operator, admin, viewer, device) and the one place their names are
 * spelled. Pure data: both the access policy (auth/) and the store (which keeps roles as text)
 * use it. */
#ifndef CAMFLEET_DOMAIN_ROLE_H
#define CAMFLEET_DOMAIN_ROLE_H

enum role {
	ROLE_NONE = 0,
	ROLE_OPERATOR, /* the fleet operator: everything, across organisations */
	ROLE_ADMIN,    /* an organisation's admin: everything inside that organisation */
	ROLE_VIEWER,   /* read-only, only the cameras of the sites granted to the user */
	ROLE_DEVICE,   /* a camera: only the device endpoints, only for itself */
};

/* "operator", "admin", "viewer", "device" for a role; "" for ROLE_NONE. */
const char *role_name(enum role role);
/* The role named by text, or ROLE_NONE when text names none. */
enum role role_from_name(const char *text);

#endif
