"""Refresh in the real viewer process: a resource that changes between two fetches becomes two linked versions."""
import html
import re
import urllib.error
import urllib.request
from urllib.parse import quote

from tests.support import kustomer_standin as k

API = "https://acme.api.kustomerapp.com"
PATH = "/v1/orders/6a7b8c9d0e1f2a3b4c5d6e7f"


def changing_order():
    """An answer whose status changes on every fetch: open, then closed."""
    fetched = []

    def answer(_request):
        fetched.append(1)
        status = "open" if len(fetched) == 1 else "closed"
        body = ('{"data": {"type": "order", "id": "6a7b8c9d0e1f2a3b4c5d6e7f", '
                f'"attributes": {{"status": "{status}", "total": 12.50}}}}}}')
        return k.Response(200, body, {"Content-Type": k.JSON})
    return answer


def post(url, headers=None):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    request = urllib.request.Request(url, data=b"", method="POST", headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def test_refresh_links_two_versions_and_shows_the_change(kustomer, viewer, get):
    kustomer.override(PATH, changing_order())
    first = get(f"{viewer.url}/fetch?url={quote(API + PATH, safe='')}").headers["Location"]
    first_id = first.rsplit("/", 1)[1]
    page = get(f"{viewer.url}/docs/{first_id}").text
    assert re.search(r"version (\d+) of \1 · fetched \d\d:\d\d", page), page[:3000]
    assert 'id="refresh"' in page

    status, _, text = post(f"{viewer.url}/docs/{first_id}/refresh", {"Origin": "https://evil.example"})
    assert status == 403 and len(kustomer.api_requests(PATH)) == 1

    status, headers, text = post(f"{viewer.url}/docs/{first_id}/refresh", {"Origin": viewer.url})
    assert status == 303, text[-1000:]
    second_id = headers["Location"].rsplit("/", 1)[1]
    assert second_id != first_id and len(kustomer.api_requests(PATH)) == 2
    page = html.unescape(get(f"{viewer.url}/docs/{second_id}").text)
    versions = re.search(r'<nav class="versions" id="versions">(.*?)</nav>', page, re.DOTALL).group(1)
    number = int(re.search(r"version (\d+) of", versions).group(1))
    assert f"version {number} of {number}" in versions and f"/docs/{first_id}" in versions
    changes = re.search(r'id="changes-since" href="([^"]+)">Changes since version (\d+)', page)
    assert changes and int(changes.group(2)) == number - 1

    diff = html.unescape(get(f"{viewer.url}{changes.group(1)}").text)
    assert "1 change<" in diff and "data.attributes.status" in diff
    old, new = re.search(r'<pre class="old">(.*?)</pre>\s*<pre class="new">(.*?)</pre>', diff, re.DOTALL).groups()
    assert re.sub("<[^>]+>", "", old) == '"open"' and re.sub("<[^>]+>", "", new) == '"closed"'
    patch = get(f"{viewer.url}{changes.group(1)}&format=json-patch", accept="application/json-patch+json")
    assert patch.json() == [{"op": "replace", "path": "/data/attributes/status", "value": "closed"}]

    home = get(f"{viewer.url}/").text
    rows = re.findall(r'<tr class="home-(?:latest|version)" data-version="(\d+)">\s*'
                      r'<td class="name"><a href="/docs/([^"]+)"', home)
    ours = [(int(v), d) for v, d in rows if d in (first_id, second_id)]
    assert ours == [(number, second_id), (number - 1, first_id)]  # together, newest first


def test_a_pasted_document_cannot_be_refreshed(viewer, get):
    request = urllib.request.Request(f"{viewer.url}/docs", data=b'{"a": 1}', method="POST",
                                     headers={"Content-Type": "application/json"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        location = exc.headers["Location"]
    status, _, text = post(f"{viewer.url}{location}/refresh")
    assert status == 400 and "Only a document the viewer fetched" in html.unescape(text)
