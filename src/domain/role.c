/* Role names: the one place their spelling lives. */
#include "domain/role.h"

#include <string.h>

static const char *const role_names[] = {"", "operator", "admin", "viewer", "device"};

const char *role_name(enum role role)
{
	if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
		return "";
	return role_names[role];
}

enum role role_from_name(const char *text)
{
	if (text == NULL)
		return ROLE_NONE;
	for (unsigned i = 1; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(text, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}
