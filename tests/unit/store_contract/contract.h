/* The store contract test: one suite of cmocka tests run, with the same assertions, on every back end
 * (a SQLite file opened as a server, with its camera cache, and as a tool; a PostgreSQL database).
 * This header is what the test files share: the fixture (contract_fixture.c), the helpers that make
 * records and check them (contract_records.c; for events, contract_event_records.c), and each area's
 * table of tests. */
#ifndef CAMFLEET_TESTS_STORE_CONTRACT_H
#define CAMFLEET_TESTS_STORE_CONTRACT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "store/store.h"

/* ---- the fixture (contract_fixture.c) ---------------------------------------------------------- */

enum contract_backend_kind { CONTRACT_SQLITE_SERVER, CONTRACT_SQLITE_TOOL, CONTRACT_POSTGRES };

/* The store the current group runs on (a test's *state). */
struct store *contract_store(void **state);
enum contract_backend_kind contract_kind(void **state);

/* A second store of the current back end, new and empty (a new SQLite file, a new PostgreSQL
 * database), for tests of what only an empty store shows (signing keys). The fixture closes and
 * removes it at the next call or when the group ends; never close it yourself. */
struct store *contract_scratch_store(void **state);

/* ---- records and checks (contract_records.c) --------------------------------------------------- */

/* Times are epoch seconds past 2^32, so a column or variable that truncated to 32 bits would show. */
#define CONTRACT_TIME ((int64_t)5000000000)

/* The origin every camera write of the suite records in its event (the system, at CONTRACT_TIME). */
extern const struct change_origin contract_origin;
#define CONTRACT_ORIGIN (&contract_origin)

/* Writes a fresh UUID into out; fails the test when the RNG does. */
void contract_new_id(char out[UUID_BUFFER_SIZE]);

/* "STORE_OK", "STORE_NOT_FOUND", ... */
const char *contract_result_name(enum store_result result);

/* Fails the test (at the caller's line) unless actual is expected; both named in the message. */
void contract_assert_result(enum store_result actual, enum store_result expected, const char *call, const char *file,
                            int line);
#define assert_store_result(call, expected) contract_assert_result((call), (expected), #call, __FILE__, __LINE__)

/* A record with a fresh id and a name that contains it, not inserted. */
void contract_make_organisation(int64_t created_at, struct organisation *out);
void contract_make_site(const char *organisation_id, int64_t created_at, struct site *out);

/* Inserts a record with a fresh id, a name that contains the id and created_at CONTRACT_TIME,
 * failing the test when the insert fails; *out is what was inserted. */
void contract_add_organisation(struct store *store, struct organisation *out);
void contract_add_site(struct store *store, const char *organisation_id, struct site *out);
/* email: "user-<id>@example.com"; password_hash: "hash-<id>". organisation_id "" for an operator. */
void contract_add_user(struct store *store, const char *organisation_id, enum role role, struct user *out);
void contract_add_client(struct store *store, const char *organisation_id, enum role role, struct client *out);

/* An organisation with one site, the common start of camera tests. */
struct contract_place {
	struct organisation organisation;
	struct site site;
};
void contract_add_place(struct store *store, struct contract_place *out);

/* The camera row camera_register writes: state registered, nothing else set. */
struct camera contract_registered_camera(const char *id, const char *serial_number);
/* Registers a camera with a fresh id and serial "SN-<id>" at CONTRACT_TIME; *out is its row. */
void contract_add_camera(struct store *store, struct camera *out);
/* A placement at site with a fresh position id, at the given time. */
struct camera_placement contract_placement(const struct site *site, int64_t at);
/* Registers a camera and claims it (running, named "Camera <n>") at site; *out is its row. */
void contract_add_claimed_camera(struct store *store, const struct site *site, struct camera *out);

/* Fails the test unless every field of actual equals expected's. */
void contract_assert_camera(const struct camera *expected, const struct camera *actual, const char *file, int line);
#define assert_camera_equal(expected, actual) contract_assert_camera((expected), (actual), __FILE__, __LINE__)

/* Reads the camera back every way the store offers (camera_get twice, so that a SQLite server
 * answers once from the database and once from its cache; camera_get_by_serial; camera_get_many)
 * and fails unless each read is expected. */
void contract_assert_stored_camera(struct store *store, const struct camera *expected, const char *file, int line);
#define assert_stored_camera(store, expected) contract_assert_stored_camera((store), (expected), __FILE__, __LINE__)

/* Reads the camera once, so that a SQLite server holds it in its cache before a write: a write
 * that forgot to drop the cached row then shows as a stale read. */
void contract_prime_camera(struct store *store, const char *id);

/* Ids a listing handed out, keeping only those of a test's own records (other tests' rows share
 * the store) and their order; stops the listing after stop_after kept rows when non-zero. */
#define CONTRACT_IDS_MAX 32
struct contract_ids {
	const char *const *own; /* the ids to keep */
	size_t own_count;
	size_t stop_after;
	size_t count; /* kept */
	size_t seen;  /* every row the listing handed out */
	bool overflow;
	char ids[CONTRACT_IDS_MAX][UUID_BUFFER_SIZE];
};
/* Records id when it is one of own; returns non-zero to stop the listing (stop_after reached). */
int contract_ids_add(struct contract_ids *ids, const char *id);
/* Fails unless the kept ids are exactly expected (count of them), in that order. */
void contract_assert_ids(const struct contract_ids *ids, const char *const *expected, size_t count, const char *file,
                         int line);
#define assert_ids(ids, ...)                                                                                           \
	do {                                                                                                           \
		const char *const expected_ids_[] = {__VA_ARGS__};                                                     \
		contract_assert_ids((ids), expected_ids_, sizeof(expected_ids_) / sizeof(expected_ids_[0]), __FILE__,  \
		                    __LINE__);                                                                         \
	} while (0)
#define assert_no_ids(ids) contract_assert_ids((ids), NULL, 0, __FILE__, __LINE__)

/* Sorts count ids (each UUID_BUFFER_SIZE bytes) byte by byte, the order the store lists ids in. */
void contract_sort_ids(char (*ids)[UUID_BUFFER_SIZE], size_t count);

/* ---- events (contract_event_records.c) ---------------------------------------------------------- */

/* Times of the suite's own event origins: milliseconds past CONTRACT_TIME with a fraction of a second,
 * so that a back end that kept seconds only would show. */
#define CONTRACT_EVENT_TIME_MS(offset_ms) (CONTRACT_TIME * 1000 + 1000000 + (offset_ms))

/* An origin of this actor at at_ms (online window 90 s); contract_fresh_origin: a fresh actor id. */
struct change_origin contract_make_origin(enum event_actor_kind kind, const char *actor_id, int64_t at_ms);
struct change_origin contract_fresh_origin(enum event_actor_kind kind, int64_t at_ms);

/* Camera writes made by origin (at its time), failing the test unless each answers STORE_OK:
 * register a camera with a fresh id and serial "SN-<id>" (*out its row); claim a registered camera
 * at site with this name, set its state, move it to site (each updates *camera to the row after). */
void contract_register_camera_as(struct store *store, const struct change_origin *origin, struct camera *out);
void contract_claim_camera_as(struct store *store, const struct site *site, const char *name,
                              const struct change_origin *origin, struct camera *camera);
void contract_set_state_as(struct store *store, struct camera *camera, enum camera_state new_state,
                           const struct change_origin *origin);
void contract_move_camera_as(struct store *store, struct camera *camera, const struct site *site,
                             const struct change_origin *origin);

/* One listed event: its record (data_json NULL: the text lives only during the listing) and its data
 * object, parsed (owned by the listing). */
struct contract_event {
	struct event_record record;
	json_t *data;
};

#define CONTRACT_EVENTS_MAX 16

/* What one event_list call handed out, in its order. Start from {0}; free with contract_events_free. */
struct contract_events {
	size_t count;
	bool overflow; /* more rows than CONTRACT_EVENTS_MAX */
	bool bad_data; /* a data_json that is not a JSON object */
	struct contract_event events[CONTRACT_EVENTS_MAX];
};

/* Lists the events filter selects into *out (freeing what it held first); fails the test unless the
 * store answers STORE_OK with at most CONTRACT_EVENTS_MAX events, each with a JSON object as data. */
void contract_list_events(struct store *store, const struct event_filter *filter, struct contract_events *out);
/* Releases the data objects of a listing; it may be listed into again. */
void contract_events_free(struct contract_events *listing);
/* A filter that keeps only the events of one camera (no other test writes them). */
struct event_filter contract_camera_event_filter(const char *camera_id);
/* The id of the camera's newest event; fails the test when it has none. */
void contract_newest_event_id(struct store *store, const char *camera_id, char out[UUID_BUFFER_SIZE]);

/* Fails unless the listing holds exactly these event ids (count of them), in this order. */
void contract_assert_event_ids(const struct contract_events *listing, const char *const *expected, size_t count,
                               const char *file, int line);
#define assert_events_listed(listing, ...)                                                                             \
	do {                                                                                                           \
		const char *const expected_events_[] = {__VA_ARGS__};                                                  \
		contract_assert_event_ids((listing), expected_events_,                                                 \
		                          sizeof(expected_events_) / sizeof(expected_events_[0]), __FILE__, __LINE__); \
	} while (0)
#define assert_no_events_listed(listing) contract_assert_event_ids((listing), NULL, 0, __FILE__, __LINE__)

/* ---- the tests of each area (one file each) ------------------------------------------------------ */

struct contract_tests {
	const struct CMUnitTest *tests;
	size_t count;
};
#define CONTRACT_TESTS(array) ((struct contract_tests){(array), sizeof(array) / sizeof((array)[0])})

struct contract_tests contract_directory_tests(void);     /* organisations and sites */
struct contract_tests contract_people_tests(void);        /* users, granted sites, clients */
struct contract_tests contract_token_tests(void);         /* signing keys and token revocations */
struct contract_tests contract_hours_tests(void);         /* opening hours and exceptions */
struct contract_tests contract_camera_tests(void);        /* register, reads, the list */
struct contract_tests contract_lifecycle_tests(void);     /* claim, state, move, patch */
struct contract_tests contract_position_tests(void);      /* a camera's position history */
struct contract_tests contract_device_tests(void);        /* device link: credentials, heartbeats, uploads, frames */
struct contract_tests contract_async_tests(void);         /* asynchronous requests, ping, the store's shape */
struct contract_tests contract_async_batch_tests(void);   /* the batched worker's step, batches of registrations */
struct contract_tests contract_event_tests(void);         /* events: one per camera write, none when refused */
struct contract_tests contract_event_list_tests(void);    /* the audit log: filters, order, pages */
struct contract_tests contract_alert_tests(void);         /* health alerts: due cameras, decisions */
struct contract_tests contract_fleet_count_tests(void);   /* the fleet's counts for /metrics, /fleet-summary */
struct contract_tests contract_refresh_token_tests(void); /* refresh tokens: rotation, chains, revocation */

#endif
