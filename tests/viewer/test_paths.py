"""The three paths of a value (JavaScript, jq, JSON Pointer) read back to that value, for any key."""
import json
import shutil
import subprocess

import pytest

from viewer.core.paths import javascript_path, jq_path, json_pointer

AWKWARD = {"data": [{"attributes": {"first name": "Jenny", 'say "hi"': 1, "1st": 2, "café": 3, "": 4,
                                    "back\\slash": 5, "tab\there": 6, "if": 7, "a.b": 8, "$x": 9, "\u2028": 10,
                                    "ok_name": 11, "nested": [[12, {"/~": 13}]]}}]}


def leaves(value, parts=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*parts, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from leaves(item, (*parts, n))
    else:
        yield list(parts), value


@pytest.mark.parametrize(("parts", "expected"), [
    ([], "."), ([0], ".[0]"), (["data", 12, "attributes", "first name"], '.data[12].attributes."first name"'),
    (["a", 'say "hi"'], '.a."say \\"hi\\""'), (["1st"], '."1st"'), ([""], '.""'), (["if"], '."if"'),
    (["café"], '."café"'), (["ok_name", 0, 1], ".ok_name[0][1]")])
def test_jq_paths_are_quoted_exactly(parts, expected):
    assert jq_path(parts) == expected


def pointer_get(value, pointer):
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def test_every_path_served_reads_back_its_value(client, post):
    doc = post(json.dumps(AWKWARD, ensure_ascii=False).encode())
    served = [client.get(f"/docs/{doc}/path?line={line}").get_json() for line in range(40)
              if client.get(f"/docs/{doc}/path?line={line}").status_code == 200]
    by_jq = {p["jq"]: p for p in served}
    for parts, value in leaves(AWKWARD):
        got = by_jq[jq_path(parts)]
        assert got["javascript"] == javascript_path(parts) and got["pointer"] == json_pointer(parts)
        assert pointer_get(AWKWARD, got["pointer"]) == value


@pytest.mark.skipif(not shutil.which("jq"), reason="the jq command-line program is not installed")
def test_the_jq_program_reads_each_jq_path_back():
    raw = json.dumps(AWKWARD, ensure_ascii=False)
    program = "[" + ", ".join(jq_path(parts) for parts, _ in leaves(AWKWARD)) + "]"
    done = subprocess.run(["jq", "-c", program], input=raw.encode(), capture_output=True, check=True)
    assert json.loads(done.stdout) == [value for _, value in leaves(AWKWARD)]


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_javascript_reads_each_javascript_path_back():
    def expression(parts):
        path = javascript_path(parts)
        return "root" + (path if path.startswith("[") else "." + path)
    script = (f"const root = {json.dumps(AWKWARD)};\n"
              f"console.log(JSON.stringify([{', '.join(expression(parts) for parts, _ in leaves(AWKWARD))}]));")
    done = subprocess.run(["node", "-e", script], capture_output=True, check=True)
    assert json.loads(done.stdout) == [value for _, value in leaves(AWKWARD)]


def test_an_earlier_copy_of_a_repeated_key_says_the_last_copy_is_read(client, post, pretty):
    doc = post(b'{"a": {"x": 1}, "b": 2, "a": {"x": 3}}')
    lines = pretty(doc)
    assert lines[5] == '  "a": { ⚠ duplicate key'
    first_x = lines.index('    "x": 1')
    said = client.get(f"/docs/{doc}/path?line={first_x}").get_json()
    assert said["jq"] == ".a.x" and said["overridden"] == {"javascript": "a", "line": 5}
    last_x = lines.index('    "x": 3')
    assert client.get(f"/docs/{doc}/path?line={last_x}").get_json()["overridden"] is None
    b = lines.index('  "b": 2,')
    assert client.get(f"/docs/{doc}/path?line={b}").get_json()["overridden"] is None


@pytest.mark.browser
def test_the_path_bar_offers_jq_and_follows_finds_current_hit(chromium, viewer_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.support.browsers import wait_for
    from tests.viewer.test_browser import open_document
    from tests.viewer.test_keyboard_and_links import allow_clipboard, clipboard

    doc = viewer_server.post(json.dumps(AWKWARD, ensure_ascii=False).encode())
    open_document(chromium, doc)
    allow_clipboard(chromium, doc)
    box = chromium.find_element(By.ID, "find")
    box.send_keys("Jenny", Keys.ENTER)
    wait_for(lambda: chromium.find_element(By.ID, "path-jq").text == '.data[0].attributes."first name"',
             message="the jq path of the hit")
    assert chromium.find_element(By.ID, "path-js").text == 'data[0].attributes["first name"]'
    chromium.find_element(By.ID, "copy-jq").click()
    wait_for(lambda: clipboard(chromium, doc) == '.data[0].attributes."first name"', message="the jq path copied")


@pytest.mark.browser
def test_the_path_bar_says_when_a_later_copy_of_a_key_is_read(chromium, viewer_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.support.browsers import wait_for
    from tests.viewer.test_browser import open_document

    open_document(chromium, viewer_server.post(b'{"a": {"x": 1}, "b": 2, "a": {"x": 3}}'))
    chromium.find_element(By.ID, "find").send_keys('"x": 1', Keys.ENTER)
    note = wait_for(lambda: chromium.find_element(By.ID, "path-note").is_displayed()
                    and chromium.find_element(By.ID, "path-note"), message="the note")
    assert "line 6" in note.text and "last copy" in note.text
