"""`camfleet admin register-cameras --database URL --csv FILE` (issue 13): registers a CSV of
cameraId,serialNumber offline through the store path the worker takes: an optional header, a camera
id generated for an empty one, the same pair again "already registered", conflicts and invalid
lines failing with their line numbers, a progress line and a JSON summary; exit status 1 when any
line failed. Runs against a server's own database (SQLite or PostgreSQL), beside the server."""
import json
import subprocess

from conftest import (BINARY, Api, check_binary, expect, new_id, register_camera, unique_serial)


def run_register(database, csv_path, *extra):
    check_binary()
    done = subprocess.run([str(BINARY), "admin", "register-cameras", "--database", database,
                           "--csv", str(csv_path), *extra],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    return done


def summary_of(done):
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def registered_events(api, camera_id):
    return expect(api.get("/events", api.operator_token,
                          params={"cameraId": camera_id, "type": "camera.registered"}), 200)


def test_a_csv_registers_its_cameras_and_a_second_run_finds_them_registered(start_server, tmp_path):
    private = start_server()
    api = Api(private, private.operator_client)
    pairs = [(new_id(), unique_serial()) for _ in range(2500)]
    csv_path = tmp_path / "cameras.csv"
    csv_path.write_text("cameraId,serialNumber\r\n" +
                        "".join(f"{camera_id},{serial}\r\n" for camera_id, serial in pairs))
    done = run_register(private.database, csv_path)
    assert done.returncode == 0, done.stderr
    assert summary_of(done) == {"lines": 2501, "registered": 2500, "alreadyRegistered": 0,
                                "failed": 0, "failedLines": []}
    assert "register-cameras: 2501 lines read: 2500 registered" in done.stderr
    for camera_id, serial in pairs[:3] + pairs[-3:]:
        camera = expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)
        assert (camera["serialNumber"], camera["state"]) == (serial, "registered")
    again = run_register(private.database, csv_path)
    assert again.returncode == 0, again.stderr
    assert summary_of(again) == {"lines": 2501, "registered": 0, "alreadyRegistered": 2500,
                                 "failed": 0, "failedLines": []}
    events = registered_events(api, pairs[0][0])
    assert len(events) == 1 and events[0]["actor"]["kind"] == "system", events


def test_failures_are_reported_by_line_and_the_rest_is_registered(start_server, tmp_path):
    private = start_server()
    api = Api(private, private.operator_client)
    existing = register_camera(api)
    good_id, good_serial, generated_serial = new_id(), unique_serial(), unique_serial()
    lines = [
        f"{good_id},{good_serial}",                        # 1: registered (no header)
        f",{generated_serial}",                            # 2: an id is generated
        "",                                                # 3: blank
        f"not-a-uuid,{unique_serial()}",                   # 4: invalid id
        f"{new_id()},{existing['serialNumber']}",          # 5: serial taken
        f"{existing['id']},{unique_serial()}",             # 6: id taken
        f"{existing['id']},{existing['serialNumber']}",    # 7: the same pair: already registered
        f"{new_id()}",                                     # 8: one field
        f"{new_id()},\"quoted, serial\"",                  # 9: registered
    ]
    csv_path = tmp_path / "cameras.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    done = run_register(private.database, csv_path)
    assert done.returncode == 1, done.stderr
    assert summary_of(done) == {"lines": 9, "registered": 3, "alreadyRegistered": 1, "failed": 4,
                                "failedLines": [4, 5, 6, 8]}
    errors = [line for line in done.stderr.splitlines() if line.startswith("line ")]
    assert errors == [
        "line 4: cameraId is not a UUID (8-4-4-4-12 hexadecimal digits)",
        "line 8: expected 2 fields (cameraId,serialNumber), found 1",
        f"line 5: serial number '{existing['serialNumber']}' already belongs to camera "
        f"{existing['id']}",
        f"line 6: camera {existing['id']} already exists with serial number "
        f"'{existing['serialNumber']}', not '{lines[5].split(',')[1]}'",
    ]
    expect(api.get(f"/cameras/{good_id}", api.operator_token), 200)
    cameras = expect(api.get("/cameras", api.operator_token, params={"state": "registered"}), 200)
    serials = {camera["serialNumber"] for camera in cameras}
    assert {good_serial, generated_serial, "quoted, serial"} <= serials


def test_bad_usage_is_exit_status_2_and_a_missing_file_1(tmp_path):
    database = f"sqlite:{tmp_path / 'unused.db'}"
    assert run_register(database, tmp_path / "x.csv", "--unknown").returncode == 2
    check_binary()
    done = subprocess.run([str(BINARY), "admin", "register-cameras", "--database", database],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--csv" in done.stderr
    missing = run_register(database, tmp_path / "missing.csv")
    assert missing.returncode == 1 and "cannot open" in missing.stderr
