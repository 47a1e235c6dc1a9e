/* Keeps a node's token state in step with the database and the other nodes: the revocation stamps
 * (loaded at start; each change arrives by a cross-node "revoke" message, and a poll every
 * TOKEN_SYNC_POLL_MS of the rows changed since the last poll catches any message lost) and the
 * signing keys (a poll of the current kid every TOKEN_SYNC_KEY_POLL_MS, or at once on a "keys"
 * message). A thread of its own; nothing of this runs on a request. */
#ifndef CAMFLEET_AUTH_TOKEN_SYNC_H
#define CAMFLEET_AUTH_TOKEN_SYNC_H

#include <stdint.h>

#define TOKEN_SYNC_POLL_MS      400   /* revocation rows: a lost message still applies within 1 s */
#define TOKEN_SYNC_KEY_POLL_MS  2000  /* the current signing key's id */
#define TOKEN_SYNC_PRUNE_MS     60000 /* dropping stamps no live token predates */
#define TOKEN_SYNC_OVERLAP_MS   10000 /* each poll reads again rows this much older than the last */
#define TOKEN_SYNC_BUS_PREFIX   "revoke "
#define TOKEN_SYNC_KEYS_MESSAGE "keys rotated"

struct store;
struct store_bus;
struct revocation_table;
struct signing_keys;
struct token_sync;

/* Loads the stamps of the last retention_ms into table, listens on bus (may be NULL: a tool) and
 * starts the thread. keys: the database's keys to refresh (a key file's keys are refreshed in
 * vain, harmlessly). NULL (logged) on failure. Stop with token_sync_stop(). */
struct token_sync *token_sync_start(struct store *store, struct store_bus *bus, struct revocation_table *table,
                                    struct signing_keys *keys, int64_t retention_ms);
/* Stops listening and joins the thread. */
void token_sync_stop(struct token_sync *sync);
/* Tells the other nodes that subject's tokens issued before valid_from_ms are refused (best
 * effort: their poll reads the row anyway). */
void token_sync_publish_revocation(struct token_sync *sync, const char *subject, int64_t valid_from_ms);

#endif
