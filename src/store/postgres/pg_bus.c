/* Cross-node messages over PostgreSQL LISTEN/NOTIFY: publish is pg_notify() on a pool
 * connection; subscribe starts a listener thread with a connection of its own that LISTENs,
 * waits on its socket (and on an eventfd that wakes it to stop), hands every notification of
 * another node to the subscriber, and reconnects by itself when the database goes away.
 * A message is "<node id> <text>"; a node skips the ones it sent. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "store/postgres/pg_bus.h"
#include "store/postgres/pg_driver.h"
#include "util/log.h"
#include "util/thread_name.h"

#define PG_BUS_CHANNEL  "camfleet"
#define PG_BUS_RETRY_MS 250 /* pause between reconnection attempts */

struct pg_bus {
	struct pg_store *store;
	store_message_fn deliver;
	void *context;
	int wake_fd; /* eventfd: written once to stop the thread */
	pthread_t thread;
	PGconn *conn;          /* the listener's own connection; NULL while disconnected (thread only) */
	atomic_bool listening; /* conn is connected and LISTENs (read by pg_bus_listening) */
	/* The connection was just lost and the first attempt to listen again has not ended yet. */
	atomic_bool relistening;
};

static const char SQL_NOTIFY[] = "SELECT pg_notify('" PG_BUS_CHANNEL "', $1)";

static enum store_result pg_publish(struct store *store, const char *message)
{
	struct pg_store *s = (struct pg_store *)store;
	char tagged[UUID_BUFFER_SIZE + 1 + STORE_MESSAGE_MAX + 1];
	int length = snprintf(tagged, sizeof(tagged), "%s %s", s->node_id, message);
	if (length < 0 || (size_t)length >= sizeof(tagged)) {
		log_error("postgres: cross-node message too long: %s", message);
		return STORE_ERROR;
	}
	struct sql_params params = {0};
	sql_param_text(&params, tagged);
	return sql_write(store, SQL_NOTIFY, &params, false);
}

/* Connects and LISTENs; false (logged once per outage) when the database cannot be reached. */
static bool listen_again(struct pg_bus *bus, bool *reported)
{
	char error[512];
	bus->conn = pg_connect(bus->store->url, error, sizeof(error));
	if (bus->conn != NULL) {
		PGresult *res = PQexec(bus->conn, "LISTEN " PG_BUS_CHANNEL);
		bool listening = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!listening)
			snprintf(error, sizeof(error), "%s", PQerrorMessage(bus->conn));
		PQclear(res);
		if (listening) {
			atomic_store(&bus->listening, true);
			if (*reported)
				log_info("postgres: cross-node listener reconnected");
			*reported = false;
			return true;
		}
		PQfinish(bus->conn);
		bus->conn = NULL;
	}
	if (!*reported)
		log_error("postgres: cross-node listener cannot listen (retrying): %s", error);
	*reported = true;
	return false;
}

/* Hands the notifications that arrived to the subscriber; false when the connection broke. */
static bool drain(struct pg_bus *bus)
{
	if (!PQconsumeInput(bus->conn))
		return false;
	PGnotify *notify;
	size_t own_length = strlen(bus->store->node_id);
	while ((notify = PQnotifies(bus->conn)) != NULL) {
		const char *text = notify->extra;
		bool own = strncmp(text, bus->store->node_id, own_length) == 0 && text[own_length] == ' ';
		const char *space = strchr(text, ' ');
		if (!own && space != NULL)
			bus->deliver(bus->context, space + 1);
		PQfreemem(notify);
	}
	return PQstatus(bus->conn) == CONNECTION_OK;
}

static void *listener_main(void *argument)
{
	thread_name_set("pg-listener");
	struct pg_bus *bus = argument;
	bool reported = false;
	for (;;) {
		if (bus->conn == NULL) {
			bool listening = listen_again(bus, &reported);
			atomic_store(&bus->relistening, false);
			if (listening)
				continue;
			struct pollfd wait = {.fd = bus->wake_fd, .events = POLLIN};
			if (poll(&wait, 1, PG_BUS_RETRY_MS) > 0)
				break;
			continue;
		}
		struct pollfd fds[2] = {{.fd = bus->wake_fd, .events = POLLIN},
		                        {.fd = PQsocket(bus->conn), .events = POLLIN}};
		int ready = poll(fds, 2, -1);
		if (ready < 0 && errno != EINTR) {
			log_error("postgres: cross-node listener: poll: %s", strerror(errno));
			break;
		}
		if (fds[0].revents != 0)
			break;
		if (fds[1].revents != 0 && !drain(bus)) {
			log_warn("postgres: cross-node listener lost its connection (listening again): %s",
			         PQerrorMessage(bus->conn));
			reported = true;
			atomic_store(&bus->relistening, true);
			atomic_store(&bus->listening, false);
			PQfinish(bus->conn);
			bus->conn = NULL;
		}
	}
	return NULL;
}

static int pg_subscribe(struct store *store, store_message_fn deliver, void *context)
{
	struct pg_store *s = (struct pg_store *)store;
	if (s->bus != NULL) {
		log_error("postgres: subscribe called twice");
		return -1;
	}
	struct pg_bus *bus = calloc(1, sizeof(*bus));
	if (bus == NULL)
		return -1;
	atomic_init(&bus->listening, false);
	atomic_init(&bus->relistening, false);
	bus->store = s;
	bus->deliver = deliver;
	bus->context = context;
	bus->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (bus->wake_fd < 0) {
		log_error("postgres: eventfd: %s", strerror(errno));
		free(bus);
		return -1;
	}
	int rc = pthread_create(&bus->thread, NULL, listener_main, bus);
	if (rc != 0) {
		log_error("postgres: cannot start the cross-node listener: %s", strerror(rc));
		close(bus->wake_fd);
		free(bus);
		return -1;
	}
	s->bus = bus;
	return 0;
}

bool pg_bus_listening(struct pg_store *store)
{
	struct pg_bus *bus = store->bus;
	if (bus == NULL)
		return true;
	const struct timespec pause = {0, 2 * 1000 * 1000};
	for (int waited_ms = 0; waited_ms < PG_BUS_READY_WAIT_MS; waited_ms += 2) {
		if (atomic_load(&bus->listening))
			return true;
		if (!atomic_load(&bus->relistening))
			return false;
		nanosleep(&pause, NULL);
	}
	return atomic_load(&bus->listening);
}

void pg_bus_stop(struct pg_store *store)
{
	struct pg_bus *bus = store->bus;
	if (bus == NULL)
		return;
	uint64_t one = 1;
	if (write(bus->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_error("postgres: cannot wake the cross-node listener: %s", strerror(errno));
	pthread_join(bus->thread, NULL);
	if (bus->conn != NULL)
		PQfinish(bus->conn);
	close(bus->wake_fd);
	free(bus);
	store->bus = NULL;
}

static void pg_unsubscribe(struct store *store)
{
	pg_bus_stop((struct pg_store *)store);
}

const struct store_messages pg_messages = {
    .publish = pg_publish,
    .subscribe = pg_subscribe,
    .unsubscribe = pg_unsubscribe,
};
