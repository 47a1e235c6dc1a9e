/* Names the calling thread (top -H, perf, gdb and /proc show it): "cf-" and what it does. */
#ifndef CAMFLEET_UTIL_THREAD_NAME_H
#define CAMFLEET_UTIL_THREAD_NAME_H

/* Sets the calling thread's name to what (cut to the kernel's 15 bytes; spaces become '-').
 * Best effort: a name is only a label, so a failure is ignored. */
void thread_name_set(const char *what);

#endif
