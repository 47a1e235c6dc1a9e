/* Maps URL paths below /ui/ to the compiled-in dashboard files (see ui_assets.h). */
#include "ui/ui_assets.h"

#include <stdbool.h>
#include <string.h>

static const struct ui_asset *find(const char *relative_path)
{
	for (size_t i = 0; i < ui_asset_count; i++)
		if (strcmp(ui_assets[i].path, relative_path) == 0)
			return &ui_assets[i];
	return NULL;
}

enum ui_resolution ui_asset_resolve(const char *relative_path, const struct ui_asset **asset)
{
	const struct ui_asset *file = find(relative_path);
	if (file != NULL && strcmp(relative_path, UI_INDEX_PATH) != 0) {
		*asset = file;
		return UI_FILE;
	}
	const char *last_segment = strrchr(relative_path, '/');
	last_segment = last_segment ? last_segment + 1 : relative_path;
	if (file == NULL && strchr(last_segment, '.') != NULL)
		return UI_MISSING;
	*asset = find(UI_INDEX_PATH);
	return *asset != NULL ? UI_APP_PAGE : UI_MISSING;
}

/* Whether the comma-separated list names etag (weak W/ forms compare equal, as for GET). */
bool ui_etag_matches(const char *if_none_match, const char *etag)
{
	if (if_none_match == NULL)
		return false;
	size_t etag_length = strlen(etag);
	const char *p = if_none_match;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		const char *end = strchr(p, ',');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		while (length > 0 && (p[length - 1] == ' ' || p[length - 1] == '\t'))
			length--;
		if (length == etag_length && strncmp(p, etag, length) == 0)
			return true;
		if (end == NULL)
			break;
		p = end;
	}
	return false;
}
