"""The viewer's bookmarklets, builder side: through-the-viewer links, and Send to viewer posting the exact text.

A small loopback server stands in for the viewer; the viewer itself is tested end to end elsewhere.
"""
import email.parser
import email.policy
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from bookmarklets.pipeline import build
from bookmarklets.send_to_viewer import NOT_JSON
from bookmarklets.viewer_messages import fetch_again, not_running, popup_blocked
from tests.builder.running import chromium_run
from tests.support import browsers
from tests.support.browsers import no_alert, wait_for
from tests.support.servers import LoopbackServer, Response

API_PAGE = "https://acme.api.kustomerapp.com/v1/conversations/60aa1b2c3d4e5f6a7b8c9d0e"
APP_PAGE = "https://acme-2.kustomerapp.com/app/customers/5f1a/event/60aa1b2c3d4e5f6a7b8c9d0e?tab=x#y"
# Kustomer's answers are compact; this one also has the line breaks a form post would turn into CRLF,
# and what JSON.parse would change.
JSON_TEXT = ('{"data":{"id":"60aa","attributes":{"name":"Zoë & Co + 100% = \\"ok\\" <b>",\n'
             '  "big":12345678901234567890123,"float":2.50,"emoji":"😀","empty":{},"list":[1,true,null]}}}\n')


# The viewer's own pages, with their own scripts: the one that tells Send to viewer it answers, and the
# one on every page that tells a through-the-viewer bookmarklet its tab arrived.
STATIC = Path(__file__).resolve().parents[2] / "viewer" / "static"
ARRIVED = '<script src="/static/arrived.js" async></script>'
SEND_PAGE = f'<!doctype html><title>viewer</title>{ARRIVED}<p id="send-status"></p><script src="/static/send.js"></script>'
DOC_PAGE = f"<!doctype html><title>viewer</title>{ARRIVED}<p>the document"


@pytest.fixture(scope="module")
def viewer():
    with LoopbackServer() as server:
        server.route("/send", Response(200, SEND_PAGE))
        for script in ("send.js", "arrived.js"):
            server.route(f"/static/{script}", Response(200, (STATIC / script).read_bytes(),
                                                       {"Content-Type": "text/javascript"}))
        server.route("/docs", Response(303, "", {"Location": "/docs/1"}))
        server.route("/fetch", Response(303, "", {"Location": "/docs/1"}))
        server.route("/docs/1", Response(200, DOC_PAGE))
        yield server


@pytest.fixture(scope="module")
def viewer_build(viewer):
    return build(viewer=f"http://127.0.0.1:{viewer.port}")


def bookmarklet(result, name, folder):
    return next(c for c in result.compiled if c.name == name and c.folder == folder)


@pytest.fixture()
def clean_viewer(viewer):
    viewer.requests.clear()
    return viewer


def fetch_url(viewer, api_url):
    return f"http://127.0.0.1:{viewer.port}/fetch?url={quote(api_url, safe='')}"


def fetch_path(viewer, api_url):
    return fetch_url(viewer, api_url).removeprefix(f"http://127.0.0.1:{viewer.port}")


# How long the bookmarklet gives a page in its tab to say it arrived (3 s), and more: the bookmarklet's page is
# then a background tab, whose timers browsers slow to one a second.
SILENCE = 6


def test_through_the_viewer_in_chromium(chromium, site, clean_viewer, viewer_build):
    item = bookmarklet(viewer_build, "Conversation", "Kustomer API via viewer")
    api = "https://acme-2.api.kustomerapp.com/v1/conversations/60aa1b2c3d4e5f6a7b8c9d0e"
    chromium.get(APP_PAGE)
    page = chromium.current_window_handle
    chromium.execute_script("location.href = arguments[0]", item.href)
    wait_for(lambda: clean_viewer.requests_to("/docs/1"), message="the viewer's document page")
    assert [r.path for r in clean_viewer.requests_to("/fetch")] == [fetch_path(clean_viewer, api)]
    [tab] = [h for h in chromium.window_handles if h != page]
    time.sleep(SILENCE)  # the page heard its tab arrive: nothing closes, nothing is said
    assert chromium.window_handles == [page, tab] and no_alert(chromium) and chromium.current_url == APP_PAGE
    chromium.switch_to.window(tab)
    assert chromium.current_url == f"http://127.0.0.1:{clean_viewer.port}/docs/1"


def test_through_the_viewer_in_firefox(firefox, site, clean_viewer, viewer_build):
    item = bookmarklet(viewer_build, "Customer", "Kustomer API via viewer")
    api = "https://acme-2.api.kustomerapp.com/v1/customers/5f1a"
    firefox.navigate(APP_PAGE)
    run_from_firefox_toolbar(firefox, item.href)  # pop-ups are blocked, except within a click
    wait_for(lambda: clean_viewer.requests_to("/docs/1"), message="the viewer's document page")
    assert [r.path for r in clean_viewer.requests_to("/fetch")] == [fetch_path(clean_viewer, api)]
    time.sleep(SILENCE)
    assert len(firefox.window_handles) == 2 and firefox.get_url() == APP_PAGE


def test_through_the_viewer_alerts_like_the_plain_one(chromium, site, viewer_build):
    item = bookmarklet(viewer_build, "Conversation", "Kustomer API via viewer")
    page = "https://acme.kustomerapp.com/app/search"
    assert chromium_run(chromium, page, item.href)[::2] == ("alert", page)
    assert len(chromium.window_handles) == 1


@pytest.fixture(scope="module")
def chromium_with_popup_blocker(kustomer_site):
    # The site counts as public, as Kustomer does: its pages' requests to loopback are under Local Network Access.
    driver = browsers.chromium(https_port=kustomer_site.port, popup_blocking=True,
                               extra_args=[f"--ip-address-space-overrides=127.0.0.1:{kustomer_site.port}=public"])
    yield driver
    browsers.quit_chromium(driver)


def serve_json(site, text=JSON_TEXT, content_type="application/json"):
    site.route("/v1/conversations/60aa1b2c3d4e5f6a7b8c9d0e", Response(200, text.encode("utf-8"),
                                                                      {"Content-Type": content_type}))


def click_in_chromium(driver, href):
    """Add a link to the page and click it through WebDriver: a click with user activation, like a bookmark's."""
    driver.execute_script("""
        const a = document.createElement('a');
        a.id = 'run-bookmarklet'; a.href = arguments[0]; a.textContent = 'run';
        // above Chromium's JSON formatter bar
        a.style = 'position: fixed; top: 200px; left: 20px; z-index: 2147483647; background: white';
        document.body.append(a);""", href)
    driver.find_element("id", "run-bookmarklet").click()


def posted(viewer):
    """The fields of the form the bookmarklet posted: the document arrives as a file part, byte for byte."""
    request = wait_for(lambda: viewer.requests_to("/docs") and viewer.requests_to("/docs")[0],
                       message="the POST to the viewer")
    assert request.method == "POST"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + request.body)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields["json" if name == "file" else name] = part.get_payload(decode=True).decode("utf-8")
    return fields


LOOPBACK_FETCH = """const done = arguments[arguments.length - 1];
fetch(arguments[0], {mode: "no-cors"}).then(() => done("answered"), () => done("refused"));"""


def test_send_to_viewer_in_chromium_with_the_popup_blocker_on(chromium_with_popup_blocker, site, clean_viewer,
                                                              viewer_build):
    driver = chromium_with_popup_blocker
    serve_json(site)
    driver.get(API_PAGE)
    # The page may not fetch from the viewer (Local Network Access), which is why the bookmarklet only navigates.
    assert driver.execute_async_script(LOOPBACK_FETCH, f"http://127.0.0.1:{clean_viewer.port}/send") == "refused"
    clean_viewer.requests.clear()
    click_in_chromium(driver, bookmarklet(viewer_build, "Send to viewer", None).href)
    assert posted(clean_viewer) == {"json": JSON_TEXT, "source_url": API_PAGE}
    wait_for(lambda: len(driver.window_handles) == 2, message="the viewer's tab")
    first = driver.current_window_handle
    driver.switch_to.window(driver.window_handles[1])
    wait_for(lambda: driver.current_url == f"http://127.0.0.1:{clean_viewer.port}/docs/1", message="the viewer page")
    assert driver.execute_script("return window.opener") is None
    driver.close()
    driver.switch_to.window(first)


def test_send_to_viewer_refuses_a_page_that_is_not_json(chromium_with_popup_blocker, site, clean_viewer,
                                                         viewer_build):
    driver = chromium_with_popup_blocker
    site.route("/v1/page", Response(200, "<!doctype html><p>Not JSON"))
    driver.get("https://acme.api.kustomerapp.com/v1/page")
    click_in_chromium(driver, bookmarklet(viewer_build, "Send to viewer", None).href)
    alert = wait_for(lambda: driver.switch_to.alert, message="the alert")
    assert alert.text == NOT_JSON
    alert.accept()
    assert len(driver.window_handles) == 1 and clean_viewer.requests == []


def run_from_firefox_toolbar(client, href):
    """Run `href` as Firefox runs a bookmark: a trusted load from the browser window, not from the page."""
    with client.using_context(client.CONTEXT_CHROME):
        client.execute_script(
            "Services.wm.getMostRecentWindow('navigator:browser')"
            ".openTrustedLinkIn(arguments[0], 'current', {allowPopups: true, allowInheritPrincipal: true})",
            script_args=[href])


@pytest.fixture()
def public_firefox(firefox, kustomer_site):
    """Firefox taking the site for a public one, as Kustomer is (Local Network Access applies to its pages)."""
    def pref(script, *args):
        with firefox.using_context(firefox.CONTEXT_CHROME):
            firefox.execute_script(script, script_args=list(args))
    pref("Services.prefs.setCharPref('network.lna.address_space.public.override', arguments[0])",
         f"127.0.0.1:{kustomer_site.port}")
    yield firefox
    pref("Services.prefs.clearUserPref('network.lna.address_space.public.override')")


def test_send_to_viewer_in_firefoxs_json_viewer(public_firefox, site, clean_viewer, viewer_build):
    firefox = public_firefox
    serve_json(site)
    firefox.navigate(API_PAGE)
    assert firefox.execute_async_script(LOOPBACK_FETCH, script_args=[f"http://127.0.0.1:{clean_viewer.port}/send"]) \
        == "refused"
    clean_viewer.requests.clear()
    run_from_firefox_toolbar(firefox, bookmarklet(viewer_build, "Send to viewer", None).href)
    assert posted(clean_viewer) == {"json": JSON_TEXT, "source_url": API_PAGE}
    wait_for(lambda: len(firefox.window_handles) == 2, message="the viewer's tab")


def test_send_to_viewer_in_firefox_on_a_page_that_is_not_json(firefox, site, clean_viewer, viewer_build):
    from tests.builder.running import firefox_alert

    site.route("/v1/page", Response(200, "<!doctype html><p>Not JSON"))
    firefox.navigate("https://acme.api.kustomerapp.com/v1/page")
    run_from_firefox_toolbar(firefox, bookmarklet(viewer_build, "Send to viewer", None).href)
    assert wait_for(lambda: firefox_alert(firefox), message="the alert") == NOT_JSON
    assert len(firefox.window_handles) == 1 and clean_viewer.requests == []


def test_catalog_names_the_viewer_bookmarklets(viewer_build, viewer):
    names = [(c.folder, c.name) for c in viewer_build.compiled]
    assert names[-1] == (None, "Send to viewer")
    assert sum(folder == "Kustomer API via viewer" for folder, _ in names) == 7
    assert json.dumps(bookmarklet(viewer_build, "Send to viewer", None).open) == \
        json.dumps(f"http://127.0.0.1:{viewer.port}/docs")


@pytest.fixture()
def stopped_viewer_build():
    url = f"http://127.0.0.1:{browsers.free_port()}"
    return url, bookmarklet(build(viewer=url), "Send to viewer", None).href


def test_send_to_viewer_says_when_the_viewer_is_not_running_in_chromium(chromium_with_popup_blocker, site,
                                                                        stopped_viewer_build):
    driver = chromium_with_popup_blocker
    url, href = stopped_viewer_build
    serve_json(site)
    driver.get(API_PAGE)
    click_in_chromium(driver, href)
    alert = wait_for(lambda: driver.switch_to.alert, message="the alert")
    assert alert.text == not_running(url)
    alert.accept()
    wait_for(lambda: len(driver.window_handles) == 1, message="the tab with the browser's error page to close")
    assert driver.current_url == API_PAGE


def test_send_to_viewer_says_when_the_viewer_is_not_running_in_firefox(public_firefox, site, stopped_viewer_build):
    from tests.builder.running import firefox_alert

    url, href = stopped_viewer_build
    serve_json(site)
    public_firefox.navigate(API_PAGE)
    run_from_firefox_toolbar(public_firefox, href)
    assert wait_for(lambda: firefox_alert(public_firefox), 15, message="the alert") == not_running(url)
    wait_for(lambda: len(public_firefox.window_handles) == 1, message="the tab with the error page to close")
    assert public_firefox.get_url() == API_PAGE


def test_the_not_running_message_names_the_command_for_the_viewers_port():
    assert "python -m viewer\n" in not_running("http://127.0.0.1:8737")
    assert "python -m viewer --port 9000\n" in not_running("http://127.0.0.1:9000")
    assert "click Send to viewer again and nothing is lost" in not_running("http://127.0.0.1:8737")


@pytest.fixture()
def stopped_through_viewer():
    url = f"http://127.0.0.1:{browsers.free_port()}"
    return url, bookmarklet(build(viewer=url), "Conversation", "Kustomer API via viewer").href


def test_through_the_viewer_says_when_the_viewer_is_not_running_in_chromium(chromium_with_popup_blocker, site,
                                                                            stopped_through_viewer):
    driver = chromium_with_popup_blocker
    url, href = stopped_through_viewer
    driver.get(APP_PAGE)
    click_in_chromium(driver, href)
    alert = wait_for(lambda: driver.switch_to.alert, 15, message="the alert")
    assert alert.text == not_running(url, fetch_again("Conversation"))
    assert alert.text.endswith("set KUSTOMER_API_KEY before you start it. Then click Conversation again on this page.")
    alert.accept()
    wait_for(lambda: len(driver.window_handles) == 1, message="the tab with the browser's error page to close")
    assert driver.current_url == APP_PAGE


def test_through_the_viewer_says_when_the_viewer_is_not_running_in_firefox(public_firefox, site,
                                                                           stopped_through_viewer):
    from tests.builder.running import firefox_alert

    url, href = stopped_through_viewer
    public_firefox.navigate(APP_PAGE)
    run_from_firefox_toolbar(public_firefox, href)
    assert wait_for(lambda: firefox_alert(public_firefox), 15, message="the alert") == \
        not_running(url, fetch_again("Conversation"))
    wait_for(lambda: len(public_firefox.window_handles) == 1, message="the tab with the error page to close")
    assert public_firefox.get_url() == APP_PAGE


def test_through_the_viewer_says_when_its_tab_is_blocked(chromium_with_popup_blocker, site, clean_viewer,
                                                         viewer_build):
    driver = chromium_with_popup_blocker
    driver.get(APP_PAGE)
    # Run by the page itself, not in a click: the pop-up blocker refuses the tab.
    driver.execute_script("location.href = arguments[0]",
                          bookmarklet(viewer_build, "Conversation", "Kustomer API via viewer").href)
    alert = wait_for(lambda: driver.switch_to.alert, message="the alert")
    assert alert.text == popup_blocked("Conversation")
    alert.accept()
    assert len(driver.window_handles) == 1 and clean_viewer.requests == []


def test_the_not_running_message_for_a_through_the_viewer_bookmarklet():
    message = not_running("http://127.0.0.1:9000", fetch_again("Users"))
    assert message.startswith("The JSON viewer is not running: nothing answers at http://127.0.0.1:9000.\n")
    assert "python -m viewer --port 9000\n" in message and "service install --port 9000" in message
    assert message.endswith("Then click Users again on this page.")
