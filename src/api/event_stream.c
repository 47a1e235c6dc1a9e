/* GET /events/stream (see event_stream.h). Each stream is a chunked response whose content reader
 * hands libmicrohttpd what it has formatted; with nothing to send it suspends the connection and
 * returns 0, as libmicrohttpd prescribes, and the hub resumes it. The hub's generation counts the
 * wake-ups: a stream that found nothing suspends only if no wake-up came since it looked, so a
 * new event is never slept through. */
#include "api/event_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/event_visibility.h"
#include "api/events.h"
#include "api/routes.h"
#include "app.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define EVENT_STREAM_POLL_MS     250 /* how often the hub asks the store for the newest event */
#define EVENT_STREAM_KEEPALIVE   15  /* seconds between comment lines at most */
#define EVENT_STREAM_BATCH       100 /* events fetched per look */
#define EVENT_STREAM_MAX_STREAMS 10000
/* The response's block size. libmicrohttpd writes a chunked body straight into the connection's
 * buffer (as much as fits per call, whatever this says), but still allocates and zeroes a block
 * this big with every response, kept while the stream is open: so it is tiny. */
#define EVENT_STREAM_BLOCK 128
/* The pending text's first allocation; a buffer grown past PENDING_KEEP is freed once drained. */
#define PENDING_FIRST 256
#define PENDING_KEEP  4096

struct event_stream {
	struct event_stream_hub *hub;
	struct MHD_Connection *connection;
	struct event_filter filter; /* ascending from filter.after_seq: the cursor */
	char *pending;              /* formatted bytes not yet handed over (malloc'd) */
	size_t pending_length, pending_sent, pending_capacity;
	int64_t last_write_ms;
	uint64_t seen_generation; /* the hub's generation when the stream last looked */
	bool suspended;           /* under the hub's lock */
	bool failed;
	const struct viewer_sites *viewer_sites; /* during a fetch for a viewer user: its granted sites */
	struct event_stream *previous, *next;    /* the hub's list, under its lock */
};

struct event_stream_hub {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled on stop; waits use CLOCK_MONOTONIC */
	struct event_stream *streams;
	size_t count;
	uint64_t generation; /* wake-ups so far */
	int64_t newest_seq;  /* the newest event the hub has seen */
	bool closing, stopping;
	unsigned keepalive_s; /* at most EVENT_STREAM_KEEPALIVE, and half the connection timeout */
};

/* --- the hub ------------------------------------------------------------------------------- */

/* Under the lock: every suspended stream goes on. */
static void resume_all(struct event_stream_hub *hub)
{
	hub->generation++;
	for (struct event_stream *stream = hub->streams; stream != NULL; stream = stream->next) {
		if (stream->suspended) {
			stream->suspended = false;
			MHD_resume_connection(stream->connection);
		}
	}
}

static int read_seq(void *context, const struct event_record *event)
{
	*(int64_t *)context = event->seq;
	return 1;
}

/* The newest event's seq (0 without any); -1 when the store cannot say. */
static int64_t newest_seq(struct store *store)
{
	struct event_filter filter = {.limit = 1};
	int64_t seq = 0;
	return store->ops->event_list(store, &filter, read_seq, &seq) == STORE_OK ? seq : -1;
}

static void *hub_main(void *argument)
{
	thread_name_set("event-hub");
	struct event_stream_hub *hub = argument;
	int64_t last_keepalive = time_now_millis();
	pthread_mutex_lock(&hub->lock);
	while (!hub->stopping) {
		struct timespec deadline = monotonic_deadline_after(EVENT_STREAM_POLL_MS);
		while (!hub->stopping && pthread_cond_timedwait(&hub->wake, &hub->lock, &deadline) != ETIMEDOUT) {
		}
		if (hub->stopping || hub->count == 0)
			continue;
		pthread_mutex_unlock(&hub->lock);
		int64_t seq = newest_seq(hub->app->store);
		int64_t now = time_now_millis();
		pthread_mutex_lock(&hub->lock);
		/* every half period: a stream silent for half of it then writes a comment, so none is
		 * silent for a whole period */
		bool keepalive_due = now - last_keepalive >= (int64_t)hub->keepalive_s * 500;
		if ((seq > hub->newest_seq) || keepalive_due) {
			if (seq > hub->newest_seq)
				hub->newest_seq = seq;
			if (keepalive_due)
				last_keepalive = now;
			resume_all(hub);
		}
	}
	pthread_mutex_unlock(&hub->lock);
	return NULL;
}

struct event_stream_hub *event_stream_hub_start(struct app *app)
{
	struct event_stream_hub *hub = calloc(1, sizeof(*hub));
	if (hub == NULL)
		return NULL;
	hub->app = app;
	unsigned half_timeout = app->config.connection_timeout / 2;
	hub->keepalive_s =
	    half_timeout >= 1 && half_timeout < EVENT_STREAM_KEEPALIVE ? half_timeout : EVENT_STREAM_KEEPALIVE;
	bool ready = monotonic_cond_init(&hub->wake) == 0;
	if (ready && pthread_mutex_init(&hub->lock, NULL) != 0) {
		pthread_cond_destroy(&hub->wake);
		ready = false;
	}
	if (!ready) {
		log_error("events: cannot set up the stream hub");
		free(hub);
		return NULL;
	}
	hub->newest_seq = newest_seq(app->store);
	int rc = pthread_create(&hub->thread, NULL, hub_main, hub);
	if (rc != 0) {
		log_error("events: cannot start the stream hub: %s", strerror(rc));
		pthread_mutex_destroy(&hub->lock);
		pthread_cond_destroy(&hub->wake);
		free(hub);
		return NULL;
	}
	return hub;
}

void event_stream_hub_quiesce(struct event_stream_hub *hub)
{
	if (hub == NULL)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->closing = true;
	size_t open = hub->count;
	resume_all(hub);
	pthread_mutex_unlock(&hub->lock);
	if (open > 0)
		log_info("events: ending %zu open event streams", open);
}

void event_stream_hub_free(struct event_stream_hub *hub)
{
	if (hub == NULL)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->stopping = true;
	pthread_cond_signal(&hub->wake);
	pthread_mutex_unlock(&hub->lock);
	pthread_join(hub->thread, NULL);
	pthread_cond_destroy(&hub->wake);
	pthread_mutex_destroy(&hub->lock);
	free(hub);
}

size_t event_stream_hub_count(struct event_stream_hub *hub)
{
	if (hub == NULL)
		return 0;
	pthread_mutex_lock(&hub->lock);
	size_t count = hub->count;
	pthread_mutex_unlock(&hub->lock);
	return count;
}

/* --- one stream ---------------------------------------------------------------------------- */

/* Appends length bytes to the stream's pending text; false when out of memory. */
static bool pending_put(struct event_stream *stream, const char *text, size_t length)
{
	if (stream->pending_length + length > stream->pending_capacity) {
		size_t capacity = stream->pending_capacity > 0 ? stream->pending_capacity : PENDING_FIRST;
		while (capacity < stream->pending_length + length)
			capacity *= 2;
		char *grown = realloc(stream->pending, capacity);
		if (grown == NULL)
			return false;
		stream->pending = grown;
		stream->pending_capacity = capacity;
	}
	memcpy(stream->pending + stream->pending_length, text, length);
	stream->pending_length += length;
	return true;
}

/* One event as an SSE message: id, event (its type) and data (its JSON on one line). */
static int put_event(void *context, const struct event_record *event)
{
	struct event_stream *stream = context;
	stream->filter.after_seq = event->seq;
	const struct event_record *shown = event;
	struct event_record copy;
	char *copy_data = NULL;
	if (stream->viewer_sites != NULL &&
	    !event_as_viewer_sees_it(stream->viewer_sites, event, &copy, &copy_data, &shown)) {
		log_error("events: cannot show event %s to a viewer's stream", event->id);
		stream->failed = true;
		return 1;
	}
	size_t data_length = 0;
	char *data = event_json_text(shown, &data_length);
	free(copy_data);
	char head[160];
	int head_length =
	    snprintf(head, sizeof(head), "id: %s\nevent: %s\ndata: ", event->id, event_type_name(event->type));
	bool written = data != NULL && head_length > 0 && (size_t)head_length < sizeof(head) &&
	               pending_put(stream, head, (size_t)head_length) && pending_put(stream, data, data_length) &&
	               pending_put(stream, "\n\n", 2);
	free(data);
	if (!written) {
		log_error("events: cannot write event %s to a stream", event->id);
		stream->failed = true;
		return 1;
	}
	return 0;
}

/* Formats the events after the cursor that the stream may see; false when the store failed. */
static bool fetch(struct event_stream *stream)
{
	struct store *store = stream->hub->app->store;
	stream->filter.limit = EVENT_STREAM_BATCH;
	/* A viewer's grants are read at each fetch, as GET /events reads them at each request. */
	struct viewer_sites viewer_sites = {0};
	enum store_result result = STORE_OK;
	if (stream->filter.granted_user_id[0] != '\0') {
		result = viewer_sites_load(store, stream->filter.granted_user_id, &viewer_sites);
		stream->viewer_sites = &viewer_sites;
	}
	if (result == STORE_OK)
		result = store->ops->event_list(store, &stream->filter, put_event, stream);
	stream->viewer_sites = NULL;
	viewer_sites_free(&viewer_sites);
	if (result != STORE_OK)
		log_warn("events: a stream cannot read events (store error %d; trying again)", (int)result);
	return result == STORE_OK;
}

static ssize_t hand_over(struct event_stream *stream, char *buffer, size_t max)
{
	size_t left = stream->pending_length - stream->pending_sent;
	size_t count = left < max ? left : max;
	memcpy(buffer, stream->pending + stream->pending_sent, count);
	stream->pending_sent += count;
	if (stream->pending_sent == stream->pending_length) {
		stream->pending_sent = stream->pending_length = 0;
		if (stream->pending_capacity > PENDING_KEEP) { /* a burst is over: give its memory back */
			free(stream->pending);
			stream->pending = NULL;
			stream->pending_capacity = 0;
		}
	}
	stream->last_write_ms = time_now_millis();
	return (ssize_t)count;
}

static ssize_t stream_read(void *context, uint64_t position, char *buffer, size_t max)
{
	struct event_stream *stream = context;
	struct event_stream_hub *hub = stream->hub;
	if (stream->pending_length > stream->pending_sent)
		return hand_over(stream, buffer, max);
	pthread_mutex_lock(&hub->lock);
	bool closing = hub->closing;
	stream->seen_generation = hub->generation;
	pthread_mutex_unlock(&hub->lock);
	if (closing || stream->failed)
		return HTTP_STREAM_END;
	fetch(stream);
	if (stream->pending_length == 0 && time_now_millis() - stream->last_write_ms >= (int64_t)hub->keepalive_s * 500)
		stream->failed = !pending_put(stream, ": keep-alive\n\n", 14); /* out of memory: end it */
	if (stream->pending_length > 0)
		return hand_over(stream, buffer, max);
	pthread_mutex_lock(&hub->lock);
	if (hub->generation == stream->seen_generation && !hub->closing) {
		stream->suspended = true;
		MHD_suspend_connection(stream->connection);
	}
	pthread_mutex_unlock(&hub->lock);
	return 0; /* suspended, or woken meanwhile: libmicrohttpd asks again */
}

static void stream_free(void *context)
{
	struct event_stream *stream = context;
	struct event_stream_hub *hub = stream->hub;
	pthread_mutex_lock(&hub->lock);
	if (stream->previous != NULL)
		stream->previous->next = stream->next;
	else
		hub->streams = stream->next;
	if (stream->next != NULL)
		stream->next->previous = stream->previous;
	hub->count--;
	pthread_mutex_unlock(&hub->lock);
	free(stream->pending);
	free(stream);
}

/* Where the stream starts: after the event Last-Event-ID names (resuming), else after the newest
 * event now. An id no longer kept (or unknown) starts from now, saying so in a comment. */
static bool starting_point_or_reply(struct http_request *request, struct event_stream *stream)
{
	struct store *store = request->app->store;
	const char *last_id = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, "Last-Event-ID");
	char id[UUID_BUFFER_SIZE] = "";
	if (last_id != NULL && last_id[0] != '\0' && !uuid_normalize(last_id, id)) {
		http_reply_error(request, 422, "header 'Last-Event-ID' must be an event id (a UUID)");
		return false;
	}
	int64_t seq = -1;
	if (id[0] != '\0') {
		struct event_filter filter = {.limit = 1};
		memcpy(filter.id, id, sizeof(filter.id));
		enum store_result result = store->ops->event_list(store, &filter, read_seq, &seq);
		if (result != STORE_OK) {
			api_store_failure(request, result, "event", NULL);
			return false;
		}
		static const char not_kept[] = ": Last-Event-ID is not kept any more; streaming from now\n\n";
		if (seq < 0 && !pending_put(stream, not_kept, sizeof(not_kept) - 1)) {
			http_reply_error(request, 500, "internal error");
			return false;
		}
	}
	if (seq < 0)
		seq = newest_seq(store);
	if (seq < 0) {
		http_reply_error(request, 503, "the database cannot be reached; try again");
		return false;
	}
	stream->filter.after_seq = seq;
	return true;
}

static enum MHD_Result open_stream(struct http_request *request)
{
	struct event_stream_hub *hub = request->app->event_streams;
	struct event_stream *stream = calloc(1, sizeof(*stream));
	if (stream == NULL)
		return http_reply_error(request, 500, "internal error");
	stream->hub = hub;
	stream->connection = request->connection;
	stream->filter.ascending = true;
	if (!api_event_filter_or_reply(request, &stream->filter) || !starting_point_or_reply(request, stream)) {
		free(stream->pending);
		free(stream);
		return http_replied(request);
	}
	static const char opening[] = ": camfleet events\n\n"; /* so the headers go out at once */
	if (!pending_put(stream, opening, sizeof(opening) - 1)) {
		free(stream->pending);
		free(stream);
		return http_reply_error(request, 500, "internal error");
	}
	pthread_mutex_lock(&hub->lock);
	bool refused = hub->closing || hub->count >= EVENT_STREAM_MAX_STREAMS;
	if (!refused) {
		stream->next = hub->streams;
		if (hub->streams != NULL)
			hub->streams->previous = stream;
		hub->streams = stream;
		hub->count++;
	}
	pthread_mutex_unlock(&hub->lock);
	if (refused) {
		free(stream->pending);
		free(stream);
		http_reply_add_header(request, "Retry-After", "5");
		return http_reply_error(request, 503, "too many open event streams, or the server is stopping");
	}
	http_reply_add_header(request, "X-Accel-Buffering", "no");
	return http_reply_stream(request, 200, "text/event-stream", EVENT_STREAM_BLOCK, stream_read, stream,
	                         stream_free);
}

const struct route event_stream_routes[] = {
    {.method = "GET",
     .pattern = "/events/stream",
     .handler = open_stream,
     .roles = ROLES_READERS,
     .flags = ROUTE_LONG_POLL, /* open for as long as the client listens */
     .query = "type,cameraId,siteId,since"},
    {0},
};
