/* The token endpoint's argon2id checks (user passwords, and client secrets still stored as
 * argon2id hashes; keyed hashes are checked inline in api/oauth.c), off the HTTP worker threads: the
 * handler queues the check and suspends its request; one of a few checker threads (as many as
 * argon2 turns) runs argon2id and resumes it. A flood of logins then costs the checker threads,
 * never the HTTP workers, so API reads keep answering. A check that waited longer than the
 * password wait is answered PASSWORD_CHECK_BUSY without running. */
#ifndef CAMFLEET_API_PASSWORD_CHECKS_H
#define CAMFLEET_API_PASSWORD_CHECKS_H

#include <stdbool.h>

#include "auth/password.h"
#include "http/request.h"

struct password_checks;

/* Starts threads checker threads; a check queued longer than wait_ms is not run. NULL on failure. */
struct password_checks *password_checks_start(unsigned threads, unsigned wait_ms);

enum password_checks_submit {
	PASSWORD_CHECKS_QUEUED, /* suspended: resume(request) runs with *result set */
	PASSWORD_CHECKS_FULL,   /* nothing queued: too many wait already (answer 503) */
	PASSWORD_CHECKS_CLOSED, /* nothing queued: shutting down (answer 503) */
};

/* Queues the check of secret against encoded_hash (both copied) and suspends request; once
 * checked, *result (request-owned memory) holds the answer and resume(request) runs. */
enum password_checks_submit password_checks_submit(struct password_checks *checks, struct http_request *request,
                                                   const char *encoded_hash, const char *secret,
                                                   enum password_check *result, http_resume_fn resume)
    __attribute__((warn_unused_result));
/* Refuses new checks and answers every queued one (shutdown, before the HTTP drain). */
void password_checks_close(struct password_checks *checks);
/* Stops the threads and frees everything; NULL is ignored. */
void password_checks_stop(struct password_checks *checks);

#endif
