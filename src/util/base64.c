/* Base64 codecs: OpenSSL does the encoding; this file only maps the URL-safe alphabet
 * and padding of RFC 7515 onto it. */
#include "util/base64.h"

#include <ctype.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

size_t base64_encoded_size(size_t length)
{
	return 4 * ((length + 2) / 3) + 1;
}

size_t base64_encode(const unsigned char *data, size_t length, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, data, (int)length);
}

size_t base64url_encode(const unsigned char *data, size_t length, char *out)
{
	size_t n = base64_encode(data, length, out);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return n;
}

long base64url_decode(const char *text, size_t text_length, unsigned char *out)
{
	if (text_length % 4 == 1)
		return -1;
	size_t padded_length = text_length + (4 - text_length % 4) % 4;
	char stack_buffer[1024];
	char *padded = padded_length < sizeof(stack_buffer) ? stack_buffer : malloc(padded_length + 1);
	if (padded == NULL)
		return -1;
	for (size_t i = 0; i < text_length; i++) {
		char c = text[i];
		if (c == '+' || c == '/' || c == '=') {
			if (padded != stack_buffer)
				free(padded);
			return -1;
		}
		padded[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	for (size_t i = text_length; i < padded_length; i++)
		padded[i] = '=';
	padded[padded_length] = '\0';
	int n = EVP_DecodeBlock(out, (const unsigned char *)padded, (int)padded_length);
	if (padded != stack_buffer)
		free(padded);
	if (n < 0)
		return -1;
	/* EVP_DecodeBlock counts padding bytes as zero output; remove them. */
	n -= (int)(padded_length - text_length);
	return n;
}

long base64_decode(const char *text, size_t text_length, unsigned char *out)
{
	if (text_length % 4 != 0 || text_length > INT_MAX)
		return -1;
	size_t padding = 0;
	for (size_t i = 0; i < text_length; i++) {
		if (text[i] == '=') {
			padding++;
		} else if (padding > 0 || !(isalnum((unsigned char)text[i]) || text[i] == '+' || text[i] == '/')) {
			return -1; /* data after padding, or outside the alphabet (EVP_DecodeBlock skips blanks) */
		}
	}
	if (padding > 2)
		return -1;
	int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)text_length);
	return n < 0 ? -1 : n - (long)padding;
}
