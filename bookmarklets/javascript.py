"""JavaScript out: Jinja2 template, then rjsmin, then wrapped and percent-encoded into a `javascript:` URL."""
import functools
import json
import string
from dataclasses import dataclass

import jinja2
import rjsmin

from bookmarklets import settings
from bookmarklets.definitions import Bookmarklet, Group
from bookmarklets.errors import BookmarkletError
from bookmarklets.through_viewer import watch_words


@dataclass(frozen=True)
class Compiled:
    """A bookmarklet ready to write out; `folder` None means straight on the bookmarks bar."""
    name: str
    folder: str | None
    description: str
    page: str
    href: str
    match: str | None = None
    open: str | None = None
    via: str | None = None
    new_tab: bool = False
    examples: tuple = ()
    source: str = ""


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(settings.templates_dir()),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["js"] = js_string
    return env


def js_string(value) -> str:
    """A JavaScript literal for any string (JSON is valid JavaScript, and keeps non-ASCII as it is)."""
    return json.dumps(value, ensure_ascii=False)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def minify(code: str) -> str:
    return rjsmin.jsmin(code)


def wrap(code: str) -> str:
    # A bookmarklet whose value is not undefined replaces the page with that value.
    return "void function(){" + code + "}()"


# encodeURI's unescaped set, less the quote and `#`: characters every URL parser keeps as they are.
_KEEP = frozenset(string.ascii_letters + string.digits + "-_.!~*();,/?:@&=+$")


def percent_encode(code: str) -> str:
    """Encode so that the browser's percent-decoding gives back exactly `code`."""
    return "".join(c if c in _KEEP else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in code)


def to_href(code: str, label: str) -> str:
    href = "javascript:" + percent_encode(wrap(minify(code)))
    if len(href) > settings.MAX_HREF_LENGTH:
        raise BookmarkletError(f"{label}: compiles to {len(href):,} characters; Firefox keeps at most "
                               f"{settings.MAX_HREF_LENGTH:,} in a bookmark's URL, so make it smaller")
    return href


def decode_href(href: str) -> str:
    """What the browser runs for a `javascript:` URL we wrote (the inverse of `to_href`'s encoding)."""
    from urllib.parse import unquote

    return unquote(href.removeprefix("javascript:"), errors="strict")


def target_expression(target: tuple) -> str:
    """JavaScript for the URL to open: literal text, and each group through encodeURIComponent."""
    pieces = []
    for part in target:
        if isinstance(part, Group):
            group = f"m[{part.ref}]" if isinstance(part.ref, int) else f"m.groups[{js_string(part.ref)}]"
            pieces.append(f'e({group}||"")')
        else:
            pieces.append(js_string(part))
    return "+".join(pieces)


def alert_text(name: str, page: str) -> str:
    return f"{name} works on {page}.\nThis page is not one: open one, then click {name} again."


def compile_bookmarklet(bookmarklet: Bookmarklet, folder: str) -> Compiled:
    code = render("open.js.j2",
                  match=bookmarklet.match,
                  target=target_expression(bookmarklet.target),
                  via=bookmarklet.via,
                  new_tab=bookmarklet.new_tab,
                  alert=alert_text(bookmarklet.name, bookmarklet.page),
                  **(watch_words(bookmarklet) if bookmarklet.via else {}))
    href = to_href(code, f'{bookmarklet.source}: bookmarklet "{bookmarklet.name}"')
    return Compiled(bookmarklet.name, folder, bookmarklet.description, bookmarklet.page, href,
                    bookmarklet.match, bookmarklet.open, bookmarklet.via, bookmarklet.new_tab,
                    bookmarklet.examples, bookmarklet.source)
