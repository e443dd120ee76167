"""What every response carries, and the checks that keep other sites and other hosts out."""
from urllib.parse import urlsplit

from flask import current_app, request

from ..errors import ViewerError
from ..settings import LOOPBACK_NAMES

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def init_app(app):
    app.before_request(refuse_foreign_host)
    app.after_request(add_headers)


def served_names() -> set:
    return {*LOOPBACK_NAMES, current_app.config["SERVER_HOST"].strip("[]").lower()}


def _host_name(host: str) -> str:
    return (urlsplit(f"//{host}").hostname or "").lower()


def refuse_foreign_host():
    """Refuse requests for any other name, so a DNS-rebinding page cannot read the documents."""
    name = _host_name(request.host)
    if name not in served_names():
        raise ViewerError(f"This viewer answers only to {', '.join(sorted(served_names()))}; "
                          f"this request was addressed to {name or 'no host'!r}.", status=421)


def _is_ours(url: str) -> bool:
    parts, ours = urlsplit(url), urlsplit(f"//{request.host}")
    try:
        return (parts.scheme in ("http", "https") and parts.hostname is not None
                and parts.hostname.lower() in served_names() and parts.port == ours.port)
    except ValueError:  # a port that is not a number
        return False


def from_own_page() -> bool:
    """Whether the request may come from the viewer's own page: Origin, Sec-Fetch-Site and Referer agree.

    Every one of them that is present must be the viewer's own; any foreign value refuses. Browsers send
    Origin with every cross-site POST, so a request with none of them is a local program's (curl, a
    script), which could read the database file anyway.
    """
    origin, site, referer = (request.headers.get(name) for name in ("Origin", "Sec-Fetch-Site", "Referer"))
    if origin == "null" and site == "same-origin":
        # A form on our own page: with Referrer-Policy no-referrer, browsers send `Origin: null` for it.
        origin = None
    if origin is not None and not _is_ours(origin):
        return False
    if site is not None and site not in ("same-origin", "none"):
        return False
    return referer is None or _is_ours(referer)


def is_cross_site() -> bool:
    """A request another site's page started (its posts may use only a share of the storage budget)."""
    origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    return (origin is not None and not _is_ours(origin)) or site in ("cross-site", "same-site")


def require_same_origin():
    """Refuse a state-changing request (deleting or keeping documents) unless the viewer's own page made it."""
    if not from_own_page():
        raise ViewerError("Refused: this action may only be taken from the viewer's own pages.", status=403)


def add_headers(response):
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.endpoint != "static":
        # Pages hold customers' personal data: nothing for the disk cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
