"""The document page in headless Chromium, against the real viewer process."""
import json
import random

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browsers import wait_for
from tests.viewer.conftest import SAMPLES
from tests.viewer.test_security import PAYLOADS


def open_document(driver, url):
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.getElementById('viewer').dataset.ready"),
             message="the viewer's script to start")


def rows(driver):
    """[(line, text)] of the rows on screen that have arrived."""
    return [tuple(row) for row in driver.execute_script(
        "return Array.from(document.querySelectorAll('#rows .row:not(.pending)'))"
        ".map(r => [+r.dataset.line, r.querySelector('.code').textContent])")]


def row_element(driver, text):
    for element in driver.find_elements(By.CSS_SELECTOR, "#rows .row"):
        if text in element.find_element(By.CSS_SELECTOR, ".code").text:
            return element
    raise AssertionError(f"no row shows {text!r}")


@pytest.fixture(scope="module")
def conversation(viewer_server):
    return viewer_server.post((SAMPLES / "conversation.json").read_bytes())


def test_renders_highlighted_with_line_numbers(chromium, conversation):
    open_document(chromium, conversation)
    shown = rows(chromium)
    assert shown[:3] == [(0, "{"), (1, '  "data": {'), (2, '    "type": "conversation",')]
    key = chromium.find_element(By.CSS_SELECTOR, "#rows .row[data-line='2'] .nt")
    assert key.text == '"type"' and key.value_of_css_property("color") != "rgba(0, 0, 0, 1)"
    assert chromium.find_element(By.CSS_SELECTOR, "#rows .row[data-line='2'] .ln").text == "3"


def test_fold_unfold_collapse_all_expand_all(chromium, conversation):
    open_document(chromium, conversation)
    attributes = row_element(chromium, '"attributes": {')
    attributes.find_element(By.CSS_SELECTOR, ".tg").click()
    wait_for(lambda: any(t.startswith('    "attributes": { ') and t.endswith("}, 9 members") for _, t in rows(chromium)),
             message="the fold, with a preview")
    assert not any('"status"' in t for _, t in rows(chromium))
    row_element(chromium, '"attributes": {').find_element(By.CSS_SELECTOR, ".summary").click()
    wait_for(lambda: any('"status": "open"' in t for _, t in rows(chromium)), message="the unfold")
    chromium.find_element(By.ID, "collapse-all").click()
    wait_for(lambda: rows(chromium) == [(0, "{ data: {…} } 1 member")], message="collapse all")
    chromium.find_element(By.ID, "expand-all").click()
    wait_for(lambda: len(rows(chromium)) > 20, message="expand all")


def test_path_of_the_selected_value_is_shown_and_copied(chromium, conversation):
    open_document(chromium, conversation)
    chromium.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": conversation.split("/docs/")[0], "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    row_element(chromium, '"orderNumberStr"').find_element(By.CSS_SELECTOR, ".ln").click()
    wait_for(lambda: chromium.find_element(By.ID, "path-js").text == "data.attributes.custom.orderNumberStr",
             message="the path")
    assert chromium.find_element(By.ID, "path-pointer").text == "/data/attributes/custom/orderNumberStr"
    chromium.find_element(By.ID, "copy-pointer").click()
    wait_for(lambda: "Copied JSON Pointer" in chromium.find_element(By.ID, "copy-status").text, message="copy")
    clipboard = chromium.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('error: ' + e))")
    assert clipboard == "/data/attributes/custom/orderNumberStr"


def test_find_jumps_to_hits_and_marks_them(chromium, viewer_server):
    items = [{"id": i, "note": "needle here" if i in (150, 900) else "hay"} for i in range(1000)]
    open_document(chromium, viewer_server.post(json.dumps(items).encode()))
    box = chromium.find_element(By.ID, "find")
    box.send_keys("NEEDLE")  # no Enter: find searches as you type
    wait_for(lambda: chromium.find_elements(By.CSS_SELECTOR, "#rows .row.hit mark"), message="the first hit")
    # Read at once: the rows are drawn again (same lines) when the count arrives.
    assert chromium.execute_script("var hit = document.querySelector('#rows .row.hit');"
                                   "return [hit.dataset.line, hit.querySelector('mark').textContent]") \
        == [str(150 * 4 + 3), "needle"]
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text == "1 of 2", message="the count")
    box.send_keys(Keys.ENTER)
    wait_for(lambda: chromium.find_element(By.CSS_SELECTOR, "#rows .row.hit").get_attribute("data-line")
             == str(900 * 4 + 3), message="the second hit")
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text == "2 of 2", message="2 of 2")


def test_dark_theme_follows_the_system(chromium, conversation):
    open_document(chromium, conversation)
    light = chromium.execute_script("return getComputedStyle(document.body).backgroundColor")
    key_light = chromium.find_element(By.CSS_SELECTOR, "#rows .nt").value_of_css_property("color")
    chromium.execute_cdp_cmd("Emulation.setEmulatedMedia",
                             {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        dark = chromium.execute_script("return getComputedStyle(document.body).backgroundColor")
        key_dark = chromium.find_element(By.CSS_SELECTOR, "#rows .nt").value_of_css_property("color")
    finally:
        chromium.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert light == "rgb(255, 255, 255)" and dark == "rgb(13, 17, 23)"
    assert key_light != key_dark


def test_no_payload_runs(chromium, viewer_server):
    url = viewer_server.post(json.dumps(PAYLOADS).encode())
    open_document(chromium, url)
    for element in chromium.find_elements(By.CSS_SELECTOR, "#rows .row .code"):
        element.click()
    box = chromium.find_element(By.ID, "find")
    box.send_keys("script", Keys.ENTER)
    wait_for(lambda: chromium.find_elements(By.CSS_SELECTOR, "#rows mark"), message="marks")
    text = chromium.find_element(By.ID, "rows").text
    assert '"<script>window.__xss = 1</script>"' in text and 'onerror=\\"window.__xss = 2\\">' in text
    assert chromium.execute_script("return window.__xss") is None
    with pytest.raises(NoAlertPresentException):
        chromium.switch_to.alert.text


def make_document(size: int) -> bytes:
    """A Kustomer-shaped list of customers of about `size` bytes."""
    r, parts, total, i = random.Random(7), [], 0, 0
    while total < size:
        text = json.dumps({"type": "customer", "id": f"{r.getrandbits(96):024x}", "attributes": {
            "name": f"Customer {i}", "externalId": 1516340399466235648 + i,
            "emails": [{"email": f"c{i}@example.org"}], "note": "x" * r.randint(10, 400)}})
        parts.append(text)
        total += len(text) + 1
        i += 1
    return ('{"data": [' + ",".join(parts) + '], "meta": {"last": "the end"}}').encode()


def test_a_20_mb_document_opens_and_stays_navigable(chromium, viewer_server):
    raw = make_document(20 * 1000 * 1000)
    open_document(chromium, viewer_server.post(raw))
    assert rows(chromium)[:2] == [(0, "{"), (1, '  "data": [')]
    total = int(chromium.find_element(By.ID, "viewer").get_attribute("data-lines"))
    chromium.find_element(By.ID, "go-end").click()
    wait_for(lambda: rows(chromium) and rows(chromium)[-1] == (total - 1, "}"), message="the last line")
    assert any('"last": "the end"' in t for _, t in rows(chromium))
    chromium.find_element(By.ID, "find").send_keys("Customer 20000", Keys.ENTER)
    wait_for(lambda: chromium.find_elements(By.CSS_SELECTOR, "#rows .row.hit"), message="a hit in the middle")
    assert '"name": "Customer 20000"' in chromium.find_element(By.CSS_SELECTOR, "#rows .row.hit").text
