"""Generated secrets at rest (README "Security model"): API client secrets (POST /clients, `camfleet
admin create-client`) and device secrets are stored as hmac-sha256$<key id>$<MAC> under the one
server-side key of secret_hash_keys; user passwords stay argon2id. A legacy argon2id hash of such a
secret still works and is rewritten in the keyed form on its first successful use; a wrong secret
fails before and after; an unknown client and a wrong secret get the same answer. On PostgreSQL,
nodes starting at once on a new database agree on one key."""
import re
import subprocess
import threading

import pytest
import requests

from conftest import (BACKEND, REQUEST_TIMEOUT, Api, Server, assert_oauth_error, expect, make_client,
                      make_user, new_id, register_camera, run_sql)

KEYED = re.compile(r"^hmac-sha256\$([A-Za-z0-9_-]{1,32})\$[A-Za-z0-9_-]{43}$")


def query(database, sql):
    """The rows of one SELECT on a server's database, as lists of text."""
    if database.startswith("sqlite:"):
        import sqlite3
        connection = sqlite3.connect(database[len("sqlite:"):], timeout=10)
        try:
            return [[str(value) for value in row] for row in connection.execute(sql).fetchall()]
        finally:
            connection.close()
    done = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", database, "-c", sql],
                          capture_output=True, text=True, check=True, timeout=60)
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def secret_hash(database, client_id):
    rows = query(database, f"SELECT secret_hash FROM clients WHERE id = '{client_id}'")
    assert len(rows) == 1, rows
    return rows[0][0]


def key_ids(database):
    return [row[0] for row in query(database, "SELECT id FROM secret_hash_keys WHERE retired_at IS NULL")]


def assert_keyed(database, client_id):
    match = KEYED.match(secret_hash(database, client_id))
    assert match, secret_hash(database, client_id)
    assert key_ids(database) == [match.group(1)]


def client_grant(api, client_id, secret):
    return api.oauth_token({"grant_type": "client_credentials"}, auth=(client_id, secret))


def argon2id_hash_of(api, secret):
    """An argon2id hash of secret made by the server itself: a user's password hash."""
    user = make_user(api, None, "operator", password=secret)
    (row,) = query(api.server.database, f"SELECT password_hash FROM users WHERE id = '{user['id']}'")
    assert row[0].startswith("$argon2id$"), row
    return row[0]


def device_credentials(api):
    camera = register_camera(api)
    body = expect(api.post(f"/cameras/{camera['id']}/device-credentials", api.operator_token), 201)
    return body["clientId"], body["clientSecret"]


# --- the stored form ------------------------------------------------------------------------------

def test_generated_secrets_are_stored_keyed_and_passwords_argon2id(api, tenant):
    database = api.server.database
    assert_keyed(database, api.server.operator_client["clientId"])  # camfleet admin create-client
    client = make_client(api, tenant.org_id, "admin")  # POST /clients
    assert_keyed(database, client["clientId"])
    device_id, _ = device_credentials(api)
    assert_keyed(database, device_id)
    (row,) = query(database, f"SELECT password_hash FROM users WHERE id = '{tenant.admin['id']}'")
    assert row[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$"), row


def test_keyed_secrets_get_tokens_and_wrong_ones_do_not(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    expect(client_grant(api, client["clientId"], client["clientSecret"]), 200)
    assert_oauth_error(client_grant(api, client["clientId"], client["clientSecret"][:-1] + "x"), 401,
                       "invalid_client")
    device_id, device_secret = device_credentials(api)
    expect(client_grant(api, device_id, device_secret), 200)
    assert_oauth_error(client_grant(api, device_id, "x" * 43), 401, "invalid_client")


def test_an_unknown_client_and_a_wrong_secret_get_the_same_answer(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    wrong = client_grant(api, client["clientId"], "y" * 43)
    unknown = client_grant(api, new_id(), "y" * 43)
    not_an_id = client_grant(api, "not-a-client", "y" * 43)
    for resp in (wrong, unknown, not_an_id):
        assert_oauth_error(resp, 401, "invalid_client")
        assert resp.json() == wrong.json()
        assert resp.headers.get("WWW-Authenticate") == wrong.headers.get("WWW-Authenticate")


def test_keyed_checks_never_wait_for_the_argon2_gate(start_server):
    # One argon2 turn, no waiting: a flood of wrong passwords keeps the gate full (503s), while
    # keyed client secrets are checked on the HTTP thread without it.
    server = start_server(["--password-concurrency", "1", "--password-wait", "10", "--threads", "4",
                           "--login-failures-per-user", "0", "--login-failures-per-address", "0"])
    api = Api(server, server.operator_client)
    user = make_user(api, None, "operator")
    stop, statuses = threading.Event(), []

    def flood():
        session = requests.Session()
        while not stop.is_set():
            resp = session.post(server.url + "/oauth/token", timeout=REQUEST_TIMEOUT,
                                data={"grant_type": "password", "username": user["email"], "password": "nope"})
            statuses.append(resp.status_code)

    workers = [threading.Thread(target=flood) for _ in range(6)]
    for worker in workers:
        worker.start()
    try:
        client_id, secret = server.operator_client["clientId"], server.operator_client["clientSecret"]
        answers = []
        while len(answers) < 100 or (503 not in statuses and len(answers) < 20000):  # until the gate was full
            answers.append(client_grant(api, client_id, secret).status_code)
    finally:
        stop.set()
        for worker in workers:
            worker.join(REQUEST_TIMEOUT)
    assert 503 in statuses, sorted(set(statuses))  # the gate really was full
    assert set(answers) == {200}, answers


# --- legacy argon2id hashes -----------------------------------------------------------------------

def check_legacy_rewrite(api, client_id, secret):
    database = api.server.database
    legacy = argon2id_hash_of(api, secret)
    run_sql(database, f"UPDATE clients SET secret_hash = '{legacy}' WHERE id = '{client_id}'")
    assert_oauth_error(client_grant(api, client_id, secret[:-1] + "x"), 401, "invalid_client")
    assert secret_hash(database, client_id) == legacy  # a wrong secret rewrites nothing
    expect(client_grant(api, client_id, secret), 200)
    assert_keyed(database, client_id)
    expect(client_grant(api, client_id, secret), 200)
    assert_oauth_error(client_grant(api, client_id, secret[:-1] + "x"), 401, "invalid_client")


def test_a_legacy_device_secret_works_and_is_rewritten_keyed_on_use(api):
    device_id, device_secret = device_credentials(api)
    check_legacy_rewrite(api, device_id, device_secret)


def test_a_legacy_client_secret_works_and_is_rewritten_keyed_on_use(api, tenant):
    client = make_client(api, tenant.org_id, "admin")
    check_legacy_rewrite(api, client["clientId"], client["clientSecret"])


# --- one key per database -------------------------------------------------------------------------

def test_the_key_survives_a_restart(start_server):
    server = start_server()
    database = server.database
    (key_id,) = key_ids(database)
    api = Api(server, server.operator_client)
    client = make_client(api, None, "operator")
    server.stop()
    server.start()
    assert key_ids(database) == [key_id]
    expect(client_grant(api, client["clientId"], client["clientSecret"]), 200)


def test_nodes_starting_at_once_on_a_new_database_share_one_key(tmp_path):
    if BACKEND != "postgres":
        pytest.skip("several nodes share a database only on PostgreSQL")
    first = Server(tmp_path / "first")
    database = first.database
    nodes = [first] + [Server(tmp_path / f"node{i}") for i in range(1, 4)]
    for node in nodes[1:]:
        node.database = database
    errors = []

    def start(node):
        try:
            node.start()
        except AssertionError as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=(node,)) for node in nodes]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert len(key_ids(database)) == 1
        assert len(query(database, "SELECT id FROM secret_hash_keys")) == 1
        operator = first.admin_create_client("operator", "race-operator")
        for node in nodes:  # a secret hashed by the command line checks on every node
            resp = requests.post(node.url + "/oauth/token", data={"grant_type": "client_credentials"},
                                 auth=(operator["clientId"], operator["clientSecret"]), timeout=REQUEST_TIMEOUT)
            expect(resp, 200)
        client = make_client(Api(nodes[1], operator), None, "operator")
        resp = requests.post(nodes[3].url + "/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(client["clientId"], client["clientSecret"]), timeout=REQUEST_TIMEOUT)
        expect(resp, 200)
    finally:
        for node in nodes:
            node.kill()
