/* What the fuzz targets share: a struct http_request served without a network connection (its
 * query parameters, path parameters and headers come from the fuzz input, its answers are
 * recorded instead of sent), a do-nothing store for the few lookups a parser makes, and the
 * invariant checks every target applies. Only for fuzz/ builds (see fake_connection.c). */
#ifndef CAMFLEET_FUZZ_REQUEST_H
#define CAMFLEET_FUZZ_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/request.h"
#include "store/store.h"
#include "fuzz_check.h"

#define FUZZ_MAX_PAIRS 32

struct fuzz_pair {
	const char *key;
	const char *value; /* NULL for a bare "key" */
};

/* libmicrohttpd's connection is opaque to camfleet; in the fuzz build it is this record. */
struct MHD_Connection {
	struct fuzz_pair query[FUZZ_MAX_PAIRS];
	size_t query_count;
	struct fuzz_pair headers[FUZZ_MAX_PAIRS];
	size_t header_count;
	unsigned replies; /* responses queued */
	unsigned status;  /* of the last one */
};

/* One request in progress: owns a NUL-terminated copy of the body and of the query text. */
struct fuzz_request {
	struct http_request request;
	struct MHD_Connection connection;
	struct app app;
	struct store store;
	char *body_copy;
	char *query_copy;
};

/* Prepares request with body (length bytes, copied and NUL-terminated; NULL for none) and the
 * caller given; the store answers every lookup STORE_NOT_FOUND but user_get (a viewer of the
 * caller's organisation). Release with fuzz_request_end. */
void fuzz_request_begin(struct fuzz_request *fuzz, const uint8_t *body, size_t length, enum role role);
/* Splits text ("a=1&b&c=2", length bytes, copied) into the request's query parameters. */
void fuzz_request_query(struct fuzz_request *fuzz, const uint8_t *text, size_t length);
void fuzz_request_end(struct fuzz_request *fuzz);

/* A parser's verdict is consistent with what it answered: true and nothing sent, or false and
 * exactly one answer with a 4xx status (a parse failure is always the client's fault). */
void fuzz_check_verdict(const struct fuzz_request *fuzz, bool accepted);
/* text is NUL-terminated within size bytes and at most max_length bytes long. */
void fuzz_check_text(const char *text, size_t size, size_t max_length);
/* text is "" (when allowed) or a lowercase 8-4-4-4-12 UUID. */
void fuzz_check_uuid(const char *text, bool empty_allowed);

/* The caller roles the targets try, selected by a byte of the input. */
enum role fuzz_role(uint8_t selector);

#define FUZZ_ORGANISATION_ID "7d9f0e4c-2b1a-4c3d-9e8f-0a1b2c3d4e5f"
#define FUZZ_SUBJECT_ID      "0b6f8a2e-5c4d-4e3f-8a9b-1c2d3e4f5a6b"

#endif
