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


def require_same_origin():
    """Refuse a state-changing request that another site's page started (deleting documents)."""
    origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    if origin == "null" and site == "same-origin":
        # A form on our own page: with Referrer-Policy no-referrer, browsers send `Origin: null` for it.
        return
    if origin is not None:
        parts = urlsplit(origin)
        ours = urlsplit(f"//{request.host}")
        if parts.hostname is None or parts.hostname.lower() not in served_names() or parts.port != ours.port:
            raise ViewerError("Refused: this action may only be taken from the viewer's own pages.", status=403)
    elif site is not None and site not in ("same-origin", "none"):
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
