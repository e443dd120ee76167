"""From a Kustomer app page, the through-the-viewer bookmarklet ends on the viewer's page for that JSON."""
import re
import urllib.request

from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for

APP_PAGE = f"https://acme.kustomerapp.com/app/customers/{k.CUSTOMER_ID}/event/{k.CONVERSATION_ID}"
DOC_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/docs/[A-Za-z0-9_-]+$")


def through_viewer(bookmarklets, viewer, name):
    [href] = [b["href"] for b in bookmarklets if b["name"] == name and b.get("through") == f"{viewer.url}/fetch?url="]
    return href


def raw_of(doc_url):
    with urllib.request.urlopen(f"{doc_url}/raw", timeout=10) as response:
        return response.read()


def test_chromium_conversation_through_the_viewer(kustomer, viewer, bookmarklets, chromium):
    chromium.get(APP_PAGE)
    chromium.execute_script("location.href = arguments[0]", through_viewer(bookmarklets, viewer, "Conversation"))
    doc_url = wait_for(lambda: DOC_PAGE.match(chromium.current_url) and chromium.current_url, 15, message="the document page")
    assert doc_url.startswith(viewer.url)
    wait_for(lambda: "Where is my order?" in chromium.find_element("tag name", "body").text, message="the JSON on the page")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    [request] = kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")
    assert request.headers["Authorization"] == f"Bearer {k.KEY}" and request.host == "acme.api.kustomerapp.com"


def test_firefox_conversation_through_the_viewer(kustomer, viewer, bookmarklets, firefox):
    firefox.navigate(APP_PAGE)
    firefox.execute_script("location.href = arguments[0]", script_args=[through_viewer(bookmarklets, viewer, "Conversation")])
    doc_url = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 15, message="the document page")
    wait_for(lambda: "Where is my order?" in firefox.execute_script("return document.body.textContent"),
             message="the JSON on the page")
    assert raw_of(doc_url) == k.masked(k.sample("conversation.json"))
    [request] = kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")
    assert request.headers["Authorization"] == f"Bearer {k.KEY}"
