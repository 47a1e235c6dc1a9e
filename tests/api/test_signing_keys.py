"""Token signing keys (issue 10, item 11): `camfleet admin rotate-signing-key` makes a new key
(new kid) sign from then on while a server runs, the previous key keeps verifying the tokens it
signed and stays in the JWKS, and its private part leaves the database; `--signing-key-file`
signs with a PEM EC P-256 key from a file that only its owner may read (mode 0600 or stricter),
refused with a clear message otherwise.
"""
import base64
import hashlib
import json
import os
import sqlite3
import subprocess
import time

import pytest

from conftest import (BACKEND, BINARY, Api, assert_unauthorized, b64url_encode, es256_verify,
                      expect, free_port, jwt_parts)

KEY_PICKUP_SECONDS = 5.0  # servers poll the current key id every 2 s


def rotate(database):
    done = subprocess.run([str(BINARY), "admin", "rotate-signing-key", "--database", database],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def jwks(server):
    return expect(Api(server, None).session.get(server.url + "/.well-known/jwks.json", timeout=10), 200)


def new_token(server):
    api = Api(server, server.operator_client)
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=(server.operator_client["clientId"], server.operator_client["clientSecret"]))
    return expect(resp, 200)["access_token"]


def stored_keys(database):
    """(kid, private part wiped, retired) of every stored key, retired ones first."""
    sql = ("SELECT kid, CASE WHEN private_pem = '' THEN 1 ELSE 0 END,"
           " CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END FROM signing_keys"
           " ORDER BY CASE WHEN retired_at IS NULL THEN 1 ELSE 0 END, created_at, kid")
    if BACKEND == "postgres":
        from postgres_support import psql
        rows = psql(database, sql)
    else:
        with sqlite3.connect(database[len("sqlite:"):]) as db:
            rows = list(db.execute(sql))
    return [(kid, int(wiped) == 1, int(retired) == 1) for kid, wiped, retired in rows]


def test_rotation_while_running_signs_with_the_new_key_and_old_tokens_keep_working(start_server):
    server = start_server()
    used_before = new_token(server)
    unused_before = new_token(server)  # first verified after the rotation: by the retired key
    old_kid = jwt_parts(used_before)[0]["kid"]
    api = Api(server, server.operator_client)
    expect(api.get("/organisations", used_before), 200)

    rotated = rotate(server.database)
    assert rotated["previousKid"] == old_kid
    new_kid = rotated["kid"]
    assert new_kid != old_kid and len(new_kid) == 43

    deadline = time.monotonic() + KEY_PICKUP_SECONDS
    while jwt_parts(token := new_token(server))[0]["kid"] != new_kid:
        assert time.monotonic() < deadline, "the running server did not switch to the new key"
        time.sleep(0.1)
    keys = {key["kid"]: key for key in jwks(server)["keys"]}
    assert set(keys) == {old_kid, new_kid}
    assert jwks(server)["keys"][0]["kid"] == new_kid, "the current key comes first"
    assert es256_verify(keys[new_kid], token) and es256_verify(keys[old_kid], unused_before)
    for each in (token, used_before, unused_before):
        expect(api.get("/organisations", each), 200)

    rows = stored_keys(server.database)
    assert rows == [(old_kid, True, True), (new_kid, False, False)], \
        "the retired key's private part is wiped"

    # after a restart, the retired key (public part only) still verifies its tokens
    assert server.stop() == 0
    server.start()
    expect(api.get("/organisations", unused_before), 200)
    assert {key["kid"] for key in jwks(server)["keys"]} == {old_kid, new_kid}
    assert jwt_parts(new_token(server))[0]["kid"] == new_kid


def run_sql(database, sql):
    if BACKEND == "postgres":
        from postgres_support import psql
        psql(database, sql)
    else:
        with sqlite3.connect(database[len("sqlite:"):]) as db:
            db.execute(sql)


def test_a_key_retired_longer_than_the_token_lifetime_leaves_the_jwks_and_verifies_nothing(start_server):
    server = start_server(["--token-ttl", "600"])
    old_token = new_token(server)
    old_kid = jwt_parts(old_token)[0]["kid"]
    new_kid = rotate(server.database)["kid"]
    assert server.stop() == 0
    # retired 600 s (the lifetime) + 60 s (the margin) + 1 s ago: every token it signed has expired
    run_sql(server.database, "UPDATE signing_keys SET retired_at = retired_at - 661 WHERE kid = "
                             f"'{old_kid}'")
    server.start()
    assert [key["kid"] for key in jwks(server)["keys"]] == [new_kid]
    assert_unauthorized(Api(server, server.operator_client).get("/organisations", old_token))
    expect(Api(server, server.operator_client).get("/organisations", new_token(server)), 200)


def test_a_token_naming_an_unknown_kid_is_refused(start_server):
    server = start_server()
    token = new_token(server)
    header, claims, signature = jwt_parts(token)
    header["kid"] = "A" * 43

    def seg(value):
        return b64url_encode(json.dumps(value, separators=(",", ":")).encode())
    forged = f"{seg(header)}.{seg(claims)}.{b64url_encode(signature)}"
    assert_unauthorized(Api(server, server.operator_client).get("/organisations", forged))


# ---------------------------------------------------------------------------------------------
# --signing-key-file

def make_key(path, curve="prime256v1", mode=0o600):
    subprocess.run(["openssl", "ecparam", "-name", curve, "-genkey", "-noout", "-out", str(path)],
                   check=True, capture_output=True)
    os.chmod(path, mode)
    return path


def public_xy(path):
    """x and y (32 bytes each) of the key's public point: the end of its DER SubjectPublicKeyInfo."""
    der = subprocess.run(["openssl", "pkey", "-in", str(path), "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return der[-64:-32], der[-32:]


def thumbprint(x, y):
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": b64url_encode(x), "y": b64url_encode(y)},
                           separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode()).digest())


def serve_expecting_failure(tmp_path, key_path):
    """Runs `camfleet serve --signing-key-file key_path`; it must exit non-zero: (code, output)."""
    database = f"sqlite:{tmp_path / 'refused.db'}" if BACKEND == "sqlite" else None
    if database is None:
        from conftest import create_postgres_database
        database = create_postgres_database()
    done = subprocess.run([str(BINARY), "serve", "--listen", f"127.0.0.1:{free_port()}", "--database", database,
                           "--signing-key-file", str(key_path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    return done.returncode, done.stdout + done.stderr


def test_key_file_readable_by_others_is_refused_with_a_clear_message(tmp_path):
    key = make_key(tmp_path / "open.pem", mode=0o644)
    code, output = serve_expecting_failure(tmp_path, key)
    assert code != 0
    assert f"signing key file {key} has mode 0644" in output, output
    assert "chmod 600" in output, output


def test_key_file_readable_by_the_group_is_refused(tmp_path):
    key = make_key(tmp_path / "group.pem", mode=0o640)
    code, output = serve_expecting_failure(tmp_path, key)
    assert code != 0 and "has mode 0640" in output, output


def test_key_file_of_another_curve_is_refused(tmp_path):
    key = make_key(tmp_path / "p384.pem", curve="secp384r1")
    code, output = serve_expecting_failure(tmp_path, key)
    assert code != 0 and "does not hold a PEM EC P-256 private key" in output, output


def test_key_file_with_mode_0600_signs_the_tokens_and_is_the_only_key_published(start_server, tmp_path):
    key = make_key(tmp_path / "signing.pem")
    x, y = public_xy(key)
    kid = thumbprint(x, y)
    server = start_server(["--signing-key-file", str(key)])
    published = jwks(server)["keys"]
    assert [(k["kid"], k["x"], k["y"]) for k in published] == [(kid, b64url_encode(x), b64url_encode(y))]
    token = new_token(server)
    assert jwt_parts(token)[0]["kid"] == kid
    assert es256_verify(published[0], token)
    expect(Api(server, server.operator_client).get("/organisations", token), 200)
    assert stored_keys(server.database) == [], "no key is made in (or read from) the database"


def test_key_file_from_the_environment(start_server, tmp_path, monkeypatch):
    key = make_key(tmp_path / "env.pem", mode=0o400)
    monkeypatch.setenv("CAMFLEET_SIGNING_KEY_FILE", str(key))
    server = start_server()
    assert [k["kid"] for k in jwks(server)["keys"]] == [thumbprint(*public_xy(key))]


# ---------------------------------------------------------------------------------------------
# PostgreSQL: every node picks a rotation up

from postgres_support import (create_database, drop_database, make_nodes,  # noqa: E402
                              requires_postgres, start_together)


@requires_postgres
def test_rotation_reaches_every_postgres_node_without_a_restart(tmp_path):
    url = create_database()
    nodes = make_nodes(tmp_path, url, 2, ["--threads", "2"])
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "rotation-operator")
        for node in nodes:
            node.operator_client = operator
        old_token = new_token(nodes[0])
        old_kid = jwt_parts(old_token)[0]["kid"]
        rotated = rotate(url)
        assert rotated["previousKid"] == old_kid
        for node in nodes:
            deadline = time.monotonic() + KEY_PICKUP_SECONDS
            while jwt_parts(new_token(node))[0]["kid"] != rotated["kid"]:
                assert time.monotonic() < deadline, f"node {node.url} kept the old key"
                time.sleep(0.05)
            assert [k["kid"] for k in jwks(node)["keys"]] == [rotated["kid"], old_kid]
        # the old key's token, never seen by node 2, verifies there; a new one from node 2 on node 1
        expect(Api(nodes[1], operator).get("/organisations", old_token), 200)
        expect(Api(nodes[0], operator).get("/organisations", new_token(nodes[1])), 200)
        assert [node.stop() for node in nodes] == [0, 0]
    finally:
        for node in nodes:
            node.kill()
        drop_database(url)
