"""bookmarks.html in the Netscape format, laid out exactly as Chromium's exporter writes it.

Chromium's importer reads the file line by line and case-sensitively, so the layout is not cosmetic:
upper-case tags and attributes, one `<DT><A …>…</A>` per line, `<DL><p>` and `</DL><p>` on lines of their own.
"""
from bookmarklets import settings
from bookmarklets.javascript import Compiled
from bookmarklets.layout import bar

HEADER = """\
<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'none'; img-src data: *; object-src 'none'"></meta>
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
"""

INDENT = "    "


def escape(text: str) -> str:
    """The five entities Chromium's importer decodes, and nothing else (not `&#x27;`, not `&#34;`)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def render(compiled: list[Compiled], date: int) -> str:
    lines = ["<DL><p>",
             f'{INDENT}<DT><H3 ADD_DATE="{date}" LAST_MODIFIED="{date}" PERSONAL_TOOLBAR_FOLDER="true">'
             f"{escape(settings.BOOKMARKS_BAR_TITLE)}</H3>",
             f"{INDENT}<DL><p>"]
    for folder, items in bar(compiled):
        depth = 2
        if folder is not None:
            lines += [f'{INDENT * 2}<DT><H3 ADD_DATE="{date}" LAST_MODIFIED="{date}">{escape(folder)}</H3>',
                      f"{INDENT * 2}<DL><p>"]
            depth = 3
        lines += [f'{INDENT * depth}<DT><A HREF="{escape(item.href)}" ADD_DATE="{date}">{escape(item.name)}</A>'
                  for item in items]
        if folder is not None:
            lines.append(f"{INDENT * 2}</DL><p>")
    lines += [f"{INDENT}</DL><p>", "</DL><p>"]
    return HEADER + "\n".join(lines) + "\n"
