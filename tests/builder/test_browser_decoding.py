"""A sample of awkward definitions, compiled, encoded, and decoded and run by real Chromium: nothing changes."""
from hypothesis import HealthCheck, given, settings

from bookmarklets.javascript import alert_text, decode_href
from bookmarklets.pipeline import build
from tests.builder.running import chromium_run
from tests.builder.strategies import awkward_text, definition_toml, titles, url_text


@given(name=titles, page=titles, literal=url_text, regex_literal=awkward_text)
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_awkward_bookmarklets_run_unchanged_in_chromium(chromium, site, engine, tmp_path, name, page, literal,
                                                        regex_literal):
    path = tmp_path / "awkward.toml"
    path.write_text(definition_toml(name, "d", page, literal, regex_literal), encoding="utf-8")
    item = build([path]).compiled[0]

    # The alert's text came through the URL's decoding intact.
    outcome = chromium_run(chromium, "https://acme.kustomerapp.com/elsewhere", item.href)
    assert outcome == ("alert", alert_text(name, page), "https://acme.kustomerapp.com/elsewhere")

    # The browser lands where V8 says the decoded code goes (as the browser writes that URL).
    expected = engine.run_bookmarklet(decode_href(item.href), "https://acme.kustomerapp.com/p/A1").location
    outcome = chromium_run(chromium, "https://acme.kustomerapp.com/p/A1", item.href)
    assert outcome == ("landed", chromium.execute_script("return new URL(arguments[0]).href", expected), None)
