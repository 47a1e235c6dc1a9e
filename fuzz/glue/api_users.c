/* Glue for src/api/users.c: the create and change bodies and the granted sites list. */
#include "api/users.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_user_create(struct fuzz_request *fuzz)
{
	struct user user;
	char password[PASSWORD_MAX_BYTES + 1];
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	memset(&user, 0, sizeof(user));
	bool accepted = parse_new_user_or_reply(&fuzz->request, &user, password, &organisation_given, organisation_id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(user.email, sizeof(user.email), EMAIL_MAX);
		FUZZ_CHECK(email_is_plausible(user.email));
		FUZZ_CHECK(user.role == ROLE_OPERATOR || user.role == ROLE_ADMIN || user.role == ROLE_VIEWER);
		FUZZ_CHECK(user.role != ROLE_OPERATOR || fuzz->request.principal.role == ROLE_OPERATOR);
		fuzz_check_text(password, sizeof(password), PASSWORD_MAX_BYTES);
		fuzz_check_uuid(organisation_id, !organisation_given);
	}
	return accepted;
}

bool glue_user_patch(struct fuzz_request *fuzz)
{
	struct user_patch patch;
	memset(&patch, 0, sizeof(patch));
	json_t *body = NULL;
	bool accepted = parse_user_patch_or_reply(&fuzz->request, &patch, &body);
	FUZZ_CHECK(accepted == (body != NULL));
	json_decref(body);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(patch.email, sizeof(patch.email), EMAIL_MAX);
		FUZZ_CHECK(!patch.has_email || email_is_plausible(patch.email));
		fuzz_check_text(patch.password, sizeof(patch.password), PASSWORD_MAX_BYTES);
		FUZZ_CHECK(!patch.has_role || patch.role == ROLE_OPERATOR || patch.role == ROLE_ADMIN ||
		           patch.role == ROLE_VIEWER);
	}
	return accepted;
}

bool glue_user_sites(struct fuzz_request *fuzz)
{
	struct site_id_list list = {0};
	bool accepted = parse_site_ids_or_reply(&fuzz->request, &list);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(list.count <= GRANTED_SITES_MAX);
		for (size_t i = 0; i < list.count; i++) {
			fuzz_check_uuid(list.ids[i], false);
			FUZZ_CHECK(list.pointers[i] == list.ids[i]);
			FUZZ_CHECK(i == 0 || strcmp(list.ids[i - 1], list.ids[i]) < 0); /* sorted, no repeats */
		}
	}
	return accepted;
}
