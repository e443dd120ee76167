"""The rough edges a new user hit: Delete all and kept documents, notices said once and dismissed, #L typed
into the address bar, dates of any year, and the whole "Collapse to depth" refusal."""
import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.support.browsers import wait_for
from tests.support.viewer_process import ViewerProcess
from tests.viewer.conftest import SAMPLES
from tests.viewer.test_attribute_hints import SOURCE
from tests.viewer.test_browser import open_document, row_element, rows

SAME_ORIGIN = {"Origin": "http://localhost"}


def test_delete_all_leaves_kept_documents_unless_the_form_says_kept(client, post):
    kept, passing = post(b"[1]"), post(b"[2]")
    assert client.post(f"/docs/{kept}/keep", headers=SAME_ORIGIN).status_code == 303
    assert client.post("/docs/delete", headers=SAME_ORIGIN).status_code == 303
    assert client.get(f"/docs/{passing}").status_code == 404
    assert client.get(f"/docs/{kept}").status_code == 200
    assert client.post("/docs/delete", data={"kept": "1"}, headers=SAME_ORIGIN).status_code == 303
    assert client.get(f"/docs/{kept}").status_code == 404


def test_the_home_page_says_how_many_kept_documents_delete_all_leaves(client, post):
    first, second = post(b"[1]"), post(b"[2]")
    post(b"[3]")
    for doc in (first, second):
        client.post(f"/docs/{doc}/keep", headers=SAME_ORIGIN)
    page = client.get("/").get_data(as_text=True)
    assert 'data-kept="2"' in page and 'name="kept" value="1"' in page and "2 kept documents" in page


def test_the_home_page_offers_no_kept_box_when_nothing_is_kept(client, post):
    post(b"[1]")
    page = client.get("/").get_data(as_text=True)
    assert 'data-kept="0"' in page and 'id="delete-kept"' not in page


@pytest.mark.browser
def test_delete_all_asks_and_leaves_kept_documents(chromium, tmp_path):
    with ViewerProcess(tmp_path) as server:
        kept, passing = server.post(b"[1]"), server.post(b"[2]")
        chromium.get(kept)
        chromium.find_element(By.ID, "keep").click()
        wait_for(lambda: "Kept" in chromium.find_element(By.ID, "keep").text, message="kept")
        chromium.get(server.url + "/")
        chromium.find_element(By.ID, "delete-all").click()
        alert = wait_for(lambda: chromium.switch_to.alert, message="the confirmation")
        assert "1 kept document stays" in alert.text
        alert.dismiss()  # asked, and refused: nothing goes
        assert chromium.find_element(By.ID, "recent")
        chromium.find_element(By.ID, "delete-all").click()
        wait_for(lambda: chromium.switch_to.alert, message="the confirmation").accept()
        wait_for(lambda: chromium.execute_script("return document.readyState") == "complete"
                 and len(chromium.find_elements(By.CSS_SELECTOR, "#recent tbody tr")) == 1, message="only the kept one")
        chromium.get(passing)
        assert "404" in chromium.title or "no document" in chromium.page_source.lower()
        chromium.get(server.url + "/")
        chromium.find_element(By.ID, "delete-kept").click()
        chromium.find_element(By.ID, "delete-all").click()
        alert = wait_for(lambda: chromium.switch_to.alert, message="the confirmation")
        assert "kept one too" in alert.text
        alert.accept()
        wait_for(lambda: "No documents yet" in chromium.page_source, message="everything gone")


DATES = {"old": "1987-06-01T08:30:00Z", "late": "2150-01-02T03:04:05.123456+02:00", "local": "1999-12-31T23:59:59",
         "ancient": "0050-03-04T05:06:07Z", "day": "2024-03-05", "bad": "2023-02-30T00:00:00Z",
         "count": 12345, "seconds": 1709647620, "far": 5000000000}


@pytest.mark.browser
def test_dates_of_any_year_get_a_hover_and_a_date_alone_none(chromium, viewer_server):
    open_document(chromium, viewer_server.post(json.dumps(DATES).encode()))

    def hover(key):
        token = row_element(chromium, f'"{key}"').find_elements(By.CSS_SELECTOR, ".code .s2, .code .mi")[-1]
        return token.get_attribute("title") or ""

    expected = chromium.execute_script(
        "return [new Date(Date.UTC(1987, 5, 1, 8, 30)).toLocaleString(),"
        " new Date(Date.UTC(2150, 0, 2, 1, 4, 5, 123)).toLocaleString(),"
        " new Date(1999, 11, 31, 23, 59, 59).toLocaleString()]")
    assert hover("old") == expected[0] + " (local time)"
    assert hover("late") == expected[1] + " (local time)"
    assert hover("local") == expected[2] + " (no offset given: read as local time)"
    assert hover("ancient").endswith("(local time)")
    assert hover("seconds").endswith("(local time)")
    for key in ("day", "bad", "count", "far"):
        assert hover(key) == "", key


@pytest.mark.browser
def test_a_line_typed_into_the_address_bar_moves_the_selection(chromium, viewer_server):
    doc = viewer_server.post(json.dumps({"items": [{"n": i} for i in range(400)]}).encode())
    open_document(chromium, doc)
    chromium.execute_script("location.hash = '#L1000'")
    wait_for(lambda: chromium.execute_script(
        "var r = document.querySelector('#rows .row.selected'); return r && +r.dataset.line") == 999,
        message="line 1000 selected")
    assert any(line == 999 for line, _ in rows(chromium))  # and on screen
    chromium.execute_script("location.hash = '#L3'")
    wait_for(lambda: chromium.execute_script(
        "var r = document.querySelector('#rows .row.selected'); return r && +r.dataset.line") == 2,
        message="line 3 selected")


@pytest.mark.browser
def test_notices_show_once_and_stay_dismissed_for_the_session(chromium, viewer_server):
    bom = b"\xef\xbb\xbf" + b'{"a": 1}'
    first, second = viewer_server.post(bom), viewer_server.post(bom)
    open_document(chromium, first)
    chromium.execute_script("sessionStorage.clear()")
    chromium.refresh()
    open_document(chromium, first)
    notices = chromium.find_elements(By.CSS_SELECTOR, ".infobar > p.notice")
    assert len(notices) == 1 and "byte-order mark" in notices[0].text
    notices[0].find_element(By.CSS_SELECTOR, "button.dismiss").click()
    wait_for(lambda: not chromium.find_elements(By.CSS_SELECTOR, ".infobar > p.notice"), message="dismissed")
    open_document(chromium, second)  # the same notice, on another document of this session: not again
    with urllib.request.urlopen(second) as served:
        assert b"byte-order mark" in served.read()  # served, but not shown
    assert not chromium.find_elements(By.CSS_SELECTOR, ".infobar > p.notice")


@pytest.mark.browser
def test_the_depth_refusal_is_shown_whole(chromium, viewer_server):
    open_document(chromium, viewer_server.post(json.dumps([[i] for i in range(5100)]).encode()))
    Select(chromium.find_element(By.ID, "collapse-depth")).select_by_value("2")
    said = wait_for(lambda: chromium.find_element(By.ID, "depth-status").is_displayed()
                    and chromium.find_element(By.ID, "depth-status"), message="the refusal")
    assert "choose a smaller depth" in said.text
    assert chromium.execute_script("var e = arguments[0]; return e.scrollWidth <= e.clientWidth + 1", said)


def test_without_a_key_the_reason_is_said_once(client, post):
    doc = post((SAMPLES / "kobject-order-1059.json").read_bytes(), query_string={"source_url": SOURCE})
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert page.count("No API key is stored for this organisation") == 1
    assert 'id="metadata-note"' in page and "for the reason above" in page
