/* Glue for src/api/cameras.c: the claim and change bodies and the list query. */
#include "api/cameras.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_camera_claim(struct fuzz_request *fuzz)
{
	struct claim_request claim;
	memset(&claim, 0x55, sizeof(claim)); /* a parser that forgets a field leaves no NUL behind */
	bool accepted = parse_claim_or_reply(&fuzz->request, &claim);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(claim.serial_number, sizeof(claim.serial_number), CAMERA_SERIAL_MAX);
		FUZZ_CHECK(claim.serial_number[0] != '\0');
		fuzz_check_uuid(claim.site_id, false);
		fuzz_check_text(claim.name, sizeof(claim.name), CAMERA_TEXT_MAX);
		FUZZ_CHECK(claim.has_name || claim.name[0] == '\0');
	}
	return accepted;
}

bool glue_camera_patch(struct fuzz_request *fuzz)
{
	struct camera_patch patch = {0};
	json_t *body = NULL;
	bool accepted = parse_patch_or_reply(&fuzz->request, &patch, &body);
	FUZZ_CHECK(accepted == (body != NULL));
	json_decref(body);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_text(patch.name, sizeof(patch.name), CAMERA_TEXT_MAX);
		fuzz_check_text(patch.direction1_alias, sizeof(patch.direction1_alias), CAMERA_TEXT_MAX);
		fuzz_check_text(patch.direction2_alias, sizeof(patch.direction2_alias), CAMERA_TEXT_MAX);
		FUZZ_CHECK(!patch.has_name || patch.set_name);
		FUZZ_CHECK(!patch.has_direction1_alias || patch.set_direction1_alias);
		FUZZ_CHECK(!patch.has_direction2_alias || patch.set_direction2_alias);
	}
	return accepted;
}

bool glue_camera_list_query(struct fuzz_request *fuzz)
{
	struct list_query query = {0};
	bool accepted = parse_list_query_or_reply(&fuzz->request, &query);
	fuzz_check_verdict(fuzz, accepted);
	if (!accepted)
		return false;
	struct camera_filter *filter = &query.filter;
	FUZZ_CHECK(query.limit <= LIST_LIMIT_MAX);
	FUZZ_CHECK(filter->state_mask != 0);
	fuzz_check_uuid(filter->site_id, true);
	fuzz_check_uuid(filter->after_id, true);
	fuzz_check_uuid(filter->organisation_id, true);
	/* The next-page link repeats the query: it must stay one header line of visible ASCII. */
	api_add_next_link(&fuzz->request, "/cameras", query.limit > 0 ? query.limit : 1,
	                  "00000000-0000-4000-8000-000000000000");
	FUZZ_CHECK(fuzz->request.extra_header_count <= 1);
	for (size_t i = 0; i < fuzz->request.extra_header_count; i++)
		for (const unsigned char *c = (const unsigned char *)fuzz->request.extra_headers[i].value; *c != '\0';
		     c++)
			FUZZ_CHECK(*c >= 0x20 && *c < 0x7f);
	return true;
}

bool glue_camera_get_query(struct fuzz_request *fuzz)
{
	bool include_metrics = false;
	bool accepted = camera_access_include_metrics_or_reply(&fuzz->request, &include_metrics);
	fuzz_check_verdict(fuzz, accepted);
	return accepted;
}

bool glue_path_uuid(struct fuzz_request *fuzz)
{
	char id[UUID_BUFFER_SIZE];
	memset(id, 0x55, sizeof(id));
	bool accepted = api_path_uuid_or_reply(&fuzz->request, 0, "cameraId", id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		fuzz_check_uuid(id, false);
	return accepted;
}
