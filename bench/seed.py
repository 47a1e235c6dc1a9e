#!/usr/bin/python3
"""Seed camfleet with N cameras through its HTTP API, for bench/run.sh.

Registers N cameras (POST /register-camera-requests, 202), waits until the async worker has
carried out the last request, then claims each one to a site (POST /cameras; a camera not yet
registered then makes its claim wait for its own request, and a failed request stops the seed). A thread pool with one
requests.Session per thread keeps connections alive. Writes "<cameraId> <serialNumber>" lines,
in seeding order, to the output file.
"""

import argparse
import concurrent.futures
import os
import sys
import threading
import time
import uuid

import requests

_local = threading.local()


def session(token):
    """The calling thread's own keep-alive session."""
    s = getattr(_local, "session", None)
    if s is None:
        s = requests.Session()
        s.headers["Authorization"] = "Bearer " + token
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        s.mount("http://", adapter)
        _local.session = s
    return s


class SeedError(Exception):
    """A request got an answer the seeding cannot go on from."""


def fail(message):
    raise SeedError(message)


def run_all(pool, fn, items, what):
    """Run fn over items on the pool; return results in item order, stop at the first error."""
    started = time.monotonic()
    futures = [pool.submit(fn, item) for item in items]
    try:
        results = [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    elapsed = time.monotonic() - started
    rate = len(items) / elapsed if elapsed > 0 else float("inf")
    print(f"seed: {what}: {len(items)} in {elapsed:.1f} s ({rate:.0f}/s)", file=sys.stderr)
    return results


def run_main(name, body):
    """Run body(); a SeedError or an HTTP error is printed as 'name: ...' and exits 1."""
    try:
        body()
    except SeedError as e:
        print(f"{name}: {e}", file=sys.stderr)
        sys.exit(1)
    except requests.RequestException as e:
        print(f"{name}: HTTP error: {e}", file=sys.stderr)
        sys.exit(1)


def arguments(description, add_own):
    """Parse --url, --token (default $BENCH_TOKEN, required), --threads and what add_own(parser)
    adds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", default=os.environ.get("BENCH_TOKEN"),
                        help="operator access token (default: $BENCH_TOKEN)")
    parser.add_argument("--threads", type=int, default=16)
    add_own(parser)
    args = parser.parse_args()
    if not args.token:
        parser.error("no token: give --token or set BENCH_TOKEN")
    return args


def main():
    run_main("seed", seed)


def seed_arguments(parser):
    parser.add_argument("--site", required=True, help="site id to claim the cameras to")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--poll-timeout", type=float, default=120.0,
                        help="seconds to wait for the register requests to finish")
    parser.add_argument("--out", required=True, help="file for '<cameraId> <serialNumber>' lines")


def seed():
    args = arguments(__doc__, seed_arguments)

    run_id = uuid.uuid4().hex[:8]
    cameras = [(str(uuid.uuid4()), f"BENCH-{run_id}-{i:06d}") for i in range(args.count)]
    base = args.url.rstrip("/")
    token = args.token

    def register(camera):
        camera_id, serial = camera
        r = session(token).post(base + "/register-camera-requests",
                                json={"cameraId": camera_id, "serialNumber": serial}, timeout=30)
        if r.status_code != 202:
            fail(f"POST /register-camera-requests {serial}: {r.status_code} {r.text[:300]}")
        return r.json()["id"]

    deadline = [0.0]

    def wait_done(request_id):
        while True:
            r = session(token).get(base + "/register-camera-requests/" + request_id, timeout=30)
            if r.status_code != 200:
                fail(f"GET /register-camera-requests/{request_id}: {r.status_code} {r.text[:300]}")
            body = r.json()
            status = body.get("status")
            if status == "succeeded":
                return
            if status == "failed":
                fail(f"register request {request_id} failed: {body.get('msg')}")
            if time.monotonic() > deadline[0]:
                fail(f"register request {request_id} still '{status}' after {args.poll_timeout} s")
            time.sleep(0.05)

    def claim(item):
        (camera_id, serial), request_id = item
        for attempt in (1, 2):
            r = session(token).post(base + "/cameras",
                                    json={"serialNumber": serial, "siteId": args.site,
                                          "name": "bench " + serial}, timeout=30)
            if r.status_code == 404 and attempt == 1:
                # Not registered yet (the worker may not go strictly in order): wait for its
                # request to finish (failing loudly if it failed), then try once more.
                wait_done(request_id)
                continue
            break
        if r.status_code != 201:
            fail(f"POST /cameras {serial}: {r.status_code} {r.text[:300]}")
        got = r.json().get("id")
        if got != camera_id:
            fail(f"POST /cameras {serial}: id {got}, expected {camera_id}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        request_ids = run_all(pool, register, cameras, "register requests accepted")
        # The worker works through its queue: once the last request is done, the others should
        # be too; a claim that finds its camera not registered yet waits for its own request.
        deadline[0] = time.monotonic() + args.poll_timeout
        started = time.monotonic()
        wait_done(request_ids[-1])
        print(f"seed: last register request done {time.monotonic() - started:.1f} s after the "
              "last 202", file=sys.stderr)
        run_all(pool, claim, list(zip(cameras, request_ids)), "cameras claimed")

    with open(args.out, "w", encoding="ascii") as f:
        for camera_id, serial in cameras:
            f.write(f"{camera_id} {serial}\n")


if __name__ == "__main__":
    main()
