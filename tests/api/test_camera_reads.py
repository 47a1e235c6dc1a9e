"""Per-camera reads: opening hours, video upload metrics and live frame requests."""
import pytest

from conftest import assert_error, expect, new_id, register_camera

UPLOAD_KEYS = {"uploadSize", "uploadTime"}


# --- GET /cameras/{id}/opening-hours --------------------------------------------------------------

def test_opening_hours_without_schedule_is_empty(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}/opening-hours?date=2024-03-10",
                          tenant.admin_token), 200) == []


def test_opening_hours_for_a_leap_day_is_empty(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}/opening-hours?date=2024-02-29",
                          tenant.admin_token), 200) == []


def test_opening_hours_without_date_is_empty_too(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}/opening-hours", tenant.admin_token),
                  200) == []


def test_viewer_reads_opening_hours_of_a_granted_camera(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}/opening-hours?date=2024-12-25",
                          tenant.viewer_token), 200) == []


@pytest.mark.parametrize("date", ["2024-13-01", "2024-02-30", "2023-02-29", "yesterday",
                                  "2024-3-1", "20240301", "2024-03-01T00:00:00Z", " 2024-03-01",
                                  ""])
def test_opening_hours_with_malformed_date_is_422(api, tenant, date):
    camera = tenant.camera()
    assert_error(api.get(f"/cameras/{camera['id']}/opening-hours", tenant.admin_token,
                         params={"date": date}), 422)


def test_opening_hours_of_unknown_camera_is_404(api):
    assert_error(api.get(f"/cameras/{new_id()}/opening-hours?date=2024-03-10",
                         api.operator_token), 404)


def test_opening_hours_with_malformed_camera_id_is_422(api):
    assert_error(api.get("/cameras/bad-id/opening-hours?date=2024-03-10", api.operator_token),
                 422)


# --- GET /cameras/{id}/video-upload-metrics -------------------------------------------------------

def test_video_upload_metrics_of_a_camera_that_never_uploaded_are_zero(api, tenant):
    camera = tenant.camera()
    body = expect(api.get(f"/cameras/{camera['id']}/video-upload-metrics", tenant.admin_token),
                  200)
    assert set(body) == UPLOAD_KEYS
    assert body["uploadSize"] == 0 and isinstance(body["uploadSize"], int)
    assert body["uploadTime"] == 0 and not isinstance(body["uploadTime"], bool)


def test_video_upload_metrics_over_an_explicit_window_are_zero(api, tenant):
    camera = tenant.camera()
    body = expect(api.get(f"/cameras/{camera['id']}/video-upload-metrics", tenant.viewer_token,
                          params={"from": "2024-01-01T00:00:00Z",
                                  "to": "2024-01-02T00:00:00Z"}), 200)
    assert body == {"uploadSize": 0, "uploadTime": 0}


@pytest.mark.parametrize("params", [
    {"from": "not-a-time"},
    {"to": "2024-13-01T00:00:00Z"},
    {"from": "2024-01-01"},
    {"from": "2024-01-01T00:00:00Z", "to": "tomorrow"},
    {"from": ""},
    {"from": "2024-01-01T00:00:00"},
    {"from": "2024-02-30T00:00:00Z"},
    {"to": "2024-01-01T25:00:00Z"},
    {"from": "2024-02-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
])
def test_video_upload_metrics_with_bad_window_is_422(api, tenant, params):
    camera = tenant.camera()
    assert_error(api.get(f"/cameras/{camera['id']}/video-upload-metrics", tenant.admin_token,
                         params=params), 422)


def test_video_upload_metrics_of_unknown_camera_is_404(api):
    assert_error(api.get(f"/cameras/{new_id()}/video-upload-metrics", api.operator_token), 404)


def test_video_upload_metrics_with_malformed_camera_id_is_422(api):
    assert_error(api.get("/cameras/zzz/video-upload-metrics", api.operator_token), 422)


# --- POST /frame-requests -------------------------------------------------------------------------

def test_frame_request_without_a_frame_is_404_no_image_available(api, tenant):
    camera = tenant.camera()
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, "No image available: camera")  # why: test_frame_request_reasons.py


def test_viewer_frame_request_without_a_frame_is_404_no_image_available(api, tenant):
    camera = tenant.camera()
    resp = api.post("/frame-requests", tenant.viewer_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, "No image available: camera")  # why: test_frame_request_reasons.py


def test_frame_request_for_paused_camera_is_409(api, tenant):
    camera = tenant.camera()
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    assert_error(api.post("/frame-requests", tenant.admin_token,
                          json={"cameraId": camera["id"]}), 409)


def test_frame_request_for_decommissioned_camera_is_409(api, tenant):
    camera = tenant.camera()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    assert_error(api.post("/frame-requests", tenant.admin_token,
                          json={"cameraId": camera["id"]}), 409)


def test_frame_request_for_registered_camera_is_409(api):
    camera = register_camera(api)
    assert_error(api.post("/frame-requests", api.operator_token,
                          json={"cameraId": camera["id"]}), 409)


def test_frame_request_for_unknown_camera_is_404(api):
    assert_error(api.post("/frame-requests", api.operator_token, json={"cameraId": new_id()}),
                 404)


@pytest.mark.parametrize("body", [{}, {"cameraId": "not-a-uuid"}, {"cameraId": 3},
                                  {"cameraId": None}])
def test_frame_request_with_invalid_body_is_400(api, body):
    assert_error(api.post("/frame-requests", api.operator_token, json=body), 400)


def test_frame_request_without_token_is_401(api):
    assert_error(api.post("/frame-requests", json={"cameraId": new_id()}), 401)
