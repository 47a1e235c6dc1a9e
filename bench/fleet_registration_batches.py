#!/usr/bin/python3
"""Posts N cameras to POST /register-camera-batches in batches of up to 1,000 (a few batches in
flight at once), then polls GET /register-camera-batches/{id} until every batch is final. Prints
one line: "<cameras> <batches> <seconds from the first POST to the last batch final> <succeeded>
<failed>". For bench/fleet_registration.sh."""
import argparse
import concurrent.futures
import sys
import threading
import time
import uuid

import requests

_local = threading.local()


def session(token):
    s = getattr(_local, "session", None)
    if s is None:
        s = requests.Session()
        s.headers["Authorization"] = "Bearer " + token
        _local.session = s
    return s


def post_batch(base, token, items):
    resp = session(token).post(base + "/register-camera-batches", json={"cameras": items}, timeout=60)
    if resp.status_code != 202:
        raise SystemExit(f"POST /register-camera-batches: HTTP {resp.status_code} {resp.text[:300]}")
    return resp.json()["id"]


def wait_batch(base, token, batch_id, deadline):
    delay = 0.05
    while time.monotonic() < deadline:
        body = session(token).get(f"{base}/register-camera-batches/{batch_id}", timeout=60).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    raise SystemExit(f"batch {batch_id} not final in time")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--cameras", type=int, default=100000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=4, help="batches posted at once")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]
    batches = []
    for start in range(0, args.cameras, args.batch_size):
        count = min(args.batch_size, args.cameras - start)
        batches.append([{"cameraId": str(uuid.uuid4()), "serialNumber": f"B-{tag}-{start + i}"}
                        for i in range(count)])
    started = time.monotonic()
    deadline = started + args.timeout
    with concurrent.futures.ThreadPoolExecutor(args.in_flight) as pool:
        ids = list(pool.map(lambda items: post_batch(args.url, args.token, items), batches))
        posted = time.monotonic() - started
        finals = list(pool.map(lambda batch_id: wait_batch(args.url, args.token, batch_id, deadline), ids))
    elapsed = time.monotonic() - started
    succeeded = sum(body["succeeded"] for body in finals)
    failed = sum(body["failed"] for body in finals)
    print(f"batches: {args.cameras} cameras posted in {posted:.1f} s, all final in {elapsed:.1f} s",
          file=sys.stderr)
    print(f"{args.cameras} {len(batches)} {elapsed:.2f} {succeeded} {failed}")


if __name__ == "__main__":
    main()
