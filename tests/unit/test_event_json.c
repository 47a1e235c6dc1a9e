/* An event's JSON text (domain/event.c): event_json_text, which splices the stored data text into
 * the envelope without parsing it, writes exactly what json_dumps(event_json(...), JSON_COMPACT)
 * writes, on the fast path (ids that are UUIDs, data an object) and on the general one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "domain/event.h"

#define EVENT_ID  "0b7c2f0e-8a0d-4c8e-9e57-3f2d1d6a9b10"
#define ORG_ID    "6f1a9d3c-2b4e-4f5a-8c7d-1e2f3a4b5c6d"
#define SITE_ID   "a2b3c4d5-e6f7-4890-a1b2-c3d4e5f60718"
#define CAMERA_ID "c0ffee00-1234-4abc-8def-0123456789ab"
#define ACTOR_ID  "deadbeef-0000-4000-8000-000000000001"

static struct event_record sample(const char *data_json)
{
	struct event_record event = {.seq = 42, .type = EVENT_CAMERA_UPDATED, .occurred_at_ms = 1764921600123};
	strcpy(event.id, EVENT_ID);
	strcpy(event.organisation_id, ORG_ID);
	strcpy(event.site_id, SITE_ID);
	strcpy(event.camera_id, CAMERA_ID);
	event.actor.kind = EVENT_ACTOR_USER;
	strcpy(event.actor.id, ACTOR_ID);
	event.data_json = data_json;
	return event;
}

/* event_json_text(event) is the text jansson writes for event_json(event). */
static void assert_same_as_jansson(const struct event_record *event)
{
	json_t *json = event_json(event);
	assert_non_null(json);
	char *expected = json_dumps(json, JSON_COMPACT);
	json_decref(json);
	assert_non_null(expected);
	size_t length = 0;
	char *text = event_json_text(event, &length);
	assert_non_null(text);
	assert_string_equal(text, expected);
	assert_int_equal(length, strlen(expected));
	free(text);
	free(expected);
}

static void test_camera_event_matches_jansson(void **state)
{
	(void)state;
	/* data as the store keeps it: compact JSON, escapes and UTF-8 as jansson wrote them */
	struct event_record event =
	    sample("{\"camera\":{\"id\":\"" CAMERA_ID "\",\"name\":\"Till \\\"2\\\" \xc3\xa9\\n/\","
	           "\"videoBacklog\":0.90000000000000002,\"isOnline\":true,\"note\":null},"
	           "\"changes\":{\"name\":{\"old\":\"Caf\xc3\xa9\",\"new\":\"x\"}}}");
	assert_same_as_jansson(&event);
}

static void test_missing_ids_are_null(void **state)
{
	(void)state;
	struct event_record event = sample("{}");
	event.type = EVENT_WEBHOOK_TEST;
	event.organisation_id[0] = event.site_id[0] = event.camera_id[0] = '\0';
	event.actor.kind = EVENT_ACTOR_SYSTEM;
	event.actor.id[0] = '\0';
	assert_same_as_jansson(&event);
	size_t length = 0;
	char *text = event_json_text(&event, &length);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"organisationId\":null,\"siteId\":null,\"cameraId\":null"));
	assert_non_null(strstr(text, "\"actor\":{\"kind\":\"system\",\"id\":null}"));
	free(text);
}

static void test_every_type_and_actor_kind(void **state)
{
	(void)state;
	for (int type = 0; type < EVENT_TYPE_COUNT; type++) {
		for (int kind = EVENT_ACTOR_USER; kind <= EVENT_ACTOR_SYSTEM; kind++) {
			struct event_record event = sample("{\"n\":1}");
			event.type = (enum event_type)type;
			event.actor.kind = (enum event_actor_kind)kind;
			assert_same_as_jansson(&event);
		}
	}
}

/* What is not a UUID takes jansson's path, which escapes it: the text stays JSON. */
static void test_an_id_that_is_not_a_uuid_is_escaped(void **state)
{
	(void)state;
	struct event_record event = sample("{\"n\":1}");
	strcpy(event.actor.id, "client\"\\x");
	assert_same_as_jansson(&event);
	size_t length = 0;
	char *text = event_json_text(&event, &length);
	assert_non_null(text);
	json_t *parsed = json_loads(text, 0, NULL);
	assert_non_null(parsed);
	assert_string_equal(json_string_value(json_object_get(json_object_get(parsed, "actor"), "id")), "client\"\\x");
	json_decref(parsed);
	free(text);
}

/* Stored data that is not an object (a damaged row) is refused, as event_json refuses it. The data
 * text is the store's own (written by event_camera_data and the like): one shaped like an object is
 * spliced as it is, not parsed again. */
static void test_data_that_is_not_an_object_is_refused(void **state)
{
	(void)state;
	static const char *const damaged[] = {"{\"n\":", "not json", "", "\"text\"", "42", NULL};
	for (size_t i = 0; damaged[i] != NULL; i++) {
		struct event_record event = sample(damaged[i]);
		size_t length = 0;
		assert_null(event_json_text(&event, &length));
	}
	struct event_record event = sample(NULL);
	size_t length = 0;
	assert_null(event_json_text(&event, &length));
}

static void test_updated_camera_names_the_changed_fields_only(void **state)
{
	(void)state;
	struct camera before = {.id = CAMERA_ID,
	                        .serial_number = "SN-1",
	                        .state = CAMERA_DECOMMISSIONED,
	                        .site_id = "60189e9c-7d12-438c-b9ca-6998d9c364b1",
	                        .has_name = true,
	                        .name = "Gate"};
	struct camera after = before;
	after.site_id[0] = '\0'; /* its site was deleted */
	char *text = event_camera_data(EVENT_CAMERA_UPDATED, &before, &after, 1764921600, 90);
	assert_non_null(text);
	json_t *data = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(data);
	json_t *changes = json_object_get(data, "changes");
	assert_int_equal(json_object_size(changes), 1);
	json_t *site = json_object_get(changes, "siteId");
	assert_string_equal(json_string_value(json_object_get(site, "old")), "60189e9c-7d12-438c-b9ca-6998d9c364b1");
	assert_true(json_is_null(json_object_get(site, "new")));
	assert_true(json_is_null(json_object_get(json_object_get(data, "camera"), "siteId")));
	json_decref(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_camera_event_matches_jansson),
	    cmocka_unit_test(test_missing_ids_are_null),
	    cmocka_unit_test(test_updated_camera_names_the_changed_fields_only),
	    cmocka_unit_test(test_every_type_and_actor_kind),
	    cmocka_unit_test(test_an_id_that_is_not_a_uuid_is_escaped),
	    cmocka_unit_test(test_data_that_is_not_an_object_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
