"""The dashboard's files (README "Dashboard"): GET / redirects to /ui/, the app's paths answer its
page, each file has an ETag (304 when the browser has it), Cache-Control, gzip, and the browser
security headers; a missing file is a JSON 404, and the API's paths keep refusing a trailing
slash."""
import gzip

from conftest import assert_error, describe

UI_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def assert_ui_headers(resp):
    for name, value in UI_HEADERS.items():
        assert resp.headers.get(name) == value, describe(resp)
    policy = [part.strip() for part in resp.headers.get("Content-Security-Policy", "").split(";")]
    assert "default-src 'self'" in policy, describe(resp)
    assert "script-src 'self'" in policy, describe(resp)
    assert "frame-ancestors 'none'" in policy, describe(resp)
    assert not any("unsafe-inline" in part for part in policy), describe(resp)


def test_root_and_ui_without_slash_redirect_to_the_dashboard(api):
    for path in ("/", "/ui"):
        resp = api.get(path)
        assert resp.status_code == 302, describe(resp)
        assert resp.headers["Location"] == "/ui/", describe(resp)
        assert_ui_headers(resp)


def test_the_start_page_is_the_app_with_a_module_script_and_no_inline_script(api):
    resp = api.get("/ui/")
    assert resp.status_code == 200, describe(resp)
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_ui_headers(resp)
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.headers["ETag"].startswith('"') and resp.headers["ETag"].endswith('"')
    html = resp.text
    assert '<script type="module" src="/ui/js/app.js"></script>' in html
    assert html.count("<script") == 1  # the one module, nothing inline
    assert "style=" not in html


def test_app_paths_answer_the_same_page(api):
    start = api.get("/ui/")
    for path in ("/ui/cameras/3f0c9a52-7d1e-4c55-9a60-1b2f3e4d5c6b", "/ui/sites", "/ui/index.html"):
        resp = api.get(path)
        assert resp.status_code == 200, describe(resp)
        assert resp.content == start.content
        assert resp.headers["ETag"] == start.headers["ETag"]


def test_a_script_has_its_type_and_goes_out_compressed_when_asked(api):
    plain = api.get("/ui/js/app.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200, describe(plain)
    assert plain.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "Content-Encoding" not in plain.headers
    assert_ui_headers(plain)
    packed = api.get("/ui/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers.get("Content-Encoding") == "gzip", describe(packed)
    assert packed.headers.get("Vary") == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) < int(plain.headers["Content-Length"])
    assert packed.content == plain.content  # requests undoes the gzip
    raw = api.session.get(api.base + "/ui/js/app.js", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert gzip.decompress(raw.raw.read()) == plain.content


def test_an_etag_the_browser_has_gets_304_without_a_body(api):
    first = api.get("/ui/css/app.css")
    assert first.status_code == 200, describe(first)
    assert first.headers["Content-Type"] == "text/css; charset=utf-8"
    etag = first.headers["ETag"]
    again = api.get("/ui/css/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304, describe(again)
    assert again.content == b""
    assert again.headers["ETag"] == etag
    assert_ui_headers(again)
    changed = api.get("/ui/css/app.css", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200, describe(changed)


def test_a_missing_file_is_a_json_404(api):
    resp = api.get("/ui/js/missing.js")
    assert_error(resp, 404, "/ui/js/missing.js")
    assert_ui_headers(resp)


def test_api_paths_still_refuse_a_trailing_slash(api):
    assert_error(api.get("/cameras/", api.operator_token), 404)
    assert_error(api.get("/healthz/"), 404)
