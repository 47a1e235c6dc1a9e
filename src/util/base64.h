/* Base64 (standard and URL-safe, unpadded) encoding and decoding on OpenSSL's EVP codec. */
#ifndef CAMFLEET_UTIL_BASE64_H
#define CAMFLEET_UTIL_BASE64_H

#include <stddef.h>

/* Size of the buffer base64*_encode needs for length input bytes (with NUL). */
size_t base64_encoded_size(size_t length);
/* Standard padded base64 of data into out (base64_encoded_size bytes); returns the text length. */
size_t base64_encode(const unsigned char *data, size_t length, char *out);
/* URL-safe base64 without padding (RFC 7515 section 2) into out; returns the text length. */
size_t base64url_encode(const unsigned char *data, size_t length, char *out);
/* Decodes URL-safe unpadded base64 of text_length chars into out (at least text_length bytes);
 * returns the decoded length, or -1 when the text is not valid base64url. */
long base64url_decode(const char *text, size_t text_length, unsigned char *out);
/* Decodes standard padded base64 (length a multiple of 4) into out (at least 3 * text_length / 4
 * bytes); returns the decoded length, or -1 when the text is not valid padded base64. */
long base64_decode(const char *text, size_t text_length, unsigned char *out);

#endif
