"""The shared browser machinery itself: both browsers reach the real-shaped loopback site."""
from tests.support.servers import Response


def test_chromium_reaches_real_shaped_url(chromium, site):
    site.route("/app/hello", Response(200, "<!doctype html><title>hello</title>"))
    chromium.get("https://acme.kustomerapp.com/app/hello")
    assert chromium.title == "hello"
    assert site.requests_to("/app/hello")[0].host == "acme.kustomerapp.com"


def test_firefox_reaches_real_shaped_url(firefox, site):
    site.route("/app/hello", Response(200, "<!doctype html><title>hello</title>"))
    firefox.navigate("https://acme.kustomerapp.com/app/hello")
    assert firefox.title == "hello"
    assert site.requests_to("/app/hello")[0].host == "acme.kustomerapp.com"
