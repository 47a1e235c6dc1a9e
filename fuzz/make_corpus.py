#!/usr/bin/env python3
"""Writes fuzz/corpus/<target>/ seed files: the request bodies, query strings, tokens and answers
the tests in tests/api send and receive, each prefixed with the selector bytes its target reads
(see the comment atop each fuzz/fuzz_*.c). Run it again after changing a target's selectors:
    python3 fuzz/make_corpus.py"""
import base64
import hashlib
import json
import os
import shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
SITE = "5f0c2b1e-8a7d-4c3b-9e2f-1a0b9c8d7e6f"
CAMERA = "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b"
ORG = "7d9f0e4c-2b1a-4c3d-9e8f-0a1b2c3d4e5f"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
OPERATOR, ADMIN, VIEWER, DEVICE = 0, 1, 2, 3  # fuzz_role()


def seeds(target, items):
    folder = os.path.join(ROOT, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for data in items:
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as out:
            out.write(data)


def body(selector, role, value):
    text = value if isinstance(value, str) else json.dumps(value)
    return bytes([selector, role]) + text.encode()


# fuzz_request_bodies: parsers[] order.
week = {"weekly": {day: [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "18:30"}]
                   for day in DAYS[:5]}}
week["weekly"]["saturday"] = [{"open": "22:00", "close": "02:00"}]
json_bodies = [
    body(0, ADMIN, {"serialNumber": "SN-0001", "siteId": SITE}),
    body(0, ADMIN, {"serialNumber": "SN-0001", "siteId": SITE, "name": "Gate \u00e9st"}),
    body(0, OPERATOR, {"serialNumber": "x", "siteId": "bad"}),
    body(1, ADMIN, {"name": "north", "direction1Alias": "in", "direction2Alias": None}),
    body(1, ADMIN, {"name": None}),
    body(2, ADMIN, {"siteId": SITE}),
    body(3, ADMIN, {"cameraId": CAMERA, "newState": "claimed_paused"}),
    body(3, VIEWER, {"cameraId": CAMERA, "newState": "claimed"}),
    body(4, OPERATOR, {"cameraId": CAMERA, "serialNumber": "SN-0002"}),
    body(5, ADMIN, week),
    body(5, ADMIN, {"weekly": {}}),
    body(5, ADMIN, {"weekly": {"monday": [{"open": "08:00", "close": "12:00", "note": "x"}]}}),
    body(6, ADMIN, {"intervals": [{"open": "09:00", "close": "12:00"}, {"open": "23:00", "close": "01:00"}]}),
    body(6, ADMIN, {"intervals": []}),
    body(7, DEVICE, {"encodedFramesProportion": 0.75, "networkTransmitRate": 125000.5, "videoBacklog": 2.5,
                     "videoUploadLatency": 0.35}),
    body(7, DEVICE, {"encodedFramesProportion": 1, "networkTransmitRate": 0, "videoBacklog": 0,
                     "videoUploadLatency": 0, "status": "shutting_down"}),
    body(8, DEVICE, {"bytes": 1000, "seconds": 10.5, "uploadedAt": "2026-12-04T10:00:00Z"}),
    body(8, DEVICE, {"bytes": 1, "seconds": 1}),
    body(9, ADMIN, {"email": "ann@example.com", "password": "correct horse", "role": "viewer"}),
    body(9, OPERATOR, {"email": "op@example.com", "password": "correct horse", "role": "admin",
                       "organisationId": ORG}),
    body(10, ADMIN, {"password": "brand new secret"}),
    body(10, OPERATOR, {"role": "operator", "email": "x@y"}),
    body(11, ADMIN, {"siteIds": [SITE, SITE.upper(), CAMERA]}),
    body(11, ADMIN, {"siteIds": []}),
    body(12, ADMIN, {"name": "cameras", "role": "viewer"}),
    body(12, OPERATOR, {"name": "fleet", "role": "operator", "organisationId": ORG}),
    body(13, ADMIN, {"name": "Kathmandu", "timeZone": "Asia/Kathmandu"}),
    body(13, OPERATOR, {"name": "HQ", "organisationId": ORG}),
    body(14, ADMIN, {"timeZone": "Europe/Paris", "name": "x"}),
    body(15, OPERATOR, {"name": "Acme"}),
    body(16, OPERATOR, {"name": 5}),
    body(0, ADMIN, "{\"serialNumber\": \"a\", \"serialNumber\": \"b\"}"),
    body(0, ADMIN, "[]"),
    body(17, VIEWER, {"cameraId": CAMERA}),
]
with open(os.path.join(os.path.dirname(ROOT), "..", "tests", "api", "data", "frame.jpg"), "rb") as jpeg:
    json_bodies.append(bytes([18, DEVICE]) + jpeg.read())
json_bodies += [
    body(19, OPERATOR, {"cameras": [{"cameraId": CAMERA, "serialNumber": "SN-0003"},
                                    {"cameraId": SITE.upper(), "serialNumber": "SN \u00e9"}]}),
    body(19, OPERATOR, {"cameras": [{"cameraId": CAMERA, "serialNumber": "SN-4", "siteId": SITE}, 7]}),
]
seeds("fuzz_request_bodies", json_bodies)

# fuzz_query_strings: parsers[] order.
queries = [
    body(0, ADMIN, f"siteId={SITE}&state=running&state=paused&state=decommissioned"),
    body(0, OPERATOR, f"state=registered&limit=2&after={CAMERA}&includeMetrics=false"),
    body(0, VIEWER, f"userId={CAMERA}&limit=1000&foo=bar&baz"),
    body(1, ADMIN, "includeMetrics=true"),
    body(2, ADMIN, "from=2026-12-03T10:00:00Z&to=2026-12-04T10:00:00.5+01:00"),
    body(3, ADMIN, "date=2024-02-29"),
    body(3, ADMIN, "date=9999-12-30"),
    body(4, DEVICE, "wait=30"),
    body(5, OPERATOR, f"organisationId={ORG}"),
    body(6, ADMIN, "running"),
    body(7, ADMIN, "2024-12-25"),
    body(8, ADMIN, CAMERA.upper()),
]
seeds("fuzz_query_strings", queries)


# fuzz_jwt: mode 0 raw tokens, 1 header\nclaims signed here, 2 claims signed by jwt_sign_es256.
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


claims = {"iss": "http://127.0.0.1:8080", "aud": "camfleet", "sub": CAMERA, "role": "admin", "kind": "user",
          "org": ORG, "iat": 1799999000, "exp": 1800003600, "jti": SITE}
device = dict(claims, role="device", kind="client", cred=1764800000000)
header = {"alg": "ES256", "typ": "JWT", "kid": "fuzz-test-key"}
jwt = [
    b"\x00" + b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode()) + b"." + b64(b"\x01" * 64),
    b"\x00" + b64(b'{"alg":"none"}') + b"." + b64(json.dumps(claims).encode()) + b".",
    b"\x00not.a.token",
    b"\x01" + json.dumps(header).encode() + b"\n" + json.dumps(claims).encode(),
    b"\x01" + json.dumps(header).encode() + b"\n" + json.dumps(device).encode(),
    b"\x01" + b'{"alg":"HS256","kid":"fuzz-test-key"}' + b"\n" + json.dumps(claims).encode(),
    # regression: an exp beyond int64 seconds was converted out of range (tests/unit/test_token_claims.c)
    b"\x01" + b'{"alg":"ES256"}' + b"\n" + json.dumps(dict(device, exp=1.79667e96)).encode(),
    b"\x02" + json.dumps(dict(claims, iat=-1e300)).encode(),
    b"\x02" + json.dumps(claims).encode(),
    b"\x02" + json.dumps(dict(claims, role="operator", org=None)).encode(),
    b"\x02" + json.dumps(dict(claims, aud=["other", "camfleet"])).encode(),
]
seeds("fuzz_jwt", jwt)

# fuzz_token_endpoint: byte 0 bit 0 Basic, bits 1-2 content type; then [Authorization\n] body.
basic = b"Basic " + base64.b64encode(f"{CAMERA}:secret-value".encode())
token = [
    b"\x00grant_type=password&username=ann%40example.com&password=correct+horse&scope=x",
    b"\x00grant_type=client_credentials&client_id=" + CAMERA.encode() + b"&client_secret=s",
    b"\x01" + basic + b"\ngrant_type=client_credentials",
    b"\x03" + basic + b"\ngrant_type=password",
    b"\x04grant_type=password",
    b"\x06{\"grant_type\":\"password\"}",
    b"\x00grant_type=refresh_token",
    b"\x00grant_type=" + b"x" * 600,
]
seeds("fuzz_token_endpoint", token)

# fuzz_sim_answers: byte 0 % 6 reader (device token, heartbeat, commands, setup step byte 0 / 6,
# operator token, name),
# byte 1 status index (200 201 202 400 401 404 409 500) + 0x80 when --site was given.
def setup(step, status, answer, site=True):
    return bytes([3 + 6 * step, status | (0x80 if site else 0)]) + json.dumps(answer).encode()


camera = {"id": CAMERA, "serialNumber": "SN-0001", "name": "renamed", "state": "running", "siteId": SITE}
sim = [
    b"\x00\x00" + json.dumps({"access_token": "eyJ.x.y", "token_type": "Bearer", "expires_in": 3600}).encode(),
    b"\x00\x04" + json.dumps({"error": "invalid_client", "error_description": "unknown client", "code": 401,
                              "message": "unknown client"}).encode(),
    b"\x01\x00" + json.dumps({"desiredState": "paused", "heartbeatInterval": 30}).encode(),
    b"\x01\x00" + json.dumps({"desiredState": "running", "heartbeatInterval": 0.5}).encode(),
    b"\x02\x00" + json.dumps({"commands": [{"type": "capture-frame", "id": SITE}, {"type": "other"}]}).encode(),
    b"\x05\x00" + json.dumps(camera).encode(),
    b"\x04\x00" + json.dumps({"access_token": "eyJ.o.p", "token_type": "Bearer", "expires_in": 3600}).encode(),
    b"\x04\x04" + json.dumps({"error": "invalid_client", "error_description": "wrong secret"}).encode(),
    # regression: a huge expires_in overflowed the refresh deadline (tests/unit/test_sim_token_refresh.c)
    b"\x00\x00" + b'{"access_token":"a","expires_in":9223372036854775807}',
    b"\x04\x00" + b'{"access_token":"a","expires_in":9223372036854775807}',
    setup(0, 0, camera),
    setup(0, 0, dict(camera, state="registered", siteId=None), site=False),
    setup(0, 5, {"code": 404, "message": "camera not found"}),
    setup(1, 0, dict(camera, siteId=ORG)),
    setup(2, 2, {"id": SITE, "status": "pending", "cameraId": CAMERA, "serialNumber": "SN-0001"}),
    setup(3, 0, {"id": SITE, "status": "succeeded"}),
    setup(3, 0, {"id": SITE, "status": "failed", "msg": "serial taken"}),
    setup(3, 0, {"id": SITE, "status": "pending"}),
    setup(4, 1, camera),
    setup(4, 6, {"code": 409, "message": "camera is claimed"}),
    setup(5, 7, {"code": 500, "message": "internal error"}),
    setup(6, 1, {"clientId": CAMERA, "clientSecret": "s" * 43}),
]
seeds("fuzz_sim_answers", sim)
