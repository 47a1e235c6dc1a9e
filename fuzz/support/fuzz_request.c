/* The request of fuzz/support/fuzz_request.h: set-up, query splitting and invariant checks. */
#include "fuzz_request.h"

#include <ctype.h>
#include <string.h>

#include "store/store.h"

/* ---- the store: a viewer of the caller's organisation for any user id, nothing else ---- */

static enum store_result fuzz_user_get(struct store *store, const char *id, struct user *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->organisation_id, sizeof(out->organisation_id), "%s", FUZZ_ORGANISATION_ID);
	snprintf(out->email, sizeof(out->email), "viewer@example.com");
	out->role = ROLE_VIEWER;
	return STORE_OK;
}

static const struct store_ops fuzz_store_ops = {
    .user_get = fuzz_user_get,
};

enum role fuzz_role(uint8_t selector)
{
	static const enum role roles[] = {ROLE_OPERATOR, ROLE_ADMIN, ROLE_VIEWER, ROLE_DEVICE};
	return roles[selector % (sizeof(roles) / sizeof(roles[0]))];
}

void fuzz_request_begin(struct fuzz_request *fuzz, const uint8_t *body, size_t length, enum role role)
{
	memset(fuzz, 0, sizeof(*fuzz));
	fuzz->store.ops = &fuzz_store_ops;
	fuzz->app.store = &fuzz->store;
	fuzz->app.config.online_window = 90;
	struct http_request *request = &fuzz->request;
	request->app = &fuzz->app;
	request->connection = &fuzz->connection;
	request->method = "POST";
	request->path = "/fuzz";
	snprintf(request->request_id, sizeof(request->request_id), "fuzz");
	request->principal.role = role;
	request->principal.kind = SUBJECT_USER;
	snprintf(request->principal.subject, sizeof(request->principal.subject), "%s", FUZZ_SUBJECT_ID);
	if (role != ROLE_OPERATOR)
		snprintf(request->principal.organisation_id, sizeof(request->principal.organisation_id), "%s",
		         FUZZ_ORGANISATION_ID);
	arena_init(&request->arena);
	if (body != NULL) {
		fuzz->body_copy = malloc(length + 1);
		FUZZ_CHECK(fuzz->body_copy != NULL);
		if (length > 0)
			memcpy(fuzz->body_copy, body, length);
		fuzz->body_copy[length] = '\0';
		request->body = fuzz->body_copy;
		request->body_length = length;
		request->body_capacity = length + 1;
	}
}

void fuzz_request_query(struct fuzz_request *fuzz, const uint8_t *text, size_t length)
{
	free(fuzz->query_copy);
	fuzz->query_copy = malloc(length + 1);
	FUZZ_CHECK(fuzz->query_copy != NULL);
	if (length > 0)
		memcpy(fuzz->query_copy, text, length);
	fuzz->query_copy[length] = '\0';
	struct MHD_Connection *connection = &fuzz->connection;
	connection->query_count = 0;
	char *cursor = fuzz->query_copy;
	while (cursor != NULL && connection->query_count < FUZZ_MAX_PAIRS) {
		char *next = strchr(cursor, '&');
		if (next != NULL)
			*next++ = '\0';
		char *equals = strchr(cursor, '=');
		if (equals != NULL)
			*equals++ = '\0';
		connection->query[connection->query_count].key = cursor;
		connection->query[connection->query_count].value = equals;
		connection->query_count++;
		cursor = next;
	}
}

void fuzz_request_end(struct fuzz_request *fuzz)
{
	arena_release(&fuzz->request.arena);
	free(fuzz->body_copy);
	free(fuzz->query_copy);
	fuzz->body_copy = NULL;
	fuzz->query_copy = NULL;
}

void fuzz_check_verdict(const struct fuzz_request *fuzz, bool accepted)
{
	if (accepted) {
		FUZZ_CHECK(fuzz->connection.replies == 0);
		FUZZ_CHECK(fuzz->request.status == 0);
		return;
	}
	FUZZ_CHECK(fuzz->connection.replies == 1);
	FUZZ_CHECK(fuzz->connection.status >= 400 && fuzz->connection.status < 500);
	FUZZ_CHECK(fuzz->request.status == fuzz->connection.status);
}

void fuzz_check_text(const char *text, size_t size, size_t max_length)
{
	size_t length = strnlen(text, size);
	FUZZ_CHECK(length < size);
	FUZZ_CHECK(length <= max_length);
}

void fuzz_check_uuid(const char *text, bool empty_allowed)
{
	size_t length = strnlen(text, UUID_BUFFER_SIZE);
	if (length == 0) {
		FUZZ_CHECK(empty_allowed);
		return;
	}
	FUZZ_CHECK(length == 36);
	for (size_t i = 0; i < length; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			FUZZ_CHECK(text[i] == '-');
		else
			FUZZ_CHECK(isxdigit((unsigned char)text[i]) && !isupper((unsigned char)text[i]));
	}
}
