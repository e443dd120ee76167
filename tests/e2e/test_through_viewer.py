"""From a Kustomer app page, a through-the-viewer bookmarklet (clicked as a bookmark is, pop-ups blocked) ends on
the viewer's page for that JSON in a new tab; with the viewer stopped, the page stays and says how to start it.

Kustomer's pages count as public here, as they are for an agent: their requests to loopback are under Local
Network Access, which lets them open and navigate a tab there but not fetch from it.
"""
import os
import re
import time
import urllib.request

import pytest

from bookmarklets.pipeline import build
from bookmarklets.viewer_messages import fetch_again, not_running
from tests.builder.running import firefox_alert
from tests.support import browsers
from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for
from tests.support.viewer_process import ViewerProcess

APP_PAGE = f"https://acme.kustomerapp.com/app/customers/{k.CUSTOMER_ID}/event/{k.CONVERSATION_ID}"
API_URL = f"/v1/conversations/{k.CONVERSATION_ID}"
DOC_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/docs/[A-Za-z0-9_-]+$")
VIA_FOLDER = "Kustomer API via viewer"
# How long the bookmarklet gives a page in its tab to say it arrived (3 s), and more: the bookmarklet's page is
# then a background tab, whose timers browsers slow to one a second.
SILENCE = 6


def through_viewer(bookmarklets, viewer, name):
    [href] = [b["href"] for b in bookmarklets if b["name"] == name and b.get("through") == f"{viewer.url}/fetch?url="]
    return href


def raw_of(doc_url):
    with urllib.request.urlopen(f"{doc_url}/raw", timeout=10) as response:
        return response.read()


@pytest.fixture()
def chromium(public_chromium):
    browsers.reset_chromium(public_chromium)
    yield public_chromium
    browsers.reset_chromium(public_chromium)


@pytest.fixture()
def firefox(e2e_firefox, standin):
    client = e2e_firefox
    browsers.reset_firefox(client)
    set_pref(client, "Services.prefs.setCharPref('network.lna.address_space.public.override', arguments[0])",
             f"{standin.address}:443")
    yield client
    browsers.reset_firefox(client)
    set_pref(client, "Services.prefs.clearUserPref('network.lna.address_space.public.override')")


def set_pref(client, script, *args):
    with client.using_context(client.CONTEXT_CHROME):
        client.execute_script(script, script_args=list(args))


def answer_slowly(kustomer):
    """The stand-in answers the API URL after 6 s: longer than the bookmarklet gives a silent tab."""
    def slowly(request):
        time.sleep(6)
        return kustomer.document(request)
    kustomer.override(API_URL, slowly)


def click_in_chromium(driver, href):
    browsers.click_as_bookmark(driver, href)


def click_in_firefox(client, href):
    """Run `href` as Firefox runs a bookmark: a trusted load from the browser window, pop-ups allowed."""
    with client.using_context(client.CONTEXT_CHROME):
        client.execute_script(
            "Services.wm.getMostRecentWindow('navigator:browser').openTrustedLinkIn(arguments[0], 'current',"
            " {allowPopups: true, allowInheritPrincipal: true})", script_args=[href])


def chromium_lands_on_the_document(driver, page):
    """The viewer's tab opened beside `page`: wait for the document page there, and return its URL."""
    wait_for(lambda: len(driver.window_handles) == 2, message="the viewer's tab")
    driver.switch_to.window(next(h for h in driver.window_handles if h != page))
    return wait_for(lambda: DOC_PAGE.match(driver.current_url) and driver.current_url, 20, message="the document page")


def stays_open_without_an_alert(driver, page, tab):
    """The bookmarklet heard the viewer's page: after the time it gives a silent tab, nothing was closed or said."""
    time.sleep(SILENCE)
    assert tab in driver.window_handles
    driver.switch_to.window(page)
    assert browsers.no_alert(driver) and driver.current_url == APP_PAGE
    driver.switch_to.window(tab)


def test_chromium_conversation_through_the_viewer(kustomer, viewer, bookmarklets, chromium):
    chromium.get(APP_PAGE)
    page = chromium.current_window_handle
    click_in_chromium(chromium, through_viewer(bookmarklets, viewer, "Conversation"))
    doc_url = chromium_lands_on_the_document(chromium, page)
    assert doc_url.startswith(viewer.url)
    wait_for(lambda: "Where is my order?" in chromium.find_element("tag name", "body").text, message="the JSON on the page")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    [request] = kustomer.api_requests(API_URL)
    assert request.headers["Authorization"] == f"Bearer {k.KEY}" and request.host == "acme.api.kustomerapp.com"
    stays_open_without_an_alert(chromium, page, chromium.current_window_handle)


def test_chromium_waits_for_a_slow_fetch_and_says_what_it_waits_for(kustomer, viewer, bookmarklets, chromium):
    answer_slowly(kustomer)
    chromium.get(APP_PAGE)
    page = chromium.current_window_handle
    click_in_chromium(chromium, through_viewer(bookmarklets, viewer, "Conversation"))
    wait_for(lambda: len(chromium.window_handles) == 2, message="the viewer's tab")
    chromium.switch_to.window(next(h for h in chromium.window_handles if h != page))
    note = wait_for(lambda: chromium.execute_script("return document.body.innerText"), message="the waiting note")
    api = f"https://acme.api.kustomerapp.com{API_URL}"
    assert note == f"The JSON viewer at {viewer.url} is fetching\n{api}\n\nThe answer can take a few seconds; " \
                   f"it opens in this tab."
    doc_url = wait_for(lambda: DOC_PAGE.match(chromium.current_url) and chromium.current_url, 30,
                       message="the document page, after the slow answer")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    stays_open_without_an_alert(chromium, page, chromium.current_window_handle)


def test_chromium_lands_on_the_viewers_error_page_for_a_failed_fetch(kustomer, viewer, bookmarklets, chromium):
    kustomer.override(API_URL, k.forbidden())
    chromium.get(APP_PAGE)
    page = chromium.current_window_handle
    click_in_chromium(chromium, through_viewer(bookmarklets, viewer, "Conversation"))
    wait_for(lambda: len(chromium.window_handles) == 2, message="the viewer's tab")
    tab = next(h for h in chromium.window_handles if h != page)
    chromium.switch_to.window(tab)
    wait_for(lambda: chromium.find_elements("css selector", "main.fetch-error"), 20, message="the viewer's error page")
    assert chromium.current_url.startswith(f"{viewer.url}/fetch?url=")
    stays_open_without_an_alert(chromium, page, tab)


def test_firefox_conversation_through_the_viewer(kustomer, viewer, bookmarklets, firefox):
    firefox.navigate(APP_PAGE)
    click_in_firefox(firefox, through_viewer(bookmarklets, viewer, "Conversation"))
    wait_for(lambda: len(firefox.window_handles) == 2, message="the viewer's tab")
    firefox.switch_to_window(firefox.window_handles[1])
    doc_url = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 20, message="the document page")
    wait_for(lambda: "Where is my order?" in firefox.execute_script("return document.body.textContent"),
             message="the JSON on the page")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    [request] = kustomer.api_requests(API_URL)
    assert request.headers["Authorization"] == f"Bearer {k.KEY}"
    time.sleep(SILENCE)
    assert len(firefox.window_handles) == 2  # the bookmarklet heard the page, and left its tab open


def test_firefox_waits_for_a_slow_fetch_and_says_what_it_waits_for(kustomer, viewer, bookmarklets, firefox):
    answer_slowly(kustomer)
    firefox.navigate(APP_PAGE)
    click_in_firefox(firefox, through_viewer(bookmarklets, viewer, "Conversation"))
    wait_for(lambda: len(firefox.window_handles) == 2, message="the viewer's tab")
    firefox.switch_to_window(firefox.window_handles[1])
    note = wait_for(lambda: firefox.execute_script("return document.body.innerText"), message="the waiting note")
    assert note.startswith(f"The JSON viewer at {viewer.url} is fetching\nhttps://acme.api.kustomerapp.com{API_URL}")
    doc_url = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 30,
                       message="the document page, after the slow answer")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    time.sleep(SILENCE)
    assert len(firefox.window_handles) == 2


@pytest.fixture()
def stopped_viewer(standin, certificates, tmp_path):
    """A port where nothing answers yet, the bookmarklets built for it, and a way to start the viewer there."""
    port = browsers.free_port()
    url = f"http://127.0.0.1:{port}"
    href = next(c.href for c in build(viewer=url).compiled if c.name == "Conversation" and c.folder == VIA_FOLDER)
    hosts = standin.write_hosts_file(tmp_path / "hosts")

    def start():
        env = {key: value for key, value in os.environ.items() if key not in ("KUSTOMER_API_KEY", "SSL_CERT_FILE")}
        env.update(SSL_CERT_FILE=str(certificates.ca_file), KUSTOMER_API_KEY=k.KEY)
        return ViewerProcess(tmp_path, port=port, env=env, wrap=lambda argv: k.resolving_kustomer(hosts, argv))
    return url, href, start


def test_chromium_with_the_viewer_stopped_stays_and_says_how_to_start_it(kustomer, chromium, stopped_viewer):
    url, href, start = stopped_viewer
    chromium.get(APP_PAGE)
    page = chromium.current_window_handle
    click_in_chromium(chromium, href)
    alert = wait_for(lambda: chromium.switch_to.alert, 15, message="the alert that the viewer is not running")
    assert alert.text == not_running(url, fetch_again("Conversation"))
    assert f"nothing answers at {url}" in alert.text and f"python -m viewer --port {url.rsplit(':', 1)[1]}\n" in alert.text
    alert.accept()
    wait_for(lambda: chromium.window_handles == [page], message="the tab with the browser's error page to close")
    assert chromium.current_url == APP_PAGE and kustomer.api_requests(API_URL) == []

    with start() as viewer:
        # This page may not fetch from the running viewer (Local Network Access): the bookmarklet only navigates.
        assert chromium.execute_async_script(
            "fetch(arguments[0], {mode: 'no-cors'}).then(() => arguments[1]('answered'), () => arguments[1]('refused'))",
            f"{viewer.url}/ping") == "refused"
        click_in_chromium(chromium, href)  # the same page, not reloaded
        doc_url = chromium_lands_on_the_document(chromium, page)
        assert doc_url.startswith(viewer.url) and raw_of(doc_url) == k.masked(k.sample("conversation.json"))
        stays_open_without_an_alert(chromium, page, chromium.current_window_handle)


def test_firefox_with_the_viewer_stopped_stays_and_says_how_to_start_it(kustomer, firefox, stopped_viewer):
    url, href, start = stopped_viewer
    firefox.navigate(APP_PAGE)
    click_in_firefox(firefox, href)
    # Marionette dismisses an open alert when any other command runs: wait on the alert alone.
    assert wait_for(lambda: firefox_alert(firefox), 15, message="the alert") == not_running(url, fetch_again("Conversation"))
    wait_for(lambda: len(firefox.window_handles) == 1, message="the tab with the error page to close")
    assert firefox.get_url() == APP_PAGE

    with start() as viewer:
        click_in_firefox(firefox, href)
        wait_for(lambda: len(firefox.window_handles) == 2, message="the viewer's tab")
        firefox.switch_to_window(firefox.window_handles[1])
        doc_url = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 20,
                           message="the document page")
        assert doc_url.startswith(viewer.url) and raw_of(doc_url) == k.masked(k.sample("conversation.json"))
        time.sleep(SILENCE)
        assert len(firefox.window_handles) == 2
