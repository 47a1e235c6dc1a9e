/* Field paths, nearest-name suggestions (a Levenshtein distance over ASCII case-folded names) and
 * the unknown-field message every body check of the API uses. */
#include "domain/field_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends to out at *used, cutting to fit; false once anything was cut. */
static bool append(char *out, size_t out_size, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static bool append(char *out, size_t out_size, size_t *used, const char *format, ...)
{
	if (*used >= out_size)
		return false;
	va_list arguments;
	va_start(arguments, format);
	int written = vsnprintf(out + *used, out_size - *used, format, arguments);
	va_end(arguments);
	if (written < 0)
		return false;
	if ((size_t)written >= out_size - *used) {
		*used = out_size;
		return false;
	}
	*used += (size_t)written;
	return true;
}

bool field_path_key(char *out, size_t out_size, const char *parent, const char *key)
{
	if (out_size == 0)
		return false;
	out[0] = '\0';
	size_t used = 0;
	if (parent[0] == '\0')
		return append(out, out_size, &used, "%s", key);
	return append(out, out_size, &used, "%s.%s", parent, key);
}

bool field_path_index(char *out, size_t out_size, const char *parent, size_t index)
{
	if (out_size == 0)
		return false;
	out[0] = '\0';
	size_t used = 0;
	return append(out, out_size, &used, "%s[%zu]", parent, index);
}

static char fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Single-character insertions, deletions, substitutions and swaps of neighbours (case ignored)
 * turning a into b (the optimal string alignment distance); both at most FIELD_NAME_COMPARE_MAX
 * characters (checked by the caller). Three rows of the classic table. */
static size_t edit_distance(const char *a, size_t a_length, const char *b, size_t b_length)
{
	size_t before[FIELD_NAME_COMPARE_MAX + 1], previous[FIELD_NAME_COMPARE_MAX + 1],
	    current[FIELD_NAME_COMPARE_MAX + 1];
	for (size_t j = 0; j <= b_length; j++)
		previous[j] = before[j] = j;
	for (size_t i = 1; i <= a_length; i++) {
		current[0] = i;
		for (size_t j = 1; j <= b_length; j++) {
			size_t substitute = previous[j - 1] + (fold(a[i - 1]) != fold(b[j - 1]));
			size_t delete = previous[j] + 1;
			size_t insert = current[j - 1] + 1;
			size_t best = substitute < delete ? substitute : delete;
			best = best < insert ? best : insert;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
			    before[j - 2] + 1 < best)
				best = before[j - 2] + 1;
			current[j] = best;
		}
		memcpy(before, previous, (b_length + 1) * sizeof(before[0]));
		memcpy(previous, current, (b_length + 1) * sizeof(previous[0]));
	}
	return previous[b_length];
}

/* The name of known nearest to name (name_length characters, at most FIELD_NAME_COMPARE_MAX) and
 * its distance in *distance_out; NULL when none is near (*distance_out untouched). A case-only
 * difference is distance 0, so it always comes first. */
static const char *nearest_in(const char *name, size_t name_length, const char *const *known, size_t *distance_out)
{
	const char *nearest = NULL;
	size_t nearest_distance = 0;
	for (const char *const *candidate = known; candidate != NULL && *candidate != NULL; candidate++) {
		size_t candidate_length = strlen(*candidate);
		if (candidate_length > FIELD_NAME_COMPARE_MAX)
			continue;
		size_t distance = edit_distance(name, name_length, *candidate, candidate_length);
		size_t longer = name_length > candidate_length ? name_length : candidate_length;
		bool near = distance <= 1 || distance * 3 <= longer;
		if (near && (nearest == NULL || distance < nearest_distance)) {
			nearest = *candidate;
			nearest_distance = distance;
		}
	}
	if (nearest != NULL)
		*distance_out = nearest_distance;
	return nearest;
}

/* The nearest of both lists (second may be NULL); on a tie, first's. */
static const char *nearest_of(const char *name, const char *const *first, const char *const *second)
{
	size_t name_length = strlen(name);
	if (name_length > FIELD_NAME_COMPARE_MAX)
		return NULL;
	size_t first_distance = 0, second_distance = 0;
	const char *in_first = nearest_in(name, name_length, first, &first_distance);
	const char *in_second = nearest_in(name, name_length, second, &second_distance);
	if (in_first != NULL && (in_second == NULL || first_distance <= second_distance))
		return in_first;
	return in_second;
}

const char *field_names_nearest(const char *name, const char *const *known)
{
	return nearest_of(name, known, NULL);
}

/* Appends "a, b, c" (or "none") of names. */
static void append_names(char *out, size_t out_size, size_t *used, const char *const *names)
{
	if (names[0] == NULL)
		append(out, out_size, used, "none");
	for (const char *const *name = names; *name != NULL; name++)
		if (!append(out, out_size, used, "%s%s", name == names ? "" : ", ", *name))
			break;
}

static void unknown_message(char *out, size_t out_size, const char *parent, const char *name,
                            const char *const *writable, const char *const *read_only)
{
	if (out_size == 0)
		return;
	out[0] = '\0';
	char path[FIELD_PATH_SIZE];
	field_path_key(path, sizeof(path), parent, name);
	size_t used = 0;
	const char *nearest = nearest_of(name, writable, read_only);
	if (nearest != NULL)
		append(out, out_size, &used, "unknown field '%s' — did you mean '%s'? allowed: ", path, nearest);
	else
		append(out, out_size, &used, "unknown field '%s'; allowed: ", path);
	append_names(out, out_size, &used, writable);
	if (read_only != NULL && read_only[0] != NULL) {
		append(out, out_size, &used, "; read-only: ");
		append_names(out, out_size, &used, read_only);
	}
}

void field_names_unknown_message(char *out, size_t out_size, const char *parent, const char *name,
                                 const char *const *known)
{
	unknown_message(out, out_size, parent, name, known, NULL);
}

void field_names_unknown_change_message(char *out, size_t out_size, const char *name, const char *const *writable,
                                        const char *const *read_only)
{
	unknown_message(out, out_size, "", name, writable, read_only);
}

const char *field_names_first_changed(const json_t *body, const json_t *current, const char *const *compared)
{
	for (const char *const *name = compared; name != NULL && *name != NULL; name++) {
		json_t *sent = json_object_get(body, *name);
		if (sent == NULL)
			continue;
		json_t *now = json_object_get(current, *name);
		if (now == NULL ? !json_is_null(sent) : !json_equal(sent, now))
			return *name;
	}
	return NULL;
}
