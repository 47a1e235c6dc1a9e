"""`camfleet sim` (docs/API.md "Device link", PRODUCT.md "Process"): the real simulator against
the real server. It registers and claims its cameras, brings them online with metrics, answers
a live frame request with a JPEG it renders, reports video uploads, obeys a pause, says it is
shutting down when --duration ends or on SIGINT, and reuses its state file on the next run."""
import base64
import datetime
import json
import os
import re
import signal
import stat
import subprocess
import time

import pytest
import requests

from conftest import BINARY, REQUEST_TIMEOUT, Api, Tenant, assert_uuid, expect

SIM_EXIT_TIMEOUT = 40.0   # seconds after --duration for setup, last heartbeats and exit
ONLINE_TIMEOUT = 30.0     # seconds for a started sim to bring its cameras online


def private_api(start_server, extra_args=()):
    """A private server with the device link; skips the module's tests when it has none."""
    server = start_server(extra_args)
    resp = requests.post(server.url + "/device/heartbeat", json={}, timeout=REQUEST_TIMEOUT)
    if resp.status_code == 404:
        pytest.skip("the server has no device endpoints (POST /device/heartbeat is 404)")
    return Api(server, server.operator_client)


class Sim:
    """One `camfleet sim` process with its log."""

    def __init__(self, api, workdir, cameras, *extra, state_file=None, name="sim"):
        self.workdir = workdir
        self.credentials = workdir / "operator.json"
        self.credentials.write_text(json.dumps(api.operator_client))
        self.state_file = state_file or workdir / "camfleet-sim.json"
        self.log_path = workdir / f"{name}.log"
        cmd = [str(BINARY), "sim", "--url", api.base, "--credentials-file", str(self.credentials),
               "--cameras", str(cameras), "--state-file", str(self.state_file)] + list(extra)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=self._log, cwd=workdir)

    def log(self):
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait(self, timeout):
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            pytest.fail(f"camfleet sim did not exit within {timeout} s\n{self.log()}")
        self._log.close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()

    def state(self):
        return json.loads(self.state_file.read_text())


@pytest.fixture
def sims():
    started = []
    yield started
    for sim in started:
        sim.kill()


def site_cameras(api, site_id):
    return expect(api.get("/cameras", api.operator_token,
                          params={"siteId": site_id, "state": ["running", "paused"]}), 200)


def wait_for(what, check, sim, timeout=ONLINE_TIMEOUT):
    """Poll check() until it returns a truthy value; fail with the sim's log otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if sim.process.poll() is not None:
            pytest.fail(f"camfleet sim exited {sim.process.returncode} while waiting for {what}\n"
                        f"{sim.log()}")
        last = check()
        if last:
            return last
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; last {last!r}\n{sim.log()}")


def jpeg_size(data):
    """(width, height) from the JPEG's start-of-frame marker."""
    position = 2
    while position + 9 < len(data):
        assert data[position] == 0xFF, f"bad JPEG marker at {position}"
        marker = data[position + 1]
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if 0xC0 <= marker <= 0xC3:
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            return width, height
        position += 2 + length
    pytest.fail("no start-of-frame marker in the JPEG")


def all_online_with_video(api, site_id, count):
    cameras = site_cameras(api, site_id)
    if len(cameras) == count and all(c["isOnline"] and c["lastVideoAt"] for c in cameras):
        return cameras
    return None


def test_sim_runs_a_live_fleet_and_reuses_its_state_file(start_server, tmp_path, sims):
    api = private_api(start_server)
    tenant = Tenant(api)
    sim = Sim(api, tmp_path, 4, "--site", tenant.site_id, "--heartbeat-interval", "1",
              "--video-interval", "1", "--duration", "15")
    sims.append(sim)

    # Registered, claimed to the site with their names, online, with metrics and video.
    cameras = wait_for("4 cameras online with video", lambda: all_online_with_video(
        api, tenant.site_id, 4), sim)
    assert sorted(c["name"] for c in cameras) == [f"Sim camera {i}" for i in range(1, 5)]
    for camera in cameras:
        assert_uuid(camera["id"])
        assert camera["state"] == "running" and camera["organisationId"] == tenant.org_id, camera
        assert camera["serialNumber"].startswith("SIM-"), camera
        assert camera["lastSeenAt"] is not None, camera
        assert 0.9 <= camera["encodedFramesProportion"] <= 1.0, camera
        assert 100_000 <= camera["networkTransmitRate"] <= 1_000_000, camera
        assert camera["videoBacklog"] >= 0, camera
        assert 0 < camera["videoUploadLatency"] <= 10, camera
    by_name = {c["name"]: c for c in cameras}
    first, second = by_name["Sim camera 1"], by_name["Sim camera 2"]

    # A live frame: the sim renders and uploads a JPEG on the server's capture command.
    resp = api.post("/frame-requests", api.operator_token, json={"cameraId": first["id"]})
    frame = expect(resp, 200)
    image = base64.b64decode(frame["image"])
    assert image[:2] == b"\xff\xd8" and image[-2:] == b"\xff\xd9", image[:16]
    assert len(image) > 1024
    assert jpeg_size(image) == (640, 360)

    # Video upload reports feed the upload metrics (the default window ends at the current
    # second, so wait until a report is at least that old).
    def upload_metrics():
        body = expect(api.get(f"/cameras/{first['id']}/video-upload-metrics", api.operator_token),
                      200)
        return body if body["uploadSize"] > 0 and body["uploadTime"] > 0 else None
    upload = wait_for("video upload metrics", upload_metrics, sim, timeout=10)
    assert 100_000 <= upload["uploadSize"] / upload["uploadTime"] <= 1_000_000, upload

    # A pause reaches the camera: it keeps heartbeating but encodes and sends nothing.
    expect(api.put(f"/cameras/{second['id']}/state/paused", api.operator_token), 201)

    def paused_and_reporting_nothing():
        camera = expect(api.get(f"/cameras/{second['id']}", api.operator_token), 200)
        idle = camera["encodedFramesProportion"] == 0 and camera["networkTransmitRate"] == 0
        return camera if camera["isOnline"] and idle else None
    wait_for("the paused camera to report no encoding", paused_and_reporting_nothing, sim,
             timeout=10)

    # --duration ends: exit 0, and every camera said it was shutting down (offline at once).
    assert sim.wait(15 + SIM_EXIT_TIMEOUT) == 0, sim.log()
    after = site_cameras(api, tenant.site_id)
    assert len(after) == 4
    assert [c["isOnline"] for c in after] == [False] * 4, after
    log = sim.log()
    assert "--duration is over" in log and "4 new" in log, log

    # The state file keeps the cameras and their device secrets, privately.
    assert stat.S_IMODE(os.stat(sim.state_file).st_mode) == 0o600
    state = sim.state()
    assert sorted(c["id"] for c in state["cameras"]) == sorted(c["id"] for c in cameras)
    assert all(c["deviceSecret"] for c in state["cameras"]), "device secrets kept"

    # A second run reuses them: no new cameras anywhere, the same ones online again.
    again = Sim(api, tmp_path, 4, "--site", tenant.site_id, "--heartbeat-interval", "1",
                "--duration", "30", name="sim-again")
    sims.append(again)
    def all_online_again():
        cameras_now = site_cameras(api, tenant.site_id)
        return cameras_now if all(c["isOnline"] for c in cameras_now) else None
    wait_for("the same cameras online again", all_online_again, again)
    again.process.send_signal(signal.SIGINT)
    assert again.wait(SIM_EXIT_TIMEOUT) == 0, again.log()
    assert "4 from" in again.log() and "0 new" in again.log(), again.log()
    assert sorted(c["id"] for c in again.state()["cameras"]) == sorted(c["id"] for c in cameras)
    everything = expect(api.get("/cameras", api.operator_token, params={
        "state": ["registered", "running", "paused", "decommissioned"]}), 200)
    assert len(everything) == 4, everything
    assert not any(c["isOnline"] for c in everything), "SIGINT also ends with shutting_down"
    paused = expect(api.get(f"/cameras/{second['id']}", api.operator_token), 200)
    assert paused["state"] == "paused", "the sim does not override the owner's pause"


def seen_at(camera):
    """lastSeenAt as Unix seconds."""
    return datetime.datetime.fromisoformat(camera["lastSeenAt"].replace("Z", "+00:00")).timestamp()


def test_sim_outage_takes_a_camera_offline_without_shutting_down_then_back(start_server, tmp_path,
                                                                           sims):
    window = 2
    api = private_api(start_server, ["--online-window", str(window)])
    tenant = Tenant(api)
    # Camera index 0 ("Sim camera 1" in a new state file) goes silent 3 s into the run, for 6 s
    # and, as a second outage overlaps the first, on until 11 s in: 8 s of silence.
    sim = Sim(api, tmp_path, 2, "--site", tenant.site_id, "--heartbeat-interval", "0.5",
              "--outage", "0:3:6", "--outage", "0:5:6", "--duration", "60")
    sims.append(sim)

    def both_online():
        cameras = site_cameras(api, tenant.site_id)
        return cameras if len(cameras) == 2 and all(c["isOnline"] for c in cameras) else None
    by_name = {c["name"]: c for c in wait_for("2 cameras online", both_online, sim)}
    silent, other = by_name["Sim camera 1"]["id"], by_name["Sim camera 2"]["id"]

    def camera(camera_id):
        return expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)

    def silent_offline():
        assert camera(other)["isOnline"], "the other camera keeps heartbeating"
        now = time.time()
        current = camera(silent)
        return (current, now) if not current["isOnline"] else None
    before, offline_at = wait_for("camera 0 offline", silent_offline, sim, timeout=20)
    # Offline only once its online window passed: no "shutting_down" (that is offline at once).
    assert offline_at - seen_at(before) >= window - 0.5, (offline_at, before)

    def silent_online():
        current = camera(silent)
        return current if current["isOnline"] else None
    after = wait_for("camera 0 online again", silent_online, sim, timeout=20)
    # Nothing in between: its next heartbeat came when the chained outages ended.
    assert seen_at(after) - seen_at(before) >= 7.0, (before["lastSeenAt"], after["lastSeenAt"])
    assert camera(other)["isOnline"]

    sim.process.send_signal(signal.SIGINT)
    assert sim.wait(SIM_EXIT_TIMEOUT) == 0, sim.log()
    log = sim.log()
    assert log.count("goes silent (--outage)") == 1, log
    silences = re.findall(r"heartbeats again after ([0-9.]+) s of silence", log)
    assert len(silences) == 1 and 7.5 <= float(silences[0]) <= 9.0, log
    assert not any(c["isOnline"] for c in site_cameras(api, tenant.site_id)), "both said goodbye"


def test_sim_command_poll_shares_connections_and_still_answers_frames(start_server, tmp_path, sims):
    """--command-poll S: each camera asks for commands every S seconds without waiting (no long
    poll holding a connection per camera: a long poll would answer once in 30 s), and a frame
    request is still answered."""
    api = private_api(start_server, ["--frame-wait", "8", "--log-device-requests"])  # polls counted in the log
    tenant = Tenant(api)
    sim = Sim(api, tmp_path, 2, "--site", tenant.site_id, "--heartbeat-interval", "1",
              "--command-poll", "0.5", "--duration", "20")
    sims.append(sim)

    def both_online():
        cameras = site_cameras(api, tenant.site_id)
        return cameras if len(cameras) == 2 and all(c["isOnline"] for c in cameras) else None

    cameras = wait_for("2 cameras online", both_online, sim)
    time.sleep(3)  # a few polling periods
    polls = api.server.log_path.read_text(errors="replace").count("GET /device/commands 200")
    assert polls >= 6, f"{polls} command polls answered in about 3 s"
    frame = expect(api.post("/frame-requests", api.operator_token, json={"cameraId": cameras[0]["id"]}), 200)
    assert base64.b64decode(frame["image"])[:2] == b"\xff\xd8"


def test_sim_command_poll_zero_never_asks_for_commands(start_server, tmp_path, sims):
    api = private_api(start_server)
    tenant = Tenant(api)
    sim = Sim(api, tmp_path, 1, "--site", tenant.site_id, "--heartbeat-interval", "1",
              "--command-poll", "0", "--duration", "3")
    sims.append(sim)
    assert sim.wait(3 + SIM_EXIT_TIMEOUT) == 0, sim.log()
    assert "/device/commands" not in api.server.log_path.read_text(errors="replace")


def test_sim_without_site_registers_but_does_not_claim(start_server, tmp_path, sims):
    api = private_api(start_server)
    sim = Sim(api, tmp_path, 2, "--heartbeat-interval", "1", "--duration", "2")
    sims.append(sim)
    assert sim.wait(2 + SIM_EXIT_TIMEOUT) == 0, sim.log()
    ids = sorted(c["id"] for c in sim.state()["cameras"])
    registered = expect(api.get("/cameras", api.operator_token, params={"state": "registered"}), 200)
    assert sorted(c["id"] for c in registered) == ids
    assert all(c["siteId"] is None for c in registered)


def test_sim_with_wrong_operator_secret_exits_1_saying_why(start_server, tmp_path):
    api = private_api(start_server)
    bad = Api(api.server, {"clientId": api.operator_client["clientId"], "clientSecret": "wrong"})
    sim = Sim(bad, tmp_path, 1, "--duration", "5")
    assert sim.wait(SIM_EXIT_TIMEOUT) == 1
    log = sim.log()
    assert "cannot get an operator token" in log and "HTTP 401" in log, log


def test_sim_with_unknown_site_exits_1_saying_why(start_server, tmp_path):
    api = private_api(start_server)
    missing_site = "0f0e0d0c-0b0a-4000-8000-00000000abcd"
    sim = Sim(api, tmp_path, 1, "--site", missing_site, "--duration", "5")
    assert sim.wait(SIM_EXIT_TIMEOUT) == 1
    log = sim.log()
    assert "claiming it" in log and "404" in log, log


def test_sim_refuses_bad_options_with_status_2(tmp_path):
    for args in (["--cameras", "3"], ["--url", "ftp://x", "--cameras", "1"],
                 ["--url", "http://127.0.0.1:1", "--cameras", "0", "--client-id", "a",
                  "--client-secret", "b"],
                 ["--url", "http://127.0.0.1:1", "--cameras", "1", "--client-id", "a",
                  "--client-secret", "b", "--site", "not-a-uuid"],
                 ["--url", "http://127.0.0.1:1", "--cameras", "2", "--client-id", "a",
                  "--client-secret", "b", "--outage", "2:1:1"],
                 ["--url", "http://127.0.0.1:1", "--cameras", "2", "--client-id", "a",
                  "--client-secret", "b", "--outage", "0:1"],
                 ["--url", "http://127.0.0.1:1", "--cameras", "2", "--client-id", "a",
                  "--client-secret", "b", "--outage", "0:-1:5"]):
        done = subprocess.run([str(BINARY), "sim"] + args, capture_output=True, text=True,
                              timeout=30, cwd=tmp_path, env={"PATH": os.environ.get("PATH", "")})
        assert done.returncode == 2, (args, done.stderr)
        assert "camfleet sim:" in done.stderr, (args, done.stderr)
    assert not (tmp_path / "camfleet-sim.json").exists()
