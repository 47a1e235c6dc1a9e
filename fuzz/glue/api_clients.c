/* Glue for src/api/clients.c: the API client creation body. */
#include "api/clients.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_client_create(struct fuzz_request *fuzz)
{
	struct client client;
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	memset(&client, 0, sizeof(client));
	bool accepted = parse_new_client_or_reply(&fuzz->request, &client, &organisation_given, organisation_id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(client.name, sizeof(client.name), ENTITY_NAME_MAX);
		FUZZ_CHECK(client.name[0] != '\0');
		FUZZ_CHECK(client.role == ROLE_OPERATOR || client.role == ROLE_ADMIN || client.role == ROLE_VIEWER);
		FUZZ_CHECK(client.role != ROLE_OPERATOR || fuzz->request.principal.role == ROLE_OPERATOR);
		fuzz_check_uuid(organisation_id, !organisation_given);
	}
	return accepted;
}
