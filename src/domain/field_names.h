/* Names of the fields of a JSON body: the path of a nested field ("weekly.monday[1].close",
 * "cameras[3].serialNumber"), the known name nearest to a misspelt one, the message for an
 * unknown field that suggests it and lists the allowed set, and the read-only field a change
 * body sends with another value than the resource has. Pure: no I/O. */
#ifndef CAMFLEET_DOMAIN_FIELD_NAMES_H
#define CAMFLEET_DOMAIN_FIELD_NAMES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest name compared for a suggestion; longer names are never near a known one. */
#define FIELD_NAME_COMPARE_MAX 64

/* Room for a field path and for an unknown-field message (both are cut to fit, never overflow). */
#define FIELD_PATH_SIZE    160
#define FIELD_MESSAGE_SIZE 512

/* Writes parent.key ("weekly" + "monday" → "weekly.monday"; "" + "name" → "name") into out;
 * false (out cut short, still terminated: a message may use it) when it does not fit in out_size. */
bool field_path_key(char *out, size_t out_size, const char *parent, const char *key);

/* Writes parent[index] ("cameras" + 3 → "cameras[3]") into out; false when cut short as above. */
bool field_path_index(char *out, size_t out_size, const char *parent, size_t index);

/* The name of known (NULL-terminated) nearest to name: one equal to it but for case first, else
 * the one fewest single-character edits away (ignoring case) when those edits are at most a third
 * of the longer name (at least one edit always counts as near); the first such in known on a tie.
 * NULL when none is near. The answer points into known. */
const char *field_names_nearest(const char *name, const char *const *known);

/* Writes "unknown field '<parent.name>' — did you mean '<nearest>'? allowed: a, b, c" into out
 * (out_size bytes, cut to fit); without a near name "unknown field '<path>'; allowed: a, b, c".
 * parent is "" at the top of the body. */
void field_names_unknown_message(char *out, size_t out_size, const char *parent, const char *name,
                                 const char *const *known);

/* As field_names_unknown_message for a change body (PATCH, PUT) at the top level: the nearest name
 * of writable and read_only, then "allowed: <writable>; read-only: <read_only>" (the read-only
 * part left out when read_only is NULL or empty). */
void field_names_unknown_change_message(char *out, size_t out_size, const char *name, const char *const *writable,
                                        const char *const *read_only);

/* The first name of compared (NULL-terminated; NULL: none) that body carries with a value not
 * equal (json_equal) to current's, a name current lacks counting as null; NULL when body carries
 * each one it has with the current value. Body and current are JSON objects. */
const char *field_names_first_changed(const json_t *body, const json_t *current, const char *const *compared);

#endif
