#!/usr/bin/python3
"""Frame-request latency for bench/device.sh: a device responder and two timed clients.

The cameras are the first --cameras lines of --devices ("<cameraId> <deviceToken>" lines, written
by bench/device_setup.py).

  respond  plays those cameras: each sends a heartbeat (so it is online), then one every 20 s, and
           runs its own loop of GET /device/commands?wait=30 long-polls that uploads the JPEG
           (POST /device/frames, Content-Type image/jpeg) whenever a capture-frame command comes.
  fresh    the first camera uploads the JPEG, then COUNT sequential POST /frame-requests for it are
           timed; the stored frame is fresh, so each is answered from it at once (the JPEG is
           uploaded again, untimed, whenever a second has passed, so it never ages past a
           --frame-max-age of 2 or more).
  capture  COUNT sequential POST /frame-requests, in turn for each camera, each sent once that
           camera's latest frame has aged past the server's --frame-max-age 0 (frame times are
           whole seconds: a request waits for the second after its camera's previous frame), so
           each one makes the server ask the camera through its long-poll and wait for the upload
           of the responder above. More cameras mean less waiting for the clock, not other figures.

fresh and capture check every answer (200, the JPEG itself, a frame of the right age) and print one
line on stdout: "count ok failed p50_ms p99_ms requests_per_s" (percentiles by nearest rank over
the requests answered 200; requests_per_s = count / time spent in requests).
"""

import argparse
import base64
import datetime
import math
import os
import sys
import threading
import time
from pathlib import Path

import requests

# Fallback frame (a 32x24 baseline JPEG, the one of tests/api/data/frame.jpg) for a tree without it.
FALLBACK_JPEG_B64 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIs"
    "IxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy"
    "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAYACADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDyuDTeny1pwab0+WtuDTeny1qQab0+Wvaq43zOTL8x21MODTen"
    "y1pwab0+WtyDTeny1pwab0+WvMq43zPucvzHbUqQab0+WtSDTeny0UV5VWrI/FMvrz01NODTeny1pwab0+WiivMr"
    "VZH3OX156an/2Q=="
)
HEARTBEAT = {"encodedFramesProportion": 0.97, "networkTransmitRate": 2500000,
             "videoBacklog": 0, "videoUploadLatency": 0.4}
HEARTBEAT_EVERY = 20.0
TIMEOUT = 40.0


def die(message):
    print(f"device_frames: {message}", file=sys.stderr)
    sys.exit(1)


def load_jpeg(path):
    if path:
        return Path(path).read_bytes()
    return base64.b64decode(FALLBACK_JPEG_B64)


def bearer(token):
    return {"Authorization": "Bearer " + token}


def epoch_seconds(rfc3339):
    text = rfc3339.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def upload(device, base, jpeg):
    """POST /device/frames; the frame's timestamp (epoch seconds)."""
    r = device.post(base + "/device/frames", data=jpeg, timeout=TIMEOUT,
                    headers={"Content-Type": "image/jpeg"})
    if r.status_code != 201:
        die(f"POST /device/frames: {r.status_code} {r.text[:300]}")
    return epoch_seconds(r.json()["timestamp"])


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class Timer:
    """Times sequential frame requests and checks their answers."""

    def __init__(self, base, token, jpeg):
        self.url = base + "/frame-requests"
        self.jpeg = jpeg
        self.session = requests.Session()
        self.session.headers.update(bearer(token))
        self.latencies = []
        self.failed = 0
        self.spent = 0.0

    def request(self, camera, check):
        """One timed POST /frame-requests for camera; check(timestamp) says whether its frame is
        the one expected. Returns the frame's timestamp (epoch seconds) or None."""
        body = {"cameraId": camera}
        started = time.perf_counter()
        r = self.session.post(self.url, json=body, timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        self.spent += elapsed
        problem = None
        timestamp = None
        if r.status_code != 200:
            problem = f"HTTP {r.status_code} {r.text[:200]}"
        else:
            body = r.json()
            timestamp = epoch_seconds(body["timestamp"])
            if base64.b64decode(body["image"]) != self.jpeg:
                problem = "the image is not the uploaded JPEG"
            elif not check(timestamp):
                problem = f"unexpected frame time {body['timestamp']}"
        if problem:
            self.failed += 1
            print(f"device_frames: POST /frame-requests {camera}: {problem}", file=sys.stderr)
            return None
        self.latencies.append(elapsed * 1000)
        return timestamp

    def report(self, count):
        values = sorted(self.latencies)
        rate = count / self.spent if self.spent > 0 else 0.0
        print(f"{count} {len(values)} {self.failed} {percentile(values, 50):.3f} "
              f"{percentile(values, 99):.3f} {rate:.1f}")


def fresh(args):
    jpeg = load_jpeg(args.jpeg)
    camera, device_token = args.devices[0]
    device = requests.Session()
    device.headers.update(bearer(device_token))
    timer = Timer(args.url, args.token, jpeg)
    uploaded_at = None  # local monotonic time of the last upload
    frame_time = None   # its timestamp, as the server wrote it
    for _ in range(args.count):
        if uploaded_at is None or time.monotonic() - uploaded_at >= 1.0:
            frame_time = upload(device, args.url, jpeg)
            uploaded_at = time.monotonic()
        timer.request(camera, lambda timestamp, expected=frame_time: timestamp == expected)
    timer.report(args.count)


def capture(args):
    jpeg = load_jpeg(args.jpeg)
    timer = Timer(args.url, args.token, jpeg)
    cameras = [camera for camera, _ in args.devices]
    latest = dict.fromkeys(cameras, time.time())  # no stored frame can be newer than now
    for i in range(args.count):
        camera = cameras[i % len(cameras)]
        # The camera's stored frame (whole seconds) is stale for --frame-max-age 0 once the clock
        # is in a later second; 50 ms of margin.
        wait = math.floor(latest[camera]) + 1.05 - time.time()
        if wait > 0:
            time.sleep(wait)
        sent = time.time()
        # A captured frame arrived after the request was sent: its second is not before `sent`'s.
        timestamp = timer.request(camera, lambda t, sent=sent: t >= math.floor(sent))
        latest[camera] = max(latest[camera], timestamp if timestamp is not None else time.time())
    timer.report(args.count)


def respond(args):
    jpeg = load_jpeg(args.jpeg)
    base = args.url

    def device_session(device_token):
        s = requests.Session()
        s.headers.update(bearer(device_token))
        return s

    def heartbeat(session):
        r = session.post(base + "/device/heartbeat", json=HEARTBEAT, timeout=TIMEOUT)
        if r.status_code != 200:
            die(f"POST /device/heartbeat: {r.status_code} {r.text[:300]}")

    beats = [device_session(device_token) for _, device_token in args.devices]
    for session in beats:
        heartbeat(session)

    def keep_beating():
        try:
            while True:
                time.sleep(HEARTBEAT_EVERY)
                for session in beats:
                    heartbeat(session)
        except (requests.RequestException, SystemExit) as e:
            print(f"device_frames: heartbeats stopped: {e}", file=sys.stderr)
            os._exit(1)  # a thread's exit would not end the process

    captures = [0]
    lock = threading.Lock()

    def answer(camera, device_token):
        polls = device_session(device_token)
        try:
            while True:
                r = polls.get(base + "/device/commands", params={"wait": args.wait},
                              timeout=args.wait + 15)
                if r.status_code != 200:
                    die(f"GET /device/commands ({camera}): {r.status_code} {r.text[:300]}")
                for command in r.json()["commands"]:
                    if command.get("type") == "capture-frame":
                        upload(polls, base, jpeg)
                        with lock:
                            captures[0] += 1
                            count = captures[0]
                        print(f"device_frames: capture {count} ({camera}, command {command.get('id')})",
                              file=sys.stderr)
        except (requests.RequestException, SystemExit) as e:
            print(f"device_frames: responder for {camera} stopped: {e}", file=sys.stderr)
            os._exit(1)  # a thread's exit would not end the process

    threads = [threading.Thread(target=keep_beating, daemon=True)]
    threads += [threading.Thread(target=answer, args=device, daemon=True) for device in args.devices]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # for the long-polls to reach the server
    if args.ready:
        Path(args.ready).touch()
    for thread in threads:
        thread.join()


def read_devices(path, count):
    devices = []
    with open(path, encoding="ascii") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 2:
                devices.append((fields[0], fields[1]))
            if len(devices) == count:
                break
    if len(devices) < count:
        die(f"{path} has {len(devices)} cameras, {count} wanted")
    return devices


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("respond", "fresh", "capture"))
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--devices", required=True, help="'<cameraId> <deviceToken>' lines")
    parser.add_argument("--cameras", type=int, default=1,
                        help="cameras used: the first ones of --devices (respond, capture)")
    parser.add_argument("--token", default=os.environ.get("BENCH_TOKEN"),
                        help="operator access token, for fresh and capture (default: $BENCH_TOKEN)")
    parser.add_argument("--jpeg", help="JPEG file to upload (default: a built-in 32x24 JPEG)")
    parser.add_argument("--count", type=int, default=200, help="timed frame requests")
    parser.add_argument("--wait", type=int, default=30, help="long-poll wait, seconds (respond)")
    parser.add_argument("--ready", help="file the responder creates once the camera is online")
    args = parser.parse_args()
    args.url = args.url.rstrip("/")
    if args.mode in ("fresh", "capture") and not args.token:
        parser.error("no operator token: give --token or set BENCH_TOKEN")
    if args.count < 1 or args.cameras < 1:
        parser.error("--count and --cameras must be at least 1")
    args.devices = read_devices(args.devices, 1 if args.mode == "fresh" else args.cameras)
    try:
        {"respond": respond, "fresh": fresh, "capture": capture}[args.mode](args)
    except requests.RequestException as e:
        die(f"HTTP error: {e}")


if __name__ == "__main__":
    main()
