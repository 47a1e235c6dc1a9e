/* Glue for src/api/sites.c: the site creation and change bodies. */
#include "api/sites.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_site_create(struct fuzz_request *fuzz)
{
	struct site site;
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	memset(&site, 0, sizeof(site));
	bool accepted = parse_new_site_or_reply(&fuzz->request, &site, &organisation_given, organisation_id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(site.name, sizeof(site.name), ENTITY_NAME_MAX);
		fuzz_check_text(site.time_zone, sizeof(site.time_zone), TIME_ZONE_MAX);
		FUZZ_CHECK(zoneinfo_zone_is_known(site.time_zone));
		fuzz_check_uuid(organisation_id, !organisation_given);
	}
	return accepted;
}

bool glue_site_patch(struct fuzz_request *fuzz)
{
	char name[ENTITY_NAME_MAX + 1];
	char time_zone[TIME_ZONE_MAX + 1] = "";
	bool has_name = false;
	json_t *body = NULL;
	bool accepted = parse_site_patch_or_reply(&fuzz->request, name, &has_name, time_zone, &body);
	FUZZ_CHECK(accepted == (body != NULL));
	json_decref(body);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(name, sizeof(name), ENTITY_NAME_MAX);
		fuzz_check_text(time_zone, sizeof(time_zone), TIME_ZONE_MAX);
		FUZZ_CHECK(time_zone[0] == '\0' || zoneinfo_zone_is_known(time_zone));
	}
	return accepted;
}
