/* Parsing one line of a camera registration CSV (see camera_csv.h). */
#include "domain/camera_csv.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

#define FIELD_MAX 256 /* bytes of a field kept; a longer one is refused as too long */

struct field {
	char text[FIELD_MAX + 1];
	size_t length;
	bool too_long;
};

static void field_add(struct field *field, char c)
{
	if (field->length < FIELD_MAX)
		field->text[field->length++] = c;
	else
		field->too_long = true;
	field->text[field->length] = '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads the field starting at *at into field, leaving *at after it (at a comma or the end); false
 * (error set) on a quote left open or text after a closing quote. */
static bool read_field(const char *line, size_t length, size_t *at, struct field *field, char *error, size_t error_size)
{
	size_t i = *at;
	memset(field, 0, sizeof(*field));
	while (i < length && is_space(line[i]))
		i++;
	if (i < length && line[i] == '"') {
		for (i++;; i++) {
			if (i >= length) {
				snprintf(error, error_size, "a quoted field is not closed");
				return false;
			}
			if (line[i] == '"' && i + 1 < length && line[i + 1] == '"')
				field_add(field, line[i++]);
			else if (line[i] == '"')
				break;
			else
				field_add(field, line[i]);
		}
		for (i++; i < length && is_space(line[i]); i++)
			;
		if (i < length && line[i] != ',') {
			snprintf(error, error_size, "text after a closing quote");
			return false;
		}
	} else {
		for (; i < length && line[i] != ','; i++)
			field_add(field, line[i]);
		while (field->length > 0 && is_space(field->text[field->length - 1]))
			field->text[--field->length] = '\0';
	}
	*at = i;
	return true;
}

/* Splits the line into at most max fields; *count how many it has (may exceed max). */
static bool split(const char *line, size_t length, struct field *fields, size_t max, size_t *count, char *error,
                  size_t error_size)
{
	size_t at = 0;
	*count = 0;
	for (;;) {
		struct field scratch;
		struct field *field = *count < max ? &fields[*count] : &scratch;
		if (!read_field(line, length, &at, field, error, error_size))
			return false;
		++*count;
		if (at >= length)
			return true;
		at++; /* the comma */
	}
}

static bool serial_valid(const struct field *serial, char *error, size_t error_size)
{
	if (serial->length == 0) {
		snprintf(error, error_size, "serialNumber is empty");
		return false;
	}
	if (serial->too_long || serial->length > CAMERA_SERIAL_MAX) {
		snprintf(error, error_size, "serialNumber is longer than %d bytes", CAMERA_SERIAL_MAX);
		return false;
	}
	char clean[FIELD_MAX + 1];
	utf8_sanitize(serial->text, clean, sizeof(clean));
	if (strlen(serial->text) != serial->length || strcmp(clean, serial->text) != 0) {
		snprintf(error, error_size, "serialNumber is not valid UTF-8 text");
		return false;
	}
	return true;
}

enum camera_csv_line camera_csv_parse(const char *line, size_t length, bool first, char id[UUID_BUFFER_SIZE],
                                      char serial[CAMERA_SERIAL_MAX + 1], char *error, size_t error_size)
{
	id[0] = serial[0] = error[0] = '\0';
	if (length > 0 && line[length - 1] == '\r')
		length--;
	size_t blank = 0;
	while (blank < length && is_space(line[blank]))
		blank++;
	if (blank == length)
		return CAMERA_CSV_BLANK;
	struct field fields[2];
	size_t count;
	if (!split(line, length, fields, 2, &count, error, error_size))
		return CAMERA_CSV_INVALID;
	if (count != 2) {
		snprintf(error, error_size, "expected 2 fields (cameraId,serialNumber), found %zu", count);
		return CAMERA_CSV_INVALID;
	}
	if (first && strcasecmp(fields[0].text, "cameraId") == 0 && strcasecmp(fields[1].text, "serialNumber") == 0)
		return CAMERA_CSV_HEADER;
	if (fields[0].length > 0 && (fields[0].too_long || !uuid_normalize(fields[0].text, id))) {
		id[0] = '\0';
		snprintf(error, error_size, "cameraId is not a UUID (8-4-4-4-12 hexadecimal digits)");
		return CAMERA_CSV_INVALID;
	}
	if (!serial_valid(&fields[1], error, error_size)) {
		id[0] = '\0';
		return CAMERA_CSV_INVALID;
	}
	memcpy(serial, fields[1].text, fields[1].length + 1);
	return CAMERA_CSV_PAIR;
}
