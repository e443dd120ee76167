"""bookmarks.html: Chromium's exporter layout, and titles and URLs that read back exactly."""
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bookmarklets import bookmarks_html
from bookmarklets.javascript import Compiled
from tests.builder.strategies import titles


def item(name, href, folder="Tools"):
    return Compiled(name, folder, "", "", href)


def test_layout_is_chromiums():
    text = bookmarks_html.render([item("A & B", "javascript:void%200", "Tools"),
                                  item("C", "javascript:c()", None)], 42)
    assert text == """\
<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'none'; img-src data: *; object-src 'none'"></meta>
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="42" LAST_MODIFIED="42" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><H3 ADD_DATE="42" LAST_MODIFIED="42">Tools</H3>
        <DL><p>
            <DT><A HREF="javascript:void%200" ADD_DATE="42">A &amp; B</A>
        </DL><p>
        <DT><A HREF="javascript:c()" ADD_DATE="42">C</A>
    </DL><p>
</DL><p>
"""


def test_escapes_exactly_the_five():
    assert bookmarks_html.escape("&<>\"'é%#") == "&amp;&lt;&gt;&quot;&#39;é%#"


def chromium_read(text):
    """Read links the way Chromium's importer does: one line each, only the five entities decoded."""
    def decode(s):
        for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&")):
            s = s.replace(entity, char)
        return s
    return [(decode(m.group(2)), decode(m.group(1)))
            for m in re.finditer(r'^ *<DT><A HREF="([^"]*)" ADD_DATE="\d+">(.*)</A>$', text, re.MULTILINE)]


class FirefoxLikeParser(HTMLParser):
    """Firefox parses the file as real HTML."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self._href, self._title = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._title = dict(attrs)["href"], ""

    def handle_data(self, data):
        if self._title is not None:
            self._title += data

    def handle_endtag(self, tag):
        if tag == "a":
            self.links.append((self._title, self._href))
            self._title = None


@given(st.lists(st.tuples(titles, st.text(st.characters(blacklist_categories=("Cs", "Cc")))), min_size=1,
                max_size=4))
@settings(max_examples=300)
def test_any_title_and_url_read_back_exactly(pairs):
    items = [item(name, "javascript:" + href) for name, href in pairs]
    text = bookmarks_html.render(items, 1)
    expected = [(i.name, i.href) for i in items]
    assert chromium_read(text) == expected
    parser = FirefoxLikeParser()
    parser.feed(text)
    assert parser.links == expected
