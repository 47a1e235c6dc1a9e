/* UUID generation from OpenSSL's CSPRNG and strict textual validation. */
#include "util/uuid.h"

#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

int uuid_generate_text(char out[UUID_BUFFER_SIZE])
{
	unsigned char bytes[16];
	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -1;
	bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
	bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	uuid_from_bytes(bytes, out);
	return 0;
}

void uuid_from_bytes(const unsigned char bytes[UUID_BYTES], char out[UUID_BUFFER_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	size_t pos = 0;
	for (int i = 0; i < UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[pos++] = '-';
		out[pos++] = hex[bytes[i] >> 4];
		out[pos++] = hex[bytes[i] & 0x0f];
	}
	out[pos] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool uuid_to_bytes(const char *text, unsigned char out[UUID_BYTES])
{
	if (!uuid_is_valid(text))
		return false;
	size_t byte = 0;
	for (int i = 0; i < UUID_TEXT_LENGTH; i += 2) {
		if (text[i] == '-')
			i++;
		out[byte++] = (unsigned char)(hex_value(text[i]) << 4 | hex_value(text[i + 1]));
	}
	return byte == UUID_BYTES;
}

bool uuid_is_valid(const char *text)
{
	if (text == NULL || strlen(text) != UUID_TEXT_LENGTH)
		return false;
	for (int i = 0; i < UUID_TEXT_LENGTH; i++) {
		bool dash_position = (i == 8 || i == 13 || i == 18 || i == 23);
		if (dash_position ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
			return false;
	}
	return true;
}

bool uuid_normalize(const char *text, char out[UUID_BUFFER_SIZE])
{
	if (!uuid_is_valid(text))
		return false;
	for (int i = 0; i <= UUID_TEXT_LENGTH; i++)
		out[i] = (char)tolower((unsigned char)text[i]);
	return true;
}
