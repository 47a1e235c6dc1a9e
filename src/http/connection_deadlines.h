/* Request-head deadlines of HTTP connections. A new connection must send a complete request head
 * within the first-head time of being accepted, a kept-alive one its next head within the
 * next-head time of its previous answer, however slowly its bytes trickle in (libmicrohttpd's own
 * timeout restarts with every byte received, so a client dribbling a byte now and then would
 * keep a connection for hours). One thread wakes at the earliest deadline and shuts down the
 * sockets past theirs; libmicrohttpd then sees the end of the stream and closes the connection. */
#ifndef CAMFLEET_HTTP_CONNECTION_DEADLINES_H
#define CAMFLEET_HTTP_CONNECTION_DEADLINES_H

struct connection_deadlines;
struct connection_deadline;

/* Starts the thread that enforces the deadlines (a length of 0 seconds: no such deadline); NULL
 * (logged) on failure. */
struct connection_deadlines *connection_deadlines_start(unsigned first_head_seconds, unsigned next_head_seconds);
/* Stops the thread and frees everything; every connection must have been removed (the daemon
 * stopped). NULL is ignored. */
void connection_deadlines_stop(struct connection_deadlines *deadlines);

/* A connection accepted on socket fd: its deadline, due first_head_seconds from now; NULL when
 * out of memory (that connection then has only libmicrohttpd's idle timeout). It must be removed
 * before the socket is closed. Thread-safe. */
struct connection_deadline *connection_deadlines_add(struct connection_deadlines *deadlines, int fd);
/* The connection is closing: its deadline is freed; its socket is never touched again. Thread-safe. */
void connection_deadlines_remove(struct connection_deadlines *deadlines, struct connection_deadline *deadline);

/* Its request head is complete: no deadline until the answer is sent. Lock-free. */
void connection_deadline_clear(struct connection_deadline *deadline);
/* Its answer is sent: the next head is due next_head_seconds from now. Lock-free. */
void connection_deadline_rearm(struct connection_deadlines *deadlines, struct connection_deadline *deadline);

#endif
