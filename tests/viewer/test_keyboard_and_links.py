"""Keyboard, find as you type, copy value, permalinks, kept folds and date hints, in headless Chromium."""
import json

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.support.browsers import wait_for
from tests.viewer.test_browser import open_document, row_element, rows

# Written by hand, minified in places, so that exact bytes differ from any re-serialisation.
DOC = (b'{"data": {"id": "5f1a", "attributes": {"name": "Ada",  "totalNum": 1.50,'
       b'"createdAt": "2024-03-05T14:07:00.000Z", "seenAt": 1709647620,'
       b'"tags": ["a", {"deep":[1 ,2]}], "note": "needle and needle"}}, "meta": {"note": "needle"}}')


FOLDED_ATTRIBUTES = '    "attributes": { name: "Ada", totalNum: 1.50, createdAt: "2024-03-05T1…", … } 6 members'  # with a preview of its first members


@pytest.fixture()
def document(viewer_server):
    return viewer_server.post(DOC)  # a new id each time: folds kept for one test never reach another


def selected(driver):
    return driver.execute_script("var r = document.querySelector('#rows .row.selected');"
                                 "return r ? r.querySelector('.code').textContent : null")


def path_shown(driver):
    return driver.find_element(By.ID, "path-js").text


def press(driver, *keys):
    actions = ActionChains(driver)
    for key in keys:
        actions.send_keys(key)
    actions.perform()


def clipboard(driver, url):
    return driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('error: ' + e))")


def allow_clipboard(driver, url):
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": url.split("/docs/")[0], "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})


def test_fold_toggles_are_buttons_with_aria_expanded(chromium, document):
    open_document(chromium, document)
    toggle = row_element(chromium, '"attributes": {').find_element(By.CSS_SELECTOR, ".tg")
    assert toggle.tag_name == "button" and toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    wait_for(lambda: row_element(chromium, '"attributes": {').find_element(By.CSS_SELECTOR, ".tg")
             .get_attribute("aria-expanded") == "false", message="aria-expanded false once folded")


def test_arrows_move_the_selection_and_fold_and_the_path_follows(chromium, document):
    open_document(chromium, document)
    row_element(chromium, '"id": "5f1a"').find_element(By.CSS_SELECTOR, ".ln").click()
    wait_for(lambda: path_shown(chromium) == "data.id", message="the clicked line's path")
    press(chromium, Keys.ARROW_DOWN)
    wait_for(lambda: path_shown(chromium) == "data.attributes", message="the path after Down")
    assert selected(chromium) == '    "attributes": {'
    press(chromium, Keys.ARROW_LEFT)  # folds the object
    wait_for(lambda: selected(chromium) == FOLDED_ATTRIBUTES, message="Left folds")
    assert not any('"name"' in text for _, text in rows(chromium))
    press(chromium, Keys.ARROW_RIGHT)
    wait_for(lambda: any('"name": "Ada",' in text for _, text in rows(chromium)), message="Right unfolds")
    press(chromium, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    wait_for(lambda: path_shown(chromium) == "data.attributes.totalNum", message="two rows down")
    press(chromium, Keys.ARROW_UP)
    wait_for(lambda: path_shown(chromium) == "data.attributes.name", message="one row up")
    press(chromium, Keys.ARROW_LEFT)  # on a plain value Left goes to the parent
    wait_for(lambda: path_shown(chromium) == "data.attributes", message="Left to the parent")
    press(chromium, Keys.ENTER)  # Enter on a folder folds it, like a click on its toggle
    wait_for(lambda: selected(chromium) == FOLDED_ATTRIBUTES, message="Enter toggles")


def test_find_as_you_type_marks_the_current_hit_and_keeps_the_box_still(chromium, document):
    open_document(chromium, document)
    box = chromium.find_element(By.ID, "find")
    before = box.rect
    box.send_keys("needle")
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text == "1 of 3", message="1 of 3")
    assert box.rect == before
    current = chromium.find_element(By.CSS_SELECTOR, "#rows mark.current")
    other = chromium.find_element(By.CSS_SELECTOR, "#rows mark:not(.current)")
    assert current.value_of_css_property("background-color") != other.value_of_css_property("background-color")

    def current_hit():
        return chromium.execute_script(
            "var m = document.querySelector('#rows mark.current'), r = m.closest('.row');"
            "return [r.querySelector('.code').textContent, Array.from(r.querySelectorAll('mark')).indexOf(m)]")
    assert current_hit() == ['      "note": "needle and needle"', 0]
    box.send_keys(Keys.ENTER)  # the second hit is on the same line: next steps to it, not past it
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text == "2 of 3", message="2 of 3")
    assert current_hit() == ['      "note": "needle and needle"', 1]
    box.send_keys(Keys.ENTER)
    wait_for(lambda: chromium.find_element(By.ID, "find-status").text == "3 of 3", message="3 of 3")
    assert current_hit() == ['    "note": "needle"', 0]
    assert box.rect == before


def test_copy_value_copies_the_exact_text(chromium, document):
    open_document(chromium, document)
    allow_clipboard(chromium, document)
    for line_text, expected in [('"totalNum"', "1.50"), ('"createdAt"', '"2024-03-05T14:07:00.000Z"'),
                                ('"tags": [', '["a", {"deep":[1 ,2]}]'), ('"deep": [', "[1 ,2]")]:
        row_element(chromium, line_text).find_element(By.CSS_SELECTOR, ".ln").click()
        wait_for(lambda: not chromium.find_element(By.ID, "copy-value").get_attribute("disabled"), message="enabled")
        chromium.execute_script("document.getElementById('copy-status').textContent = ''")
        chromium.find_element(By.ID, "copy-value").click()
        wait_for(lambda: "Copied the value" in chromium.find_element(By.ID, "copy-status").text, message="copy")
        assert clipboard(chromium, document) == expected


@pytest.mark.parametrize("suffix", ["#L12", "?line=12"])
def test_permalink_opens_on_the_line_selected(chromium, document, suffix):
    open_document(chromium, document + suffix)
    wait_for(lambda: selected(chromium) == '          "deep": [', message="the linked line selected")
    wait_for(lambda: path_shown(chromium) == "data.attributes.tags[1].deep", message="its path")


def test_permalink_unfolds_what_hides_the_line_and_link_to_this_line_copies_it(chromium, document):
    open_document(chromium, document)
    allow_clipboard(chromium, document)
    chromium.find_element(By.ID, "collapse-all").click()
    wait_for(lambda: len(rows(chromium)) == 1, message="collapse all")
    chromium.get("about:blank")  # a new page load, not a jump within the page
    open_document(chromium, document + "#L12")
    wait_for(lambda: selected(chromium) == '          "deep": [ 1, 2 ] 2 items', message="the line, its parents unfolded")
    chromium.find_element(By.ID, "copy-link").click()
    wait_for(lambda: "Copied link" in chromium.find_element(By.ID, "copy-status").text, message="copy link")
    assert clipboard(chromium, document) == document + "#L12"
    row_element(chromium, '"seenAt"').find_element(By.CSS_SELECTOR, ".ln").click()
    wait_for(lambda: chromium.current_url == document + "#L8", message="the address follows the selection")


def test_folds_are_kept_across_reloads(chromium, document):
    open_document(chromium, document)
    row_element(chromium, '"attributes": {').find_element(By.CSS_SELECTOR, ".tg").click()
    wait_for(lambda: FOLDED_ATTRIBUTES in [t for _, t in rows(chromium)], message="the fold")
    chromium.refresh()
    open_document(chromium, document)
    wait_for(lambda: FOLDED_ATTRIBUTES in [t for _, t in rows(chromium)], message="the fold again")
    assert any('"meta": {' in t for _, t in rows(chromium))


def test_timestamps_show_a_local_date_on_hover(chromium, document):
    open_document(chromium, document)
    iso = row_element(chromium, '"createdAt"').find_element(By.CSS_SELECTOR, ".s2")
    epoch = row_element(chromium, '"seenAt"').find_element(By.CSS_SELECTOR, ".mi")
    expected = chromium.execute_script("return new Date(1709647620000).toLocaleString()")
    assert iso.get_attribute("title").startswith(expected) and epoch.get_attribute("title").startswith(expected)
    assert not row_element(chromium, '"totalNum"').find_element(By.CSS_SELECTOR, ".mf").get_attribute("title")


def test_the_value_endpoint_gives_exact_bytes(viewer_server):
    import urllib.request
    url = viewer_server.post(DOC).replace("/docs/", "/docs/", 1)
    with urllib.request.urlopen(url + "/value?line=0") as answer:
        assert answer.read() == DOC


def test_collapse_to_depth(chromium, document):
    open_document(chromium, document)
    Select(chromium.find_element(By.ID, "collapse-depth")).select_by_value("2")
    wait_for(lambda: [t for _, t in rows(chromium)] == [
        "{", '  "data": {', '    "id": "5f1a",', FOLDED_ATTRIBUTES, "  },", '  "meta": {', '    "note": "needle"', "  }", "}"],
        message="depth 2: two levels open, everything deeper folded")
    Select(chromium.find_element(By.ID, "collapse-depth")).select_by_value("1")
    wait_for(lambda: [t for _, t in rows(chromium)] == ["{", '  "data": { id: "5f1a", attributes: {…} }, 2 members', '  "meta": { note: "needle" } 1 member', "}"],
             message="depth 1")


def test_raw_view_never_wraps_through_a_number_or_an_id(chromium, viewer_server):
    ids = [f"{n:024x}" for n in range(7 ** 20, 7 ** 20 + 300 * 9973, 9973)]
    raw = json.dumps({"ids": ids, "n": [123456789012345678 + i for i in range(300)]}, separators=(",", ":"))
    chromium.get(viewer_server.post(raw.encode()) + "/text")
    chromium.set_window_size(800, 900)
    try:
        split = chromium.execute_script("""
            var pre = document.getElementById('raw-text'), walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
            var node, m, bad = [], seen = 0;
            while ((node = walker.nextNode())) {
              var re = /[0-9a-f]{18,}/g;
              while ((m = re.exec(node.nodeValue))) {
                var range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                var tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
                if (tops.size > 1) bad.push(m[0]);
                seen++;
              }
            }
            if (seen < 600) bad.push('only ' + seen + ' numbers and IDs seen');
            return [bad, document.getElementById('raw-text').getClientRects()[0].height];""")
        assert split[0] == [] and split[1] > 100  # it did wrap, only between tokens
        assert chromium.find_element(By.ID, "raw-text").text.replace("\n", "") == raw  # the text itself unchanged
    finally:
        chromium.set_window_size(1280, 900)


def test_home_list_elides_the_middle_of_long_urls_at_800px(chromium, viewer_server):
    url = "https://acme.api.kustomerapp.com/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e/conversations?page=2&pageSize=100&sort=-createdAt"
    viewer_server.post(b'{"a": 1}', source_url=url)
    chromium.set_window_size(800, 900)
    try:
        chromium.get(viewer_server.url + "/")
        link = chromium.find_element(By.CSS_SELECTOR, "#recent td.name a")
        assert link.get_attribute("title") == url
        tail = link.find_element(By.CSS_SELECTOR, ".tail")
        table = chromium.find_element(By.ID, "recent")
        width = chromium.execute_script("return document.documentElement.clientWidth")
        assert table.rect["x"] + table.rect["width"] <= width  # no overflow at 800 px
        assert tail.get_attribute("textContent").startswith("/5f1a2b3c4d5e6f7a8b9c0d1e/")
        id_right = chromium.execute_script("""
            var node = arguments[0].firstChild, range = document.createRange();
            range.setStart(node, 0); range.setEnd(node, 25);
            return range.getBoundingClientRect().right;""", tail)
        cell = chromium.find_element(By.CSS_SELECTOR, "#recent td.name")
        assert id_right <= cell.rect["x"] + cell.rect["width"] <= width  # the whole ID is on screen
        head = link.find_element(By.CSS_SELECTOR, ".head")
        assert chromium.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", head)  # elided
    finally:
        chromium.set_window_size(1280, 900)
