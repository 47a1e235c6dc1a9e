/* Store contract: users (emails unique and found regardless of ASCII case, and only ASCII case),
 * their granted sites (replaced as a whole, refused when a site is not the user's organisation's),
 * and API clients (device credentials are clients too, but never listed). */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* ---- users -------------------------------------------------------------------------------------- */

static void assert_user_equal(const struct user *expected, const struct user *read)
{
	assert_string_equal(read->id, expected->id);
	assert_string_equal(read->organisation_id, expected->organisation_id);
	assert_string_equal(read->email, expected->email);
	assert_int_equal(read->role, expected->role);
	assert_string_equal(read->password_hash, expected->password_hash);
	assert_int_equal(read->created_at, expected->created_at);
}

struct user_listing {
	struct contract_ids ids;
	const struct user *expected;
	int matched;
};

static int list_user(void *context, const struct user *user)
{
	struct user_listing *listing = context;
	if (listing->expected != NULL && strcmp(user->id, listing->expected->id) == 0) {
		listing->matched++;
		assert_user_equal(listing->expected, user);
	}
	return contract_ids_add(&listing->ids, user->id);
}

static void test_user_round_trip(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct user admin, operator;
	contract_add_user(store, organisation.id, ROLE_ADMIN, &admin);
	contract_add_user(store, "", ROLE_OPERATOR, &operator);
	struct user read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->user_get(store, admin.id, &read), STORE_OK);
	assert_user_equal(&admin, &read);
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->user_get(store, operator.id, &read), STORE_OK);
	assert_user_equal(&operator, & read); /* no organisation reads back as "" */
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->user_get(store, unknown, &read), STORE_NOT_FOUND);
}

static void test_user_duplicates_are_conflicts(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	struct user same_id = user;
	snprintf(same_id.email, sizeof(same_id.email), "other-%s@example.com", user.id);
	assert_store_result(store->ops->user_insert(store, &same_id), STORE_CONFLICT);
	/* the same email in other ASCII case */
	struct user same_email = user;
	contract_new_id(same_email.id);
	for (char *c = same_email.email; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	assert_store_result(store->ops->user_insert(store, &same_email), STORE_CONFLICT);
	struct user read;
	assert_store_result(store->ops->user_get(store, same_email.id, &read), STORE_NOT_FOUND);
	/* an unknown organisation */
	struct user orphan = same_id;
	contract_new_id(orphan.id);
	contract_new_id(orphan.organisation_id);
	assert_store_result(store->ops->user_insert(store, &orphan), STORE_CONFLICT);
}

static void test_user_get_by_email_ignores_ascii_case_only(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	snprintf(user.email, sizeof(user.email), "Ann.Example+%s@Example.COM", user.id);
	assert_store_result(store->ops->user_update(store, &user, 0), STORE_OK);
	char asked[EMAIL_MAX + 1];
	snprintf(asked, sizeof(asked), "ann.example+%s@EXAMPLE.com", user.id);
	struct user read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->user_get_by_email(store, asked, &read), STORE_OK);
	assert_user_equal(&user, &read); /* the email as written */

	/* é and É are not the same letter to either dialect (ASCII case only) */
	struct user accented;
	contract_add_user(store, "", ROLE_OPERATOR, &accented);
	snprintf(accented.email, sizeof(accented.email), "\xc3\xa9lise-%s@example.com", accented.id);
	assert_store_result(store->ops->user_update(store, &accented, 0), STORE_OK);
	assert_store_result(store->ops->user_get_by_email(store, accented.email, &read), STORE_OK);
	assert_string_equal(read.id, accented.id);
	snprintf(asked, sizeof(asked), "\xc3\x89lise-%s@example.com", accented.id);
	assert_store_result(store->ops->user_get_by_email(store, asked, &read), STORE_NOT_FOUND);

	assert_store_result(store->ops->user_get_by_email(store, "nobody@example.com", &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->user_get_by_email(store, "\xff\xfe@example.com", &read), STORE_NOT_FOUND);
}

static void test_user_list_by_organisation_in_creation_order(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct user later, first, second, operator;
	contract_add_user(store, organisation.id, ROLE_ADMIN, &first);
	contract_add_user(store, organisation.id, ROLE_VIEWER, &second);
	contract_add_user(store, "", ROLE_OPERATOR, &operator);
	/* a user created later, with an id that sorts first */
	later = first;
	snprintf(later.id, sizeof(later.id), "00000000-0000-4000-8000-%.12s", first.id + 24);
	snprintf(later.email, sizeof(later.email), "later-%s@example.com", first.id);
	later.created_at = CONTRACT_TIME + 1;
	assert_store_result(store->ops->user_insert(store, &later), STORE_OK);
	if (strcmp(second.id, first.id) < 0) {
		struct user swap = first;
		first = second;
		second = swap;
	}
	const char *own[] = {first.id, second.id, later.id, operator.id };
	struct user_listing listing = {.ids = {.own = own, .own_count = 4}, .expected = &second};
	assert_store_result(store->ops->user_list(store, organisation.id, list_user, &listing), STORE_OK);
	assert_ids(&listing.ids, first.id, second.id, later.id);
	assert_int_equal(listing.ids.seen, 3);
	assert_int_equal(listing.matched, 1);
	listing = (struct user_listing){.ids = {.own = own, .own_count = 4}, .expected = &operator};
	assert_store_result(store->ops->user_list(store, "", list_user, &listing), STORE_OK);
	assert_int_equal(listing.ids.count, 4);
	assert_int_equal(listing.matched, 1);
}

static void test_user_update_writes_every_field_but_created_at(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct user user, other;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	contract_add_user(store, "", ROLE_OPERATOR, &other);
	struct user changed = user;
	snprintf(changed.organisation_id, sizeof(changed.organisation_id), "%s", organisation.id);
	snprintf(changed.email, sizeof(changed.email), "changed-%s@example.com", user.id);
	changed.role = ROLE_VIEWER;
	snprintf(changed.password_hash, sizeof(changed.password_hash), "$argon2id$v=19$new-%s", user.id);
	changed.created_at = 1;
	assert_store_result(store->ops->user_update(store, &changed, 0), STORE_OK);
	struct user read, expected = changed;
	expected.created_at = user.created_at;
	assert_store_result(store->ops->user_get(store, user.id, &read), STORE_OK);
	assert_user_equal(&expected, &read);

	/* back to no organisation */
	expected.organisation_id[0] = '\0';
	expected.role = ROLE_OPERATOR;
	assert_store_result(store->ops->user_update(store, &expected, 0), STORE_OK);
	assert_store_result(store->ops->user_get(store, user.id, &read), STORE_OK);
	assert_user_equal(&expected, &read);

	struct user taken = expected;
	snprintf(taken.email, sizeof(taken.email), "USER-%s@example.com", other.id);
	assert_store_result(store->ops->user_update(store, &taken, 0), STORE_CONFLICT);
	contract_new_id(taken.id);
	assert_store_result(store->ops->user_update(store, &taken, 0), STORE_NOT_FOUND);
}

static void test_user_delete(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	assert_store_result(store->ops->user_delete(store, user.id, 0), STORE_OK);
	struct user read;
	assert_store_result(store->ops->user_get(store, user.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->user_get_by_email(store, user.email, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->user_delete(store, user.id, 0), STORE_NOT_FOUND);
	/* the email is free again */
	contract_new_id(user.id);
	assert_store_result(store->ops->user_insert(store, &user), STORE_OK);
}

/* ---- granted sites ------------------------------------------------------------------------------ */

static int list_granted(void *context, const char *site_id)
{
	struct contract_ids *ids = context;
	return contract_ids_add(ids, site_id);
}

static void test_user_sites_set_replaces_the_grants(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	char sites[3][UUID_BUFFER_SIZE];
	for (int i = 0; i < 3; i++) {
		struct site site;
		contract_add_site(store, organisation.id, &site);
		snprintf(sites[i], sizeof(sites[i]), "%s", site.id);
	}
	contract_sort_ids(sites, 3);
	struct user viewer;
	contract_add_user(store, organisation.id, ROLE_VIEWER, &viewer);
	const char *own[] = {sites[0], sites[1], sites[2]};

	const char *two_repeated[] = {sites[2], sites[0], sites[2]};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, two_repeated, 3), STORE_OK);
	struct contract_ids ids = {.own = own, .own_count = 3};
	assert_store_result(store->ops->user_sites_list(store, viewer.id, list_granted, &ids), STORE_OK);
	assert_ids(&ids, sites[0], sites[2]); /* in id order, each once */
	assert_int_equal(ids.seen, 2);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, sites[0]), STORE_OK);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, sites[1]), STORE_NOT_FOUND);

	const char *one[] = {sites[1]};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, one, 1), STORE_OK);
	ids = (struct contract_ids){.own = own, .own_count = 3};
	assert_store_result(store->ops->user_sites_list(store, viewer.id, list_granted, &ids), STORE_OK);
	assert_ids(&ids, sites[1]);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, sites[0]), STORE_NOT_FOUND);

	assert_store_result(store->ops->user_sites_set(store, viewer.id, NULL, 0), STORE_OK);
	ids = (struct contract_ids){.own = own, .own_count = 3};
	assert_store_result(store->ops->user_sites_list(store, viewer.id, list_granted, &ids), STORE_OK);
	assert_int_equal(ids.seen, 0);
}

static void test_user_sites_set_refuses_sites_not_of_the_organisation(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place mine, theirs;
	contract_add_place(store, &mine);
	contract_add_place(store, &theirs);
	struct user viewer, operator;
	contract_add_user(store, mine.organisation.id, ROLE_VIEWER, &viewer);
	contract_add_user(store, "", ROLE_OPERATOR, &operator);
	const char *granted[] = {mine.site.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 1), STORE_OK);

	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	const char *foreign[] = {mine.site.id, theirs.site.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, foreign, 2), STORE_NOT_FOUND);
	const char *missing[] = {unknown};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, missing, 1), STORE_NOT_FOUND);
	assert_store_result(store->ops->user_sites_set(store, unknown, granted, 1), STORE_NOT_FOUND);
	/* an operator has no organisation, so no site is its organisation's */
	assert_store_result(store->ops->user_sites_set(store, operator.id, granted, 1), STORE_NOT_FOUND);
	/* nothing changed */
	assert_store_result(store->ops->user_site_granted(store, viewer.id, mine.site.id), STORE_OK);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, theirs.site.id), STORE_NOT_FOUND);
	struct contract_ids ids = {.own = NULL};
	assert_store_result(store->ops->user_sites_list(store, unknown, list_granted, &ids), STORE_OK);
	assert_int_equal(ids.seen, 0);
}

static void test_user_delete_takes_the_grants(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct user viewer;
	contract_add_user(store, place.organisation.id, ROLE_VIEWER, &viewer);
	const char *granted[] = {place.site.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 1), STORE_OK);
	assert_store_result(store->ops->user_delete(store, viewer.id, 0), STORE_OK);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, place.site.id), STORE_NOT_FOUND);
	struct contract_ids ids = {.own = NULL};
	assert_store_result(store->ops->user_sites_list(store, viewer.id, list_granted, &ids), STORE_OK);
	assert_int_equal(ids.seen, 0);
}

/* ---- clients ------------------------------------------------------------------------------------ */

static void assert_client_equal(const struct client *expected, const struct client *read)
{
	assert_string_equal(read->id, expected->id);
	assert_string_equal(read->organisation_id, expected->organisation_id);
	assert_string_equal(read->name, expected->name);
	assert_int_equal(read->role, expected->role);
	assert_string_equal(read->secret_hash, expected->secret_hash);
	assert_int_equal(read->created_at, expected->created_at);
	assert_int_equal(read->secret_issued_ms, expected->secret_issued_ms);
}

struct client_listing {
	struct contract_ids ids;
	const struct client *expected;
	int matched;
};

static int list_client(void *context, const struct client *client)
{
	struct client_listing *listing = context;
	if (listing->expected != NULL && strcmp(client->id, listing->expected->id) == 0) {
		listing->matched++;
		assert_client_equal(listing->expected, client);
	}
	return contract_ids_add(&listing->ids, client->id);
}

static void test_client_round_trip_and_conflicts(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct client admin, operator;
	contract_add_client(store, organisation.id, ROLE_ADMIN, &admin);
	contract_add_client(store, "", ROLE_OPERATOR, &operator);
	struct client read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->client_get(store, admin.id, &read), STORE_OK);
	assert_client_equal(&admin, &read);
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->client_get(store, operator.id, &read), STORE_OK);
	assert_client_equal(&operator, & read);
	assert_store_result(store->ops->client_insert(store, &admin), STORE_CONFLICT);
	struct client orphan = admin;
	contract_new_id(orphan.id);
	contract_new_id(orphan.organisation_id);
	assert_store_result(store->ops->client_insert(store, &orphan), STORE_CONFLICT);
	assert_store_result(store->ops->client_get(store, orphan.id, &read), STORE_NOT_FOUND);
}

static void test_client_list_leaves_out_device_credentials(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct client first, second, operator;
	contract_add_client(store, place.organisation.id, ROLE_ADMIN, &first);
	contract_add_client(store, place.organisation.id, ROLE_VIEWER, &second);
	contract_add_client(store, "", ROLE_OPERATOR, &operator);
	if (strcmp(second.id, first.id) < 0) {
		struct client swap = first;
		first = second;
		second = swap;
	}
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	int64_t issued = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "device-hash", CONTRACT_TIME * 1000,
	                                                       CAMERA_STATE_BIT(CAMERA_RUNNING), &issued),
	                    STORE_OK);
	const char *own[] = {first.id, second.id, operator.id, camera.id};
	struct client_listing listing = {.ids = {.own = own, .own_count = 4}, .expected = &first};
	assert_store_result(store->ops->client_list(store, place.organisation.id, list_client, &listing), STORE_OK);
	assert_ids(&listing.ids, first.id, second.id);
	assert_int_equal(listing.ids.seen, 2);
	assert_int_equal(listing.matched, 1);
	listing = (struct client_listing){.ids = {.own = own, .own_count = 4}, .expected = &operator};
	assert_store_result(store->ops->client_list(store, "", list_client, &listing), STORE_OK);
	assert_int_equal(listing.ids.count, 3);
	assert_int_equal(listing.matched, 1);
}

static void test_client_delete(void **state)
{
	struct store *store = contract_store(state);
	struct client client;
	contract_add_client(store, "", ROLE_OPERATOR, &client);
	assert_store_result(store->ops->client_delete(store, client.id, 0), STORE_OK);
	struct client read;
	assert_store_result(store->ops->client_get(store, client.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->client_delete(store, client.id, 0), STORE_NOT_FOUND);
}

static void test_client_secret_rehash_only_replaces_the_old_hash(void **state)
{
	struct store *store = contract_store(state);
	struct client client;
	contract_add_client(store, "", ROLE_OPERATOR, &client);
	char old_hash[sizeof(client.secret_hash)];
	memcpy(old_hash, client.secret_hash, sizeof(old_hash));
	assert_store_result(store->ops->client_secret_rehash(store, client.id, old_hash, "hmac-sha256$k$new"),
	                    STORE_OK);
	struct client read;
	assert_store_result(store->ops->client_get(store, client.id, &read), STORE_OK);
	assert_string_equal(read.secret_hash, "hmac-sha256$k$new");
	/* a second rewrite of the same old hash (another request, or credentials issued again) changes nothing */
	assert_store_result(store->ops->client_secret_rehash(store, client.id, old_hash, "hmac-sha256$k$other"),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->client_get(store, client.id, &read), STORE_OK);
	assert_string_equal(read.secret_hash, "hmac-sha256$k$new");
	assert_int_equal(read.secret_issued_ms, client.secret_issued_ms);
	assert_store_result(store->ops->client_secret_rehash(store, "00000000-0000-4000-8000-000000000000", old_hash,
	                                                     "hmac-sha256$k$x"),
	                    STORE_NOT_FOUND);
}

struct contract_tests contract_people_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_round_trip),
	    cmocka_unit_test(test_user_duplicates_are_conflicts),
	    cmocka_unit_test(test_user_get_by_email_ignores_ascii_case_only),
	    cmocka_unit_test(test_user_list_by_organisation_in_creation_order),
	    cmocka_unit_test(test_user_update_writes_every_field_but_created_at),
	    cmocka_unit_test(test_user_delete),
	    cmocka_unit_test(test_user_sites_set_replaces_the_grants),
	    cmocka_unit_test(test_user_sites_set_refuses_sites_not_of_the_organisation),
	    cmocka_unit_test(test_user_delete_takes_the_grants),
	    cmocka_unit_test(test_client_round_trip_and_conflicts),
	    cmocka_unit_test(test_client_list_leaves_out_device_credentials),
	    cmocka_unit_test(test_client_delete),
	    cmocka_unit_test(test_client_secret_rehash_only_replaces_the_old_hash),
	};
	return CONTRACT_TESTS(tests);
}
