/* libFuzzer target: access-token parsing and verification (src/auth/jwt.c) and the claims read into
 * a principal (src/auth/tokens.c), against a fixed test key that signs nothing else. Input byte 0
 * selects the mode:
 *   0  the rest is a compact token, verified as a bearer token would be;
 *   1  the rest is "<header JSON>\n<claims JSON>": both are encoded and correctly signed here
 *      (so parsing past the signature is reached), then verified; a correct signature is never
 *      refused as such;
 *   2  the rest is a claims JSON value signed by jwt_sign_es256, then verified: the server's own
 *      tokens always pass the signature and algorithm checks. */
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <string.h>

#include "auth/jwt.h"
#include "glue/glue.h"
#include "support/fuzz_check.h"
#include "util/base64.h"
#include "util/log.h"

#define FUZZ_KID      "fuzz-test-key"
#define FUZZ_ISSUER   "http://127.0.0.1:8080"
#define FUZZ_AUDIENCE "camfleet"
#define FUZZ_NOW      1800000000 /* 2027-01-15: fixed, so that a finding reproduces */

/* A P-256 key made for this target only (it signs nothing a server would accept). */
static const char test_key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                                   "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgd3j4R+eOs1hjtQj3\n"
                                   "jqWXXux/6X4cxXZMoruUR0GWAiShRANCAASVghtxAZNNBl/Kxx+8l4y9cv7Qs9n6\n"
                                   "NdSG7yTjyc0oK2u/HWB9GQYeOhDP5LQtfCfmQBsZ+TJmlHCPQHiLRuTE\n"
                                   "-----END PRIVATE KEY-----\n";

static EVP_PKEY *test_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	BIO *bio = BIO_new_mem_buf(test_key_pem, -1);
	test_key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	FUZZ_CHECK(test_key != NULL);
	return 0;
}

static enum token_result verify(const char *token, size_t length)
{
	json_t *claims = NULL;
	enum token_result result =
	    jwt_verify_es256(test_key, FUZZ_KID, token, length, FUZZ_NOW, FUZZ_ISSUER, FUZZ_AUDIENCE, &claims);
	FUZZ_CHECK(result <= TOKEN_OK && result >= TOKEN_INTERNAL);
	if (result == TOKEN_OK) {
		FUZZ_CHECK(json_is_object(claims));
		FUZZ_CHECK(json_number_value(json_object_get(claims, "exp")) > FUZZ_NOW);
		(void)glue_principal_from_claims(claims);
	} else {
		FUZZ_CHECK(claims == NULL);
	}
	json_decref(claims);
	return result;
}

/* base64url(header) "." base64url(claims) "." base64url(r||s), malloc'd. */
static char *sign_parts(const uint8_t *header, size_t header_length, const uint8_t *claims, size_t claims_length)
{
	size_t capacity = base64_encoded_size(header_length) + base64_encoded_size(claims_length) + 100;
	char *token = malloc(capacity);
	FUZZ_CHECK(token != NULL);
	size_t length = base64url_encode(header, header_length, token);
	token[length++] = '.';
	length += base64url_encode(claims, claims_length, token + length);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	size_t der_length = sizeof(der);
	FUZZ_CHECK(md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, test_key) == 1 &&
	           EVP_DigestSign(md, der, &der_length, (const unsigned char *)token, length) == 1);
	EVP_MD_CTX_free(md);
	const unsigned char *cursor = der;
	ECDSA_SIG *signature = d2i_ECDSA_SIG(NULL, &cursor, (long)der_length);
	unsigned char raw[64];
	FUZZ_CHECK(signature != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(signature), raw, 32) == 32 &&
	           BN_bn2binpad(ECDSA_SIG_get0_s(signature), raw + 32, 32) == 32);
	ECDSA_SIG_free(signature);
	token[length++] = '.';
	length += base64url_encode(raw, sizeof(raw), token + length);
	token[length] = '\0';
	return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *rest = data + 1;
	size_t length = size - 1;
	switch (data[0] % 3) {
	case 0: {
		char *token = malloc(length + 1); /* bearer tokens arrive NUL-terminated */
		FUZZ_CHECK(token != NULL);
		memcpy(token, rest, length);
		token[length] = '\0';
		(void)verify(token, length);
		free(token);
		break;
	}
	case 1: {
		const uint8_t *newline = memchr(rest, '\n', length);
		size_t header_length = newline != NULL ? (size_t)(newline - rest) : length;
		const uint8_t *claims = newline != NULL ? newline + 1 : rest + length;
		size_t claims_length = length - header_length - (newline != NULL ? 1 : 0);
		char *token = sign_parts(rest, header_length, claims, claims_length);
		enum token_result result = verify(token, strlen(token));
		FUZZ_CHECK(result != TOKEN_BAD_SIGNATURE);
		free(token);
		break;
	}
	default: {
		json_t *claims = json_loadb((const char *)rest, length, JSON_DECODE_ANY, NULL);
		if (!json_is_object(claims)) {
			json_decref(claims);
			break;
		}
		char *token = jwt_sign_es256(test_key, FUZZ_KID, claims);
		json_decref(claims);
		if (token == NULL)
			break;
		enum token_result result = verify(token, strlen(token));
		FUZZ_CHECK(result != TOKEN_BAD_SIGNATURE && result != TOKEN_BAD_ALGORITHM);
		free(token);
		break;
	}
	}
	return 0;
}
