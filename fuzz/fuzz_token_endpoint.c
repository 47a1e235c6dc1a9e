/* libFuzzer target: the token endpoint, POST /oauth/token (src/api/oauth.c), on a real
 * libmicrohttpd connection: libmicrohttpd parses the request line, the headers, the Basic
 * credentials and the application/x-www-form-urlencoded body exactly as in the server, then the
 * handler runs. Input byte 0 selects which headers are sent (Basic credentials, content type
 * variant) and whether the login limits (auth/login_guard.h) count the attempt (then a 429 is a
 * possible answer too); if Basic is on, the first line of the rest is the Authorization value, the remainder
 * is the body. The store knows no client and no user (the unknown client's check runs the keyed
 * hash under a fixed key), and argon2 is replaced by a stub below (its cost is not under test),
 * so every grant ends in 400 or 401 and never in 5xx. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/secret_keys.h"
#include "http/rate_limit.h"
#include "glue/glue.h"
#include "store/store.h"
#include "support/fuzz_request.h"
#include "util/log.h"

/* ---- stubs: no store rows, no argon2 ---- */

int password_hash(const char *secret, char out[PASSWORD_HASH_SIZE])
{
	snprintf(out, PASSWORD_HASH_SIZE, "fuzz-stub");
	return 0;
}

enum password_check password_check(const char *encoded_hash, const char *secret)
{
	return PASSWORD_MISMATCH;
}

int password_generate_secret(char out[CLIENT_SECRET_SIZE])
{
	snprintf(out, CLIENT_SECRET_SIZE, "fuzz-stub-secret");
	return 0;
}

static enum store_result no_client(struct store *store, const char *id, struct client *out)
{
	return STORE_NOT_FOUND;
}

static enum store_result no_user(struct store *store, const char *email, struct user *out)
{
	return STORE_NOT_FOUND;
}

/* One fixed key of the keyed secret hashes (what the server reads once at start). */
static enum store_result one_secret_key(struct store *store, secret_hash_key_fn row, void *context)
{
	struct secret_hash_key_record key = {.id = "fuzz", .key_text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"};
	row(context, &key);
	return STORE_OK;
}

static const struct store_ops token_store_ops = {
    .client_get = no_client,
    .user_get_by_email = no_user,
    .secret_hash_key_list = one_secret_key,
};

/* ---- one libmicrohttpd daemon without a listening socket; each input is one connection ---- */

struct upload {
	char *data;
	size_t length;
};

static struct MHD_Daemon *daemon_handle;
static unsigned handled;                 /* requests the handler answered */
static struct rate_limits *login_limits; /* the server's default login limits */
static bool limits_on;                   /* this input's attempt is counted by them */
static struct secret_keys *secret_keys;  /* the keyed secret hashes' fixed key */

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	struct upload *upload = *state;
	if (upload == NULL) {
		upload = calloc(1, sizeof(*upload));
		FUZZ_CHECK(upload != NULL);
		*state = upload;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		char *grown = realloc(upload->data, upload->length + *upload_data_size + 1);
		FUZZ_CHECK(grown != NULL);
		memcpy(grown + upload->length, upload_data, *upload_data_size);
		upload->data = grown;
		upload->length += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct fuzz_request *fuzz = malloc(sizeof(*fuzz));
	FUZZ_CHECK(fuzz != NULL);
	fuzz_request_begin(fuzz, (const uint8_t *)upload->data, upload->length, ROLE_NONE);
	fuzz->request.connection = connection;
	fuzz->request.method = method;
	fuzz->request.path = url;
	fuzz->store.ops = &token_store_ops;
	fuzz->app.limits = limits_on ? login_limits : NULL;
	fuzz->app.secret_keys = secret_keys;
	glue_oauth_post_token(fuzz);
	FUZZ_CHECK(fuzz->request.status == 400 || fuzz->request.status == 401 ||
	           (limits_on && fuzz->request.status == 429));
	enum MHD_Result result = fuzz->request.queue_failed ? MHD_NO : MHD_YES;
	fuzz_request_end(fuzz);
	free(fuzz);
	handled++;
	return result;
}

static void completed(void *cls, struct MHD_Connection *connection, void **state, enum MHD_RequestTerminationCode code)
{
	struct upload *upload = *state;
	if (upload != NULL) {
		free(upload->data);
		free(upload);
		*state = NULL;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	struct app_config config = {.login_failures_per_user = 5,
	                            .login_failures_per_address = 30,
	                            .rate_limit_client = 20000,
	                            .rate_limit_organisation = 200000};
	login_limits = rate_limits_new(&config);
	FUZZ_CHECK(login_limits != NULL);
	static struct store key_store = {.ops = &token_store_ops};
	secret_keys = secret_keys_from_store(&key_store);
	FUZZ_CHECK(secret_keys != NULL);
	daemon_handle = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, handle, NULL,
	                                 MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	FUZZ_CHECK(daemon_handle != NULL);
	return 0;
}

/* Appends text to the request, with CR and LF in a header value turned into spaces. */
static size_t put(char *out, size_t at, const char *text, size_t length, bool header_value)
{
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		out[at++] = header_value && (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
	}
	return at;
}

static void exchange(const char *request, size_t length)
{
	int fds[2];
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	FUZZ_CHECK(MHD_add_connection(daemon_handle, fds[0], (const struct sockaddr *)&peer, sizeof(peer)) == MHD_YES);
	FUZZ_CHECK(write(fds[1], request, length) == (ssize_t)length); /* fits the socket buffer */
	shutdown(fds[1], SHUT_WR);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	char answer[4096];
	for (int round = 0; round < 10000; round++) {
		FUZZ_CHECK(MHD_run(daemon_handle) == MHD_YES);
		ssize_t got = read(fds[1], answer, sizeof(answer));
		if (got == 0)
			break;            /* libmicrohttpd closed the connection: the exchange is over */
		FUZZ_CHECK(round < 9999); /* a request must never leave the connection hanging */
	}
	close(fds[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const content_types[] = {"application/x-www-form-urlencoded",
	                                            "application/x-www-form-urlencoded; charset=UTF-8",
	                                            "multipart/form-data; boundary=x", "application/json"};
	if (size < 1 || size > 8192)
		return 0;
	const char *rest = (const char *)data + 1;
	size_t length = size - 1;
	bool basic = (data[0] & 1) != 0;
	limits_on = (data[0] & 8) != 0;
	const char *content_type = content_types[(data[0] >> 1) % 4];
	size_t authorization_length = 0;
	if (basic) {
		const char *newline = memchr(rest, '\n', length);
		authorization_length = newline != NULL ? (size_t)(newline - rest) : length;
	}
	const char *body = rest + authorization_length + (basic && authorization_length < length ? 1 : 0);
	size_t body_length = length - (size_t)(body - rest);
	char *request = malloc(size + 512);
	FUZZ_CHECK(request != NULL);
	size_t at = (size_t)snprintf(request, 512,
	                             "POST /oauth/token HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
	                             "Content-Type: %s\r\nContent-Length: %zu\r\n",
	                             content_type, body_length);
	if (basic) {
		at = put(request, at, "Authorization: ", 15, false);
		at = put(request, at, rest, authorization_length, true);
		at = put(request, at, "\r\n", 2, false);
	}
	at = put(request, at, "\r\n", 2, false);
	at = put(request, at, body, body_length, false);
	unsigned before = handled;
	exchange(request, at);
	FUZZ_CHECK(handled <= before + 1); /* one request, at most one answer from the handler */
	free(request);
	return 0;
}
