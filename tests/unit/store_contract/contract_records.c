/* The store contract test's helpers: records with fresh ids inserted in one call, exact comparison of
 * camera rows (every field) and of listings, and reading a camera back every way the store offers.
 * Each helper fails the test at the caller's line when the store does not do what it should. */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void contract_new_id(char out[UUID_BUFFER_SIZE])
{
	if (uuid_generate_text(out) != 0)
		fail_msg("the random number generator failed");
}

const char *contract_result_name(enum store_result result)
{
	switch (result) {
	case STORE_OK: return "STORE_OK";
	case STORE_NOT_FOUND: return "STORE_NOT_FOUND";
	case STORE_CONFLICT: return "STORE_CONFLICT";
	case STORE_ERROR: return "STORE_ERROR";
	case STORE_UNAVAILABLE: return "STORE_UNAVAILABLE";
	case STORE_LIMIT: return "STORE_LIMIT";
	}
	return "(not a store result)";
}

void contract_assert_result(enum store_result actual, enum store_result expected, const char *call, const char *file,
                            int line)
{
	if (actual == expected)
		return;
	print_error("%s\n  answered %s, expected %s\n", call, contract_result_name(actual),
	            contract_result_name(expected));
	_fail(file, line);
}

/* ---- records ----------------------------------------------------------------------------------- */

void contract_make_organisation(int64_t created_at, struct organisation *out)
{
	memset(out, 0, sizeof(*out));
	contract_new_id(out->id);
	snprintf(out->name, sizeof(out->name), "Organisation %s", out->id);
	out->created_at = created_at;
}

void contract_make_site(const char *organisation_id, int64_t created_at, struct site *out)
{
	memset(out, 0, sizeof(*out));
	contract_new_id(out->id);
	snprintf(out->organisation_id, sizeof(out->organisation_id), "%s", organisation_id);
	snprintf(out->name, sizeof(out->name), "Site %s", out->id);
	snprintf(out->time_zone, sizeof(out->time_zone), "Europe/London");
	out->created_at = created_at;
}

void contract_add_organisation(struct store *store, struct organisation *out)
{
	contract_make_organisation(CONTRACT_TIME, out);
	assert_store_result(store->ops->organisation_insert(store, out), STORE_OK);
}

void contract_add_site(struct store *store, const char *organisation_id, struct site *out)
{
	contract_make_site(organisation_id, CONTRACT_TIME, out);
	assert_store_result(store->ops->site_insert(store, out), STORE_OK);
}

void contract_add_user(struct store *store, const char *organisation_id, enum role role, struct user *out)
{
	memset(out, 0, sizeof(*out));
	contract_new_id(out->id);
	snprintf(out->organisation_id, sizeof(out->organisation_id), "%s", organisation_id);
	snprintf(out->email, sizeof(out->email), "user-%s@example.com", out->id);
	out->role = role;
	snprintf(out->password_hash, sizeof(out->password_hash), "hash-%s", out->id);
	out->created_at = CONTRACT_TIME;
	assert_store_result(store->ops->user_insert(store, out), STORE_OK);
}

void contract_add_client(struct store *store, const char *organisation_id, enum role role, struct client *out)
{
	memset(out, 0, sizeof(*out));
	contract_new_id(out->id);
	snprintf(out->organisation_id, sizeof(out->organisation_id), "%s", organisation_id);
	snprintf(out->name, sizeof(out->name), "Client %s", out->id);
	out->role = role;
	snprintf(out->secret_hash, sizeof(out->secret_hash), "secret-%s", out->id);
	out->created_at = CONTRACT_TIME;
	assert_store_result(store->ops->client_insert(store, out), STORE_OK);
}

void contract_add_place(struct store *store, struct contract_place *out)
{
	contract_add_organisation(store, &out->organisation);
	contract_add_site(store, out->organisation.id, &out->site);
}

struct camera contract_registered_camera(const char *id, const char *serial_number)
{
	struct camera camera;
	memset(&camera, 0, sizeof(camera));
	snprintf(camera.id, sizeof(camera.id), "%s", id);
	snprintf(camera.serial_number, sizeof(camera.serial_number), "%s", serial_number);
	camera.state = CAMERA_REGISTERED;
	return camera;
}

void contract_add_camera(struct store *store, struct camera *out)
{
	char id[UUID_BUFFER_SIZE], serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(id);
	snprintf(serial, sizeof(serial), "SN-%s", id);
	*out = contract_registered_camera(id, serial);
	assert_store_result(store->ops->camera_register(store, id, serial, CONTRACT_TIME, CONTRACT_ORIGIN), STORE_OK);
}

struct camera_placement contract_placement(const struct site *site, int64_t at)
{
	struct camera_placement placement;
	memset(&placement, 0, sizeof(placement));
	snprintf(placement.organisation_id, sizeof(placement.organisation_id), "%s", site->organisation_id);
	snprintf(placement.site_id, sizeof(placement.site_id), "%s", site->id);
	contract_new_id(placement.camera_position_id);
	placement.at = at;
	return placement;
}

void contract_add_claimed_camera(struct store *store, const struct site *site, struct camera *out)
{
	static unsigned serial_number;
	struct camera registered;
	contract_add_camera(store, &registered);
	struct camera_placement placement = contract_placement(site, CONTRACT_TIME + 10);
	char name[32];
	snprintf(name, sizeof(name), "Camera %u", ++serial_number);
	assert_store_result(store->ops->camera_claim(store, registered.serial_number,
	                                             CAMERA_STATE_BIT(CAMERA_REGISTERED), &placement, true, name,
	                                             CONTRACT_ORIGIN, out),
	                    STORE_OK);
}

/* ---- comparing cameras --------------------------------------------------------------------------- */

static bool text_field_differs(const char *field, const char *expected, const char *actual)
{
	if (strcmp(expected, actual) == 0)
		return false;
	print_error("camera.%s is \"%s\", expected \"%s\"\n", field, actual, expected);
	return true;
}

static bool number_field_differs(const char *field, double expected, double actual)
{
	if (expected == actual)
		return false;
	print_error("camera.%s is %.17g, expected %.17g\n", field, actual, expected);
	return true;
}

/* Prints each field of actual that differs from expected's; true when any does. */
static bool camera_differs(const struct camera *expected, const struct camera *actual)
{
	bool differs = false;
	differs |= text_field_differs("id", expected->id, actual->id);
	differs |= text_field_differs("serial_number", expected->serial_number, actual->serial_number);
	differs |= number_field_differs("state", expected->state, actual->state);
	differs |= text_field_differs("organisation_id", expected->organisation_id, actual->organisation_id);
	differs |= text_field_differs("site_id", expected->site_id, actual->site_id);
	differs |= text_field_differs("camera_position_id", expected->camera_position_id, actual->camera_position_id);
	differs |= number_field_differs("claimed_at", (double)expected->claimed_at, (double)actual->claimed_at);
	differs |= number_field_differs("has_name", expected->has_name, actual->has_name);
	differs |= text_field_differs("name", expected->name, actual->name);
	differs |=
	    number_field_differs("has_direction1_alias", expected->has_direction1_alias, actual->has_direction1_alias);
	differs |= text_field_differs("direction1_alias", expected->direction1_alias, actual->direction1_alias);
	differs |=
	    number_field_differs("has_direction2_alias", expected->has_direction2_alias, actual->has_direction2_alias);
	differs |= text_field_differs("direction2_alias", expected->direction2_alias, actual->direction2_alias);
	differs |= number_field_differs("last_seen_at", (double)expected->last_seen_at, (double)actual->last_seen_at);
	differs |=
	    number_field_differs("last_video_at", (double)expected->last_video_at, (double)actual->last_video_at);
	differs |= number_field_differs("reported_offline", expected->reported_offline, actual->reported_offline);
	differs |= number_field_differs("encoded_frames_proportion", expected->encoded_frames_proportion,
	                                actual->encoded_frames_proportion);
	differs |= number_field_differs("network_transmit_rate", expected->network_transmit_rate,
	                                actual->network_transmit_rate);
	differs |= number_field_differs("video_backlog", expected->video_backlog, actual->video_backlog);
	differs |=
	    number_field_differs("video_upload_latency", expected->video_upload_latency, actual->video_upload_latency);
	differs |= number_field_differs("reported_state", expected->reported_state, actual->reported_state);
	return differs;
}

void contract_assert_camera(const struct camera *expected, const struct camera *actual, const char *file, int line)
{
	if (camera_differs(expected, actual))
		_fail(file, line);
}

enum { CAMERA_READS = 5 };

void contract_assert_stored_camera(struct store *store, const struct camera *expected, const char *file, int line)
{
	static const char *const how[CAMERA_READS] = {"camera_get (first)", "camera_get (again)",
	                                              "camera_get_by_serial", "camera_get_many [0]",
	                                              "camera_get_many [1]"};
	struct camera read[CAMERA_READS];
	enum store_result results[CAMERA_READS];
	bool found[CAMERA_READS] = {true, true, true, false, false};
	memset(read, 0, sizeof(read));
	results[0] = store->ops->camera_get(store, expected->id, &read[0]);
	results[1] = store->ops->camera_get(store, expected->id, &read[1]);
	results[2] = store->ops->camera_get_by_serial(store, expected->serial_number, &read[2]);
	const char *ids[2] = {expected->id, expected->id};
	results[3] = results[4] = store->ops->camera_get_many(store, ids, 2, &read[3], &found[3]);
	for (int i = 0; i < CAMERA_READS; i++) {
		if (results[i] != STORE_OK || !found[i]) {
			print_error("%s of %s: %s%s\n", how[i], expected->id, contract_result_name(results[i]),
			            found[i] ? "" : " (not found)");
			_fail(file, line);
		}
		if (camera_differs(expected, &read[i])) {
			print_error("(read by %s)\n", how[i]);
			_fail(file, line);
		}
	}
}

void contract_prime_camera(struct store *store, const char *id)
{
	struct camera camera;
	assert_store_result(store->ops->camera_get(store, id, &camera), STORE_OK);
}

/* ---- listings ------------------------------------------------------------------------------------ */

int contract_ids_add(struct contract_ids *ids, const char *id)
{
	ids->seen++;
	for (size_t i = 0; i < ids->own_count; i++) {
		if (strcmp(ids->own[i], id) != 0)
			continue;
		if (ids->count >= CONTRACT_IDS_MAX) {
			ids->overflow = true;
			return 1;
		}
		snprintf(ids->ids[ids->count++], UUID_BUFFER_SIZE, "%s", id);
		break;
	}
	return ids->stop_after != 0 && ids->count >= ids->stop_after;
}

void contract_assert_ids(const struct contract_ids *ids, const char *const *expected, size_t count, const char *file,
                         int line)
{
	bool same = !ids->overflow && ids->count == count;
	for (size_t i = 0; same && i < count; i++)
		same = strcmp(ids->ids[i], expected[i]) == 0;
	if (same)
		return;
	print_error("the listing handed out %zu of the test's ids%s:\n", ids->count,
	            ids->overflow ? " (too many)" : "");
	for (size_t i = 0; i < ids->count; i++)
		print_error("  %s\n", ids->ids[i]);
	print_error("expected %zu:\n", count);
	for (size_t i = 0; i < count; i++)
		print_error("  %s\n", expected[i]);
	_fail(file, line);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

void contract_sort_ids(char (*ids)[UUID_BUFFER_SIZE], size_t count)
{
	qsort(ids, count, UUID_BUFFER_SIZE, compare_ids);
}

const struct change_origin contract_origin = {
    .actor = {.kind = EVENT_ACTOR_SYSTEM, .id = ""}, .at_ms = CONTRACT_TIME * 1000, .online_window = 90};
