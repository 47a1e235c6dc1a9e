/* The curl multi glue: one multi handle (its connection cache gives keep-alive across calls),
 * one easy handle per call taken from a pool of reset handles, responses collected in memory. */
#include "sim/http_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define RESPONSE_LIMIT         (4 * 1024 * 1024)
#define DEFAULT_TIMEOUT_MILLIS 30000L
#define CONNECT_TIMEOUT_MILLIS 10000L
#define EASY_POOL_LIMIT        4096

struct http_call {
	struct http_client *client;
	struct http_call *previous, *next; /* the client's list of calls in flight */
	bool finishing;                    /* its callback is running: cancelling is a no-op */
	CURL *easy;
	struct curl_slist *headers;
	char *request_body;
	char *response;
	size_t response_length;
	size_t response_capacity;
	bool response_too_large;
	http_done_fn done;
	void *context;
	char error_text[CURL_ERROR_SIZE];
};

struct http_client {
	CURLM *multi;
	char base_url[512];
	size_t in_flight;
	struct http_call *calls; /* in flight, newest first */
	CURL **idle_easy;        /* reset handles ready for the next call */
	size_t idle_count;
};

struct http_client *http_client_new(const char *base_url, unsigned max_connections)
{
	struct http_client *client = calloc(1, sizeof(*client));
	if (client == NULL)
		return NULL;
	snprintf(client->base_url, sizeof(client->base_url), "%s", base_url);
	client->idle_easy = calloc(EASY_POOL_LIMIT, sizeof(*client->idle_easy));
	client->multi = curl_multi_init();
	if (client->idle_easy == NULL || client->multi == NULL) {
		http_client_free(client);
		return NULL;
	}
	curl_multi_setopt(client->multi, CURLMOPT_MAXCONNECTS, (long)max_connections);
	curl_multi_setopt(client->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_connections);
	return client;
}

static void release_call(struct http_call *call)
{
	struct http_client *client = call->client;
	curl_multi_remove_handle(client->multi, call->easy);
	client->in_flight--;
	if (call->previous != NULL)
		call->previous->next = call->next;
	else
		client->calls = call->next;
	if (call->next != NULL)
		call->next->previous = call->previous;
	if (client->idle_count < EASY_POOL_LIMIT) {
		curl_easy_reset(call->easy);
		client->idle_easy[client->idle_count++] = call->easy;
	} else {
		curl_easy_cleanup(call->easy);
	}
	curl_slist_free_all(call->headers);
	free(call->request_body);
	free(call->response);
	free(call);
}

void http_client_free(struct http_client *client)
{
	if (client == NULL)
		return;
	while (client->calls != NULL)
		release_call(client->calls);
	for (size_t i = 0; i < client->idle_count; i++)
		curl_easy_cleanup(client->idle_easy[i]);
	if (client->multi != NULL)
		curl_multi_cleanup(client->multi);
	free(client->idle_easy);
	free(client);
}

static size_t collect_response(char *data, size_t size, size_t count, void *userdata)
{
	struct http_call *call = userdata;
	size_t length = size * count;
	if (call->response_length + length + 1 > RESPONSE_LIMIT) {
		call->response_too_large = true;
		return 0; /* aborts the transfer */
	}
	if (call->response_length + length + 1 > call->response_capacity) {
		size_t capacity = call->response_capacity ? call->response_capacity : 1024;
		while (capacity < call->response_length + length + 1)
			capacity *= 2;
		char *grown = realloc(call->response, capacity);
		if (grown == NULL)
			return 0;
		call->response = grown;
		call->response_capacity = capacity;
	}
	memcpy(call->response + call->response_length, data, length);
	call->response_length += length;
	call->response[call->response_length] = '\0';
	return length;
}

static struct curl_slist *build_headers(const struct http_request *request)
{
	char line[4096];
	/* No "Expect: 100-continue" round trip for large bodies: the server answers at once. */
	struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
	if (headers != NULL && request->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", request->content_type);
		struct curl_slist *more = curl_slist_append(headers, line);
		if (more == NULL)
			goto failed;
		headers = more;
	}
	if (headers != NULL && request->bearer_token != NULL) {
		if (snprintf(line, sizeof(line), "Authorization: Bearer %s", request->bearer_token) >=
		    (int)sizeof(line))
			goto failed;
		struct curl_slist *more = curl_slist_append(headers, line);
		if (more == NULL)
			goto failed;
		headers = more;
	}
	return headers;
failed:
	curl_slist_free_all(headers);
	return NULL;
}

static CURL *take_easy(struct http_client *client)
{
	if (client->idle_count > 0)
		return client->idle_easy[--client->idle_count];
	return curl_easy_init();
}

static bool configure(struct http_call *call, const struct http_request *request)
{
	char url[4096];
	if (snprintf(url, sizeof(url), "%s%s", call->client->base_url, request->path) >= (int)sizeof(url))
		return false;
	CURL *easy = call->easy;
	long timeout = request->timeout_millis > 0 ? request->timeout_millis : DEFAULT_TIMEOUT_MILLIS;
	bool ok = curl_easy_setopt(easy, CURLOPT_URL, url) == CURLE_OK;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, call);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MILLIS);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "camfleet-sim/0.1");
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->error_text);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_response);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers);
	if (request->basic_user != NULL) {
		curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(easy, CURLOPT_USERNAME, request->basic_user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD,
		                 request->basic_password != NULL ? request->basic_password : "");
	}
	if (strcmp(request->method, "GET") == 0) {
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(request->method, "POST") != 0)
			curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request->method);
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->request_body != NULL ? call->request_body : "");
	}
	return ok;
}

struct http_call *http_client_send(struct http_client *client, const struct http_request *request, http_done_fn done,
                                   void *context)
{
	struct http_call *call = calloc(1, sizeof(*call));
	if (call == NULL)
		return NULL;
	call->client = client;
	call->done = done;
	call->context = context;
	if (request->body != NULL && request->body_length > 0) {
		call->request_body = malloc(request->body_length);
		if (call->request_body == NULL)
			goto failed;
		memcpy(call->request_body, request->body, request->body_length);
	}
	call->headers = build_headers(request);
	call->easy = take_easy(client);
	if (call->headers == NULL || call->easy == NULL || !configure(call, request))
		goto failed;
	if (curl_multi_add_handle(client->multi, call->easy) != CURLM_OK)
		goto failed;
	client->in_flight++;
	call->next = client->calls;
	if (client->calls != NULL)
		client->calls->previous = call;
	client->calls = call;
	return call;
failed:
	if (call->easy != NULL)
		curl_easy_cleanup(call->easy);
	curl_slist_free_all(call->headers);
	free(call->request_body);
	free(call);
	return NULL;
}

void http_call_cancel(struct http_client *client, struct http_call *call)
{
	if (call != NULL && call->client == client && !call->finishing)
		release_call(call);
}

static void finish(struct http_call *call, CURLcode code)
{
	struct http_result result = {0};
	if (code == CURLE_OK) {
		curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &result.status);
	} else if (call->response_too_large) {
		result.error = "response too large";
	} else {
		result.error = call->error_text[0] != '\0' ? call->error_text : curl_easy_strerror(code);
	}
	result.body = call->response != NULL ? call->response : "";
	result.body_length = call->response_length;
	call->finishing = true;
	call->done(&result, call->context);
	release_call(call);
}

int http_client_run(struct http_client *client, int timeout_millis)
{
	if (curl_multi_poll(client->multi, NULL, 0, timeout_millis, NULL) != CURLM_OK)
		return -1;
	int running = 0;
	if (curl_multi_perform(client->multi, &running) != CURLM_OK)
		return -1;
	CURLMsg *message;
	int queued = 0;
	while ((message = curl_multi_info_read(client->multi, &queued)) != NULL) {
		if (message->msg != CURLMSG_DONE)
			continue;
		struct http_call *call = NULL;
		curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		if (call != NULL)
			finish(call, message->data.result);
	}
	return 0;
}

size_t http_client_in_flight(const struct http_client *client)
{
	return client->in_flight;
}
