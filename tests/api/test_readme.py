"""The README's examples are true when followed top to bottom: its ```sh blocks run in order in
one shell against a fresh `camfleet serve` set up as `bash scripts/run.sh` (command 1) sets it up,
and each prints the answer the README shows after it (rules in readme_walkthrough.py)."""
import os
import select
import signal
import subprocess
import time
import uuid

import pytest

from conftest import BINARY, REPO, Server, check_binary
from readme_walkthrough import (answer_differences, fenced_blocks, json_differences,
                                runnable_blocks, text_differences)

README_BASE = "http://127.0.0.1:8080"  # command 1's address, which the README's commands use
BLOCK_TIMEOUT = 120.0                  # seconds one block may take (the sim block sleeps 15 s)


def readme_text():
    return (REPO / "README.md").read_text(encoding="utf-8")


class Shell:
    """One bash process that runs blocks one after another, keeping variables and background
    jobs between them, in its own process group (ended whole when the test ends)."""

    def __init__(self, workdir):
        self.stderr_path = workdir / "shell.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=workdir,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._stderr, start_new_session=True)

    def run(self, text, label):
        """What `text` prints on standard output; fails the test, naming `label`, when the block
        takes longer than BLOCK_TIMEOUT or the shell exits."""
        sentinel = f"__readme_block_done_{uuid.uuid4().hex}__"
        self.process.stdin.write(text.encode() + f"\nprintf '\\n%s\\n' {sentinel}\n".encode())
        self.process.stdin.flush()
        output = b""
        marker = f"\n{sentinel}\n".encode()
        deadline = time.monotonic() + BLOCK_TIMEOUT
        while marker not in output:
            left = deadline - time.monotonic()
            assert left > 0, (f"the block at {label} did not finish within {BLOCK_TIMEOUT} s; printed "
                              f"{output!r}\n{self.stderr_tail()}")
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"the shell exited in the block at {label}; printed {output!r}\n{self.stderr_tail()}"
                output += chunk
        return output[:output.index(marker)].decode(errors="replace")

    def stderr_tail(self):
        self._stderr.flush()
        return "standard error:\n" + self.stderr_path.read_text(errors="replace")[-3000:]

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the shell and the jobs it started
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self._stderr.close()


@pytest.fixture
def command_one(tmp_path):
    """A fresh server as command 1 leaves it: the operator's credentials file written by
    `camfleet admin create-client --create` on a new database, `camfleet serve` on it, and ./build/camfleet
    (the README's path to the binary) in the folder the commands run in."""
    check_binary()
    server = Server(tmp_path / "server")
    # As scripts/run.sh does it: the command's standard output is the credentials file.
    with open(tmp_path / "camfleet-operator.json", "wb") as credentials:
        done = subprocess.run([str(BINARY), "admin", "create-client", "--database", server.database,
                               "--create", "--role", "operator", "--name", "operator"], stdin=subprocess.DEVNULL,
                              stdout=credentials, stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "camfleet").symlink_to(BINARY)
    server.start()
    yield tmp_path, server
    server.stop()


def test_every_readme_example_prints_the_answer_it_shows(command_one):
    workdir, server = command_one
    blocks = runnable_blocks(readme_text())
    shell = Shell(workdir)
    try:
        for block in blocks:
            printed = shell.run(block.text.replace(README_BASE, server.url), f"README.md line {block.line}")
            if block.expected is None:
                continue
            differences = answer_differences(block.expected, printed)
            assert not differences, (
                f"the block at README.md line {block.line} printed an answer other than the one "
                f"shown at line {block.expected.line}:\n  " + "\n  ".join(differences)
                + f"\nprinted: {printed[:1500]!r}\n{shell.stderr_tail()}\n{server.log_tail(20)}")
    finally:
        shell.close()


def test_the_walkthrough_shows_its_answers():
    """The rules cannot be met by showing nothing: the walkthrough's steps show what they print,
    the opening-hours example among them, and every other shell block says why it does not run."""
    blocks = runnable_blocks(readme_text())
    shown = [block for block in blocks if block.expected is not None]
    assert len(shown) >= 15, [block.line for block in shown]
    opening_hours = [block for block in shown if "/opening-hours?date=" in block.text]
    assert opening_hours, "the opening-hours example shows no answer"
    assert "T07:30:00Z" in opening_hours[0].expected.text
    for block in fenced_blocks(readme_text()):
        if block.lang == "sh" and block.not_run_reason is not None:
            assert len(block.not_run_reason) > 10, block


# --- the comparison itself (no server) ----------------------------------------------------------

FOUR_INSTANTS = ('["2025-03-31T07:30:00Z", "2025-03-31T11:00:00Z", "2025-03-31T12:00:00Z", '
                 '"2025-03-31T16:30:00Z"]')


def shown(lang, text):
    block = fenced_blocks(f"```{lang}\n{text}\n```\n")[0]
    return block


def test_an_empty_list_is_not_four_instants():
    assert answer_differences(shown("json", FOUR_INSTANTS), "[]")
    assert not answer_differences(shown("json", FOUR_INSTANTS),
                                  FOUR_INSTANTS.replace(", ", ","))


def test_a_placeholder_matches_a_generated_value_but_not_null_nor_a_missing_key():
    assert not json_differences({"id": "…", "name": "Sim camera …"},
                                {"id": "3f2c", "name": "Sim camera 2"})
    assert json_differences({"id": "…"}, {"id": None})
    assert json_differences({"id": "…", "name": "x"}, {"id": "3f2c"})
    assert json_differences({"id": "…"}, {"id": "3f2c", "reportedState": None})
    assert json_differences({"name": "Sim camera …"}, {"name": "Entrance"})


def test_values_are_compared_with_their_types():
    assert json_differences({"isOnline": True}, {"isOnline": 1})
    assert not json_differences({"uploadSize": 0}, {"uploadSize": 0.0})
    assert json_differences(201, 204)


def test_json_values_follow_one_another_and_text_lines_take_placeholders():
    assert not answer_differences(shown("json", '{"a": 1}\n204'), '{"a":1}204\n')
    assert answer_differences(shown("json", '{"a": 1}\n204'), '{"a":1}')
    assert not text_differences('"type":"camera.…"\n', '"type":"camera.moved"\n')
    assert text_differences('"type":"camera.moved"\n', '"type":"camera.claimed"\n')


def test_a_shell_block_runs_unless_the_line_above_says_why_not():
    text = ("```sh\necho 1\n```\n```json\n1\n```\n<!-- not run: starts a server of its own -->\n"
            "```sh\nserve\n```\n```python\nprint()\n```\n")
    blocks = runnable_blocks(text)
    assert [block.text for block in blocks] == ["echo 1\n"]
    assert blocks[0].expected.text == "1\n"
