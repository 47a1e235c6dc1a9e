/* The handler pool (see handler_pool.h): a FIFO of suspended requests linked through the requests
 * themselves, and threads that take them one at a time. */
#include "http/handler_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/thread_name.h"

struct handler_pool {
	handler_pool_run_fn run;
	pthread_mutex_t lock;
	pthread_cond_t work; /* threads wait here for a request or the stop */
	struct http_request *head;
	struct http_request *tail;
	bool stopping;
	unsigned thread_count; /* started */
	pthread_t *threads;
};

/* The next request to run, or NULL once the pool stops and nothing is queued. */
static struct http_request *take(struct handler_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	while (pool->head == NULL && !pool->stopping)
		pthread_cond_wait(&pool->work, &pool->lock);
	struct http_request *request = pool->head;
	if (request != NULL) {
		pool->head = request->pool_next;
		if (pool->head == NULL)
			pool->tail = NULL;
		request->pool_next = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	return request;
}

static void *pool_thread(void *context)
{
	thread_name_set("writes");
	struct handler_pool *pool = context;
	struct http_request *request;
	while ((request = take(pool)) != NULL) {
		pool->run(request);
		http_request_resume(request); /* the request is the libmicrohttpd thread's again */
	}
	return NULL;
}

struct handler_pool *handler_pool_start(unsigned threads, handler_pool_run_fn run)
{
	struct handler_pool *pool = calloc(1, sizeof(*pool));
	if (pool == NULL || threads == 0 || (pool->threads = calloc(threads, sizeof(*pool->threads))) == NULL) {
		log_error("http: cannot start the handler pool (%u threads)", threads);
		free(pool);
		return NULL;
	}
	pool->run = run;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&pool->threads[i], NULL, pool_thread, pool) != 0) {
			log_error("http: cannot start handler pool thread %u of %u", i + 1, threads);
			handler_pool_stop(pool);
			return NULL;
		}
		pool->thread_count++;
	}
	return pool;
}

bool handler_pool_submit(struct handler_pool *pool, struct http_request *request, http_resume_fn resume)
{
	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		pthread_mutex_unlock(&pool->lock);
		return false;
	}
	/* Suspended under the lock: no pool thread can take (and resume) it before it is suspended. */
	http_request_suspend(request, resume, NULL);
	request->pool_next = NULL;
	if (pool->tail != NULL)
		pool->tail->pool_next = request;
	else
		pool->head = request;
	pool->tail = request;
	pthread_cond_signal(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	return true;
}

void handler_pool_stop(struct handler_pool *pool)
{
	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->thread_count; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool);
}
