/* HMAC-SHA-256 (see hmac_sha256.h). Fetching the algorithm per MAC would cost a lookup each time. */
#include "util/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>

static EVP_MAC *hmac_fetched;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void fetch_hmac(void)
{
	hmac_fetched = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

bool hmac_sha256(const void *key, size_t key_length, const void *first, size_t first_length, const void *second,
                 size_t second_length, unsigned char out[HMAC_SHA256_BYTES])
{
	pthread_once(&hmac_once, fetch_hmac);
	if (hmac_fetched == NULL)
		return false;
	char digest[] = "SHA256";
	OSSL_PARAM settings[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	                         OSSL_PARAM_construct_end()};
	size_t length = 0;
	EVP_MAC_CTX *context = EVP_MAC_CTX_new(hmac_fetched);
	bool ok = context != NULL && EVP_MAC_init(context, key, key_length, settings) == 1 &&
	          EVP_MAC_update(context, first, first_length) == 1 &&
	          (second_length == 0 || EVP_MAC_update(context, second, second_length) == 1) &&
	          EVP_MAC_final(context, out, &length, HMAC_SHA256_BYTES) == 1 && length == HMAC_SHA256_BYTES;
	EVP_MAC_CTX_free(context);
	return ok;
}
