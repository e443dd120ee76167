"""The viewer's address, built into its bookmarklets: checked, its origin, and the option that starts it there."""
from urllib.parse import urlsplit

from bookmarklets import settings
from bookmarklets.errors import BookmarkletError


def check_viewer_url(viewer: str) -> str:
    """The viewer's address, without a trailing slash; http(s), host, no query or fragment."""
    parts = urlsplit(viewer)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # not a number, or out of range
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.query or parts.fragment:
        raise BookmarkletError(f"--viewer {viewer!r}: give the viewer's address, "
                               f"such as {settings.DEFAULT_VIEWER}")
    return viewer.rstrip("/")


def port_of(viewer: str) -> int:
    parts = urlsplit(viewer)
    return parts.port or (443 if parts.scheme == "https" else 80)


def origin_of(viewer: str) -> str:
    """The origin a browser gives the viewer's pages (lower case, no default port): what their messages carry."""
    parts = urlsplit(viewer)
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + ("" if port_of(viewer) == default else f":{port_of(viewer)}")


def port_option(viewer: str) -> str:
    """` --port N` when the viewer is not on its default port, for the commands that start it."""
    port = port_of(viewer)
    return "" if port == settings.DEFAULT_VIEWER_PORT else f" --port {port}"
