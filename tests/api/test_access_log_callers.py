"""Who the access log names, and what it keeps quiet (issue 14, point 8): each request's line
names who made it (sub, role, organisation of the token; the username or client id a failed login
tried, never the secret); the cameras' own traffic (heartbeats, long-polls, uploads) is written at debug unless
--log-device-requests; a long-poll the camera ends is no warning."""
import socket
import time
from urllib.parse import urlsplit

from conftest import Api, Tenant, expect, new_id, unique_email
from test_device_link import device_for

LOG_WAIT = 10.0  # seconds for a line to reach the log (request lines are written in batches)


def log_lines(server):
    return server.log_path.read_text(errors="replace").splitlines()


def line_with(server, request_id):
    """The log line of the request with X-Request-Id request_id, once written."""
    deadline = time.monotonic() + LOG_WAIT
    while True:
        found = [line for line in log_lines(server) if f" id={request_id}" in line]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, (request_id, found)
            return found[0]
        time.sleep(0.05)


def marked(request_id):
    return {"X-Request-Id": request_id}


def test_a_line_names_the_token_s_subject_role_and_organisation(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    marker = new_id()
    expect(api.get("/organisations", api.operator_token, headers=marked(marker)), 200)
    line = line_with(server, marker)
    assert " INFO GET /organisations 200 " in line
    assert line.endswith(f" sub={server.operator_client['clientId']} role=operator org=-"), line

    tenant = Tenant(api)
    marker = new_id()
    expect(api.get("/sites", tenant.admin_token, headers=marked(marker)), 200)
    line = line_with(server, marker)
    assert line.endswith(f" sub={tenant.admin['id']} role=admin org={tenant.org_id}"), line


def test_a_sign_in_names_who_signed_in(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    marker = new_id()
    resp = api.session.post(server.url + "/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(server.operator_client["clientId"], server.operator_client["clientSecret"]),
                            headers=marked(marker))
    expect(resp, 200)
    line = line_with(server, marker)
    assert f" sub={server.operator_client['clientId']} role=operator org=-" in line, line
    assert server.operator_client["clientSecret"] not in line


def test_failed_logins_name_the_username_or_client_id_never_the_secret(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    email, password = unique_email("login"), "a wrong password 1"
    marker = new_id()
    resp = api.session.post(server.url + "/oauth/token", headers=marked(marker),
                            data={"grant_type": "password", "username": email, "password": password})
    expect(resp, 400)
    line = line_with(server, marker)
    assert line.endswith(f' login_failed="user:{email}"'), line
    assert password not in line

    client_id, secret = server.operator_client["clientId"], "not-the-secret-4f2a"
    marker = new_id()
    resp = api.session.post(server.url + "/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(client_id, secret), headers=marked(marker))
    expect(resp, 401)
    line = line_with(server, marker)
    assert line.endswith(f' login_failed="client:{client_id}"'), line
    assert secret not in line

    # A name a client chose is escaped: it cannot end the quoted field or start a line.
    marker = new_id()
    resp = api.session.post(server.url + "/oauth/token", headers=marked(marker),
                            data={"grant_type": "password", "username": 'eve"\nFAKE', "password": password})
    expect(resp, 400)
    assert line_with(server, marker).endswith(' login_failed="user:eve\\"\\nFAKE"')


def device_traffic(server):
    """A heartbeat, a video upload and a long-poll of a camera, each marked; their ids, and a
    marker request of the operator made after them (its line comes after theirs)."""
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    ids = [new_id() for _ in range(3)]
    expect(device.request("POST", "/device/heartbeat", headers=marked(ids[0]),
                          json={"encodedFramesProportion": 0.5, "networkTransmitRate": 1000,
                                "videoBacklog": 0, "videoUploadLatency": 0.5}), 200)
    expect(device.request("POST", "/device/video-uploads", headers=marked(ids[1]),
                          json={"bytes": 1000, "seconds": 2.0}), 201)
    expect(device.request("GET", "/device/commands", headers=marked(ids[2])), 200)
    after = new_id()
    expect(api.get("/organisations", api.operator_token, headers=marked(after)), 200)
    return camera, device, ids, after


def test_device_traffic_is_logged_at_debug_by_default(start_server):
    server = start_server()
    _camera, _device, ids, after = device_traffic(server)
    line_with(server, after)  # written after the device's lines would have been
    text = "\n".join(log_lines(server))
    for request_id in ids:
        assert f" id={request_id}" not in text


def test_log_device_requests_shows_them_at_info_naming_the_camera(start_server):
    server = start_server(extra_args=["--log-device-requests"])
    camera, _device, ids, _after = device_traffic(server)
    for request_id, start in zip(ids, ("POST /device/heartbeat 200 ", "POST /device/video-uploads 201 ",
                                       "GET /device/commands 200 ")):
        line = line_with(server, request_id)
        assert f" INFO {start}" in line, line
        assert f" sub={camera['id']} role=device " in line, line


def test_a_long_poll_the_camera_ends_is_no_warning(start_server):
    server = start_server(extra_args=["--log-device-requests"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    marker = new_id()
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall((f"GET /device/commands?wait=1 HTTP/1.1\r\nHost: {address.netloc}\r\n"
                            f"Authorization: Bearer {device.token}\r\nX-Request-Id: {marker}\r\n\r\n").encode())
        time.sleep(0.2)  # the server holds it now; the camera goes away
    line = line_with(server, marker)
    assert " INFO GET /device/commands" in line, line
    assert not [entry for entry in log_lines(server) if " WARN " in entry and marker in entry]
