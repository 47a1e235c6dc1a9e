"""A claim starts a clean record (issue 10, defect 3): after organisation B decommissions a camera
and organisation A claims it, A sees nothing of B's time with it — no lastSeenAt, lastVideoAt,
online status or metrics (null/0/offline until the camera's next heartbeat), no upload metrics
and no frame B's camera took."""

from conftest import Tenant, expect
from test_device_link import METRICS, device_for, frame_request

NEVER_SEEN = {"lastSeenAt": None, "lastVideoAt": None, "isOnline": False,
              "encodedFramesProportion": 0, "networkTransmitRate": 0, "videoBacklog": 0,
              "videoUploadLatency": 0}


def status_of(camera):
    return {key: camera[key] for key in NEVER_SEEN}


def test_a_reclaimed_camera_shows_none_of_the_previous_owners_data(api):
    previous, current = Tenant(api), Tenant(api)
    camera = previous.camera()
    device = device_for(api, camera["id"], previous.admin_token)
    expect(device.heartbeat(), 200)
    expect(device.video_upload(bytes=5000, seconds=50), 201)
    expect(device.upload_frame(), 201)
    seen = expect(api.get(f"/cameras/{camera['id']}", previous.admin_token), 200)
    assert seen["isOnline"] is True and seen["lastVideoAt"] is not None
    assert seen["encodedFramesProportion"] == METRICS["encodedFramesProportion"]
    expect(api.delete(f"/cameras/{camera['id']}", previous.admin_token), 204)

    claimed = expect(api.post("/cameras", current.admin_token,
                              json={"serialNumber": camera["serialNumber"], "siteId": current.site_id}), 201)
    assert claimed["id"] == camera["id"]
    assert status_of(claimed) == NEVER_SEEN
    for token in (current.admin_token, api.operator_token):
        assert status_of(expect(api.get(f"/cameras/{camera['id']}", token), 200)) == NEVER_SEEN
    listed = [c for c in expect(api.get("/cameras", current.admin_token), 200) if c["id"] == camera["id"]]
    assert [status_of(c) for c in listed] == [NEVER_SEEN]
    assert expect(api.get(f"/cameras/{camera['id']}/video-upload-metrics", current.admin_token), 200) == \
        {"uploadSize": 0, "uploadTime": 0}
    # B's frame is gone: the camera is offline for A, so no frame can be had
    answer = frame_request(api.base, current.admin_token, camera["id"])
    assert answer.status_code == 404, answer.text

    # the new installation's own data shows up from its first heartbeat on
    new_device = device_for(api, camera["id"], current.admin_token)
    expect(new_device.heartbeat(), 200)
    expect(new_device.video_upload(bytes=700, seconds=7), 201)
    fresh = expect(api.get(f"/cameras/{camera['id']}", current.admin_token), 200)
    assert fresh["isOnline"] is True and fresh["lastSeenAt"] is not None
    assert expect(api.get(f"/cameras/{camera['id']}/video-upload-metrics", current.admin_token), 200) == \
        {"uploadSize": 700, "uploadTime": 7}
