/* Thread names (see thread_name.h), on glibc's pthread_setname_np. */
#define _GNU_SOURCE
#include "util/thread_name.h"

#include <pthread.h>
#include <stdio.h>

void thread_name_set(const char *what)
{
	char name[16]; /* the kernel's limit, with the NUL */
	snprintf(name, sizeof(name), "cf-%s", what);
	for (char *c = name; *c != '\0'; c++)
		if (*c == ' ')
			*c = '-';
	(void)pthread_setname_np(pthread_self(), name); /* a label only: nothing depends on it */
}
