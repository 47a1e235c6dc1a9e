"""Rate limits (README "Rate limits"): failed logins per username, per client id and per source
address answered 429 with Retry-After and the RateLimit fields, even for the right password while
locked out; the argon2 gate (503 when full, API reads keep answering during a password flood);
per-client and per-organisation API limits (429, then recovery). Every test that fails logins on
purpose runs its own server, so the session server's address never collects failures."""
import threading
import time

import requests

from conftest import (REQUEST_TIMEOUT, Api, assert_error, assert_oauth_error, describe, expect,
                      make_client, make_org, make_user, unique_email)

LOGIN_POLICY_USER = '"user";q=5;w=900, "address";q=30;w=900'
LOGIN_POLICY_CLIENT = '"client";q=5;w=900, "address";q=30;w=900'


def password_grant(api, email, password):
    return api.oauth_token({"grant_type": "password", "username": email, "password": password})


def assert_limited(resp, retry_after, policy):
    """429 {code, message} with Retry-After and both RateLimit fields."""
    assert_error(resp, 429)
    assert resp.headers.get("Retry-After") == str(retry_after), describe(resp)
    assert resp.headers.get("RateLimit-Policy") == policy, describe(resp)
    assert "RateLimit" in resp.headers, describe(resp)


def unless_busy(send, attempts=50):
    """send() again while it answers 503 (a server whose argon2 wait is tiny may refuse a lone
    check on a loaded machine); the first other answer."""
    for _ in range(attempts):
        resp = send()
        if resp.status_code != 503:
            return resp
        time.sleep(0.1)
    return resp


def private_api(start_server, args=()):
    server = start_server(list(args))
    api = Api(server, server.operator_client)
    client_id, secret = server.operator_client["clientId"], server.operator_client["clientSecret"]
    resp = unless_busy(lambda: api.oauth_token({"grant_type": "client_credentials"}, auth=(client_id, secret)))
    api._tokens[("client", client_id, secret)] = expect(resp, 200)["access_token"]
    return api


def org_admin(api):
    org = make_org(api)
    return org, make_user(api, org["id"], "admin")


# --- password grant: per username -----------------------------------------------------------------

def test_wrong_passwords_count_down_then_lock_the_username_even_for_the_right_password(start_server):
    api = private_api(start_server)
    _, user = org_admin(api)
    for left in (4, 3, 2, 1, 0):
        resp = password_grant(api, user["email"], "wrong-password")
        assert_oauth_error(resp, 400, "invalid_grant")
        assert resp.headers["RateLimit-Policy"] == LOGIN_POLICY_USER, describe(resp)
        assert resp.headers["RateLimit"].startswith(f'"user";r={left};t=900, "address";r='), describe(resp)
    assert_oauth_error(password_grant(api, user["email"], "wrong-password"), 400, "invalid_grant")
    # The sixth failure locked the username for 1 s: the right password is refused too.
    locked = password_grant(api, user["email"], user["password"])
    assert_limited(locked, 1, LOGIN_POLICY_USER)
    assert locked.headers["RateLimit"].startswith('"user";r=0;'), describe(locked)
    time.sleep(1.2)
    ok = password_grant(api, user["email"], user["password"])
    assert expect(ok, 200)["token_type"] == "Bearer"
    assert ok.headers["RateLimit"].startswith('"user";r=5;t=0, "address";r='), describe(ok)


def test_lockout_doubles_with_each_further_failure(start_server):
    api = private_api(start_server)
    _, user = org_admin(api)
    for _ in range(6):
        assert_oauth_error(password_grant(api, user["email"], "nope"), 400, "invalid_grant")
    assert_limited(password_grant(api, user["email"], "nope"), 1, LOGIN_POLICY_USER)
    time.sleep(1.2)
    assert_oauth_error(password_grant(api, user["email"], "nope"), 400, "invalid_grant")
    assert_limited(password_grant(api, user["email"], user["password"]), 2, LOGIN_POLICY_USER)


def test_a_successful_login_resets_the_usernames_failures(start_server):
    api = private_api(start_server)
    _, user = org_admin(api)
    for _ in range(4):
        assert_oauth_error(password_grant(api, user["email"], "nope"), 400, "invalid_grant")
    expect(password_grant(api, user["email"], user["password"]), 200)
    for _ in range(5):  # five free failures again, not one
        assert_oauth_error(password_grant(api, user["email"], "nope"), 400, "invalid_grant")
    expect(password_grant(api, user["email"], user["password"]), 200)


def test_one_locked_username_leaves_other_users_alone(start_server):
    api = private_api(start_server)
    org, victim = org_admin(api)
    other = make_user(api, org["id"], "viewer")
    for _ in range(6):
        password_grant(api, victim["email"], "nope")
    assert_limited(password_grant(api, victim["email"], victim["password"]), 1, LOGIN_POLICY_USER)
    expect(password_grant(api, other["email"], other["password"]), 200)


# --- client_credentials: per client id -------------------------------------------------------------

def test_wrong_client_secrets_lock_that_client_id_only(start_server):
    api = private_api(start_server)
    org = make_org(api)
    target = make_client(api, org["id"], "admin")
    bystander = make_client(api, org["id"], "viewer")
    for left in (4, 3, 2, 1, 0):
        resp = api.oauth_token({"grant_type": "client_credentials"}, auth=(target["clientId"], "wrong"))
        assert_oauth_error(resp, 401, "invalid_client")
        assert resp.headers["RateLimit-Policy"] == LOGIN_POLICY_CLIENT, describe(resp)
        assert resp.headers["RateLimit"].startswith(f'"client";r={left};'), describe(resp)
    assert_oauth_error(api.oauth_token({"grant_type": "client_credentials"},
                                       auth=(target["clientId"], "wrong")), 401, "invalid_client")
    right = (target["clientId"], target["clientSecret"])
    assert_limited(api.oauth_token({"grant_type": "client_credentials"}, auth=right), 1,
                   LOGIN_POLICY_CLIENT)
    expect(api.oauth_token({"grant_type": "client_credentials"},
                           auth=(bystander["clientId"], bystander["clientSecret"])), 200)
    time.sleep(1.2)
    expect(api.oauth_token({"grant_type": "client_credentials"}, auth=right), 200)


# --- per source address ----------------------------------------------------------------------------

def test_failures_from_one_address_lock_every_login_from_it(start_server):
    api = private_api(start_server, ["--login-failures-per-address", "3"])
    _, user = org_admin(api)
    for _ in range(4):  # four unknown usernames: none reaches its own limit
        assert_oauth_error(password_grant(api, unique_email("nobody"), "nope"), 400, "invalid_grant")
    policy = '"user";q=5;w=900, "address";q=3;w=900'
    locked = password_grant(api, user["email"], user["password"])
    assert_limited(locked, 1, policy)
    assert locked.headers["RateLimit"] == '"user";r=5;t=0, "address";r=0;t=901', describe(locked)
    assert "address" in locked.json()["message"], describe(locked)
    time.sleep(1.2)
    expect(password_grant(api, user["email"], user["password"]), 200)


def test_login_limits_can_be_turned_off(start_server):
    api = private_api(start_server, ["--login-failures-per-user", "0",
                                     "--login-failures-per-address", "0"])
    _, user = org_admin(api)
    for _ in range(8):
        resp = password_grant(api, user["email"], "nope")
        assert_oauth_error(resp, 400, "invalid_grant")
        assert "RateLimit" not in resp.headers and "RateLimit-Policy" not in resp.headers, describe(resp)
    expect(password_grant(api, user["email"], user["password"]), 200)


# --- the argon2 gate -------------------------------------------------------------------------------

def flood_wrong_passwords(base, email, stop, statuses, lock):
    session = requests.Session()
    while not stop.is_set():
        resp = session.post(base + "/oauth/token", timeout=REQUEST_TIMEOUT,
                            data={"grant_type": "password", "username": email, "password": "nope"})
        with lock:
            statuses.append((resp.status_code, resp.headers.get("Retry-After"), resp.text))


def run_flood(api, email, seconds, threads=6, during=None):
    stop, lock, statuses = threading.Event(), threading.Lock(), []
    workers = [threading.Thread(target=flood_wrong_passwords, args=(api.base, email, stop, statuses, lock))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        result = during() if during else time.sleep(seconds)
    finally:
        stop.set()
        for worker in workers:
            worker.join(REQUEST_TIMEOUT)
    return statuses, result


def test_api_reads_keep_answering_during_a_password_flood(start_server):
    api = private_api(start_server, ["--login-failures-per-user", "0", "--login-failures-per-address", "0"])
    org, user = org_admin(api)
    token = api.token_for_user(user["email"], user["password"])

    def read_for_a_while():
        answers = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            answers.append(api.get(f"/organisations/{org['id']}", token))
        return answers

    statuses, reads = run_flood(api, user["email"], 0, during=read_for_a_while)
    assert len(statuses) > 6, statuses[:3]  # the flood really ran
    assert {status for status, _, _ in statuses} <= {400, 503}, statuses[:5]
    assert reads, "no read answered"
    for resp in reads:
        assert expect(resp, 200)["id"] == org["id"]


def test_argon2_checks_beyond_the_gate_get_503_with_retry_after(start_server):
    api = private_api(start_server, ["--password-concurrency", "1", "--password-wait", "10", "--threads", "4",
                                     "--login-failures-per-user", "0", "--login-failures-per-address", "0"])
    _, user = org_admin(api)
    statuses, _ = run_flood(api, user["email"], 2.0)
    busy = [entry for entry in statuses if entry[0] == 503]
    assert busy, f"no 503 among {len(statuses)} answers"
    assert {status for status, _, _ in statuses} == {400, 503}
    for _, retry_after, text in busy:
        assert retry_after == "1"
        assert '"code":503' in text
    # The gate frees again: a lone check succeeds.
    expect(unless_busy(lambda: password_grant(api, user["email"], user["password"])), 200)


def flood_right_passwords(api, user, seconds, threads=6):
    stop, lock, statuses = threading.Event(), threading.Lock(), []

    def worker():
        session = requests.Session()
        while not stop.is_set():
            resp = session.post(api.base + "/oauth/token", timeout=REQUEST_TIMEOUT,
                                data={"grant_type": "password", "username": user["email"],
                                      "password": user["password"]})
            with lock:
                statuses.append(resp.status_code)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in workers:
        thread.join(REQUEST_TIMEOUT)
    return statuses


def test_a_locked_out_attempt_runs_no_argon2(start_server):
    # One argon2 turn and no waiting: concurrent checks would collide into 503s. Locked-out
    # attempts never reach the gate, so a flood of them is answered 429 only.
    api = private_api(start_server, ["--password-concurrency", "1", "--password-wait", "10", "--threads", "4",
                                     "--login-failures-per-address", "0"])
    _, user = org_admin(api)
    for _ in range(6):
        assert_oauth_error(unless_busy(lambda: password_grant(api, user["email"], "nope")), 400, "invalid_grant")
    statuses = flood_right_passwords(api, user, 0.7)  # within the 1 s lockout
    assert len(statuses) > 12, statuses
    assert set(statuses) == {429}, sorted(set(statuses))


def test_password_hashing_beyond_the_gate_gets_503(start_server):
    # Creating users hashes their passwords on the HTTP threads, through the same gate.
    api = private_api(start_server, ["--password-concurrency", "1", "--password-wait", "10", "--threads", "4"])
    org = make_org(api)
    token = api.operator_token
    stop, lock, answers = threading.Event(), threading.Lock(), []

    def create_users():
        while not stop.is_set():  # a new connection each time: spread over the HTTP threads
            resp = requests.post(api.base + "/users", timeout=REQUEST_TIMEOUT,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"email": unique_email("gate"), "password": "pw-long-enough-1",
                                       "role": "viewer", "organisationId": org["id"]})
            with lock:
                answers.append(resp)

    workers = [threading.Thread(target=create_users) for _ in range(6)]
    for worker in workers:
        worker.start()
    time.sleep(2.0)
    stop.set()
    for worker in workers:
        worker.join(REQUEST_TIMEOUT)
    statuses = {resp.status_code for resp in answers}
    assert statuses == {201, 503}, [resp.status_code for resp in answers]
    for resp in answers:
        if resp.status_code == 503:
            assert_error(resp, 503, "password checks")
            assert resp.headers["Retry-After"] == "1", describe(resp)


# --- API limits per client and per organisation ----------------------------------------------------

def test_default_api_limits_are_advertised_on_api_answers(api):
    org = make_org(api)
    client = make_client(api, org["id"], "admin")
    token = api.token_for_client(client["clientId"], client["clientSecret"])
    resp = api.get(f"/organisations/{org['id']}", token)
    expect(resp, 200)
    assert resp.headers["RateLimit-Policy"] == '"client";q=20000;w=1, "organisation";q=200000;w=1'
    assert resp.headers["RateLimit"].startswith('"client";r=19999;t=1, "organisation";r='), describe(resp)


def test_operator_tokens_are_not_rate_limited(start_server):
    api = private_api(start_server, ["--rate-limit-client", "2"])
    for _ in range(6):
        resp = api.get("/organisations", api.operator_token)
        expect(resp, 200)
        assert "RateLimit" not in resp.headers, describe(resp)


def send_until_refused(send, most=40):
    """Sends until the first 429 (at most `most` requests): (admitted answers, the 429)."""
    admitted = []
    for _ in range(most):
        resp = send()
        if resp.status_code == 429:
            return admitted, resp
        admitted.append(resp)
    raise AssertionError(f"no 429 in {most} requests: {describe(admitted[-1])}")


def test_client_over_its_limit_gets_429_then_recovers(start_server):
    api = private_api(start_server, ["--rate-limit-client", "5", "--rate-limit-organisation", "0"])
    org = make_org(api)
    client = make_client(api, org["id"], "admin")
    token = api.token_for_client(client["clientId"], client["clientSecret"])
    other = make_client(api, org["id"], "viewer")
    other_token = api.token_for_client(other["clientId"], other["clientSecret"])
    path = f"/organisations/{org['id']}"
    admitted, refused = send_until_refused(lambda: api.get(path, token))
    # A full bucket holds 5; one more comes back every 200 ms, so a slow machine may see more.
    assert len(admitted) >= 5, len(admitted)
    assert admitted[0].headers["RateLimit"] == '"client";r=4;t=1', describe(admitted[0])
    for resp in admitted:
        expect(resp, 200)
        assert resp.headers["RateLimit-Policy"] == '"client";q=5;w=1', describe(resp)
    assert admitted[-1].headers["RateLimit"] == '"client";r=0;t=1', describe(admitted[-1])
    assert_limited(refused, 1, '"client";q=5;w=1')
    assert refused.headers["RateLimit"] == '"client";r=0;t=1', describe(refused)
    assert "per client" in refused.json()["message"]
    expect(api.get(path, other_token), 200)  # another client of the same organisation
    time.sleep(1.1)
    expect(api.get(path, token), 200)


def test_organisation_limit_is_shared_by_its_clients(start_server):
    api = private_api(start_server, ["--rate-limit-client", "0", "--rate-limit-organisation", "4"])
    org, other_org = make_org(api), make_org(api)
    first = make_client(api, org["id"], "admin")
    second = make_client(api, org["id"], "viewer")
    outsider = make_client(api, other_org["id"], "admin")
    tokens = [api.token_for_client(c["clientId"], c["clientSecret"]) for c in (first, second, outsider)]
    turn = iter(range(1000))
    admitted, refused = send_until_refused(
        lambda: api.get(f"/organisations/{org['id']}", tokens[next(turn) % 2]))  # both clients, in turn
    assert len(admitted) >= 4, len(admitted)
    assert admitted[0].headers["RateLimit"] == '"organisation";r=3;t=1', describe(admitted[0])
    assert_limited(refused, 1, '"organisation";q=4;w=1')
    assert "per organisation" in refused.json()["message"]
    expect(api.get(f"/organisations/{other_org['id']}", tokens[2]), 200)
    time.sleep(1.1)
    expect(api.get(f"/organisations/{org['id']}", tokens[0]), 200)
