"""The second folder: the same bookmarklets, opening the API URL through the local viewer's /fetch.

They open it in a new tab and watch that tab: when nothing answers at the viewer's address, the tab
closes, and the page the agent clicked on stays as it was and says how to start the viewer.
"""
import dataclasses
from urllib.parse import quote

from bookmarklets import settings
from bookmarklets.definitions import Bookmarklet, Example, Folder
from bookmarklets.viewer_address import origin_of
from bookmarklets.viewer_messages import fetch_again, not_running, popup_blocked

FETCH_PATH = "/fetch?url="


def fetch_prefix(viewer: str) -> str:
    return viewer.rstrip("/") + FETCH_PATH


def encode_uri_component(text: str) -> str:
    """Python's spelling of JavaScript's encodeURIComponent."""
    return quote(text, safe="!~*'()")


def through_viewer(folder: Folder, viewer: str) -> Folder:
    prefix = fetch_prefix(viewer)
    # Always a new tab, whatever the definition says: this page watches it, to tell a viewer that
    # answers from one that is not running.
    bookmarklets = tuple(
        dataclasses.replace(
            b, via=prefix, new_tab=True,
            examples=tuple(Example(e.url, None if e.opens is None else prefix + encode_uri_component(e.opens))
                           for e in b.examples))
        for b in folder.bookmarklets)
    return Folder(folder.name + settings.VIEWER_FOLDER_SUFFIX, bookmarklets)


def watch_words(bookmarklet: Bookmarklet) -> dict:
    """What the template's watching part needs: the viewer's origin and the agent's messages, in words."""
    viewer = bookmarklet.via.removesuffix(FETCH_PATH)
    return {
        "viewer_origin": origin_of(viewer),
        "not_running": not_running(viewer, fetch_again(bookmarklet.name)),
        "blocked": popup_blocked(bookmarklet.name),
        "waiting_title": f"{bookmarklet.name} · asking the JSON viewer",
        "waiting": f"The JSON viewer at {viewer} is fetching\n",
        "waiting_after": "\n\nThe answer can take a few seconds; it opens in this tab.",
    }
