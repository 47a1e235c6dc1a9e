/* GET /events/stream: the events as Server-Sent Events. An open stream holds no thread: between
 * writes its connection is suspended, and the hub's thread resumes the streams when the store has
 * new events (it looks every EVENT_STREAM_POLL_MS: that covers every writer, also other nodes
 * sharing a PostgreSQL database) and when a keep-alive comment is due. */
#ifndef CAMFLEET_API_EVENT_STREAM_H
#define CAMFLEET_API_EVENT_STREAM_H

#include <stddef.h>

struct app;
struct event_stream_hub;

/* Starts the hub's thread; NULL (logged) on failure. */
struct event_stream_hub *event_stream_hub_start(struct app *app);
/* Ends every open stream (for a drain: a stream never ends by itself); new ones are refused. */
void event_stream_hub_quiesce(struct event_stream_hub *hub);
/* Stops the thread and frees the hub; call after the HTTP server stopped. NULL: nothing. */
void event_stream_hub_free(struct event_stream_hub *hub);
/* Open streams now (for GET /metrics and tests). */
size_t event_stream_hub_count(struct event_stream_hub *hub);

#endif
