/* Glue for src/auth/tokens.c: the claims of a verified token read into a principal. */
#include "auth/tokens.c"

#include <ctype.h>

#include "../support/fuzz_check.h"
#include "glue.h"

static void check_uuid_or_empty(const char *text)
{
	size_t length = strnlen(text, UUID_BUFFER_SIZE);
	FUZZ_CHECK(length == 0 || length == 36);
	for (size_t i = 0; i < length; i++)
		FUZZ_CHECK(!isupper((unsigned char)text[i]));
}

bool glue_principal_from_claims(json_t *claims)
{
	struct principal principal;
	memset(&principal, 0x55, sizeof(principal));
	enum token_result result = principal_from_claims(claims, &principal);
	FUZZ_CHECK(result == TOKEN_OK || result == TOKEN_BAD_CLAIMS);
	if (result != TOKEN_OK)
		return false;
	FUZZ_CHECK(principal.role == ROLE_OPERATOR || principal.role == ROLE_ADMIN || principal.role == ROLE_VIEWER ||
	           principal.role == ROLE_DEVICE);
	FUZZ_CHECK(strnlen(principal.subject, UUID_BUFFER_SIZE) == 36);
	check_uuid_or_empty(principal.subject);
	check_uuid_or_empty(principal.organisation_id);
	FUZZ_CHECK(principal.role == ROLE_OPERATOR || principal.role == ROLE_DEVICE ||
	           principal.organisation_id[0] != '\0');
	return true;
}
