/* Webhook subscriptions, secrets, signatures, retry schedule and address rules (see webhook.h). */
#include "domain/webhook.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/base64.h"
#include "util/hmac_sha256.h"
#include "util/timeutil.h"

static const char *const status_names[] = {
    [DELIVERY_PENDING] = "pending",
    [DELIVERY_SUCCEEDED] = "succeeded",
    [DELIVERY_FAILED] = "failed",
};

const char *delivery_status_name(enum delivery_status status)
{
	return (unsigned)status <= DELIVERY_FAILED ? status_names[status] : "failed";
}

bool delivery_status_from_name(const char *name, enum delivery_status *out)
{
	for (unsigned i = 0; i <= DELIVERY_FAILED; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum delivery_status)i;
			return true;
		}
	}
	return false;
}

bool webhook_event_mask_from_json(const json_t *events, unsigned *mask, const char **problem)
{
	*problem = "must be a non-empty array of event types, or [\"*\"]";
	if (!json_is_array(events) || json_array_size(events) == 0 || json_array_size(events) > 2 * EVENT_TYPE_COUNT)
		return false;
	unsigned result = 0;
	size_t index;
	const json_t *item;
	json_array_foreach(events, index, item)
	{
		const char *name = json_string_value(item);
		enum event_type type;
		if (name == NULL)
			return false;
		if (strcmp(name, "*") == 0) {
			if (json_array_size(events) != 1) {
				*problem = "'*' must stand alone";
				return false;
			}
			result = WEBHOOK_ALL_EVENTS;
		} else if (!event_type_from_name(name, &type)) {
			*problem = "names an unknown event type";
			return false;
		} else if (type == EVENT_WEBHOOK_TEST) {
			*problem = "webhook.test is sent only by POST /webhooks/{id}/test; it cannot be subscribed to";
			return false;
		} else {
			result |= EVENT_TYPE_BIT(type);
		}
	}
	*mask = result;
	return true;
}

json_t *webhook_event_mask_json(unsigned mask)
{
	json_t *list = json_array();
	if (list == NULL)
		return NULL;
	if (mask == WEBHOOK_ALL_EVENTS) {
		if (json_array_append_new(list, json_string("*")) != 0)
			goto fail;
		return list;
	}
	for (unsigned type = 0; type < EVENT_TYPE_COUNT; type++)
		if ((mask & EVENT_TYPE_BIT(type)) != 0 &&
		    json_array_append_new(list, json_string(event_type_name((enum event_type)type))) != 0)
			goto fail;
	return list;
fail:
	json_decref(list);
	return NULL;
}

char *webhook_disabled_data(const char *webhook_id, const char *url, int64_t failing_since_ms)
{
	char failing_since[RFC3339_BUFFER_SIZE];
	time_format_rfc3339_millis(failing_since_ms, failing_since);
	json_t *data = json_pack("{s:s,s:s,s:s}", "webhookId", webhook_id, "url", url, "failingSince", failing_since);
	char *text = data != NULL ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	return text;
}

void webhook_secret_format(const unsigned char random[WEBHOOK_SECRET_BYTES], char out[WEBHOOK_SECRET_SIZE])
{
	_Static_assert(sizeof(WEBHOOK_SECRET_PREFIX) - 1 + 4 * ((WEBHOOK_SECRET_BYTES + 2) / 3) + 1 <=
	                   WEBHOOK_SECRET_SIZE,
	               "WEBHOOK_SECRET_SIZE holds the secret");
	memcpy(out, WEBHOOK_SECRET_PREFIX, sizeof(WEBHOOK_SECRET_PREFIX) - 1);
	base64_encode(random, WEBHOOK_SECRET_BYTES, out + sizeof(WEBHOOK_SECRET_PREFIX) - 1);
}

/* "v1," + base64 of the HMAC into out (room for 3 + 45 bytes); false when secret is no secret. */
static bool sign_with(const char *secret, const char *msg_id, int64_t timestamp, const char *body, size_t body_length,
                      char out[64])
{
	size_t prefix = sizeof(WEBHOOK_SECRET_PREFIX) - 1;
	size_t length = strlen(secret);
	if (length <= prefix || strncmp(secret, WEBHOOK_SECRET_PREFIX, prefix) != 0 || length - prefix > 88)
		return false;
	unsigned char key[66];
	long key_length = base64_decode(secret + prefix, length - prefix, key);
	if (key_length <= 0)
		return false;
	char head[96];
	int head_length = snprintf(head, sizeof(head), "%s.%lld.", msg_id, (long long)timestamp);
	if (head_length < 0 || (size_t)head_length >= sizeof(head))
		return false;
	unsigned char mac[HMAC_SHA256_BYTES];
	bool ok = hmac_sha256(key, (size_t)key_length, head, (size_t)head_length, body, body_length, mac);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return false;
	memcpy(out, "v1,", 3);
	base64_encode(mac, sizeof(mac), out + 3);
	return true;
}

char *webhook_signature_header(const char *secret, const char *previous, const char *msg_id, int64_t timestamp,
                               const char *body, size_t body_length)
{
	char current_signature[64], previous_signature[64];
	if (!sign_with(secret, msg_id, timestamp, body, body_length, current_signature) ||
	    (previous != NULL && !sign_with(previous, msg_id, timestamp, body, body_length, previous_signature)))
		return NULL;
	size_t size = 2 * sizeof(current_signature) + 2;
	char *header = malloc(size);
	if (header == NULL)
		return NULL;
	snprintf(header, size, "%s%s%s", current_signature, previous != NULL ? " " : "",
	         previous != NULL ? previous_signature : "");
	return header;
}

bool retry_schedule_parse(const char *text, struct retry_schedule *out)
{
	struct retry_schedule schedule = {.count = 0};
	const char *cursor = text;
	for (;;) {
		if (*cursor < '0' || *cursor > '9' || schedule.count == RETRY_SCHEDULE_MAX_STEPS)
			return false;
		char *end;
		errno = 0;
		unsigned long step = strtoul(cursor, &end, 10);
		if (errno != 0 || step < 1 || step > RETRY_STEP_MAX_SECONDS)
			return false;
		schedule.steps[schedule.count++] = (unsigned)step;
		if (*end == '\0')
			break;
		if (*end != ',')
			return false;
		cursor = end + 1;
	}
	*out = schedule;
	return true;
}

int64_t retry_schedule_next_ms(const struct retry_schedule *schedule, unsigned failed_attempts, int64_t now_ms,
                               double jitter)
{
	if (failed_attempts == 0 || failed_attempts > schedule->count)
		return -1;
	double step_ms = 1000.0 * schedule->steps[failed_attempts - 1];
	return now_ms + (int64_t)(step_ms * (0.9 + 0.2 * jitter));
}

/* Whether the IPv4 address (host order) lies in a range no webhook may reach. */
static bool ipv4_is_private(uint32_t address)
{
	static const struct {
		uint32_t network;
		unsigned prefix;
	} ranges[] = {
	    {0x00000000, 8},  /* 0.0.0.0/8 "this network" */
	    {0x0a000000, 8},  /* 10/8 */
	    {0x64400000, 10}, /* 100.64/10 carrier-grade NAT */
	    {0x7f000000, 8},  /* loopback */
	    {0xa9fe0000, 16}, /* 169.254/16 link-local, cloud metadata */
	    {0xac100000, 12}, /* 172.16/12 */
	    {0xc0000000, 24}, /* 192.0.0/24 IETF protocol assignments */
	    {0xc0000200, 24}, /* 192.0.2/24 documentation */
	    {0xc0a80000, 16}, /* 192.168/16 */
	    {0xc6120000, 15}, /* 198.18/15 benchmarking */
	    {0xc6336400, 24}, /* 198.51.100/24 documentation */
	    {0xcb007100, 24}, /* 203.0.113/24 documentation */
	    {0xe0000000, 4},  /* multicast */
	    {0xf0000000, 4},  /* reserved, broadcast */
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		uint32_t mask = ranges[i].prefix == 0 ? 0 : 0xffffffffu << (32 - ranges[i].prefix);
		if ((address & mask) == ranges[i].network)
			return true;
	}
	return false;
}

static uint32_t ipv4_at(const unsigned char *bytes)
{
	return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

static bool ipv6_is_private(const unsigned char *a)
{
	static const unsigned char zeros[16] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	if (memcmp(a, zeros, 15) == 0)
		return true; /* :: and ::1 */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 || memcmp(a, zeros, 12) == 0)
		return ipv4_is_private(ipv4_at(a + 12)); /* IPv4 inside: mapped, NAT64, compatible */
	if ((a[0] & 0xfe) == 0xfc)
		return true; /* fc00::/7 unique local (also fd00:ec2::254, a metadata service) */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true; /* fe80::/10 link-local */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return true; /* fec0::/10 site-local (deprecated) */
	if (a[0] == 0xff)
		return true; /* multicast */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return true; /* 2001:db8::/32 documentation */
	if (a[0] == 0x20 && a[1] == 0x02)
		return ipv4_is_private(ipv4_at(a + 2)); /* 6to4 carries an IPv4 address */
	return false;
}

bool webhook_address_is_private(const struct sockaddr *address)
{
	if (address->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)address;
		return ipv4_is_private(ntohl(v4->sin_addr.s_addr));
	}
	if (address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)address;
		return ipv6_is_private(v6->sin6_addr.s6_addr);
	}
	return true;
}
