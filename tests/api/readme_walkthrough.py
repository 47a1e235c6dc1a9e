"""Reads the README's examples for test_readme.py: its fenced blocks, which `sh` blocks run, the
answers it shows after them, and how a shown answer is compared with what the commands printed.

The README's rules (written beside the walkthrough, kept here in one place):
- every ```sh block runs, in order, in one bash shell (variables carry over), unless the line
  just above its fence is `<!-- not run: <reason> -->`;
- the first fenced block after a running ```sh block, when its info string is `json` or `text`
  and no other ```sh block comes first, is what that block prints: `json` — the JSON values it
  prints, one after another (the README may lay them out over several lines); `text` — its lines;
- `…` stands for what differs on every run (generated ids, times, secrets, metrics): a whole
  value `"…"` matches any value but null, and `…` inside a string or a text line any characters.
Pure functions, no I/O: the test passes the README's text in.
"""
import json
import re

NOT_RUN_RE = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->$")
FENCE_RE = re.compile(r"^(```+)\s*(\S*)")
ELLIPSIS = "…"


class Block:
    """One fenced block: its info word ("sh", "json", ...), text, first line number (1-based, the
    fence's) and, for a shell block, why it does not run (None: it runs)."""

    def __init__(self, lang, text, line, not_run_reason):
        self.lang = lang
        self.text = text
        self.line = line
        self.not_run_reason = not_run_reason
        self.expected = None  # the shown answer: the Block that follows, if any

    def __repr__(self):
        return f"README.md line {self.line} ({self.lang})"


def fenced_blocks(readme_text):
    """Every fenced block of the Markdown text, in order."""
    blocks = []
    lines = readme_text.split("\n")
    index = 0
    while index < len(lines):
        match = FENCE_RE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, lang = match.group(1), match.group(2)
        previous = lines[index - 1].strip() if index > 0 else ""
        not_run = NOT_RUN_RE.match(previous)
        start = index
        index += 1
        body = []
        while index < len(lines) and not lines[index].startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1  # the closing fence
        blocks.append(Block(lang, "\n".join(body) + "\n", start + 1,
                            not_run.group(1) if not_run else None))
    return blocks


def runnable_blocks(readme_text):
    """The ```sh blocks that run, in order, each with `expected` set to its shown answer (or
    None). A shell block without a reason not to run runs: nothing is skipped silently."""
    blocks = fenced_blocks(readme_text)
    runnable = []
    for position, block in enumerate(blocks):
        if block.lang != "sh" or block.not_run_reason is not None:
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if following is not None and following.lang in ("json", "text"):
            block.expected = following
        runnable.append(block)
    return runnable


def json_values(text):
    """The JSON values of `text`, one after another (whitespace between them optional), or raise
    ValueError naming where the text stops being JSON."""
    decoder = json.JSONDecoder()
    values = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON at character {error.pos}: {text[error.pos:error.pos + 80]!r}")
        values.append(value)


def _wildcard_pattern(shown):
    """A regular expression for a shown string in which `…` stands for any characters."""
    return re.compile("^" + ".*".join(re.escape(part) for part in shown.split(ELLIPSIS)) + "$", re.S)


def json_differences(shown, actual, where="answer"):
    """Where `actual` differs from the `shown` JSON value (`…` rules above): a list of lines,
    empty when they agree. Keys must match exactly; arrays element by element."""
    if isinstance(shown, str) and ELLIPSIS in shown:
        if shown == ELLIPSIS:
            return [] if actual is not None else [f"{where}: null where the README shows a value"]
        if isinstance(actual, str) and _wildcard_pattern(shown).match(actual):
            return []
        return [f"{where}: {json.dumps(actual, ensure_ascii=False)} does not match "
                f"{json.dumps(shown, ensure_ascii=False)}"]
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {json.dumps(actual, ensure_ascii=False)[:200]} where the README "
                    f"shows an object"]
        lines = []
        for key in shown.keys() - actual.keys():
            lines.append(f"{where}: key {key!r} is missing")
        for key in actual.keys() - shown.keys():
            lines.append(f"{where}: key {key!r} is not in the README "
                         f"(value {json.dumps(actual[key], ensure_ascii=False)[:120]})")
        for key in shown.keys() & actual.keys():
            lines.extend(json_differences(shown[key], actual[key], f"{where}.{key}"))
        return lines
    if isinstance(shown, list):
        if not isinstance(actual, list):
            return [f"{where}: {json.dumps(actual, ensure_ascii=False)[:200]} where the README "
                    f"shows an array"]
        if len(shown) != len(actual):
            return [f"{where}: {len(actual)} elements where the README shows {len(shown)}: "
                    f"{json.dumps(actual, ensure_ascii=False)[:300]}"]
        lines = []
        for index, (shown_item, actual_item) in enumerate(zip(shown, actual)):
            lines.extend(json_differences(shown_item, actual_item, f"{where}[{index}]"))
        return lines
    same_type = type(shown) is type(actual) or (
        isinstance(shown, (int, float)) and isinstance(actual, (int, float))
        and not isinstance(shown, bool) and not isinstance(actual, bool))
    if same_type and shown == actual:
        return []
    return [f"{where}: {json.dumps(actual, ensure_ascii=False)} where the README shows "
            f"{json.dumps(shown, ensure_ascii=False)}"]


def text_differences(shown_text, actual_text):
    """Where the printed lines differ from the shown ones (`…` inside a line: any characters)."""
    shown = shown_text.rstrip("\n").split("\n") if shown_text.strip() else []
    actual = actual_text.rstrip("\n").split("\n") if actual_text.strip() else []
    if len(shown) != len(actual):
        return [f"{len(actual)} lines where the README shows {len(shown)}: {actual_text[:600]!r}"]
    return [f"line {number}: {got!r} does not match {want!r}"
            for number, (want, got) in enumerate(zip(shown, actual), start=1)
            if not _wildcard_pattern(want).match(got)]


def answer_differences(expected, printed):
    """Where what a block printed differs from the answer the README shows after it."""
    if expected.lang == "text":
        return text_differences(expected.text, printed)
    shown = json_values(expected.text)
    try:
        actual = json_values(printed)
    except ValueError as error:
        return [f"the commands printed something that is not JSON ({error})"]
    if len(shown) != len(actual):
        return [f"{len(actual)} JSON values printed where the README shows {len(shown)}: "
                f"{printed[:600]!r}"]
    lines = []
    for index, (shown_value, actual_value) in enumerate(zip(shown, actual), start=1):
        lines.extend(json_differences(shown_value, actual_value, f"answer {index}"))
    return lines
