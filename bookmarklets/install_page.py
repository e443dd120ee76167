"""index.html: every bookmarklet as a link to drag onto the bookmarks bar, with import steps.

The page allows only its own script and style, by hash: a `javascript:` link on it cannot run by
accident, not even when its script is off.
"""
import base64
import hashlib

from markupsafe import Markup

from bookmarklets import settings
from bookmarklets.javascript import Compiled, environment, render
from bookmarklets.layout import bar
from bookmarklets.viewer_address import port_option


def csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _static(name: str) -> str:
    return environment().loader.get_source(environment(), name)[0]


def render_page(compiled: list[Compiled], viewer: str = settings.DEFAULT_VIEWER) -> str:
    script, style = _static("install.js"), _static("install.css")
    numbered = iter(range(1, len(compiled) + 1))
    groups = [(folder, [(f"bookmarklet-{next(numbered)}", item) for item in items])
              for folder, items in bar(compiled)]
    return render("install.html.j2",
                  groups=groups,
                  bookmarks_file=settings.BOOKMARKS_HTML,
                  viewer=viewer, port_option=port_option(viewer),
                  through=any(item.via for item in compiled),
                  script=Markup(script), style=Markup(style),
                  script_hash=csp_hash(script), style_hash=csp_hash(style))
