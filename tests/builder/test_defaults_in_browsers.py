"""Every default bookmarklet, on every example page, in real Chromium and Firefox: where it lands, or its alert."""
import pytest

from bookmarklets.javascript import alert_text
from tests.builder.running import chromium_run, firefox_run, on_loopback_site

DEFAULT_NAMES = ["Conversation", "Customer", "Messages", "Events", "Users", "Knowledge Base Article",
                 "Generic v1 URL"]


def cases(default_build, name):
    item = next(c for c in default_build.compiled if c.name == name)
    examples = [e for e in item.examples if on_loopback_site(e.url)]
    assert any(e.opens for e in examples) and any(e.opens is None for e in examples)
    return item, examples


def check(run, item, examples):
    for example in examples:
        outcome = run(example.url, item.href, example.opens is None)
        if example.opens is None:
            # The page stays where it is, and the alert names the bookmarklet and the page it needs.
            assert outcome == ("alert", alert_text(item.name, item.page), example.url), example.url
        else:
            assert outcome == ("landed", example.opens, None), example.url


@pytest.mark.parametrize("name", DEFAULT_NAMES)
def test_default_bookmarklet_in_chromium(chromium, site, default_build, name):
    item, examples = cases(default_build, name)
    check(lambda page, href, expect_alert: chromium_run(chromium, page, href), item, examples)


@pytest.mark.parametrize("name", DEFAULT_NAMES)
def test_default_bookmarklet_in_firefox(firefox, site, default_build, name):
    item, examples = cases(default_build, name)
    check(lambda page, href, expect_alert: firefox_run(firefox, page, href, expect_alert), item, examples)


def test_the_site_saw_the_api_requests(chromium, site, default_build):
    item, _ = cases(default_build, "Conversation")
    chromium_run(chromium, "https://acme-2.kustomerapp.com/app/customers/5f1a/event/60aa?x=1#y", item.href)
    assert [r.host for r in site.requests_to("/v1/conversations/60aa")] == ["acme-2.api.kustomerapp.com"]
