/* Webhooks' pure logic (domain/webhook.c): the event mask to and from JSON, the secret's format,
 * the Standard Webhooks signature against vectors computed apart (Python's hmac, and the example
 * of standardwebhooks.com), the retry schedule, and which addresses a delivery may never reach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "domain/webhook.h"

/* --- event mask ---------------------------------------------------------------------------- */

/* The mask of JSON text, or -1 when refused (problem then set). */
static long long mask_of(const char *json_text)
{
	json_t *events = json_loads(json_text, JSON_DECODE_ANY, NULL);
	assert_non_null(events);
	unsigned mask = 0;
	const char *problem = NULL;
	bool accepted = webhook_event_mask_from_json(events, &mask, &problem);
	json_decref(events);
	if (!accepted) {
		assert_non_null(problem);
		return -1;
	}
	return mask;
}

static void test_event_mask_from_names_and_star(void **state)
{
	(void)state;
	assert_int_equal(mask_of("[\"*\"]"), WEBHOOK_ALL_EVENTS);
	assert_int_equal(mask_of("[\"camera.claimed\"]"), EVENT_TYPE_BIT(EVENT_CAMERA_CLAIMED));
	assert_int_equal(mask_of("[\"camera.moved\", \"camera.registered\", \"camera.moved\"]"),
	                 EVENT_TYPE_BIT(EVENT_CAMERA_MOVED) | EVENT_TYPE_BIT(EVENT_CAMERA_REGISTERED));
	assert_int_equal(mask_of("[\"webhook.disabled\", \"site.online\"]"),
	                 EVENT_TYPE_BIT(EVENT_WEBHOOK_DISABLED) | EVENT_TYPE_BIT(EVENT_SITE_ONLINE));
}

static void test_event_mask_refuses_malformed_lists(void **state)
{
	(void)state;
	static const char *const refused[] = {
	    "[]",
	    "{}",
	    "\"*\"",
	    "null",
	    "[1]",
	    "[null]",
	    "[\"camera.claimed\", 7]",
	    "[\"camera.nothing\"]",
	    "[\"CAMERA.CLAIMED\"]",
	    "[\"*\", \"camera.claimed\"]",
	    "[\"camera.claimed\", \"*\"]",
	    "[\"*\", \"*\"]",
	    "[\"webhook.test\"]",
	    "[\"camera.claimed\", \"webhook.test\"]",
	    "[\"\"]",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (mask_of(refused[i]) != -1)
			fail_msg("accepted %s", refused[i]);
	}
}

static void test_event_mask_json_lists_types_in_order_or_star(void **state)
{
	(void)state;
	json_t *all = webhook_event_mask_json(WEBHOOK_ALL_EVENTS);
	char *all_text = json_dumps(all, JSON_COMPACT);
	assert_string_equal(all_text, "[\"*\"]");
	free(all_text);
	json_decref(all);

	json_t *some =
	    webhook_event_mask_json(EVENT_TYPE_BIT(EVENT_WEBHOOK_DISABLED) | EVENT_TYPE_BIT(EVENT_CAMERA_PAUSED) |
	                            EVENT_TYPE_BIT(EVENT_CAMERA_REGISTERED));
	char *some_text = json_dumps(some, JSON_COMPACT);
	assert_string_equal(some_text, "[\"camera.registered\",\"camera.paused\",\"webhook.disabled\"]");
	free(some_text);
	json_decref(some);
}

static void test_event_mask_round_trips_through_json(void **state)
{
	(void)state;
	for (unsigned type = 0; type < EVENT_TYPE_COUNT; type++) {
		if (type == EVENT_WEBHOOK_TEST)
			continue;
		unsigned mask = EVENT_TYPE_BIT(type) | EVENT_TYPE_BIT(EVENT_CAMERA_CLAIMED);
		json_t *list = webhook_event_mask_json(mask);
		unsigned parsed = 0;
		const char *problem = NULL;
		assert_true(webhook_event_mask_from_json(list, &parsed, &problem));
		assert_int_equal(parsed, mask);
		json_decref(list);
	}
}

/* --- secret, signature, webhook.disabled ------------------------------------------------------ */

static void test_secret_is_whsec_and_standard_base64_of_the_bytes(void **state)
{
	(void)state;
	unsigned char counting[WEBHOOK_SECRET_BYTES], ones[WEBHOOK_SECRET_BYTES];
	for (unsigned i = 0; i < WEBHOOK_SECRET_BYTES; i++)
		counting[i] = (unsigned char)i;
	memset(ones, 0xff, sizeof(ones));
	char secret[WEBHOOK_SECRET_SIZE];
	webhook_secret_format(counting, secret);
	assert_string_equal(secret, "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	webhook_secret_format(ones, secret); /* '/' and '+' of the standard alphabet, not '_' and '-' */
	assert_string_equal(secret, "whsec_//////////////////////////////////////////8=");
}

/* Vectors computed with Python's hmac: base64(HMAC-SHA256(b64decode(secret[6:]), f"{id}.{ts}.{body}")). */
#define COUNTING_SECRET      "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define DESCENDING_SECRET    "whsec_//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA="
#define MESSAGE_ID           "0b7c6a52-58d2-4c1b-9f51-1d4a1e6b2f00"
#define MESSAGE_BODY         "{\"id\":\"x\",\"type\":\"camera.claimed\"}"
#define COUNTING_SIGNATURE   "v1,l8Qil5Dm+4eSyRyU3Ut7mWMVvxgHO3BfJU96n4aUN8w="
#define DESCENDING_SIGNATURE "v1,6SQp+Nc2UGWHW69Lx3trx6xQSZnA/D94YP3nQf6AdF0="

static void test_signature_matches_the_standard_webhooks_example(void **state)
{
	(void)state;
	const char body[] = "{\"test\": 2432232314}";
	char *header = webhook_signature_header("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL,
	                                        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body));
	assert_non_null(header);
	assert_string_equal(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	free(header);
}

static void test_signature_matches_an_independent_hmac(void **state)
{
	(void)state;
	const char body[] = MESSAGE_BODY "trailing bytes past body_length are not signed";
	char *header =
	    webhook_signature_header(COUNTING_SECRET, NULL, MESSAGE_ID, 1764900000, body, strlen(MESSAGE_BODY));
	assert_non_null(header);
	assert_string_equal(header, COUNTING_SIGNATURE);
	free(header);
}

static void test_signature_after_rotation_carries_new_then_previous(void **state)
{
	(void)state;
	const char body[] = MESSAGE_BODY;
	char *header =
	    webhook_signature_header(DESCENDING_SECRET, COUNTING_SECRET, MESSAGE_ID, 1764900000, body, strlen(body));
	assert_non_null(header);
	assert_string_equal(header, DESCENDING_SIGNATURE " " COUNTING_SIGNATURE);
	free(header);
}

static void test_signature_refuses_secrets_that_are_not_whsec(void **state)
{
	(void)state;
	const char body[] = MESSAGE_BODY;
	static const char *const bad[] = {"",
	                                  "whsec_",
	                                  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	                                  "whsek_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	                                  "whsec_!!!!",
	                                  "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *header = webhook_signature_header(bad[i], NULL, MESSAGE_ID, 1764900000, body, strlen(body));
		if (header != NULL)
			fail_msg("signed with %s: %s", bad[i], header);
		header = webhook_signature_header(COUNTING_SECRET, bad[i], MESSAGE_ID, 1764900000, body, strlen(body));
		if (header != NULL)
			fail_msg("signed with previous %s: %s", bad[i], header);
	}
}

static void test_disabled_data_names_webhook_url_and_failing_since(void **state)
{
	(void)state;
	char *text = webhook_disabled_data(MESSAGE_ID, "https://example.com/hook?a=\"b\"", 1700000000123);
	assert_non_null(text);
	json_t *data = json_loads(text, 0, NULL);
	assert_non_null(data);
	assert_int_equal(json_object_size(data), 3);
	assert_string_equal(json_string_value(json_object_get(data, "webhookId")), MESSAGE_ID);
	assert_string_equal(json_string_value(json_object_get(data, "url")), "https://example.com/hook?a=\"b\"");
	assert_string_equal(json_string_value(json_object_get(data, "failingSince")), "2023-11-14T22:13:20.123Z");
	json_decref(data);
	free(text);
}

/* --- retry schedule ---------------------------------------------------------------------------- */

static void test_retry_schedule_parses_comma_separated_seconds(void **state)
{
	(void)state;
	struct retry_schedule schedule;
	assert_true(retry_schedule_parse("5,300,1800", &schedule));
	assert_int_equal(schedule.count, 3);
	assert_int_equal(schedule.steps[0], 5);
	assert_int_equal(schedule.steps[1], 300);
	assert_int_equal(schedule.steps[2], 1800);
	assert_true(retry_schedule_parse("1", &schedule));
	assert_int_equal(schedule.count, 1);
	assert_int_equal(schedule.steps[0], 1);
	assert_true(retry_schedule_parse("604800", &schedule)); /* a week: the longest step */
	assert_int_equal(schedule.steps[0], RETRY_STEP_MAX_SECONDS);
	assert_true(retry_schedule_parse("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20", &schedule));
	assert_int_equal(schedule.count, RETRY_SCHEDULE_MAX_STEPS);
	assert_int_equal(schedule.steps[19], 20);
}

static void test_retry_schedule_refuses_bad_text_and_keeps_the_old(void **state)
{
	(void)state;
	static const char *const refused[] = {
	    "",
	    "0",
	    "1,0",
	    ",1",
	    "1,",
	    "1,,2",
	    " 1",
	    "1 ",
	    "1, 2",
	    "+1",
	    "-1",
	    "1.5",
	    "a",
	    "1;2",
	    "604801",
	    "99999999999999999999999",
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct retry_schedule schedule = {.steps = {42}, .count = 1};
		if (retry_schedule_parse(refused[i], &schedule))
			fail_msg("accepted \"%s\"", refused[i]);
		assert_int_equal(schedule.count, 1); /* untouched */
		assert_int_equal(schedule.steps[0], 42);
	}
}

static void test_retry_next_is_the_step_within_ten_percent(void **state)
{
	(void)state;
	struct retry_schedule schedule;
	assert_true(retry_schedule_parse("5,300", &schedule));
	const int64_t now = 1700000000000;
	assert_int_equal(retry_schedule_next_ms(&schedule, 1, now, 0.0), now + 4500);
	assert_int_equal(retry_schedule_next_ms(&schedule, 1, now, 0.5), now + 5000);
	int64_t latest = retry_schedule_next_ms(&schedule, 1, now, 0.999999999);
	assert_true(latest >= now + 5499 && latest < now + 5500);
	assert_int_equal(retry_schedule_next_ms(&schedule, 2, now, 0.0), now + 270000);
	assert_int_equal(retry_schedule_next_ms(&schedule, 2, now, 0.5), now + 300000);
	for (double jitter = 0.0; jitter < 1.0; jitter += 0.0625) {
		int64_t next = retry_schedule_next_ms(&schedule, 2, now, jitter);
		assert_true(next >= now + 270000 && next < now + 330000);
	}
}

static void test_retry_ends_after_the_last_step(void **state)
{
	(void)state;
	struct retry_schedule schedule;
	assert_true(retry_schedule_parse("1,1", &schedule));
	const int64_t now = 1700000000000;
	assert_int_equal(retry_schedule_next_ms(&schedule, 0, now, 0.5), -1); /* no failure yet: nothing to wait */
	assert_int_equal(retry_schedule_next_ms(&schedule, 2, now, 0.5), now + 1000);
	assert_int_equal(retry_schedule_next_ms(&schedule, 3, now, 0.5), -1);
	assert_int_equal(retry_schedule_next_ms(&schedule, 1000, now, 0.5), -1);
	assert_true(retry_schedule_parse("604800", &schedule)); /* the longest step, no overflow */
	assert_int_equal(retry_schedule_next_ms(&schedule, 1, now, 0.999999999) - now, 665279999);
}

/* --- addresses --------------------------------------------------------------------------------- */

/* Whether the IPv4 or IPv6 literal text is private (a test failure when it is no literal). */
static bool private(const char *text)
{
	struct sockaddr_in v4 = {.sin_family = AF_INET};
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
	if (inet_pton(AF_INET, text, &v4.sin_addr) == 1)
		return webhook_address_is_private((const struct sockaddr *)&v4);
	if (inet_pton(AF_INET6, text, &v6.sin6_addr) == 1)
		return webhook_address_is_private((const struct sockaddr *)&v6);
	fail_msg("not an address literal: %s", text);
	return false;
}

static void check_all(const char *const *texts, size_t count, bool expected)
{
	for (size_t i = 0; i < count; i++)
		if (private(texts[i]) != expected)
			fail_msg("%s should be %s", texts[i], expected ? "private" : "public");
}

/* Each range by its first and last address, and the public neighbours just outside it. */
static void test_ipv4_ranges_are_private_at_both_ends(void **state)
{
	(void)state;
	static const char *const private_addresses[] = {
	    "0.0.0.0",         "0.255.255.255",   "10.0.0.0",        "10.255.255.255",  "100.64.0.0",
	    "100.127.255.255", "127.0.0.1",       "127.255.255.255", "169.254.0.0",     "169.254.169.254",
	    "169.254.255.255", "172.16.0.0",      "172.31.255.255",  "192.0.0.0",       "192.0.0.255",
	    "192.0.2.0",       "192.0.2.255",     "192.168.0.0",     "192.168.255.255", "198.18.0.0",
	    "198.19.255.255",  "198.51.100.0",    "198.51.100.255",  "203.0.113.0",     "203.0.113.255",
	    "224.0.0.1",       "239.255.255.255", "240.0.0.0",       "255.255.255.255",
	};
	static const char *const public_addresses[] = {
	    "1.0.0.0",         "8.8.8.8",      "9.255.255.255",   "11.0.0.0",    "100.63.255.255",  "100.128.0.0",
	    "126.255.255.255", "128.0.0.0",    "169.253.255.255", "169.255.0.0", "172.15.255.255",  "172.32.0.0",
	    "192.0.1.0",       "192.0.3.0",    "192.167.255.255", "192.169.0.0", "198.17.255.255",  "198.20.0.0",
	    "198.51.99.255",   "198.51.101.0", "203.0.112.255",   "203.0.114.0", "223.255.255.255",
	};
	check_all(private_addresses, sizeof(private_addresses) / sizeof(private_addresses[0]), true);
	check_all(public_addresses, sizeof(public_addresses) / sizeof(public_addresses[0]), false);
}

static void test_ipv6_ranges_and_embedded_ipv4_are_private(void **state)
{
	(void)state;
	static const char *const private_addresses[] = {
	    "::",
	    "::1",
	    "fc00::",
	    "fd00:ec2::254",
	    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "fe80::1",
	    "febf:ffff::1",
	    "fec0::1",
	    "ff02::1",
	    "ff0e::1",
	    "2001:db8::",
	    "2001:db8:ffff::1",
	    /* IPv4-mapped: the metadata service, loopback, RFC 1918 and carrier-grade NAT in disguise */
	    "::ffff:169.254.169.254",
	    "::ffff:127.0.0.1",
	    "::ffff:10.1.2.3",
	    "::ffff:192.168.1.1",
	    "::ffff:172.16.0.1",
	    "::ffff:100.64.0.1",
	    "::ffff:0.0.0.0",
	    /* NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carrying a private IPv4 address */
	    "64:ff9b::a9fe:a9fe",
	    "64:ff9b::7f00:1",
	    "2002:a9fe:a9fe::1",
	    "2002:0a00:0001::",
	};
	static const char *const public_addresses[] = {
	    "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1", "::ffff:8.8.8.8", "::ffff:1.1.1.1",
	    "64:ff9b::808:808",     "2002:0808:0808::1",    "fbff::1",      "fe7f::1",        "2001:db9::1",
	    "2001:db7::1",
	};
	check_all(private_addresses, sizeof(private_addresses) / sizeof(private_addresses[0]), true);
	check_all(public_addresses, sizeof(public_addresses) / sizeof(public_addresses[0]), false);
}

static void test_unknown_address_family_counts_as_private(void **state)
{
	(void)state;
	struct sockaddr_un local = {.sun_family = AF_UNIX};
	assert_true(webhook_address_is_private((const struct sockaddr *)&local));
	struct sockaddr unspecified = {.sa_family = AF_UNSPEC};
	assert_true(webhook_address_is_private(&unspecified));
}

/* --- delivery status ------------------------------------------------------------------------------ */

static void test_delivery_status_names_round_trip(void **state)
{
	(void)state;
	static const char *const names[] = {"pending", "succeeded", "failed"};
	for (unsigned i = 0; i < 3; i++) {
		enum delivery_status status;
		assert_true(delivery_status_from_name(names[i], &status));
		assert_int_equal(status, i);
		assert_string_equal(delivery_status_name(status), names[i]);
	}
	enum delivery_status status = DELIVERY_PENDING;
	assert_false(delivery_status_from_name("Pending", &status));
	assert_false(delivery_status_from_name("", &status));
	assert_int_equal(status, DELIVERY_PENDING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_mask_from_names_and_star),
	    cmocka_unit_test(test_event_mask_refuses_malformed_lists),
	    cmocka_unit_test(test_event_mask_json_lists_types_in_order_or_star),
	    cmocka_unit_test(test_event_mask_round_trips_through_json),
	    cmocka_unit_test(test_secret_is_whsec_and_standard_base64_of_the_bytes),
	    cmocka_unit_test(test_signature_matches_the_standard_webhooks_example),
	    cmocka_unit_test(test_signature_matches_an_independent_hmac),
	    cmocka_unit_test(test_signature_after_rotation_carries_new_then_previous),
	    cmocka_unit_test(test_signature_refuses_secrets_that_are_not_whsec),
	    cmocka_unit_test(test_disabled_data_names_webhook_url_and_failing_since),
	    cmocka_unit_test(test_retry_schedule_parses_comma_separated_seconds),
	    cmocka_unit_test(test_retry_schedule_refuses_bad_text_and_keeps_the_old),
	    cmocka_unit_test(test_retry_next_is_the_step_within_ten_percent),
	    cmocka_unit_test(test_retry_ends_after_the_last_step),
	    cmocka_unit_test(test_ipv4_ranges_are_private_at_both_ends),
	    cmocka_unit_test(test_ipv6_ranges_and_embedded_ipv4_are_private),
	    cmocka_unit_test(test_unknown_address_family_counts_as_private),
	    cmocka_unit_test(test_delivery_status_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
