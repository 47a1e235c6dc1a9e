/* The webhook sender's thread (see sender.h): claim, send on libcurl's multi interface, record. */
#include "webhooks/sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define POLL_MS         250   /* how often an idle sender looks for due deliveries */
#define LEASE_MARGIN_MS 20000 /* a claim's lease: the attempt's time plus this */
#define ANSWER_BODY_MAX 65536 /* bytes of an answer read before the transfer is cut */
#define CLAIM_BATCH_MAX 256   /* deliveries claimed in one transaction */
#define ROUND_GAP_MS    10    /* the longest a finished attempt waits for others to share its commit */
#define SENDER_NICE     10    /* the sender thread's nice value */
#define USER_AGENT      "camfleet-webhooks/1"

/* One attempt in flight. */
struct transfer {
	struct webhook_sender *sender;
	struct transfer *previous, *next; /* the sender's list of transfers in flight */
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t body_length;
	unsigned schedule_attempts; /* failed attempts since the back-off (re)started, before this one */
	size_t received;            /* bytes of the answer's body */
	bool address_refused;       /* a connection to a private address was refused */
	char curl_error[CURL_ERROR_SIZE];
	struct delivery_outcome outcome;
};

/* A delivery claimed in a round, kept until the round's transaction is over. */
struct claimed_job {
	struct delivery_job job;
	char *data_json; /* job.event.data_json's copy (malloc'd) */
};

struct webhook_sender {
	struct store *store;
	struct webhook_sender_settings settings;
	CURLM *multi;
	pthread_t thread;
	atomic_bool stopping;
	atomic_bool woken;
	unsigned in_flight;
	struct transfer *transfers; /* those in flight */
	int64_t next_claim_ms;
	int64_t last_round_ms;
	struct claimed_job *claimed; /* CLAIM_BATCH_MAX of them */
	size_t claimed_count;
	struct delivery_outcome *finished; /* outcomes to write, up to settings.concurrency + CLAIM_BATCH_MAX */
	size_t finished_count;
	/* Easy handles of ended transfers, reset and kept for the next ones (settings.concurrency of
	 * them at most): a new handle allocates and clears its buffers; a reset one keeps them. */
	CURL **spare_easy;
	size_t spare_count;
	uint64_t random_state;
};

/* A number in [0, 1) for the retry's jitter (xorshift64*: spreading retries needs no more). */
static double next_random(struct webhook_sender *sender)
{
	uint64_t x = sender->random_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sender->random_state = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* --- one attempt --------------------------------------------------------------------------- */

static size_t read_answer(char *data, size_t size, size_t count, void *context)
{
	(void)data;
	struct transfer *transfer = context;
	size_t length = size * count;
	transfer->received += length;
	return transfer->received > ANSWER_BODY_MAX ? 0 : length; /* 0 cuts the transfer */
}

/* libcurl asks for each socket it connects: none to a private address unless allowed, whatever
 * the name resolved to this time. */
static curl_socket_t open_checked_socket(void *context, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct transfer *transfer = context;
	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!transfer->sender->settings.allow_private && webhook_address_is_private(&address->addr)) {
		transfer->address_refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* An easy handle for a new transfer: a spare one, else a new one; NULL when out of memory. */
static CURL *easy_take(struct webhook_sender *sender)
{
	return sender->spare_count > 0 ? sender->spare_easy[--sender->spare_count] : curl_easy_init();
}

/* Keeps easy (no longer in the multi handle) for a later transfer, its options reset. */
static void easy_give_back(struct webhook_sender *sender, CURL *easy)
{
	if (easy == NULL)
		return;
	if (sender->spare_count == sender->settings.concurrency) {
		curl_easy_cleanup(easy);
		return;
	}
	curl_easy_reset(easy);
	sender->spare_easy[sender->spare_count++] = easy;
}

static void transfer_free(struct transfer *transfer)
{
	if (transfer == NULL)
		return;
	easy_give_back(transfer->sender, transfer->easy);
	curl_slist_free_all(transfer->headers);
	free(transfer->body);
	free(transfer);
}

/* Appends a header line; false when out of memory. */
static bool add_header(struct transfer *transfer, const char *name, const char *value)
{
	char line[512];
	int length = snprintf(line, sizeof(line), "%s: %s", name, value);
	if (length < 0 || (size_t)length >= sizeof(line))
		return false;
	struct curl_slist *headers = curl_slist_append(transfer->headers, line);
	if (headers == NULL)
		return false;
	transfer->headers = headers;
	return true;
}

/* The body, signature and headers of job's attempt; false when out of memory or a secret is bad. */
static bool prepare_message(struct transfer *transfer, const struct delivery_job *job)
{
	size_t body_length = 0;
	transfer->body = event_json_text(&job->event, &body_length);
	if (transfer->body == NULL)
		return false;
	transfer->body_length = body_length;
	int64_t timestamp = time_now_seconds();
	char timestamp_text[24];
	snprintf(timestamp_text, sizeof(timestamp_text), "%lld", (long long)timestamp);
	char *signature =
	    webhook_signature_header(job->secret, job->previous_secret[0] != '\0' ? job->previous_secret : NULL,
	                             job->event.id, timestamp, transfer->body, transfer->body_length);
	bool ok = signature != NULL && add_header(transfer, "Content-Type", "application/json") &&
	          add_header(transfer, "webhook-id", job->event.id) &&
	          add_header(transfer, "webhook-timestamp", timestamp_text) &&
	          add_header(transfer, "webhook-signature", signature) && add_header(transfer, "Expect", "");
	free(signature);
	return ok;
}

static bool configure(struct transfer *transfer, const struct delivery_job *job)
{
	const struct webhook_sender_settings *settings = &transfer->sender->settings;
	CURL *easy = transfer->easy;
	return curl_easy_setopt(easy, CURLOPT_URL, job->url) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_PROXY, "") == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)settings->timeout_ms) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_USERAGENT, USER_AGENT) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)transfer->body_length) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, read_answer) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, transfer) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->curl_error) == CURLE_OK &&
	       curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer) == CURLE_OK;
}

/* Adds an outcome to write; the array has room for every transfer in flight and a whole claim. */
static void record(struct webhook_sender *sender, const struct delivery_outcome *outcome)
{
	if (sender->finished_count == sender->settings.concurrency + CLAIM_BATCH_MAX) {
		log_error("webhooks: no room to record delivery %s; it goes out again when its lease ends",
		          outcome->delivery_id);
		return;
	}
	sender->finished[sender->finished_count++] = *outcome;
}

/* A failed attempt's outcome: when to try again, or failed for good. */
static void fail(struct webhook_sender *sender, struct delivery_outcome *outcome, unsigned schedule_attempts,
                 const char *error)
{
	outcome->kind = OUTCOME_FAILED;
	snprintf(outcome->error, sizeof(outcome->error), "%s", error);
	outcome->next_attempt_at_ms = retry_schedule_next_ms(&sender->settings.schedule, schedule_attempts + 1,
	                                                     outcome->attempted_at_ms, next_random(sender));
}

/* Starts the attempt of a claimed delivery (after the round's transaction: building requests and
 * signatures holds no lock). */
static void start_job(struct webhook_sender *sender, const struct delivery_job *job)
{
	struct delivery_outcome outcome = {.attempted_at_ms = time_now_millis()};
	memcpy(outcome.delivery_id, job->delivery_id, sizeof(outcome.delivery_id));
	memcpy(outcome.lease_token, job->lease_token, sizeof(outcome.lease_token));
	memcpy(outcome.webhook_id, job->webhook_id, sizeof(outcome.webhook_id));
	outcome.webhook_failing = job->webhook_failing;
	if (!job->event_kept) {
		snprintf(outcome.error, sizeof(outcome.error), "the event is no longer kept");
		outcome.kind = OUTCOME_DROPPED;
		record(sender, &outcome);
		return;
	}
	struct transfer *transfer = calloc(1, sizeof(*transfer));
	if (transfer == NULL ||
	    (transfer->sender = sender, transfer->outcome = outcome,
	     transfer->schedule_attempts = job->schedule_attempts, (transfer->easy = easy_take(sender)) == NULL) ||
	    !prepare_message(transfer, job) || !configure(transfer, job) ||
	    curl_multi_add_handle(sender->multi, transfer->easy) != CURLM_OK) {
		log_error("webhooks: cannot start delivery %s", job->delivery_id);
		transfer_free(transfer);
		fail(sender, &outcome, job->schedule_attempts, "camfleet could not prepare the request");
		record(sender, &outcome);
		return;
	}
	transfer->next = sender->transfers;
	if (sender->transfers != NULL)
		sender->transfers->previous = transfer;
	sender->transfers = transfer;
	sender->in_flight++;
}

/* The store's claim calls this, inside its transaction, for each delivery it leased to this
 * sender: a copy to start once the transaction is over. */
static int keep_job(void *context, const struct delivery_job *job)
{
	struct webhook_sender *sender = context;
	if (sender->claimed_count == CLAIM_BATCH_MAX)
		return 1; /* never more than the claim asked for; the rest go out when their leases end */
	struct claimed_job *kept = &sender->claimed[sender->claimed_count];
	kept->job = *job;
	kept->data_json = job->event_kept ? strdup(job->event.data_json) : NULL;
	kept->job.event.data_json = kept->data_json;
	if (job->event_kept && kept->data_json == NULL) {
		log_error("webhooks: out of memory for delivery %s; it goes out when its lease ends", job->delivery_id);
		return 0;
	}
	sender->claimed_count++;
	return 0;
}

static void start_claimed(struct webhook_sender *sender)
{
	for (size_t i = 0; i < sender->claimed_count; i++) {
		start_job(sender, &sender->claimed[i].job);
		free(sender->claimed[i].data_json);
	}
	sender->claimed_count = 0;
}

/* Takes transfer off the multi handle and the list, and frees it. */
static void transfer_end(struct webhook_sender *sender, struct transfer *transfer)
{
	curl_multi_remove_handle(sender->multi, transfer->easy);
	if (transfer->previous != NULL)
		transfer->previous->next = transfer->next;
	else
		sender->transfers = transfer->next;
	if (transfer->next != NULL)
		transfer->next->previous = transfer->previous;
	transfer_free(transfer);
	sender->in_flight--;
}

/* What a finished transfer came to. */
static void judge(struct transfer *transfer, CURLcode code)
{
	struct delivery_outcome *outcome = &transfer->outcome;
	long status = 0;
	curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
	outcome->response_status = (int)status;
	bool answered = code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer->received > ANSWER_BODY_MAX);
	if (answered && status >= 200 && status < 300) {
		outcome->kind = OUTCOME_SUCCEEDED;
		return;
	}
	char error[DELIVERY_ERROR_MAX + 1];
	if (answered)
		snprintf(error, sizeof(error), "the receiver answered HTTP %ld", status);
	else if (transfer->address_refused)
		snprintf(error, sizeof(error),
		         "refused: the host's address is loopback, private, link-local or reserved "
		         "(see --allow-private-webhooks)");
	else if (code == CURLE_OPERATION_TIMEDOUT)
		snprintf(error, sizeof(error), "no answer within %u ms", transfer->sender->settings.timeout_ms);
	else
		snprintf(error, sizeof(error), "%.*s", DELIVERY_ERROR_MAX,
		         transfer->curl_error[0] != '\0' ? transfer->curl_error : curl_easy_strerror(code));
	fail(transfer->sender, outcome, transfer->schedule_attempts, error);
}

/* Judges and ends every finished transfer; returns how many. */
static unsigned collect_finished(struct webhook_sender *sender)
{
	CURLMsg *message;
	int left = 0;
	unsigned finished = 0;
	while ((message = curl_multi_info_read(sender->multi, &left)) != NULL) {
		if (message->msg != CURLMSG_DONE)
			continue;
		struct transfer *transfer = NULL;
		curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&transfer);
		judge(transfer, message->data.result);
		record(sender, &transfer->outcome);
		transfer_end(sender, transfer);
		finished++;
	}
	return finished;
}

/* Whether to claim now: there is room, and it has been POLL_MS, a wake came, a transfer finished
 * (slots of a webhook at its bound may have freed) or half the slots are free. */
static unsigned claim_wanted(struct webhook_sender *sender, int64_t now)
{
	unsigned room = sender->settings.concurrency - sender->in_flight;
	bool woken = atomic_exchange(&sender->woken, false);
	if (room == 0 || (now < sender->next_claim_ms && !woken && room < sender->settings.concurrency / 2))
		return 0;
	return room < CLAIM_BATCH_MAX ? room : CLAIM_BATCH_MAX;
}

/* One round with the store: writes the outcomes gathered and claims what is wanted, in one
 * transaction (one commit per round, however many deliveries it carries). When it fails, the
 * outcomes are lost and their leases run out: those deliveries are tried again. */
static void round_trip(struct webhook_sender *sender, int64_t now, unsigned want)
{
	if (sender->finished_count == 0 && want == 0)
		return;
	struct delivery_claim claim = {
	    .now_ms = now,
	    .lease_ms = (int64_t)sender->settings.timeout_ms + LEASE_MARGIN_MS,
	    .per_webhook = sender->settings.per_webhook,
	    .max = want,
	    .disable_before_ms = now - sender->settings.disable_after_ms,
	};
	size_t written = sender->finished_count;
	enum store_result result =
	    sender->store->ops->delivery_round(sender->store, sender->finished, written, &claim, keep_job, sender);
	if (result != STORE_OK && result != STORE_NOT_FOUND)
		log_error("webhooks: a round with the store failed (result %d): %zu attempts will be tried again",
		          (int)result, written);
	sender->finished_count = 0;
	unsigned claimed = (unsigned)sender->claimed_count;
	start_claimed(sender); /* outcomes of those that cannot start wait for the next round */
	if (want > 0)
		sender->next_claim_ms = claimed == want ? now : now + POLL_MS;
}

static void *run(void *argument)
{
	thread_name_set("webhooks");
	struct webhook_sender *sender = argument;
	/* background work: when the CPUs are busy, the requests being answered go first */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SENDER_NICE) != 0)
		log_warn("webhooks: cannot lower the sender's priority; it competes with requests as an equal");
	while (!atomic_load(&sender->stopping)) {
		int running = 0;
		if (curl_multi_perform(sender->multi, &running) != CURLM_OK)
			log_error("webhooks: the transfer loop failed");
		int64_t now = time_now_millis();
		if (collect_finished(sender) > 0)
			sender->next_claim_ms = now;
		/* rounds gather what finishes within ROUND_GAP_MS: one commit carries many outcomes */
		if (sender->in_flight == 0 || sender->finished_count >= sender->settings.per_webhook ||
		    now - sender->last_round_ms >= ROUND_GAP_MS) {
			round_trip(sender, now, claim_wanted(sender, now));
			sender->last_round_ms = now;
		}
		int64_t wait = sender->next_claim_ms - time_now_millis();
		if (sender->in_flight == sender->settings.concurrency || wait > POLL_MS)
			wait = POLL_MS;
		if (sender->finished_count > 0 && wait > ROUND_GAP_MS)
			wait = ROUND_GAP_MS;
		if (wait > 0)
			curl_multi_poll(sender->multi, NULL, 0, (int)wait, NULL);
	}
	return NULL;
}

struct webhook_sender *webhook_sender_start(struct store *store, const struct webhook_sender_settings *settings)
{
	struct webhook_sender *sender = calloc(1, sizeof(*sender));
	if (sender == NULL)
		return NULL;
	sender->store = store;
	sender->settings = *settings;
	sender->random_state = (uint64_t)time_now_millis() * 0x9E3779B97F4A7C15ULL | 1;
	atomic_init(&sender->stopping, false);
	atomic_init(&sender->woken, false);
	sender->finished = calloc(settings->concurrency + CLAIM_BATCH_MAX, sizeof(*sender->finished));
	sender->claimed = calloc(CLAIM_BATCH_MAX, sizeof(*sender->claimed));
	sender->spare_easy = calloc(settings->concurrency, sizeof(*sender->spare_easy));
	sender->multi = curl_multi_init();
	if (sender->finished == NULL || sender->claimed == NULL || sender->spare_easy == NULL ||
	    sender->multi == NULL ||
	    curl_multi_setopt(sender->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)settings->concurrency) != CURLM_OK ||
	    pthread_create(&sender->thread, NULL, run, sender) != 0) {
		log_error("webhooks: cannot start the sender");
		if (sender->multi != NULL)
			curl_multi_cleanup(sender->multi);
		free(sender->finished);
		free(sender->claimed);
		free(sender->spare_easy);
		free(sender);
		return NULL;
	}
	return sender;
}

void webhook_sender_wake(struct webhook_sender *sender)
{
	if (sender == NULL)
		return;
	atomic_store(&sender->woken, true);
	curl_multi_wakeup(sender->multi);
}

void webhook_sender_stop(struct webhook_sender *sender)
{
	if (sender == NULL)
		return;
	atomic_store(&sender->stopping, true);
	curl_multi_wakeup(sender->multi);
	pthread_join(sender->thread, NULL);
	/* attempts still in flight are abandoned and their leases handed back with what finished, so
	 * that they go out again at once after a restart or from another node */
	while (sender->transfers != NULL) {
		struct transfer *transfer = sender->transfers;
		transfer->outcome.kind = OUTCOME_RELEASED;
		record(sender, &transfer->outcome);
		transfer_end(sender, transfer);
	}
	round_trip(sender, time_now_millis(), 0);
	while (sender->spare_count > 0)
		curl_easy_cleanup(sender->spare_easy[--sender->spare_count]);
	free(sender->spare_easy);
	curl_multi_cleanup(sender->multi);
	free(sender->finished);
	free(sender->claimed);
	free(sender);
}
