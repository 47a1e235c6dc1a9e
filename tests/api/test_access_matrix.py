"""The access matrix (issue 10 item 13, PRODUCT.md "Roles and access"): every route the binary
serves, as `camfleet routes` lists it, called by every kind of caller on every object scope,
answers exactly the expected status.

Callers: the operator; organisation A's admin user, its viewer user (granted site A1 only), its
admin and viewer API clients; a device (the token of a camera of A, got with the credentials of
`POST /cameras/{id}/device-credentials`); no token; an expired token (an operator's, issued by
this test's own server while it ran with `--token-ttl 1`).
Scopes: A's object (at site A1), organisation B's object, and the object at A's other site A2
(not granted to the viewer); organisation-level objects (users, clients, organisations,
webhooks) have only A and B; routes that name no object have the one scope "-".

Expected, in this order: 401 without a valid token; 403 when the caller's role lacks the
permission (the role is checked before the object is looked up, so a foreign object gets 403
too); 404 for an object outside the caller's reach; else the route's own answer for a permitted
caller (its success status, or a fixed 409 where the object cannot be deleted). Lists filtered by
a scope (`GET /cameras?siteId=`, `?organisationId=`) answer 200 and hold the scope's object
exactly when it is within reach. No 2xx answer to a non-operator ever holds an id of B's
objects (nor, to the viewer, an id of A2's). Public routes only need to answer without a token.

The table EXPECTATIONS names every route; a route of the binary missing from it, or an entry
naming a route the binary no longer has, fails the test. Routes that delete or rotate act on
objects made for the one case, so the shared fixtures stay as they are."""
import datetime
import itertools
import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import (BINARY, REQUEST_TIMEOUT, Api, Server, assert_error, assert_unauthorized,
                      claim_camera, client_token, describe, expect, free_port, grant_sites,
                      jwt_parts, make_client, make_org, make_site, make_user, new_id,
                      register_cameras, unique, unique_email, unique_serial, user_token,
                      wait_request)

JPEG = (Path(__file__).parent / "data" / "frame.jpg").read_bytes()
HEARTBEAT = {"encodedFramesProportion": 0.5, "networkTransmitRate": 1000.0, "videoBacklog": 0,
             "videoUploadLatency": 0.1}
EXCEPTION_DATE = "2030-06-03"            # an exception every scope's site has
FIRST_FRESH_DATE = datetime.date(2031, 1, 1)  # exceptions made for one case each, from here on
WEEKLY = {"weekly": {"monday": [{"open": "08:00", "close": "17:00"}]}}
INTERVALS = {"intervals": [{"open": "09:00", "close": "12:00"}]}

PRINCIPALS = ("operator", "admin", "viewer", "admin_client", "viewer_client", "device",
              "no_token", "expired")
OPERATOR = frozenset({"operator"})
WRITERS = frozenset({"operator", "admin", "admin_client"})
READERS = WRITERS | {"viewer", "viewer_client"}
DEVICE = frozenset({"device"})

SITE_SCOPES = ("a", "a2", "b")   # objects placed at a site: A1, A2 (A's other site), B1
ORG_SCOPES = ("a", "b")          # objects of an organisation
NO_SCOPE = ("-",)                # routes that name no object
ORGANISATION_OF = {"a": "a", "a2": "a", "b": "b"}
# Which scopes each caller reaches (the operator everything; a viewer user only A1's objects).
REACH = {"operator": {"a", "a2", "b"}, "admin": {"a", "a2"}, "admin_client": {"a", "a2"},
         "viewer_client": {"a", "a2"}, "viewer": {"a"}, "device": set()}

# Access defects the server still has: the correct expectation is encoded, the case is a strict
# xfail until the fix lands (then the mark must go: a strict xfail that passes fails).
KNOWN_DEFECTS = {}


# --------------------------------------------------------------------------------------------
# the route table of the binary under test

def binary_routes():
    """{(method, pattern): public} from `camfleet routes`, or (None, reason) when unreadable."""
    try:
        done = subprocess.run([str(BINARY), "routes"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=30)
    except OSError as error:
        return None, f"cannot run {BINARY} routes: {error}"
    if done.returncode != 0:
        return None, f"{BINARY} routes exited {done.returncode}: {done.stderr[-1000:]}"
    routes = {}
    for line in done.stdout.splitlines():
        item = json.loads(line)
        if set(item) != {"method", "pattern", "public"} or not isinstance(item["public"], bool):
            return None, f"{BINARY} routes printed an unexpected line: {line!r}"
        key = (item["method"], item["pattern"])
        if key in routes:
            return None, f"{BINARY} routes printed {key} twice"
        routes[key] = item["public"]
    return routes, None


ROUTES, ROUTES_ERROR = binary_routes()


# --------------------------------------------------------------------------------------------
# how to call each route

class Call:
    """One request: path, and optionally a JSON body, form data, headers, query or Basic auth.
    must_hold: ids the 2xx answer must contain when the scope is within the caller's reach.
    stream: the answer never ends (Server-Sent Events): its opening comment is read, then it is
    closed."""

    def __init__(self, path, json=None, data=None, headers=None, params=None, auth=None,
                 must_hold=(), stream=False):
        self.path = path
        self.json = json
        self.data = data
        self.headers = headers
        self.params = params
        self.auth = auth
        self.must_hold = tuple(must_hold)
        self.stream = stream


class Expect:
    """A row of the table: who may call the route, on which scopes, how, and the permitted
    answer. filtered: the scope is a list filter (200 either way, see the module docstring).
    public: the route needs no token (None: whatever the binary says, for /metrics)."""

    def __init__(self, roles, scopes, call, status, filtered=False, public=False, prepare=None):
        self.roles = roles
        self.scopes = scopes
        self.call = call          # (world, scope) -> Call
        self.status = status
        self.filtered = filtered
        self.public = public
        self.prepare = prepare    # (world, scope) -> None, run just before the request


def public(path, status=200, call=None):
    return Expect(frozenset(), NO_SCOPE, call or (lambda w, s: Call(path)), status, public=True)


EXPECTATIONS = {
    # operational and OAuth endpoints: no token needed
    ("GET", "/healthz"): public("/healthz"),
    ("GET", "/readyz"): public("/readyz"),
    ("GET", "/openapi.json"): public("/openapi.json"),
    # the dashboard's files (api/ui.c): / and /ui redirect to /ui/, app paths answer its page
    ("GET", "/"): public("/", 302),
    ("GET", "/ui"): public("/ui", 302),
    ("GET", "/ui/"): public("/ui/"),
    ("GET", "/ui/{path}"): public("/ui/sites"),
    ("GET", "/ui/{path}/{more}"): public("/ui/js/app.js"),
    ("GET", "/ui/{path}/{more}/{rest}"): public("/ui/sites/3f0c9a52-7d1e-4c55-9a60-1b2f3e4d5c6b/hours"),
    ("GET", "/.well-known/jwks.json"): public("/.well-known/jwks.json"),
    ("GET", "/.well-known/oauth-authorization-server"):
        public("/.well-known/oauth-authorization-server"),
    # the caller's identity: every role, devices included
    ("GET", "/me"): Expect(READERS | DEVICE, NO_SCOPE, lambda w, s: Call("/me"), 200),
    ("GET", "/fleet-summary"): Expect(READERS, NO_SCOPE, lambda w, s: Call("/fleet-summary"), 200),
    ("POST", "/oauth/token"): public("/oauth/token", call=lambda w, s: Call(
        "/oauth/token", data={"grant_type": "client_credentials"},
        auth=(w.operator_client["clientId"], w.operator_client["clientSecret"]))),
    # public, or operator-only when the binary says it needs a token (issue 10 item 10)
    ("GET", "/metrics"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call("/metrics"), 200,
                                public=None),

    # organisations: operators manage them, everyone reads their own
    ("POST", "/organisations"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call(
        "/organisations", json={"name": unique("org")}), 201),
    ("GET", "/organisations"): Expect(READERS, NO_SCOPE, lambda w, s: Call(
        "/organisations", must_hold=[w.org["a"]]), 200),
    ("GET", "/organisations/{organisationId}"): Expect(READERS, ORG_SCOPES, lambda w, s: Call(
        f"/organisations/{w.org[s]}"), 200),
    ("PATCH", "/organisations/{organisationId}"): Expect(OPERATOR, ORG_SCOPES, lambda w, s: Call(
        f"/organisations/{w.org[s]}", json={"name": unique("org")}), 200),
    # both organisations still have sites: the operator's delete is refused, nothing is lost
    ("DELETE", "/organisations/{organisationId}"): Expect(OPERATOR, ORG_SCOPES, lambda w, s: Call(
        f"/organisations/{w.org[s]}"), 409),

    # sites
    ("POST", "/sites"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        "/sites", json={"name": unique("site"), "timeZone": "UTC", "organisationId": w.org[s]}), 201),
    ("GET", "/sites"): Expect(READERS, ORG_SCOPES, lambda w, s: Call(
        "/sites", params={"organisationId": w.org[s]}, must_hold=[w.site[s]]), 200,
        filtered=True),
    ("GET", "/sites/{siteId}"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        f"/sites/{w.site[s]}"), 200),
    ("PATCH", "/sites/{siteId}"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/sites/{w.site[s]}", json={"name": unique("site")}), 200),
    # every scope's site has cameras: a permitted delete is refused with 409, nothing is lost
    ("DELETE", "/sites/{siteId}"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/sites/{w.site[s]}"), 409),

    # opening hours of a site
    ("GET", "/sites/{siteId}/opening-hours"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        f"/sites/{w.site[s]}/opening-hours"), 200),
    ("PUT", "/sites/{siteId}/opening-hours"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/sites/{w.site[s]}/opening-hours", json=WEEKLY), 200),
    ("GET", "/sites/{siteId}/opening-hours/exceptions"): Expect(READERS, SITE_SCOPES,
        lambda w, s: Call(f"/sites/{w.site[s]}/opening-hours/exceptions"), 200),
    ("GET", "/sites/{siteId}/opening-hours/exceptions/{date}"): Expect(READERS, SITE_SCOPES,
        lambda w, s: Call(f"/sites/{w.site[s]}/opening-hours/exceptions/{EXCEPTION_DATE}"), 200),
    ("PUT", "/sites/{siteId}/opening-hours/exceptions/{date}"): Expect(WRITERS, SITE_SCOPES,
        lambda w, s: Call(f"/sites/{w.site[s]}/opening-hours/exceptions/{w.fresh_date()}",
                          json=INTERVALS), 200),
    ("DELETE", "/sites/{siteId}/opening-hours/exceptions/{date}"): Expect(WRITERS, SITE_SCOPES,
        lambda w, s: Call(f"/sites/{w.site[s]}/opening-hours/exceptions/"
                          f"{w.fresh_exception(s)}"), 204),

    # users (viewers may read only themselves; the targets here are other users)
    ("POST", "/users"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call("/users", json={
        "email": unique_email("matrix"), "password": "pw-matrix-12345", "role": "viewer",
        "organisationId": w.org[s]}), 201),
    ("GET", "/users"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        "/users", params={"organisationId": w.org[s]}, must_hold=[w.user[s]]), 200,
        filtered=True),
    ("GET", "/users/{userId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/users/{w.user[s]}"), 200),
    ("PATCH", "/users/{userId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/users/{w.user[s]}", json={"email": unique_email("renamed")}), 200),
    ("DELETE", "/users/{userId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/users/{w.fresh_user(s)}"), 204),
    ("PUT", "/users/{userId}/sites"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/users/{w.user[s]}/sites", json={"siteIds": [w.site[s]]}), 200),
    ("GET", "/users/{userId}/sites"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/users/{w.user[s]}/sites"), 200),

    # API clients (a viewer client may read only itself; the targets here are other clients)
    ("POST", "/clients"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call("/clients", json={
        "name": unique("client"), "role": "viewer", "organisationId": w.org[s]}), 201),
    ("GET", "/clients"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        "/clients", params={"organisationId": w.org[s]}, must_hold=[w.client[s]]), 200,
        filtered=True),
    ("GET", "/clients/{clientId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/clients/{w.client[s]}"), 200),
    ("DELETE", "/clients/{clientId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/clients/{w.fresh_client(s)}"), 204),

    # cameras
    ("POST", "/cameras"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call("/cameras", json={
        "serialNumber": w.fresh_registered()["serialNumber"], "siteId": w.site[s],
        "name": "matrix"}), 201),
    ("GET", "/cameras"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        "/cameras", params={"siteId": w.site[s]}, must_hold=[w.camera[s]]), 200,
        filtered=True),
    # events: the audit log of the scope's camera holds its events exactly when within reach
    ("GET", "/events"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        "/events", params={"cameraId": w.camera[s]}, must_hold=[w.camera[s]]), 200,
        filtered=True),
    ("GET", "/events/stream"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        "/events/stream", params={"cameraId": w.camera[s]}, stream=True), 200, filtered=True),
    ("GET", "/cameras/{cameraId}"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.camera[s]}"), 200),
    ("GET", "/cameras/{cameraId}/positions"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.camera[s]}/positions"), 200),
    ("PATCH", "/cameras/{cameraId}"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.camera[s]}", json={"name": unique("cam")}), 200),
    ("DELETE", "/cameras/{cameraId}"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.fresh_camera(s)}"), 204),
    # running → running changes nothing but answers like any permitted state change
    ("PUT", "/cameras/{cameraId}/state/{newState}"): Expect(WRITERS, SITE_SCOPES,
        lambda w, s: Call(f"/cameras/{w.camera[s]}/state/running"), 201),
    # a move to the site the camera is at: a new position, the camera stays where it was
    ("POST", "/cameras/{cameraId}/move"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.camera[s]}/move", json={"siteId": w.site[s]}), 201),
    ("GET", "/cameras/{cameraId}/opening-hours"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        f"/cameras/{w.camera[s]}/opening-hours"), 200),
    ("GET", "/cameras/{cameraId}/video-upload-metrics"): Expect(READERS, SITE_SCOPES,
        lambda w, s: Call(f"/cameras/{w.camera[s]}/video-upload-metrics"), 200),
    # the scope's camera uploads a fresh frame first: a permitted caller gets it (200), and a
    # 404 can only mean "outside your reach"
    ("POST", "/frame-requests"): Expect(READERS, SITE_SCOPES, lambda w, s: Call(
        "/frame-requests", json={"cameraId": w.camera[s]}), 200,
        prepare=lambda w, s: w.upload_frame(s)),
    # issuing rotates and revoking removes credentials: both act on a camera made for the case
    ("POST", "/cameras/{cameraId}/device-credentials"): Expect(WRITERS, SITE_SCOPES,
        lambda w, s: Call(f"/cameras/{w.fresh_camera(s)}/device-credentials"), 201),
    ("DELETE", "/cameras/{cameraId}/device-credentials"): Expect(WRITERS, SITE_SCOPES,
        lambda w, s: Call(f"/cameras/{w.fresh_camera(s, credentials=True)}/device-credentials"),
        204),

    # asynchronous requests
    ("POST", "/register-camera-requests"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call(
        "/register-camera-requests", json={"cameraId": new_id(),
                                           "serialNumber": unique_serial()}), 202),
    ("GET", "/register-camera-requests/{requestId}"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call(
        f"/register-camera-requests/{w.register_request}"), 200),
    ("POST", "/register-camera-batches"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call(
        "/register-camera-batches", json={"cameras": [{"cameraId": new_id(),
                                                       "serialNumber": unique_serial()}]}), 202),
    ("GET", "/register-camera-batches/{batchId}"): Expect(OPERATOR, NO_SCOPE, lambda w, s: Call(
        f"/register-camera-batches/{w.register_batch}"), 200),
    ("POST", "/put-camera-state-requests"): Expect(WRITERS, SITE_SCOPES, lambda w, s: Call(
        "/put-camera-state-requests", json={"cameraId": w.camera[s], "newState": "claimed"}),
        202),
    ("GET", "/put-camera-state-requests/{requestId}"): Expect(READERS, SITE_SCOPES,
        lambda w, s: Call(f"/put-camera-state-requests/{w.state_request[s]}"), 200),

    # the device link: the calling camera is the token's subject, no object in the path
    ("POST", "/device/heartbeat"): Expect(DEVICE, NO_SCOPE, lambda w, s: Call(
        "/device/heartbeat", json=HEARTBEAT), 200),
    ("POST", "/device/video-uploads"): Expect(DEVICE, NO_SCOPE, lambda w, s: Call(
        "/device/video-uploads", json={"bytes": 1000, "seconds": 2.0}), 201),
    ("GET", "/device/commands"): Expect(DEVICE, NO_SCOPE, lambda w, s: Call(
        "/device/commands", params={"wait": "0"}), 200),
    ("POST", "/device/frames"): Expect(DEVICE, NO_SCOPE, lambda w, s: Call(
        "/device/frames", data=JPEG, headers={"Content-Type": "image/jpeg"}), 201),

    # webhooks (issue 12): organisation-level objects; each scope's webhook has one delivery (of
    # a webhook.test event). They point at a closed port of 127.0.0.1 (the server runs with
    # --allow-private-webhooks), so nothing leaves the machine and every attempt fails fast.
    ("POST", "/webhooks"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call("/webhooks", json={
        "url": w.webhook_url, "events": ["camera.paused"], "organisationId": w.org[s]}), 201),
    ("GET", "/webhooks"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        "/webhooks", params={"organisationId": w.org[s]}, must_hold=[w.webhook[s]]), 200,
        filtered=True),
    ("GET", "/webhooks/{webhookId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.webhook[s]}"), 200),
    ("PATCH", "/webhooks/{webhookId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.webhook[s]}", json={"description": unique("hook")}), 200),
    ("DELETE", "/webhooks/{webhookId}"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.fresh_webhook(s)}"), 204),
    ("POST", "/webhooks/{webhookId}/rotate-secret"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.fresh_webhook(s)}/rotate-secret"), 200),
    ("POST", "/webhooks/{webhookId}/test"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.webhook[s]}/test"), 202),
    ("GET", "/webhooks/{webhookId}/deliveries"): Expect(WRITERS, ORG_SCOPES, lambda w, s: Call(
        f"/webhooks/{w.webhook[s]}/deliveries", must_hold=[w.delivery[s]]), 200),
    ("GET", "/webhooks/{webhookId}/deliveries/{deliveryId}"): Expect(WRITERS, ORG_SCOPES,
        lambda w, s: Call(f"/webhooks/{w.webhook[s]}/deliveries/{w.delivery[s]}"), 200),
    ("POST", "/webhooks/{webhookId}/deliveries/{deliveryId}/retry"): Expect(WRITERS, ORG_SCOPES,
        lambda w, s: Call(f"/webhooks/{w.webhook[s]}/deliveries/{w.delivery[s]}/retry",
                          must_hold=[w.delivery[s]]), 202),
}


def is_public(key):
    """Public per the binary (the table's own flag must agree, checked below), else the table."""
    if ROUTES is not None and key in ROUTES:
        return ROUTES[key]
    return bool(EXPECTATIONS[key].public)


def expected_status(key, principal, scope):
    row = EXPECTATIONS[key]
    if principal in ("no_token", "expired"):
        return 401
    if principal not in row.roles:
        return 403
    if scope != "-" and not row.filtered and scope not in REACH[principal]:
        return 404
    return row.status


def matrix_cases():
    """(method, pattern, principal, scope) for every route of the binary, as pytest params."""
    cases = []
    for key in sorted(ROUTES or {}):
        method, pattern = key
        if key not in EXPECTATIONS:
            cases.append(pytest.param(method, pattern, "-", "-",
                                      id=f"{method} {pattern} [no expectation]"))
            continue
        principals = ("no_token",) if is_public(key) else PRINCIPALS
        for principal in principals:
            for scope in EXPECTATIONS[key].scopes:
                reason = KNOWN_DEFECTS.get((method, pattern, principal, scope))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                cases.append(pytest.param(method, pattern, principal, scope, marks=marks,
                                          id=f"{method} {pattern} as {principal} on {scope}"))
    return cases


# --------------------------------------------------------------------------------------------
# the world: one server, organisations A (sites A1, A2) and B (site B1), and every caller

def device_token(base, credentials):
    resp = requests.post(base + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(credentials["clientId"], credentials["clientSecret"]),
                         timeout=REQUEST_TIMEOUT)
    return expect(resp, 200)["access_token"]


class World:
    """Fixtures shared by every case, and makers of objects used up by one case."""

    def __init__(self, api, operator_client):
        self.api = api
        self.operator_client = operator_client
        self._dates = itertools.count()
        self._registered = []

        org_a, org_b = make_org(api), make_org(api)
        self.org = {"a": org_a["id"], "a2": org_a["id"], "b": org_b["id"]}
        self.site = {s: make_site(api, self.org[s])["id"] for s in SITE_SCOPES}

        admin = make_user(api, org_a["id"], "admin")
        viewer = make_user(api, org_a["id"], "viewer")
        grant_sites(api, viewer["id"], [self.site["a"]])
        admin_client = make_client(api, org_a["id"], "admin")
        viewer_client = make_client(api, org_a["id"], "viewer")
        # targets: another user and another API client of each organisation
        self.user = {s: make_user(api, self.org[s], "viewer")["id"] for s in ORG_SCOPES}
        self.client = {s: make_client(api, self.org[s], "viewer")["clientId"] for s in ORG_SCOPES}

        registered = register_cameras(api, 3)
        self.camera, self.device_credentials, self.device_tokens = {}, {}, {}
        for scope, camera in zip(SITE_SCOPES, registered):
            self.camera[scope] = claim_camera(api, api.operator_token, camera["serialNumber"],
                                              self.site[scope])["id"]
            credentials = self.issue_credentials(self.camera[scope])
            self.device_tokens[scope] = device_token(api.base, credentials)
        self.register_request = self.submit_register_request()
        self.register_batch = self.submit_register_batch()

        self.state_request = {}
        for scope in SITE_SCOPES:
            accepted = expect(api.post("/put-camera-state-requests", api.operator_token,
                                       json={"cameraId": self.camera[scope],
                                             "newState": "claimed"}), 202)
            wait_request(api, "put-camera-state-requests", accepted["id"])
            self.state_request[scope] = accepted["id"]
            self.put_exception(scope, EXCEPTION_DATE)

        self.webhook_url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
        self.webhook = {s: self.fresh_webhook(s) for s in ORG_SCOPES}
        self.delivery = {s: expect(api.post(f"/webhooks/{self.webhook[s]}/test",
                                            api.operator_token), 202)["id"] for s in ORG_SCOPES}

        self.tokens = {
            "operator": api.operator_token,
            "admin": user_token(api, admin),
            "viewer": user_token(api, viewer),
            "admin_client": client_token(api, admin_client),
            "viewer_client": client_token(api, viewer_client),
            "device": self.device_tokens["a"],
            "no_token": None,
        }
        # Ids a 2xx answer must never hold, per caller: B's objects, and for the viewer A2's.
        foreign = {self.org["b"], self.site["b"], self.user["b"], self.client["b"],
                   self.camera["b"], self.state_request["b"], self.webhook["b"],
                   self.delivery["b"]}
        beyond_grant = {self.site["a2"], self.camera["a2"], self.state_request["a2"]}
        self.hidden = {"operator": set(), "admin": foreign, "admin_client": foreign,
                       "viewer_client": foreign, "viewer": foreign | beyond_grant,
                       "device": foreign | beyond_grant}

    # makers ----------------------------------------------------------------------------------

    def submit_register_request(self):
        accepted = expect(self.api.post("/register-camera-requests", self.api.operator_token,
                                        json={"cameraId": new_id(),
                                              "serialNumber": unique_serial()}), 202)
        return accepted["id"]

    def submit_register_batch(self):
        accepted = expect(self.api.post("/register-camera-batches", self.api.operator_token,
                                        json={"cameras": [{"cameraId": new_id(),
                                                           "serialNumber": unique_serial()}]}),
                          202)
        return accepted["id"]

    def issue_credentials(self, camera_id):
        resp = self.api.post(f"/cameras/{camera_id}/device-credentials", self.api.operator_token)
        return expect(resp, 201)

    def put_exception(self, scope, date):
        resp = self.api.put(f"/sites/{self.site[scope]}/opening-hours/exceptions/{date}",
                            self.api.operator_token, json=INTERVALS)
        expect(resp, 200)

    def fresh_registered(self):
        """A registered, never claimed camera (registered in batches of 24)."""
        if not self._registered:
            self._registered = register_cameras(self.api, 24)
        return self._registered.pop()

    def fresh_camera(self, scope, credentials=False):
        """A camera claimed at the scope's site for one case (with device credentials if asked)."""
        serial = self.fresh_registered()["serialNumber"]
        camera_id = claim_camera(self.api, self.api.operator_token, serial, self.site[scope])["id"]
        if credentials:
            self.issue_credentials(camera_id)
        return camera_id

    def fresh_webhook(self, scope):
        """A webhook of the scope's organisation (a secret of its own; rotate and delete use one
        made for the case)."""
        body = {"url": self.webhook_url, "events": ["camera.paused"],
                "organisationId": self.org[scope]}
        return expect(self.api.post("/webhooks", self.api.operator_token, json=body), 201)["id"]

    def fresh_user(self, scope):
        return make_user(self.api, self.org[scope], "viewer")["id"]

    def fresh_client(self, scope):
        return make_client(self.api, self.org[scope], "viewer")["clientId"]

    def fresh_date(self):
        return (FIRST_FRESH_DATE + datetime.timedelta(days=next(self._dates))).isoformat()

    def fresh_exception(self, scope):
        """A date on which only the scope's site has an exception, made for one case."""
        date = self.fresh_date()
        self.put_exception(scope, date)
        return date

    def upload_frame(self, scope):
        resp = requests.post(self.api.base + "/device/frames", data=JPEG,
                             headers={"Authorization": f"Bearer {self.device_tokens[scope]}",
                                      "Content-Type": "image/jpeg"}, timeout=REQUEST_TIMEOUT)
        expect(resp, 201)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One server of its own: first run with --token-ttl 1 to issue the token that expires,
    then restarted on the same database with the default lifetime for everything else."""
    server = Server(tmp_path_factory.mktemp("access-matrix"), ["--token-ttl", "1"])
    server.operator_client = server.admin_create_client("operator", "matrix-operator")
    server.start()
    short_lived = Api(server, server.operator_client)
    expired_token = short_lived.operator_token
    _header, claims, _signature = jwt_parts(expired_token)
    assert claims["exp"] - claims["iat"] == 1, claims
    short_lived.session.close()
    assert server.stop() == 0, server.log_tail()
    server.extra_args = ["--allow-private-webhooks"]  # webhooks point at 127.0.0.1 (World)
    server.start()
    api = Api(server, server.operator_client)
    built = World(api, server.operator_client)
    built.tokens["expired"] = expired_token
    while time.time() <= claims["exp"] + 1:
        time.sleep(0.1)
    resp = api.get("/organisations", expired_token)
    assert_unauthorized(resp)
    assert "expired" in resp.json()["message"], describe(resp)  # refused for its age, nothing else
    yield built
    api.session.close()
    code = server.stop()
    assert code in (0, None), f"access-matrix server exited {code}\n{server.log_tail()}"


# --------------------------------------------------------------------------------------------
# the tests

def test_camfleet_routes_prints_each_route_once_as_json():
    assert ROUTES_ERROR is None, ROUTES_ERROR
    assert ROUTES[("GET", "/healthz")] is True
    assert ROUTES[("GET", "/cameras/{cameraId}")] is False


def test_every_route_has_an_expectation():
    assert ROUTES_ERROR is None, ROUTES_ERROR
    missing = sorted(set(ROUTES) - set(EXPECTATIONS))
    assert missing == [], f"routes without a row in EXPECTATIONS: {missing}"


def test_every_expectation_names_a_route():
    assert ROUTES_ERROR is None, ROUTES_ERROR
    stale = sorted(set(EXPECTATIONS) - set(ROUTES))
    assert stale == [], f"EXPECTATIONS rows for routes the binary does not serve: {stale}"


def test_public_flags_agree_with_the_table():
    """Only the listed routes go without a token (/metrics may go either way, issue 10 item 10)."""
    assert ROUTES_ERROR is None, ROUTES_ERROR
    differ = sorted(key for key in set(ROUTES) & set(EXPECTATIONS)
                    if EXPECTATIONS[key].public is not None
                    and ROUTES[key] != EXPECTATIONS[key].public)
    assert differ == [], f"public flag differs from the table for: {differ}"


def call_route(world, method, pattern, principal, scope):
    row = EXPECTATIONS[(method, pattern)]
    if row.prepare is not None:
        row.prepare(world, scope)
    call = row.call(world, scope)
    token = world.tokens[principal]
    headers = dict(call.headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    kwargs = {"json": call.json} if call.json is not None else {}
    resp = world.api.session.request(method, world.api.base + call.path, headers=headers,
                                     data=call.data, params=call.params, auth=call.auth,
                                     timeout=REQUEST_TIMEOUT, allow_redirects=False,
                                     stream=call.stream, **kwargs)
    if call.stream and resp.status_code == 200:
        opening = next(resp.iter_lines())  # the stream's first line, a comment
        resp.close()
        resp._content = opening + b"\n"
    return resp, call


@pytest.mark.parametrize("method,pattern,principal,scope", matrix_cases())
def test_access(world, method, pattern, principal, scope):
    key = (method, pattern)
    assert key in EXPECTATIONS, f"{method} {pattern}: no row in EXPECTATIONS"
    resp, call = call_route(world, method, pattern, principal, scope)
    case = f"{method} {pattern} as {principal} on scope {scope}"
    if is_public(key):
        assert resp.status_code != 401, f"{case}: a public route wants a token: {describe(resp)}"
        assert resp.status_code == EXPECTATIONS[key].status, f"{case}: {describe(resp)}"
        return
    wanted = expected_status(key, principal, scope)
    assert resp.status_code == wanted, f"{case}: expected {wanted}: {describe(resp)}"
    if wanted == 401:
        assert_unauthorized(resp)
    elif wanted in (403, 404):
        assert_error(resp, wanted)
    elif 200 <= wanted < 300:
        leaked = sorted(i for i in world.hidden[principal] if i in resp.text)
        assert leaked == [], f"{case}: the answer holds ids outside the caller's reach {leaked}"
        if scope == "-" or scope in REACH[principal]:
            absent = [i for i in call.must_hold if i not in resp.text]
            assert absent == [], f"{case}: the answer lacks {absent}: {describe(resp)}"
