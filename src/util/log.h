/* Logging: one line per event on standard error, with a level and a timestamp. */
#ifndef CAMFLEET_UTIL_LOG_H
#define CAMFLEET_UTIL_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Whether lines of level are written: a caller may skip building a line nobody reads. */
bool log_level_enabled(enum log_level level);
/* Starts the thread that writes INFO and DEBUG lines in batches (see log.c): 0, or -1 when it
 * cannot start (lines are then written one by one, as before). */
int log_writer_start(void);
/* Writes what is buffered and stops the thread; later lines are written one by one. */
void log_writer_stop(void);
/* Writes one line "TIME LEVEL message"; a line is never split or interleaved with another. */
void log_write(enum log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

#endif
