#!/usr/bin/python3
"""Issue device credentials for seeded cameras and get each camera's first token, for
bench/fleet_tokens.sh.

Reads the "<cameraId> <serialNumber>" lines bench/seed.py wrote. For each camera, on a thread pool
(one keep-alive requests.Session per thread, as in seed.py): POST /cameras/{id}/device-credentials
with the operator token (-> clientSecret, shown once), then POST /oauth/token client_credentials
with client id = camera id, which must answer 200. Writes "<cameraId> <clientSecret>" lines, in
the order of the input, to the output file: the existing credentials the token benchmark uses.
"""

import concurrent.futures

from seed import arguments, fail, run_all, run_main, session


def setup_arguments(parser):
    parser.add_argument("--cameras", required=True, help="'<cameraId> <serialNumber>' lines")
    parser.add_argument("--out", required=True, help="file for '<cameraId> <clientSecret>' lines")


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
        secret = r.json()["clientSecret"]
        # The session carries the operator's bearer token: drop it for the token request.
        r = session(token).post(base + "/oauth/token", timeout=60, headers={"Authorization": None},
                                data={"grant_type": "client_credentials", "client_id": camera_id,
                                      "client_secret": secret})
        if r.status_code != 200:
            fail(f"POST /oauth/token for camera {camera_id}: {r.status_code} {r.text[:300]}")
        return secret

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        secrets = run_all(pool, credentials, camera_ids, "device credentials + first tokens")
    with open(args.out, "w", encoding="ascii") as f:
        for camera_id, secret in zip(camera_ids, secrets):
            f.write(f"{camera_id} {secret}\n")


if __name__ == "__main__":
    run_main("fleet tokens setup", setup)
