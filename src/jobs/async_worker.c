/* The asynchronous request worker (being written). */
#include "jobs/async_worker.h"

#include <stdlib.h>

struct async_worker {
	int unused;
};

struct async_worker *async_worker_start(struct app *app)
{
	(void)app;
	return calloc(1, sizeof(struct async_worker));
}

void async_worker_notify(struct async_worker *worker)
{
	(void)worker;
}

void async_worker_stop(struct async_worker *worker)
{
	free(worker);
}
