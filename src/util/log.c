/* Line-oriented logger on standard error. Each line is assembled in a stack buffer. Without a
 * writer thread (the CLI commands) every line is one write(2). With one (log_writer_start, for
 * `camfleet serve`), INFO and DEBUG lines are appended to a buffer that the thread writes out every
 * LOG_FLUSH_MILLIS, so a request does not pay a system call for its access line; a WARN or ERROR
 * line writes the buffer and itself at once, so nothing that reports a problem waits, and the
 * order of lines is kept. A line is never split between writes. */
#include "util/log.h"

#include "util/timeutil.h"
#include "util/thread_name.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum {
	LOG_LINE_MAX = 2048,
	LOG_BUFFER_BYTES = 1 << 20, /* per buffer: about 0.2 s of access lines at 60,000 requests/s */
	LOG_FLUSH_MILLIS = 50,
};

static enum log_level minimum_level = LOG_INFO;

/* The buffered writer: producers append to `pending` under `lock`. A flush (the thread's, or a
 * warning's) takes `output` while still holding `lock`, swaps `pending` with `spare` and writes
 * `spare` after letting go of `lock`: flushes reach the file in the order their buffers filled,
 * and `spare` is never swapped back while it is being written. Lock order: lock, then output. */
static struct {
	pthread_mutex_t lock;
	pthread_mutex_t output;
	pthread_cond_t wake; /* the thread: stop, or `pending` is half full */
	pthread_t thread;
	bool running;
	bool stopping;
	char *pending;
	size_t pending_used;
	char *spare;
} writer = {.lock = PTHREAD_MUTEX_INITIALIZER, .output = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

void log_set_level(enum log_level level)
{
	minimum_level = level;
}

bool log_level_enabled(enum log_level level)
{
	return level >= minimum_level;
}

/* Writes all of text to standard error; a failing log write has nowhere left to be reported. */
static void write_all(const char *text, size_t length)
{
	while (length > 0) {
		ssize_t written = write(STDERR_FILENO, text, length);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return;
		text += written;
		length -= (size_t)written;
	}
}

/* Writes out what is pending; called and returns with `lock` held (see the struct's comment). */
static void flush_pending(void)
{
	pthread_mutex_lock(&writer.output);
	char *full = writer.pending;
	size_t used = writer.pending_used;
	writer.pending = writer.spare;
	writer.pending_used = 0;
	writer.spare = full;
	pthread_mutex_unlock(&writer.lock);
	write_all(full, used);
	pthread_mutex_unlock(&writer.output);
	pthread_mutex_lock(&writer.lock);
}

/* Every LOG_FLUSH_MILLIS (sooner when half full), and until stopped and empty: flush. */
static void *writer_main(void *unused)
{
	thread_name_set("log");
	(void)unused;
	pthread_mutex_lock(&writer.lock);
	for (;;) {
		if (!writer.stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += LOG_FLUSH_MILLIS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&writer.wake, &writer.lock, &until);
		}
		if (writer.pending_used > 0)
			flush_pending();
		else if (writer.stopping)
			break;
	}
	pthread_mutex_unlock(&writer.lock);
	return NULL;
}

int log_writer_start(void)
{
	char *pending = malloc(LOG_BUFFER_BYTES);
	char *spare = malloc(LOG_BUFFER_BYTES);
	if (pending == NULL || spare == NULL) {
		free(pending);
		free(spare);
		return -1;
	}
	pthread_mutex_lock(&writer.lock);
	writer.pending = pending;
	writer.spare = spare;
	writer.pending_used = 0;
	writer.stopping = false;
	int rc = pthread_create(&writer.thread, NULL, writer_main, NULL);
	writer.running = rc == 0;
	pthread_mutex_unlock(&writer.lock);
	if (rc != 0) {
		free(pending);
		free(spare);
		writer.pending = writer.spare = NULL;
		return -1;
	}
	return 0;
}

void log_writer_stop(void)
{
	pthread_mutex_lock(&writer.lock);
	bool running = writer.running;
	writer.stopping = true;
	pthread_cond_signal(&writer.wake);
	pthread_mutex_unlock(&writer.lock);
	if (!running)
		return;
	pthread_join(writer.thread, NULL);
	pthread_mutex_lock(&writer.lock);
	pthread_mutex_lock(&writer.output); /* no flush of another thread is writing a buffer */
	writer.running = false;             /* later lines are written at once again */
	if (writer.pending_used > 0)
		write_all(writer.pending, writer.pending_used);
	writer.pending_used = 0;
	free(writer.pending);
	free(writer.spare);
	writer.pending = writer.spare = NULL;
	pthread_mutex_unlock(&writer.output);
	pthread_mutex_unlock(&writer.lock);
}

/* Hands one whole line (at most LOG_LINE_MAX bytes) to the writer; a warning or error is flushed
 * at once with what was buffered before it. Without a writer, writes it now. */
static void emit(enum log_level level, const char *line, size_t length)
{
	pthread_mutex_lock(&writer.lock);
	while (writer.running && writer.pending_used + length > LOG_BUFFER_BYTES)
		flush_pending(); /* lets go of the lock while writing: others may fill it meanwhile */
	if (!writer.running) {
		pthread_mutex_unlock(&writer.lock);
		write_all(line, length);
		return;
	}
	memcpy(writer.pending + writer.pending_used, line, length);
	writer.pending_used += length;
	if (level >= LOG_WARN)
		flush_pending();
	else if (writer.pending_used - length < LOG_BUFFER_BYTES / 2 && writer.pending_used >= LOG_BUFFER_BYTES / 2)
		pthread_cond_signal(&writer.wake);
	pthread_mutex_unlock(&writer.lock);
}

void log_write(enum log_level level, const char *format, ...)
{
	if (level < minimum_level)
		return;
	static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[LOG_LINE_MAX];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_format_rfc3339((int64_t)tv.tv_sec, line); /* "YYYY-MM-DDTHH:MM:SSZ" */
	size_t used = 19;
	used +=
	    (size_t)snprintf(line + used, sizeof(line) - used, ".%03ldZ %s ", (long)(tv.tv_usec / 1000), names[level]);
	va_list args;
	va_start(args, format);
	int n = vsnprintf(line + used, sizeof(line) - used - 1, format, args);
	va_end(args);
	if (n < 0)
		return;
	used += (size_t)n < sizeof(line) - used - 1 ? (size_t)n : sizeof(line) - used - 2;
	line[used++] = '\n';
	emit(level, line, used);
}
