/* The bus router: one subscription to the store's messages, each message handed to the listener
 * whose prefix it starts with; removed listeners hear nothing more. A fake store stands in for
 * PostgreSQL's LISTEN/NOTIFY. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/store_bus.h"

struct fake_store {
	struct store base;
	store_message_fn deliver; /* the one subscriber */
	void *context;
	int subscriptions, unsubscriptions;
	char published[STORE_MESSAGE_MAX + 1];
};

static int fake_subscribe(struct store *store, store_message_fn deliver, void *context)
{
	struct fake_store *fake = (struct fake_store *)store;
	fake->deliver = deliver;
	fake->context = context;
	fake->subscriptions++;
	return 0;
}

static void fake_unsubscribe(struct store *store)
{
	struct fake_store *fake = (struct fake_store *)store;
	fake->deliver = NULL;
	fake->unsubscriptions++;
}

static enum store_result fake_publish(struct store *store, const char *message)
{
	snprintf(((struct fake_store *)store)->published, STORE_MESSAGE_MAX + 1, "%s", message);
	return STORE_OK;
}

static const struct store_messages fake_messages = {
    .subscribe = fake_subscribe,
    .unsubscribe = fake_unsubscribe,
    .publish = fake_publish,
};

struct heard {
	int count;
	char last[STORE_MESSAGE_MAX + 1];
};

static void hear(void *context, const char *message)
{
	struct heard *heard = context;
	heard->count++;
	snprintf(heard->last, sizeof(heard->last), "%s", message);
}

static void test_messages_go_to_the_listener_of_their_prefix(void **state)
{
	struct fake_store fake = {.base = {.messages = &fake_messages}};
	struct store_bus *bus = store_bus_new(&fake.base);
	assert_non_null(bus);
	assert_int_equal(fake.subscriptions, 1);
	struct heard hub = {0}, tokens = {0};
	assert_int_equal(store_bus_listen(bus, "frame ", hear, &hub), 0);
	assert_int_equal(store_bus_listen(bus, "revoke ", hear, &tokens), 0);
	fake.deliver(fake.context, "revoke 497f6eca-6276-4993-bfeb-53cbbbba6f08 1700000000000");
	fake.deliver(fake.context, "frame 497f6eca-6276-4993-bfeb-53cbbbba6f08");
	fake.deliver(fake.context, "framed"); /* no listener's prefix: dropped */
	assert_int_equal(tokens.count, 1);
	assert_string_equal(tokens.last, "revoke 497f6eca-6276-4993-bfeb-53cbbbba6f08 1700000000000");
	assert_int_equal(hub.count, 1);
	assert_string_equal(hub.last, "frame 497f6eca-6276-4993-bfeb-53cbbbba6f08");
	store_bus_free(bus);
	assert_int_equal(fake.unsubscriptions, 1);
}

static void test_removed_listener_hears_nothing_and_others_still_do(void **state)
{
	struct fake_store fake = {.base = {.messages = &fake_messages}};
	struct store_bus *bus = store_bus_new(&fake.base);
	struct heard hub = {0}, tokens = {0};
	assert_int_equal(store_bus_listen(bus, "capture ", hear, &hub), 0);
	assert_int_equal(store_bus_listen(bus, "forget ", hear, &hub), 0);
	assert_int_equal(store_bus_listen(bus, "keys rotated", hear, &tokens), 0);
	store_bus_unlisten(bus, &hub); /* both of its routes */
	fake.deliver(fake.context, "capture x");
	fake.deliver(fake.context, "forget x");
	fake.deliver(fake.context, "keys rotated");
	assert_int_equal(hub.count, 0);
	assert_int_equal(tokens.count, 1);
	store_bus_free(bus);
}

static void test_publish_goes_to_the_store_and_bad_prefixes_are_refused(void **state)
{
	struct fake_store fake = {.base = {.messages = &fake_messages}};
	struct store_bus *bus = store_bus_new(&fake.base);
	struct heard heard = {0};
	assert_int_equal(store_bus_publish(bus, "keys rotated"), STORE_OK);
	assert_string_equal(fake.published, "keys rotated");
	assert_int_equal(store_bus_listen(bus, "", hear, &heard), -1);
	assert_int_equal(store_bus_listen(bus, "a-prefix-longer-than-thirty-one-bytes", hear, &heard), -1);
	int added = 0;
	while (store_bus_listen(bus, "p", hear, &heard) == 0)
		added++;
	assert_int_equal(added, 16); /* the router's room */
	store_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_messages_go_to_the_listener_of_their_prefix),
	    cmocka_unit_test(test_removed_listener_hears_nothing_and_others_still_do),
	    cmocka_unit_test(test_publish_goes_to_the_store_and_bad_prefixes_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
