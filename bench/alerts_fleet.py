#!/usr/bin/python3
"""Shape a large fleet straight in camfleet's SQLite file, for bench/alerts.sh (the server stopped).

  clone    copies the template camera (one registered, claimed and heartbeated through the API)
           into --count running cameras spread over --sites sites (the template's site copied),
           each with its camera position, in one transaction: 100,000 in seconds, where the API
           would take many minutes;
  schedule sets when each camera was last seen: every one in the last --spread seconds (fresh,
           nothing due), and with --offline K, K of them (one site after another) silent for so
           long that their offline alert falls due at a moment of [--due-from, --due-to].

Every column of the template is copied as it is, so columns this script does not know (what the
alert evaluator keeps) start as the template's. The heartbeat-derived instants are moved with
last_seen_at: alert_at_ms, when the table has it (see bench/README.md).
"""

import argparse
import random
import sqlite3
import sys
import time
import uuid

# Columns holding an instant that follows the camera's last heartbeat, in milliseconds. Moved by
# as much as last_seen_at is moved (or, for an offline camera, set to its alert's due moment).
HEARTBEAT_INSTANTS_MS = ("alert_at_ms",)


def fail(message):
    print(f"alerts_fleet.py: {message}", file=sys.stderr)
    sys.exit(1)


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def one_row(db, sql, args):
    cursor = db.execute(sql, args)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        fail(f"nothing for {sql} {args}")
    return dict(zip(names, row))


def insert_many(db, table, names, rows):
    placeholders = ", ".join("?" for _ in names)
    db.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})", rows)


def clone(db, args):
    camera = one_row(db, "SELECT * FROM cameras WHERE id = ?", (args.template,))
    if camera["state"] != "running" or camera["site_id"] is None or camera["last_seen_at"] is None:
        fail("the template camera must be running, claimed and heartbeated")
    site = one_row(db, "SELECT * FROM sites WHERE id = ?", (camera["site_id"],))
    position = one_row(db, "SELECT * FROM camera_positions WHERE id = ?", (camera["camera_position_id"],))

    site_names = columns(db, "sites")
    site_ids = [site["id"]]
    new_sites = []
    for i in range(1, args.sites):
        row = dict(site, id=str(uuid.uuid4()), name=f"Alert bench site {i + 1}")
        site_ids.append(row["id"])
        new_sites.append([row[n] for n in site_names])
    insert_many(db, "sites", site_names, new_sites)

    camera_names, position_names = columns(db, "cameras"), columns(db, "camera_positions")
    new_cameras, new_positions = [], []
    for i in range(1, args.count):
        camera_id, position_id = str(uuid.uuid4()), str(uuid.uuid4())
        site_id = site_ids[i % len(site_ids)]
        new_cameras.append([dict(camera, id=camera_id, serial_number=f"ALERT-{i:07d}", site_id=site_id,
                                 camera_position_id=position_id, name=f"Alert bench camera {i + 1}")[n]
                            for n in camera_names])
        new_positions.append([dict(position, id=position_id, camera_id=camera_id, site_id=site_id)[n]
                              for n in position_names])
    insert_many(db, "cameras", camera_names, new_cameras)
    insert_many(db, "camera_positions", position_names, new_positions)


def schedule(db, args):
    camera_names = columns(db, "cameras")
    instants = [c for c in HEARTBEAT_INSTANTS_MS if c in camera_names]
    template = one_row(db, "SELECT * FROM cameras WHERE id = ?", (args.template,))
    seen = template["last_seen_at"]
    if seen is None:
        fail("the template camera was never seen")
    unit = 1000 if seen > 10**11 else 1  # last_seen_at in milliseconds or in seconds
    offsets = {c: template[c] - seen * (1000 // unit) for c in instants if template[c] is not None}

    now = time.time()
    rng = random.Random(12)
    # clone spread the cameras over the sites in turn, so the first K in insertion order are on K
    # different sites (with K up to the site count): no site goes down whole (that is site.offline).
    ids = [row[0] for row in db.execute("SELECT id FROM cameras WHERE state = 'running' ORDER BY rowid")]
    offline = set(ids[:args.offline])
    updates = []
    for camera_id in ids:
        values = {}
        if camera_id in offline:
            due = rng.uniform(args.due_from, args.due_to)
            seen_at = due - args.online_window - args.offline_alert_after
            for c in instants:
                values[c] = int(due * 1000)
        else:
            seen_at = now - rng.uniform(0, args.spread)
            for c, offset in offsets.items():
                values[c] = int(seen_at * 1000) + offset
        values["last_seen_at"] = int(seen_at * unit)
        values["reported_offline"] = 0
        updates.append(values)
    names = ["last_seen_at", "reported_offline"] + instants
    db.executemany(f"UPDATE cameras SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                   [[u.get(n) for n in names] + [camera_id] for u, camera_id in zip(updates, ids)])
    print(f"{len(ids)} running cameras, {len(offline)} offline; instants moved: {', '.join(instants) or 'none'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("clone", "schedule"))
    parser.add_argument("--database", required=True, help="the SQLite file")
    parser.add_argument("--template", required=True, help="id of the heartbeated template camera")
    parser.add_argument("--count", type=int, default=100000, help="clone: cameras in all, the template included")
    parser.add_argument("--sites", type=int, default=1000, help="clone: sites in all, the template's included")
    parser.add_argument("--spread", type=float, default=30, help="schedule: fresh cameras were seen this "
                        "many seconds ago at most (a heartbeat interval)")
    parser.add_argument("--offline", type=int, default=0, help="schedule: cameras offline, alerts due")
    parser.add_argument("--due-from", type=float, help="schedule: Unix seconds")
    parser.add_argument("--due-to", type=float, help="schedule: Unix seconds")
    parser.add_argument("--online-window", type=float, default=90)
    parser.add_argument("--offline-alert-after", type=float, default=300)
    args = parser.parse_args()
    if args.command == "schedule" and args.offline and (args.due_from is None or args.due_to is None):
        fail("--offline needs --due-from and --due-to")
    db = sqlite3.connect(args.database, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    (clone if args.command == "clone" else schedule)(db, args)
    db.execute("COMMIT")
    db.close()


if __name__ == "__main__":
    main()
