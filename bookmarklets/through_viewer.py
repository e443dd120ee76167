"""The second folder: the same bookmarklets, opening the API URL through the local viewer's /fetch."""
import dataclasses
from urllib.parse import quote

from bookmarklets import settings
from bookmarklets.definitions import Example, Folder


def fetch_prefix(viewer: str) -> str:
    return viewer.rstrip("/") + "/fetch?url="


def encode_uri_component(text: str) -> str:
    """Python's spelling of JavaScript's encodeURIComponent."""
    return quote(text, safe="!~*'()")


def through_viewer(folder: Folder, viewer: str) -> Folder:
    prefix = fetch_prefix(viewer)
    bookmarklets = tuple(
        dataclasses.replace(
            b, via=prefix,
            examples=tuple(Example(e.url, None if e.opens is None else prefix + encode_uri_component(e.opens))
                           for e in b.examples))
        for b in folder.bookmarklets)
    return Folder(folder.name + settings.VIEWER_FOLDER_SUFFIX, bookmarklets)
