/* Glue for src/api/organisations.c: the organisation body; and the organisationId list filter of
 * src/api/list_reply.c. */
#include "api/organisations.c"

#include "../support/fuzz_request.h"
#include "glue.h"

static bool organisation_body(struct fuzz_request *fuzz, enum field_need need)
{
	char name[ENTITY_NAME_MAX + 1];
	bool has_name = false;
	json_t *body = NULL;
	bool accepted = parse_organisation_body_or_reply(&fuzz->request, need, name, &has_name,
	                                                 need == FIELD_OPTIONAL ? &body : NULL);
	FUZZ_CHECK(need != FIELD_OPTIONAL || accepted == (body != NULL));
	json_decref(body);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(name, sizeof(name), ENTITY_NAME_MAX);
		FUZZ_CHECK(has_name || need != FIELD_REQUIRED);
		FUZZ_CHECK(!has_name || name[0] != '\0');
	}
	return accepted;
}

bool glue_organisation_create(struct fuzz_request *fuzz)
{
	return organisation_body(fuzz, FIELD_REQUIRED);
}

bool glue_organisation_patch(struct fuzz_request *fuzz)
{
	return organisation_body(fuzz, FIELD_OPTIONAL);
}

bool glue_list_organisation_query(struct fuzz_request *fuzz)
{
	char organisation_id[UUID_BUFFER_SIZE];
	bool nothing_visible = false;
	bool accepted = api_list_organisation_or_reply(&fuzz->request, organisation_id, &nothing_visible);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		fuzz_check_uuid(organisation_id, fuzz->request.principal.role == ROLE_OPERATOR);
	return accepted;
}
