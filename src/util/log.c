/* Line-oriented logger; each line is assembled in a stack buffer and written with one write(2)
 * so concurrent threads never interleave within a line. */
#include "util/log.h"

#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level minimum_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	minimum_level = level;
}

void log_write(enum log_level level, const char *format, ...)
{
	if (level < minimum_level)
		return;
	static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[2048];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_format_rfc3339((int64_t)tv.tv_sec, line); /* "YYYY-MM-DDTHH:MM:SSZ" */
	size_t used = 19;
	used += (size_t)snprintf(line + used, sizeof(line) - used, ".%03ldZ %s ", (long)(tv.tv_usec / 1000),
				 names[level]);
	va_list args;
	va_start(args, format);
	int n = vsnprintf(line + used, sizeof(line) - used - 1, format, args);
	va_end(args);
	if (n < 0)
		return;
	used += (size_t)n < sizeof(line) - used - 1 ? (size_t)n : sizeof(line) - used - 2;
	line[used++] = '\n';
	ssize_t written = write(STDERR_FILENO, line, used);
	(void)written; /* nowhere left to report a failing log write */
}
