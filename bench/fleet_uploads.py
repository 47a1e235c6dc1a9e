#!/usr/bin/python3
"""Database growth of video upload reports (issue 13): --cameras cameras each reporting every
--interval seconds for --days simulated days, on SQLite, with the 48-hour raw retention and the
hourly buckets, measured at the end of each simulated day.

1. A camfleet server on a fresh SQLite file: through the API, one camera is registered, claimed,
   given device credentials and reports one upload (POST /device/video-uploads). That is the
   template: the rows the server wrote for it (one raw report, one hour bucket) are checked to be
   what this script writes.
2. The server stopped, the template camera is copied to --cameras cameras (claimed before the
   simulated span), and the reports of the span are written straight into the file by the same
   three statements the server runs per report (store/shared/device.c: raise last_video_at, insert
   the report, add it to its hour's bucket), one transaction per simulated minute; every 10
   simulated minutes the housekeeping deletes run (jobs/housekeeping.c: reports older than
   48 hours + 60 s, buckets older than the retention, in batches of 10,000). The span ends at the
   current hour, so the file is what a server would hold now.
3. At each simulated day's end: rows and bytes per table (SQLite's dbstat), the file's size.
4. The server restarted on the file answers GET /cameras/{id}/video-upload-metrics over the whole
   span (hour buckets beyond 48 hours, raw reports after) with exactly the sum written.

The bytes per camera scale linearly (every camera writes the same rows), so the figures for
100,000 cameras are the measured ones times 100,000 / --cameras; writing 144 million reports a
day for real takes hours on this machine. See bench/README.md "Video upload reports".
"""

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HOUR, DAY = 3600, 86400
RAW_KEPT = 48 * HOUR + 60  # jobs/housekeeping.c: UPLOAD_RAW_SECONDS + UPLOAD_REPORT_GRACE_S
PRUNE_EVERY = 600          # HOUSEKEEPING_PERIOD_S
PRUNE_BATCH = 10000
REPORT_BYTES, REPORT_SECONDS = 30_000_000, 60.0  # a minute of video at 4 Mbit/s

# The statements of store/shared/device.c (SQLite) and shared/video_uploads.c, as the server runs them.
RAISE_LAST_VIDEO = ("UPDATE cameras SET last_video_at = CASE WHEN COALESCE(last_video_at, 0) > ?2 THEN last_video_at"
                    " ELSE ?2 END WHERE id = ?1")
UPLOAD_INSERT = "INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds) VALUES (?1, ?2, ?3, ?4)"
UPLOAD_HOUR_ADD = ("INSERT INTO video_upload_hours(camera_id, hour_start, bytes, seconds, reports)"
                   " SELECT id, ?5, ?3, ?4, 1 FROM cameras WHERE id = ?1 AND claimed_at <= ?2"
                   " ON CONFLICT (camera_id, hour_start) DO UPDATE SET bytes = video_upload_hours.bytes + excluded.bytes,"
                   " seconds = video_upload_hours.seconds + excluded.seconds, reports = video_upload_hours.reports + 1")
REPORT_PRUNE = ("DELETE FROM video_uploads WHERE rowid IN (SELECT rowid FROM video_uploads WHERE uploaded_at < ?1"
                " LIMIT ?2)")
HOUR_PRUNE = ("DELETE FROM video_upload_hours WHERE (camera_id, hour_start) IN (SELECT h.camera_id, h.hour_start"
              " FROM cameras c CROSS JOIN video_upload_hours h ON h.camera_id = c.id AND h.hour_start < ?1 LIMIT ?2)")


def log(message):
    print(f"[fleet_uploads] {message}", file=sys.stderr, flush=True)


def fail(message):
    log(f"error: {message}")
    sys.exit(1)


def hour_start(t):
    return t - t % HOUR


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, database, workdir):
        self.binary, self.database, self.workdir = binary, database, workdir
        self.process = None
        self.base = None

    def start(self):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        log_file = open(self.workdir / "server.log", "ab")
        self.process = subprocess.Popen([self.binary, "serve", "--listen", f"127.0.0.1:{port}", "--database",
                                         self.database], stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        fail(f"the server did not start (see {self.workdir / 'server.log'})")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def call(method, url, expected, **kwargs):
    resp = requests.request(method, url, timeout=30, **kwargs)
    if resp.status_code != expected:
        fail(f"{method} {url} answered {resp.status_code}: {resp.text[:300]}")
    return resp.json() if resp.content else None


def token_for(base, client_id, secret):
    return call("POST", base + "/oauth/token", 200, data={"grant_type": "client_credentials"},
                auth=(client_id, secret))["access_token"]


def template_camera(server, operator):
    """One camera registered, claimed and given device credentials, which reports one upload, all
    through the API; its id and the operator's headers."""
    base = server.base
    h = {"Authorization": f"Bearer {token_for(base, operator['clientId'], operator['clientSecret'])}"}
    org = call("POST", base + "/organisations", 201, headers=h, json={"name": "Upload bench"})["id"]
    site = call("POST", base + "/sites", 201, headers=h,
                json={"name": "Upload bench site", "timeZone": "UTC", "organisationId": org})["id"]
    camera_id, serial = str(uuid.uuid4()), "UPLOAD-0000000"
    request = call("POST", base + "/register-camera-requests", 202, headers=h,
                   json={"cameraId": camera_id, "serialNumber": serial})["id"]
    for _ in range(200):
        if call("GET", f"{base}/register-camera-requests/{request}", 200, headers=h)["status"] == "succeeded":
            break
        time.sleep(0.05)
    else:
        fail("the template camera's registration did not succeed")
    call("POST", base + "/cameras", 201, headers=h, json={"serialNumber": serial, "siteId": site})
    credentials = call("POST", f"{base}/cameras/{camera_id}/device-credentials", 201, headers=h)
    device = {"Authorization": f"Bearer {token_for(base, credentials['clientId'], credentials['clientSecret'])}"}
    call("POST", base + "/device/video-uploads", 201, headers=device,
         json={"bytes": REPORT_BYTES, "seconds": REPORT_SECONDS})
    return camera_id, h


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def check_template_rows(db, camera_id):
    """The server wrote one raw report and one bucket for the template's upload, as this script does."""
    raw = db.execute("SELECT uploaded_at, bytes, seconds FROM video_uploads WHERE camera_id = ?", (camera_id,)).fetchall()
    hours = db.execute("SELECT hour_start, bytes, seconds, reports FROM video_upload_hours WHERE camera_id = ?",
                       (camera_id,)).fetchall()
    if len(raw) != 1 or raw[0][1:] != (REPORT_BYTES, REPORT_SECONDS):
        fail(f"unexpected raw reports of the template: {raw}")
    if hours != [(hour_start(raw[0][0]), REPORT_BYTES, REPORT_SECONDS, 1)]:
        fail(f"unexpected hour buckets of the template: {hours} (raw {raw})")


def clone_cameras(db, template_id, count, claimed_at):
    """count cameras (the template included), each with its position, claimed at claimed_at; the
    template's own upload rows dropped. Their ids, the template's first."""
    db.execute("DELETE FROM video_uploads")
    db.execute("DELETE FROM video_upload_hours")
    db.execute("UPDATE cameras SET claimed_at = ?, last_video_at = NULL WHERE id = ?", (claimed_at, template_id))
    camera = dict(db.execute("SELECT * FROM cameras WHERE id = ?", (template_id,)).fetchone())
    position = dict(db.execute("SELECT * FROM camera_positions WHERE id = ?",
                               (camera["camera_position_id"],)).fetchone())
    camera_names, position_names = columns(db, "cameras"), columns(db, "camera_positions")
    ids, new_cameras, new_positions = [template_id], [], []
    for i in range(1, count):
        camera_id, position_id = str(uuid.uuid4()), str(uuid.uuid4())
        ids.append(camera_id)
        new_cameras.append([dict(camera, id=camera_id, serial_number=f"UPLOAD-{i:07d}",
                                 camera_position_id=position_id)[n] for n in camera_names])
        new_positions.append([dict(position, id=position_id, camera_id=camera_id)[n] for n in position_names])
    db.executemany(f"INSERT INTO cameras ({', '.join(camera_names)}) VALUES ({', '.join('?' * len(camera_names))})",
                   new_cameras)
    db.executemany(f"INSERT INTO camera_positions ({', '.join(position_names)})"
                   f" VALUES ({', '.join('?' * len(position_names))})", new_positions)
    return ids


def prune(db, sql, before):
    deleted = PRUNE_BATCH
    while deleted == PRUNE_BATCH:
        deleted = db.execute(sql, (before, PRUNE_BATCH)).rowcount


def measure(db, path):
    """Rows and bytes (dbstat: pages in use) of the two upload tables and their indexes, and the file."""
    tables = {"video_uploads": ("video_uploads", "video_uploads_by_camera", "video_uploads_by_time"),
              "video_upload_hours": ("video_upload_hours",)}
    sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    free = db.execute("PRAGMA freelist_count").fetchone()[0] * page_size
    out = {"file_bytes": os.path.getsize(path), "free_bytes": free}
    for table, objects in tables.items():
        out[table] = {"rows": db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0],
                      "bytes": sum(sizes.get(name, 0) for name in objects)}
    return out


def simulate(db, path, ids, start, days, interval, retention_days):
    """Writes every report of [start, start + days) and prunes as the server would; a measure per day."""
    per_day = []
    steps_per_day = DAY // interval
    last_prune = start
    for step in range(days * steps_per_day):
        base = start + step * interval
        reports = []
        for i, camera_id in enumerate(ids):
            t = base + (i * interval) // len(ids)  # the cameras' reports spread over the interval
            reports.append((camera_id, t, REPORT_BYTES, REPORT_SECONDS, hour_start(t)))
        db.execute("BEGIN")
        db.executemany(RAISE_LAST_VIDEO, [r[:2] for r in reports])
        db.executemany(UPLOAD_INSERT, [r[:4] for r in reports])
        db.executemany(UPLOAD_HOUR_ADD, reports)
        db.execute("COMMIT")
        now = base + interval
        if now - last_prune >= PRUNE_EVERY:
            db.execute("BEGIN")
            prune(db, REPORT_PRUNE, now - RAW_KEPT)
            prune(db, HOUR_PRUNE, hour_start(now - retention_days * DAY))
            db.execute("COMMIT")
            last_prune = now
        if (step + 1) % steps_per_day == 0:
            day = (step + 1) // steps_per_day
            figures = measure(db, path)
            per_day.append(figures)
            log(f"day {day}: raw reports {figures['video_uploads']['rows']:,} rows"
                f" {figures['video_uploads']['bytes'] / 2**20:,.1f} MiB; hour buckets"
                f" {figures['video_upload_hours']['rows']:,} rows {figures['video_upload_hours']['bytes'] / 2**20:,.1f}"
                f" MiB; file {figures['file_bytes'] / 2**20:,.1f} MiB (free {figures['free_bytes'] / 2**20:,.1f} MiB)")
    return per_day


def check_metrics(server, headers, camera_id, start, end, interval):
    """The server's answers for the template over the whole span (buckets, then raw reports) and over
    its default last 24 hours (raw reports) are the sums written."""
    base = f"{server.base}/cameras/{camera_id}/video-upload-metrics"
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start))
    whole = call("GET", base, 200, headers=headers, params={"from": iso})
    written = (end - start) // interval
    if whole != {"uploadSize": written * REPORT_BYTES, "uploadTime": written * REPORT_SECONDS}:
        fail(f"metrics over the span: {whole}, expected {written} reports")
    day_from = int(time.time()) + 1 - DAY
    last_day = call("GET", base, 200, headers=headers)
    recent = sum(1 for t in range(start, end, interval) if t >= day_from)
    if last_day["uploadSize"] not in (recent * REPORT_BYTES, (recent - 1) * REPORT_BYTES):  # the clock moved on
        fail(f"metrics over the last 24 hours: {last_day}, expected {recent} reports")
    log(f"GET video-upload-metrics over the span: {written} reports (hour buckets + raw), as written; "
        f"over the last 24 hours: {last_day['uploadSize'] // REPORT_BYTES} reports")


def summarise(per_day, cameras, days):
    fleet = 100_000 / cameras
    last, first = per_day[-1], per_day[0]
    raw_rows, raw_bytes = last["video_uploads"]["rows"], last["video_uploads"]["bytes"]
    hour_bytes = last["video_upload_hours"]["bytes"]
    summary = {
        "cameras": cameras, "days": days,
        "raw_bytes_per_report": round(raw_bytes / raw_rows, 1),
        "raw_bytes_per_camera_kept": round(raw_bytes / cameras),
        "bucket_bytes_per_camera_per_day": round(hour_bytes / cameras / days),
        "file_bytes_after_day": [d["file_bytes"] for d in per_day],
        "fleet_100k_file_bytes_after_day_1": round(first["file_bytes"] * fleet),
        "fleet_100k_raw_bytes_kept": round(raw_bytes * fleet),
        "fleet_100k_bucket_bytes_per_day": round(hour_bytes / days * fleet),
    }
    summary["fleet_100k_bucket_bytes_after_400_days"] = summary["fleet_100k_bucket_bytes_per_day"] * 400
    gib = 2**30
    log(f"per camera: {summary['raw_bytes_per_report']} bytes per raw report, "
        f"{summary['raw_bytes_per_camera_kept'] / 1024:,.0f} KiB of raw reports kept (48 h), "
        f"{summary['bucket_bytes_per_camera_per_day']:,} bytes of hour buckets per day")
    log(f"100,000 cameras: {summary['fleet_100k_file_bytes_after_day_1'] / gib:,.1f} GiB after one day; raw reports "
        f"level off at {summary['fleet_100k_raw_bytes_kept'] / gib:,.1f} GiB; buckets grow "
        f"{summary['fleet_100k_bucket_bytes_per_day'] / gib:,.2f} GiB a day, "
        f"{summary['fleet_100k_bucket_bytes_after_400_days'] / gib:,.0f} GiB at the 400-day retention")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=1000, help="cameras simulated (default 1000)")
    parser.add_argument("--days", type=int, default=3, help="simulated days (default 3: past the 48 h of raw reports)")
    parser.add_argument("--interval", type=int, default=60, help="seconds between a camera's reports (default 60)")
    parser.add_argument("--retention-days", type=int, default=400, help="bucket retention (default 400)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, server log)")
    args = parser.parse_args()
    if args.cameras < 1 or args.days < 1 or not 1 <= args.interval <= 3600 or DAY % args.interval:
        fail("--cameras and --days must be positive, --interval a divisor of 86400 up to 3600")
    binary = os.environ.get("CAMFLEET_BIN", str(ROOT / "build" / "camfleet"))
    workdir = Path(tempfile.mkdtemp(prefix="camfleet-uploads-"))
    path = workdir / "camfleet.db"
    database = f"sqlite:{path}"
    done = subprocess.run([binary, "admin", "create-client", "--database", database, "--create",
                           "--role", "operator", "--name", "upload bench"], capture_output=True, text=True, check=True)
    operator = json.loads(done.stdout)
    server = Server(binary, database, workdir)
    try:
        server.start()
        camera_id, headers = template_camera(server, operator)
        server.stop()

        end = hour_start(int(time.time()))
        start = end - args.days * DAY
        db = sqlite3.connect(path, isolation_level=None)
        check_template_rows(db, camera_id)
        db.row_factory = sqlite3.Row
        db.execute("BEGIN")
        ids = clone_cameras(db, camera_id, args.cameras, start - 60)
        db.execute("COMMIT")
        db.row_factory = None
        log(f"{args.cameras} cameras; writing {args.days} days of reports every {args.interval} s "
            f"({args.cameras * args.days * DAY // args.interval:,} reports)")
        began = time.monotonic()
        per_day = simulate(db, path, ids, start, args.days, args.interval, args.retention_days)
        db.close()
        log(f"written in {time.monotonic() - began:.0f} s")

        server.start()
        headers = {"Authorization": f"Bearer {token_for(server.base, operator['clientId'], operator['clientSecret'])}"}
        check_metrics(server, headers, camera_id, start, end, args.interval)
        server.stop()
        print(json.dumps({"per_day": per_day, "summary": summarise(per_day, args.cameras, args.days)}, indent=2))
    finally:
        server.stop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
