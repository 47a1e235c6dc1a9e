#!/usr/bin/python3
"""Give every seeded camera its device credentials and a device token, for bench/device.sh.

Reads the "<cameraId> <serialNumber>" lines bench/seed.py wrote. For each camera, on a thread pool
(one keep-alive requests.Session per thread, as in seed.py): POST /cameras/{id}/device-credentials
with the operator token (-> clientSecret, shown once), then POST /oauth/token client_credentials
with client id = camera id (-> the device token). Both were an argon2id computation on the server
until device secrets got keyed hashes (README "Security model"); now each is microseconds. Writes
"<cameraId> <deviceToken>" lines, in the order of the input, to the output file.
"""

import concurrent.futures

from seed import arguments, fail, run_all, run_main, session


def main():
    run_main("device setup", setup)


def setup_arguments(parser):
    parser.add_argument("--cameras", required=True, help="'<cameraId> <serialNumber>' lines")
    parser.add_argument("--out", required=True, help="file for '<cameraId> <deviceToken>' lines")


def setup():
    args = arguments(__doc__, setup_arguments)

    with open(args.cameras, encoding="ascii") as f:
        camera_ids = [line.split()[0] for line in f if line.strip()]
    if not camera_ids:
        fail(f"no cameras in {args.cameras}")
    base = args.url.rstrip("/")
    token = args.token

    def credentials(camera_id):
        r = session(token).post(f"{base}/cameras/{camera_id}/device-credentials", timeout=60)
        if r.status_code != 201:
            fail(f"POST /cameras/{camera_id}/device-credentials: {r.status_code} {r.text[:300]}")
        body = r.json()
        if body.get("clientId") != camera_id or not body.get("clientSecret"):
            fail(f"POST /cameras/{camera_id}/device-credentials: unexpected answer {body}")
        # The session carries the operator's bearer token: drop it for the token request (the
        # camera authenticates with its own client id and secret, as form fields).
        r = session(token).post(base + "/oauth/token", timeout=60,
                                headers={"Authorization": None},
                                data={"grant_type": "client_credentials", "client_id": camera_id,
                                      "client_secret": body["clientSecret"]})
        if r.status_code != 200:
            fail(f"POST /oauth/token for camera {camera_id}: {r.status_code} {r.text[:300]}")
        return r.json()["access_token"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        tokens = run_all(pool, credentials, camera_ids, "device credentials + device tokens")

    with open(args.out, "w", encoding="ascii") as f:
        for camera_id, device_token in zip(camera_ids, tokens):
            f.write(f"{camera_id} {device_token}\n")


if __name__ == "__main__":
    main()
