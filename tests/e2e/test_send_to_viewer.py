"""On an API page, Send to viewer (run as a bookmark click runs it, pop-ups blocked) opens the exact JSON in the viewer."""
import re
import urllib.request

import pytest

from bookmarklets.pipeline import build
from bookmarklets.send_to_viewer import not_running
from tests.support import browsers
from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for
from tests.support.viewer_process import ViewerProcess

APP_PAGE = f"https://acme.kustomerapp.com/app/customers/{k.CUSTOMER_ID}/event/{k.CONVERSATION_ID}"
API_PAGE = f"https://acme.api.kustomerapp.com/v1/customers/{k.CUSTOMER_ID}"
DOC_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/docs/[A-Za-z0-9_-]+$")
READY = "const v = document.getElementById('viewer'); return !!(v && v.dataset.ready)"  # viewer.js has started


def send_to_viewer(bookmarklets):
    [href] = [b["href"] for b in bookmarklets if b["name"] == "Send to viewer"]
    return href


def raw_of(doc_url):
    with urllib.request.urlopen(f"{doc_url}/raw", timeout=10) as response:
        return response.read()


def test_chromium_sends_the_exact_json(kustomer, viewer, bookmarklets, chromium):
    chromium.get(APP_PAGE)  # signs in: the app's session cookie is what the API page is read with
    chromium.get(API_PAGE)
    # A link of the test's own, above everything on the page, so that WebDriver's click is a user's click.
    chromium.execute_script("const a = document.createElement('a'); a.id = 'bookmark'; a.textContent = 'Send';"
                            "a.style = 'position:fixed;left:0;bottom:0;z-index:2147483647;background:#fff';"
                            "a.href = arguments[0]; document.body.append(a);", send_to_viewer(bookmarklets))
    chromium.find_element("id", "bookmark").click()
    wait_for(lambda: len(chromium.window_handles) == 2, message="the viewer's tab")
    chromium.switch_to.window(chromium.window_handles[1])
    doc_url = wait_for(lambda: DOC_PAGE.match(chromium.current_url) and chromium.current_url, 15, message="the document page")
    assert doc_url.startswith(viewer.url)
    assert raw_of(doc_url) == k.masked(k.sample("customer.json"))
    # The number's row is below the first screen: the viewer's own find brings it into view. The big
    # account number beside it is sensitive in the organisation's metadata: it shows masked. Typed once
    # the page's script has started: an Enter before then finds nothing to act on it.
    wait_for(lambda: chromium.execute_script(READY), message="the viewer's script to start")
    chromium.find_element("id", "find").send_keys("1234.56\n")
    wait_for(lambda: "1234.56" in chromium.execute_script("return document.body.textContent"),
             message="the exact number")
    assert "90071992547409931" not in chromium.execute_script("return document.body.textContent")
    assert API_PAGE in chromium.find_element("tag name", "body").text  # the source URL is kept
    # The page was read with the browser's session; only the viewer's metadata requests carry its key.
    assert all("Authorization" not in r.headers for r in kustomer.api_requests()
               if not r.path.startswith("/v1/metadata/"))
    # Read in one script: the rows are drawn again when find's count comes in, which makes elements
    # looked up one by one go stale between the lookup and the read.
    labels = chromium.execute_script(
        "return Array.from(document.querySelectorAll('.attr-label')).map(function (l) { return l.textContent; })")
    assert "Loyalty Tier" in labels


def test_firefox_sends_the_exact_json_from_its_json_viewer(kustomer, viewer, bookmarklets, firefox):
    firefox.navigate(APP_PAGE)
    firefox.navigate(API_PAGE)
    wait_for(lambda: firefox.execute_script("const j = window.wrappedJSObject.$json; return !!(j && j.text)"),
             message="Firefox's JSON viewer")
    with firefox.using_context(firefox.CONTEXT_CHROME):
        firefox.execute_script(
            "Services.wm.getMostRecentWindow('navigator:browser').openTrustedLinkIn(arguments[0], 'current',"
            " {allowPopups: true, allowInheritPrincipal: true})", script_args=[send_to_viewer(bookmarklets)])
    wait_for(lambda: len(firefox.window_handles) == 2, message="the viewer's tab")
    firefox.switch_to_window(firefox.window_handles[1])
    doc_url = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 15, message="the document page")
    assert raw_of(doc_url) == k.masked(k.sample("customer.json"))
    wait_for(lambda: firefox.execute_script(READY), message="the viewer's script to start")
    firefox.find_element("id", "find").send_keys("1234.56\ue007")  # Enter
    wait_for(lambda: "1234.56" in firefox.execute_script("return document.body.textContent"),
             message="the exact number")
    assert "90071992547409931" not in firefox.execute_script("return document.body.textContent")


@pytest.fixture()
def stopped_viewer_port():
    return browsers.free_port()


def test_a_stopped_viewer_is_named_and_a_second_click_after_starting_it_delivers(kustomer, public_chromium,
                                                                                stopped_viewer_port, tmp_path):
    driver = public_chromium
    url = f"http://127.0.0.1:{stopped_viewer_port}"
    href = next(c.href for c in build(viewer=url).compiled if c.name == "Send to viewer")
    driver.get(APP_PAGE)
    driver.get(API_PAGE)
    assert driver.execute_script("return isSecureContext")
    page = driver.current_window_handle
    browsers.click_as_bookmark(driver, href, "Send", edge="bottom")
    alert = wait_for(lambda: driver.switch_to.alert, message="the alert that the viewer is not running")
    assert alert.text == not_running(url)
    assert f"nothing answers at {url}" in alert.text and f"python -m viewer --port {stopped_viewer_port}" in alert.text
    alert.accept()
    wait_for(lambda: driver.window_handles == [page], message="the tab with the browser's error page to close")

    with ViewerProcess(tmp_path, port=stopped_viewer_port) as viewer:
        # This page may not fetch from the running viewer (Local Network Access): the bookmarklet only navigates.
        assert driver.execute_async_script(
            "fetch(arguments[0], {mode: 'no-cors'}).then(() => arguments[1]('answered'), () => arguments[1]('refused'))",
            f"{viewer.url}/ping") == "refused"
        browsers.click_as_bookmark(driver, href, "Send", edge="bottom")  # the same page, not reloaded: it still has its JSON
        wait_for(lambda: len(driver.window_handles) == 2, message="the viewer's tab")
        driver.switch_to.window(next(h for h in driver.window_handles if h != page))
        doc_url = wait_for(lambda: DOC_PAGE.match(driver.current_url) and driver.current_url, 15,
                           message="the document page")
        assert doc_url.startswith(viewer.url) and raw_of(doc_url) == k.sample("customer.json")
        assert driver.execute_script("return window.opener") is None
        driver.close()
        driver.switch_to.window(page)


def test_the_send_page_on_its_own_says_what_it_is_for(viewer, chromium):
    chromium.get(f"{viewer.url}/send")
    assert "receives documents from the Send to viewer bookmarklet" in wait_for(
        lambda: "bookmarklet" in chromium.find_element("id", "send-status").text
        and chromium.find_element("id", "send-status").text, message="the page's note")
