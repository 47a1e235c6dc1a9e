/* The buffered log writer: every line arrives whole, once, and in the order each thread wrote
 * it, warnings included (a warning is flushed at once behind what was buffered before it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

enum { THREADS = 4, LINES = 20000 };

static void *log_lines(void *argument)
{
	int thread = (int)(intptr_t)argument;
	for (int i = 0; i < LINES; i++) {
		if (i % 1000 == 999)
			log_warn("thread %d line %d", thread, i);
		else
			log_info("thread %d line %d", thread, i);
	}
	return NULL;
}

static void test_lines_arrive_whole_once_and_in_order(void **state)
{
	char path[] = "/tmp/camfleet-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);

	assert_int_equal(log_writer_start(), 0);
	pthread_t threads[THREADS];
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, log_lines, (void *)(intptr_t)t), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	log_writer_stop();
	log_info("after the writer stopped");

	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	FILE *file = fdopen(fd, "r");
	assert_non_null(file);
	rewind(file);
	int next[THREADS] = {0};
	char line[256];
	bool saw_last = false;
	while (fgets(line, sizeof(line), file) != NULL) {
		assert_non_null(strchr(line, '\n')); /* whole lines only */
		int thread, number;
		const char *message = strstr(line, "thread ");
		if (message == NULL) {
			assert_non_null(strstr(line, "INFO after the writer stopped"));
			saw_last = true;
			continue;
		}
		assert_false(saw_last);
		assert_int_equal(sscanf(message, "thread %d line %d", &thread, &number), 2);
		assert_true(thread >= 0 && thread < THREADS);
		assert_int_equal(number, next[thread]); /* once each, in the thread's order */
		assert_non_null(strstr(line, number % 1000 == 999 ? " WARN " : " INFO "));
		next[thread]++;
	}
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(next[t], LINES);
	assert_true(saw_last);
	fclose(file);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_arrive_whole_once_and_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
