/* The dashboard: GET / redirects to /ui/, and GET /ui/... answers the compiled-in files of ui/
 * (src/ui/ui_assets.h) with an ETag (304 on If-None-Match), Cache-Control: no-cache, gzip when
 * the client takes it, and the browser security headers; any path of the app (/ui/cameras/{id})
 * gets index.html, whose script routes it. Public: the files hold no data, the app signs in. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "http/gzip.h"
#include "http/reply.h"
#include "ui/ui_assets.h"

/* No inline script or style, nothing from elsewhere, never framed; live frames are shown from
 * blob: URLs made of the JPEG that POST /frame-requests answers. */
#define UI_CONTENT_SECURITY_POLICY                                                                                     \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "    \
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* The gzip copy of each asset (NULL where it would not be smaller), made once on first use and
 * kept for the life of the process. */
static unsigned char **compressed_assets;
static size_t *compressed_lengths;
static pthread_once_t compress_once = PTHREAD_ONCE_INIT;

static void compress_assets(void)
{
	unsigned char **copies = calloc(ui_asset_count, sizeof(*copies));
	size_t *lengths = calloc(ui_asset_count, sizeof(*lengths));
	if (copies == NULL || lengths == NULL) { /* served uncompressed then */
		free(copies);
		free(lengths);
		return;
	}
	for (size_t i = 0; i < ui_asset_count; i++)
		if (ui_assets[i].length >= GZIP_MIN_BYTES)
			copies[i] = (unsigned char *)gzip_compress(ui_assets[i].data, ui_assets[i].length, &lengths[i]);
	compressed_assets = copies;
	compressed_lengths = lengths;
}

static void add_security_headers(struct http_request *request)
{
	http_reply_add_header(request, "Content-Security-Policy", UI_CONTENT_SECURITY_POLICY);
	http_reply_add_header(request, "Referrer-Policy", "no-referrer");
	http_reply_add_header(request, "X-Frame-Options", "DENY");
}

static enum MHD_Result redirect(struct http_request *request, const char *location)
{
	add_security_headers(request);
	http_reply_add_header(request, "Location", location);
	return http_reply_empty(request, 302);
}

static enum MHD_Result send_asset(struct http_request *request, const struct ui_asset *asset)
{
	add_security_headers(request);
	http_reply_add_header(request, "ETag", asset->etag);
	http_reply_add_header(request, "Cache-Control", "no-cache");
	http_reply_add_header(request, "Vary", "Accept-Encoding");
	if (ui_etag_matches(http_header(request, "If-None-Match"), asset->etag))
		return http_reply_empty(request, 304);
	pthread_once(&compress_once, compress_assets);
	size_t index = (size_t)(asset - ui_assets);
	if (compressed_assets != NULL && compressed_assets[index] != NULL &&
	    gzip_accepted(http_header(request, "Accept-Encoding"))) {
		http_reply_add_header(request, "Content-Encoding", "gzip");
		return http_reply_static(request, 200, asset->content_type, compressed_assets[index],
		                         compressed_lengths[index]);
	}
	return http_reply_static(request, 200, asset->content_type, asset->data, asset->length);
}

/* GET / and GET /ui: the dashboard lives at /ui/. */
static enum MHD_Result redirect_to_ui(struct http_request *request)
{
	return redirect(request, "/ui/");
}

static enum MHD_Result get_ui(struct http_request *request)
{
	const char *path = request->path;
	const struct ui_asset *asset = NULL;
	switch (ui_asset_resolve(path + strlen("/ui/"), &asset)) {
	case UI_FILE:
	case UI_APP_PAGE: return send_asset(request, asset);
	case UI_MISSING: break;
	}
	add_security_headers(request);
	return http_reply_error(request, 404, "no such dashboard file: %s", path);
}

const struct route ui_routes[] = {
    {.method = "GET", .pattern = "/", .handler = redirect_to_ui, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/ui", .handler = redirect_to_ui, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/ui/", .handler = get_ui, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/ui/{path}", .handler = get_ui, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/ui/{path}/{more}", .handler = get_ui, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/ui/{path}/{more}/{rest}", .handler = get_ui, .flags = ROUTE_PUBLIC},
    {.method = NULL},
};
