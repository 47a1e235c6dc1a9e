/* The dashboard's files (ui/ in the repository), compiled in by cmake/embed_ui.cmake, and the
 * pure rules that map a URL path below /ui/ to one of them. */
#ifndef CAMFLEET_UI_UI_ASSETS_H
#define CAMFLEET_UI_UI_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct ui_asset {
	const char *path;         /* below /ui/, e.g. "index.html", "js/fleet.js" */
	const char *content_type; /* with charset for text */
	const unsigned char *data;
	size_t length;
	const char *etag; /* quoted, from the file's SHA-256 */
};

/* The generated table (generated/ui_assets.c). */
extern const struct ui_asset ui_assets[];
extern const size_t ui_asset_count;

/* The page every dashboard path without a file of its own is answered with (the app routes it). */
#define UI_INDEX_PATH "index.html"

enum ui_resolution {
	UI_FILE,     /* a file of the table */
	UI_APP_PAGE, /* a path of the app (/ui/, /ui/cameras/{id}): answered with index.html */
	UI_MISSING,  /* looks like a file (its last segment has a dot) that does not exist: 404 */
};

/* What the path below /ui/ (no leading slash; "" for /ui/ itself) stands for; *asset is set for
 * UI_FILE and UI_APP_PAGE. Pure. */
enum ui_resolution ui_asset_resolve(const char *relative_path, const struct ui_asset **asset);

/* Whether an If-None-Match header value (NULL: none) names etag, or is "*". Pure. */
bool ui_etag_matches(const char *if_none_match, const char *etag);

#endif
