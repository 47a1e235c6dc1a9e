/* ES256 JWTs: OpenSSL computes and checks the ECDSA signatures; this file converts between
 * JOSE's raw r||s signature form and OpenSSL's DER form, and checks the registered claims. */
#include "auth/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"

#define ES256_PART_BYTES 32

static char *encode_json_part(json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return NULL;
	size_t length = strlen(text);
	char *encoded = malloc(base64_encoded_size(length));
	if (encoded != NULL)
		base64url_encode((const unsigned char *)text, length, encoded);
	free(text);
	return encoded;
}

char *jwt_sign_es256(EVP_PKEY *key, const char *kid, json_t *claims)
{
	json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "typ", "JWT", "kid", kid);
	char *header_part = header ? encode_json_part(header) : NULL;
	char *claims_part = encode_json_part(claims);
	json_decref(header);
	char *token = NULL;
	unsigned char *der = NULL;
	ECDSA_SIG *signature = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (header_part == NULL || claims_part == NULL || md == NULL)
		goto done;
	size_t signing_input_length = strlen(header_part) + 1 + strlen(claims_part);
	token = malloc(signing_input_length + 1 + 88 + 1);
	if (token == NULL)
		goto done;
	sprintf(token, "%s.%s", header_part, claims_part);
	size_t der_length = 0;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &der_length, (unsigned char *)token, signing_input_length) != 1)
		goto fail;
	der = malloc(der_length);
	if (der == NULL || EVP_DigestSign(md, der, &der_length, (unsigned char *)token, signing_input_length) != 1)
		goto fail;
	const unsigned char *cursor = der;
	signature = d2i_ECDSA_SIG(NULL, &cursor, (long)der_length);
	if (signature == NULL)
		goto fail;
	unsigned char raw[2 * ES256_PART_BYTES];
	if (BN_bn2binpad(ECDSA_SIG_get0_r(signature), raw, ES256_PART_BYTES) != ES256_PART_BYTES ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(signature), raw + ES256_PART_BYTES, ES256_PART_BYTES) != ES256_PART_BYTES)
		goto fail;
	token[signing_input_length] = '.';
	base64url_encode(raw, sizeof(raw), token + signing_input_length + 1);
	goto done;
fail:
	free(token);
	token = NULL;
done:
	ECDSA_SIG_free(signature);
	free(der);
	EVP_MD_CTX_free(md);
	free(header_part);
	free(claims_part);
	return token;
}

static json_t *decode_json_part(const char *text, size_t length)
{
	unsigned char decoded[JWT_MAX_LENGTH];
	if (length > sizeof(decoded) - 1)
		return NULL;
	long n = base64url_decode(text, length, decoded);
	if (n < 0)
		return NULL;
	json_t *value = json_loadb((const char *)decoded, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
	if (value != NULL && !json_is_object(value)) {
		json_decref(value);
		return NULL;
	}
	return value;
}

static bool signature_verifies(EVP_PKEY *key, const char *signing_input, size_t signing_input_length,
                               const char *signature_text, size_t signature_length)
{
	unsigned char raw[2 * ES256_PART_BYTES + 4];
	if (signature_length != 86 || base64url_decode(signature_text, signature_length, raw) != 2 * ES256_PART_BYTES)
		return false;
	bool verified = false;
	unsigned char *der = NULL;
	ECDSA_SIG *signature = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, ES256_PART_BYTES, NULL);
	BIGNUM *s = BN_bin2bn(raw + ES256_PART_BYTES, ES256_PART_BYTES, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (signature == NULL || r == NULL || s == NULL || md == NULL || ECDSA_SIG_set0(signature, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto done;
	}
	int der_length = i2d_ECDSA_SIG(signature, &der);
	if (der_length <= 0)
		goto done;
	verified = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	           EVP_DigestVerify(md, der, (size_t)der_length, (const unsigned char *)signing_input,
	                            signing_input_length) == 1;
done:
	OPENSSL_free(der);
	ECDSA_SIG_free(signature);
	EVP_MD_CTX_free(md);
	return verified;
}

static bool audience_matches(json_t *aud, const char *audience)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), audience) == 0;
	if (!json_is_array(aud))
		return false;
	size_t i;
	json_t *item;
	json_array_foreach(aud, i, item)
	{
		if (json_is_string(item) && strcmp(json_string_value(item), audience) == 0)
			return true;
	}
	return false;
}

enum token_result jwt_verify_es256(EVP_PKEY *key, const char *expected_kid, const char *token, size_t length,
                                   int64_t now, const char *issuer, const char *audience, json_t **claims_out)
{
	*claims_out = NULL;
	if (length == 0 || length > JWT_MAX_LENGTH)
		return TOKEN_MALFORMED;
	const char *first_dot = memchr(token, '.', length);
	if (first_dot == NULL)
		return TOKEN_MALFORMED;
	const char *second_dot = memchr(first_dot + 1, '.', length - (size_t)(first_dot + 1 - token));
	if (second_dot == NULL || memchr(second_dot + 1, '.', length - (size_t)(second_dot + 1 - token)) != NULL)
		return TOKEN_MALFORMED;

	json_t *header = decode_json_part(token, (size_t)(first_dot - token));
	if (header == NULL)
		return TOKEN_MALFORMED;
	const char *alg = json_string_value(json_object_get(header, "alg"));
	json_t *kid = json_object_get(header, "kid");
	bool header_ok = alg != NULL && strcmp(alg, "ES256") == 0 && json_object_get(header, "crit") == NULL &&
	                 (kid == NULL || (json_is_string(kid) && strcmp(json_string_value(kid), expected_kid) == 0));
	json_decref(header);
	if (!header_ok)
		return TOKEN_BAD_ALGORITHM;

	const char *signature = second_dot + 1;
	size_t signature_length = length - (size_t)(signature - token);
	if (!signature_verifies(key, token, (size_t)(second_dot - token), signature, signature_length))
		return TOKEN_BAD_SIGNATURE;

	json_t *claims = decode_json_part(first_dot + 1, (size_t)(second_dot - first_dot - 1));
	if (claims == NULL)
		return TOKEN_MALFORMED;
	json_t *exp = json_object_get(claims, "exp");
	if (!json_is_number(exp) || json_number_value(exp) <= (double)now) {
		json_decref(claims);
		return TOKEN_EXPIRED;
	}
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	if (iss == NULL || strcmp(iss, issuer) != 0 || !audience_matches(json_object_get(claims, "aud"), audience)) {
		json_decref(claims);
		return TOKEN_WRONG_AUDIENCE;
	}
	*claims_out = claims;
	return TOKEN_OK;
}

int jwt_header_kid(const char *token, size_t length, char *kid, size_t size)
{
	kid[0] = '\0';
	if (length == 0 || length > JWT_MAX_LENGTH)
		return -1;
	const char *first_dot = memchr(token, '.', length);
	if (first_dot == NULL)
		return -1;
	json_t *header = decode_json_part(token, (size_t)(first_dot - token));
	if (header == NULL)
		return -1;
	json_t *value = json_object_get(header, "kid");
	int status = 0;
	if (value != NULL) {
		const char *text = json_string_value(value);
		if (text == NULL || strlen(text) >= size)
			status = -1;
		else
			memcpy(kid, text, strlen(text) + 1);
	}
	json_decref(header);
	return status;
}

static int public_coordinates(EVP_PKEY *key, unsigned char x[32], unsigned char y[32])
{
	BIGNUM *bx = NULL, *by = NULL;
	int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 &&
	         EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1 && BN_bn2binpad(bx, x, 32) == 32 &&
	         BN_bn2binpad(by, y, 32) == 32;
	BN_free(bx);
	BN_free(by);
	return ok ? 0 : -1;
}

int jwt_key_thumbprint(EVP_PKEY *key, char out[64])
{
	unsigned char x[32], y[32];
	if (public_coordinates(key, x, y) != 0)
		return -1;
	char x_text[48], y_text[48], canonical[160];
	base64url_encode(x, 32, x_text);
	base64url_encode(y, 32, y_text);
	int n = snprintf(canonical, sizeof(canonical), "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
	                 x_text, y_text);
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)canonical, (size_t)n, digest);
	base64url_encode(digest, sizeof(digest), out);
	return 0;
}

json_t *jwt_public_jwk(EVP_PKEY *key, const char *kid)
{
	unsigned char x[32], y[32];
	if (public_coordinates(key, x, y) != 0)
		return NULL;
	char x_text[48], y_text[48];
	base64url_encode(x, 32, x_text);
	base64url_encode(y, 32, y_text);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x_text, "y", y_text,
	                 "kid", kid, "use", "sig", "alg", "ES256");
}
