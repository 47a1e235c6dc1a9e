"""The OpenAPI document the server serves (GET /openapi.json) is one a reader can trust: it lints
clean with Redocly CLI's recommended rules (tools/openapi-lint: the pinned CLI, installed with
`npm ci`, and its config), every operation shows a real example of its request and of each answer
that has a body, no example is a generator's placeholder ("string", 0), and every summary says
what the operation does, starting with its verb."""
import fcntl
import hashlib
import json
import os
import re
import subprocess

import pytest

from conftest import REPO, expect

LINT_DIR = REPO / "tools" / "openapi-lint"
METHODS = ("get", "put", "post", "patch", "delete")
# Bodies an example cannot show in JSON: a binary JPEG upload.
BINARY_MEDIA_TYPES = {"image/jpeg"}
# A 0 that is the true value, not a placeholder: (JSON pointer prefix, why).
REAL_ZEROS = {
    "/paths/~1cameras~1{cameraId}/get/responses/200/content/application~1json/examples/registered/value/":
        "a registered camera never reported: its metrics are 0 by definition",
    "/paths/~1webhooks~1{webhookId}~1test/post/responses/202/content/application~1json/examples/example/value/attempts":
        "a test delivery is answered before its first attempt",
}
PLACEHOLDER_STRINGS = {"string", "uuid", "date-time", "email", "uri", "text", "example", "foo", "bar"}
# Summaries start with what the operation does.
SUMMARY_VERBS = {"Issue", "List", "Describe", "Check", "Read", "Get", "Create", "Rename", "Delete",
                 "Replace", "Set", "Change", "Claim", "Name", "Decommission", "Pause", "Move",
                 "Follow", "Request", "Revoke", "Report", "Wait", "Upload", "Rotate", "Retry", "Send",
                 "Register", "Refresh", "Update"}
# The Cameras API's own names hide what some operations do; their summaries say it.
CAMERAS_API_SUMMARY_WORDS = {
    ("post", "/cameras"): "Claim",
    ("patch", "/cameras/{cameraId}"): "Name",
    ("delete", "/cameras/{cameraId}"): "Decommission",
    ("put", "/cameras/{cameraId}/state/{newState}"): "Pause or resume",
    ("post", "/put-camera-state-requests"): "pause or resume",
    ("get", "/cameras/{cameraId}/opening-hours"): "instants",
}


def pointer_part(key):
    return str(key).replace("~", "~0").replace("/", "~1")


def resolve(document, node):
    """A `$ref`'d object of the document (local references only), or the node itself."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def missing_examples(document):
    """`METHOD path: where` for each request body or answer body without an example."""
    missing = []
    for path, method, operation in operations(document):
        name = f"{method.upper()} {path}"
        bodies = []
        if "requestBody" in operation:
            bodies.append(("request", resolve(document, operation["requestBody"])))
        for status, answer in operation["responses"].items():
            bodies.append((f"answer {status}", resolve(document, answer)))
        for where, body in bodies:
            for media_type, media in body.get("content", {}).items():
                if media_type in BINARY_MEDIA_TYPES:
                    continue
                if "example" not in media and not media.get("examples"):
                    missing.append(f"{name}: {where} ({media_type})")
    return missing


def example_values(document):
    """(JSON pointer, value) of every example value in the document."""
    found = []

    def walk(node, pointer):
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{pointer_part(key)}"
                if key == "example":
                    found.append((here, value))
                elif key == "examples" and isinstance(value, dict):
                    for example_name, example in value.items():
                        if isinstance(example, dict) and "value" in example:
                            found.append((f"{here}/{pointer_part(example_name)}/value",
                                          example["value"]))
                elif key == "examples" and isinstance(value, list):
                    found.append((here, value))
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{pointer}/{index}")

    walk(document, "")
    return found


def placeholders(pointer, value):
    """Pointers below `pointer` whose value is a generator's placeholder."""
    if isinstance(value, dict):
        return [hit for key, item in value.items()
                for hit in placeholders(f"{pointer}/{pointer_part(key)}", item)]
    if isinstance(value, list):
        return [hit for index, item in enumerate(value)
                for hit in placeholders(f"{pointer}/{index}", item)]
    if isinstance(value, str) and value.strip().lower() in PLACEHOLDER_STRINGS:
        return [f"{pointer}: {value!r}"]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        if not any(pointer.startswith(prefix) for prefix in REAL_ZEROS):
            return [f"{pointer}: {value!r}"]
    return []


def test_every_operation_shows_its_request_and_answers_by_example(api):
    document = expect(api.get("/openapi.json"), 200)
    assert missing_examples(document) == []


def test_no_example_is_a_placeholder(api):
    document = expect(api.get("/openapi.json"), 200)
    found = [hit for pointer, value in example_values(document) for hit in placeholders(pointer, value)]
    assert found == []


def test_the_opening_hours_examples_are_pairs_of_instants(api):
    document = expect(api.get("/openapi.json"), 200)
    answer = document["paths"]["/cameras/{cameraId}/opening-hours"]["get"]["responses"]["200"]
    examples = answer["content"]["application/json"]["examples"]
    instant = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
    assert examples
    for name, example in examples.items():
        value = example["value"]
        assert len(value) % 2 == 0, (name, value)
        assert all(instant.match(item) for item in value), (name, value)
        assert value == sorted(value), (name, value)
    assert any(len(example["value"]) >= 2 for example in examples.values())


def test_every_summary_says_what_the_operation_does(api):
    document = expect(api.get("/openapi.json"), 200)
    vague = []
    for path, method, operation in operations(document):
        summary = operation.get("summary", "")
        if summary.split(" ")[0] not in SUMMARY_VERBS or "/" in summary.split(" ")[0]:
            vague.append(f"{method.upper()} {path}: {summary!r}")
        word = CAMERAS_API_SUMMARY_WORDS.get((method, path))
        if word is not None and word not in summary:
            vague.append(f"{method.upper()} {path}: {summary!r} does not say {word!r}")
    assert vague == []


# --- Redocly CLI ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redocly():
    """The pinned Redocly CLI, installed by `npm ci` from tools/openapi-lint/package-lock.json
    once per lock file (test workers take turns on a file lock; the first installs)."""
    lock_file = LINT_DIR / "package-lock.json"
    stamp = LINT_DIR / "node_modules" / ".camfleet-lock-sha256"
    wanted = hashlib.sha256(lock_file.read_bytes()).hexdigest()
    with open(LINT_DIR / ".install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != wanted:
            done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=LINT_DIR,
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
            assert done.returncode == 0, f"npm ci failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            stamp.write_text(wanted)
    return LINT_DIR / "node_modules" / ".bin" / "redocly"


def test_the_served_document_lints_clean_with_redocly_recommended(api, redocly, tmp_path):
    served = tmp_path / "openapi.json"
    served.write_bytes(expect_raw(api))
    env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true",
               NO_COLOR="1")
    done = subprocess.run([str(redocly), "lint", "--config", str(LINT_DIR / "redocly.yaml"),
                           "--format", "json", str(served)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"redocly printed no JSON report (exit {done.returncode}):\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    problems = [f"{problem['severity']} {problem['ruleId']}: {problem['message']} at "
                + ", ".join(location.get("pointer", "?") for location in problem.get("location", []))
                for problem in report.get("problems", [])]
    assert problems == [], "\n".join(problems)
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0, report["totals"]
    assert done.returncode == 0, done.stderr[-2000:]


def expect_raw(api):
    resp = api.get("/openapi.json")
    assert resp.status_code == 200, resp.status_code
    return resp.content
