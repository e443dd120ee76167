"""Compilation and encoding: what the browser decodes is exactly the minified code, for any text."""
from urllib.parse import quote, unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookmarklets.javascript import alert_text, decode_href, minify, percent_encode, to_href, wrap
from bookmarklets.pipeline import build
from tests.builder.strategies import awkward_text, definition_toml, titles, url_text

# What encodeURIComponent leaves as it is.
URI_COMPONENT_SAFE = "!~*'()"


def test_percent_encoding_table():
    assert percent_encode("a b") == "a%20b"
    assert percent_encode("%") == "%25"
    assert percent_encode("#") == "%23"
    assert percent_encode("'\"") == "%27%22"
    assert percent_encode("<>") == "%3C%3E"
    assert percent_encode("\n\t") == "%0A%09"
    assert percent_encode("é😀") == "%C3%A9%F0%9F%98%80"
    assert percent_encode("\\`{}[]|^") == "%5C%60%7B%7D%5B%5D%7C%5E"
    assert percent_encode("a=b&c;d,e/f?g:h@i+j$k-l_m.n!o~p*q(r)s") == "a=b&c;d,e/f?g:h@i+j$k-l_m.n!o~p*q(r)s"


@given(st.text(st.characters(blacklist_categories=("Cs",))))
@settings(max_examples=500)
def test_percent_encoding_round_trips_and_leaves_nothing_to_reinterpret(text):
    encoded = percent_encode(text)
    assert unquote(encoded, errors="strict") == text
    assert all(c.isascii() and c not in " \t\n\r#'\"<>`\\" for c in encoded)
    # every % starts an escape, so no decoder can read a different character out of it
    assert all(encoded[i + 1:i + 3].isalnum() and len(encoded[i + 1:i + 3]) == 2
               for i, c in enumerate(encoded) if c == "%")


def test_bookmarklet_returns_undefined(engine):
    href = to_href("location.href = 'https://x.example/'; return 'a string that would replace the page'", "t")
    run = engine.run_bookmarklet(decode_href(href), "https://page.example/")
    assert run.undefinedValue and run.location == "https://x.example/"


def test_wrap_and_minify():
    assert wrap(minify("var a = 1;\n\n  // why\n  b(a);")) == "void function(){var a=1;b(a);}()"


def test_default_set_has_examples_for_every_published_failure(default_build):
    for item in default_build.compiled[:7]:
        urls = [e.url for e in item.examples]
        assert any(e.opens is None for e in item.examples), item.name
        assert any(u.startswith("https://acme-2.") for u in urls), item.name
        if item.name not in ("Users", "Generic v1 URL"):
            for mark in ("?", "#"):
                assert any(mark in u for u in urls if dict((e.url, e.opens) for e in item.examples)[u]), item.name


@given(name=titles, description=awkward_text, page=titles, literal=url_text, regex_literal=awkward_text,
       id_=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
def test_any_text_survives_compilation(tmp_path, engine, name, description, page, literal, regex_literal, id_):
    path = tmp_path / "awkward.toml"
    path.write_text(definition_toml(name, description, page, literal, regex_literal), encoding="utf-8")
    item = build([path]).compiled[0]
    assert (item.name, item.description, item.page) == (name, description, page)
    code = decode_href(item.href)
    landed = engine.run_bookmarklet(code, f"https://acme.kustomerapp.com/p/{id_}?q")
    assert landed.location == ("https://acme.api.kustomerapp.com/echo/" + quote(id_, safe=URI_COMPONENT_SAFE)
                               + "#" + literal)
    refused = engine.run_bookmarklet(code, "https://acme.kustomerapp.com/elsewhere")
    assert (refused.navigated, refused.alerts) == (False, [alert_text(name, page)])


def test_through_the_viewer_opens_one_tab_on_fetch_and_leaves_the_page(tmp_path, engine):
    name, literal = 'Zoë "quoted" </script> \\ `x`', "a b&c=%25'\"#é😀"
    path = tmp_path / "awkward.toml"
    path.write_text(definition_toml(name, "d", "p", literal, "r"), encoding="utf-8")
    [plain, through] = build([path], viewer="http://127.0.0.1:9000").compiled[:2]
    assert (through.via, through.new_tab, plain.new_tab) == ("http://127.0.0.1:9000/fetch?url=", True, False)
    run = engine.run_bookmarklet(decode_href(through.href), "https://acme.kustomerapp.com/p/A%2F1?q")
    api = "https://acme.api.kustomerapp.com/echo/" + quote("A%2F1", safe=URI_COMPONENT_SAFE) + "#" + literal
    assert run.opened == ["http://127.0.0.1:9000/fetch?url=" + quote(api, safe=URI_COMPONENT_SAFE)]
    assert (run.navigated, run.alerts, run.error, run.undefinedValue) == (False, [], None, True)
    refused = engine.run_bookmarklet(decode_href(through.href), "https://acme.kustomerapp.com/elsewhere")
    assert (refused.opened, refused.alerts) == ([], [alert_text(name, "p")])
