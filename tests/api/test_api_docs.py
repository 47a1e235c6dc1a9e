"""docs/API.md explains itself: it lists the Cameras API's operations (each in the served OpenAPI
document), its glossary explains the names that surprise people, what the glossary says is what
the server does, and no document points to a seed folder that is not in the repository."""
import re

from conftest import REPO, assert_error, expect, wait_request

API_MD = REPO / "docs" / "API.md"


def section(markdown, heading):
    """The text of the `## heading` section, up to the next `## `."""
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:end if end != -1 else len(markdown)]


def test_the_glossary_explains_the_names_that_surprise():
    glossary = section(API_MD.read_text(encoding="utf-8"), "Glossary")
    for term in ("`claimed`", "`claimed_paused`", "`running`", "`paused`", "`msg`", "`message`",
                 "201 on `PUT .../state/{newState}`", "`clientId`", "`{open, close}`",
                 "`DELETE /cameras/{cameraId}`", "decommissioned"):
        assert term in glossary, f"the glossary does not explain {term}"


def test_every_cameras_api_operation_listed_is_in_the_served_document(api):
    listed = section(API_MD.read_text(encoding="utf-8"), "The Cameras API")
    operations = re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^ ?`]*)", listed, re.M)
    assert len(operations) >= 14, operations
    document = expect(api.get("/openapi.json"), 200)
    paths = {re.sub(r"\{[^}]*\}", "{}", path): item for path, item in document["paths"].items()}
    missing = [f"{method} {path}" for method, path in operations
               if method.lower() not in paths.get(re.sub(r"\{[^}]*\}", "{}", path), {})]
    assert missing == []


def test_no_document_points_to_a_seed_folder_outside_the_repository():
    for document in (REPO / "README.md", API_MD):
        text = document.read_text(encoding="utf-8")
        assert "shared/seed" not in text and "seed/000_" not in text, document


def test_what_the_glossary_says_is_what_the_server_does(api, tenant):
    admin = tenant.admin_token
    camera = tenant.camera()
    camera_id = camera["id"]
    # 201 on PUT .../state, with the camera; the request's names are refused there, and back
    assert expect(api.put(f"/cameras/{camera_id}/state/paused", admin), 201)["state"] == "paused"
    assert_error(api.put(f"/cameras/{camera_id}/state/claimed", admin), 422)
    assert_error(api.post("/put-camera-state-requests", admin,
                          json={"cameraId": camera_id, "newState": "running"}), 422)
    # claimed asks for running; asynchronous answers say msg, errors say message
    accepted = expect(api.post("/put-camera-state-requests", admin,
                               json={"cameraId": camera_id, "newState": "claimed"}), 202)
    assert set(accepted) == {"id", "msg", "status"}
    final = wait_request(api, "put-camera-state-requests", accepted["id"], admin)
    assert (final["status"], final["newState"]) == ("succeeded", "claimed")
    assert expect(api.get(f"/cameras/{camera_id}", admin), 200)["state"] == "running"
    # DELETE decommissions: the camera stays readable, at its last site
    assert expect(api.delete(f"/cameras/{camera_id}", admin), 204) is None
    after = expect(api.get(f"/cameras/{camera_id}", admin), 200)
    assert (after["state"], after["siteId"]) == ("decommissioned", tenant.site_id)
    # API clients are named by clientId, not id
    client = expect(api.get(f"/clients/{tenant.admin_client['clientId']}", admin), 200)
    assert "clientId" in client and "id" not in client
