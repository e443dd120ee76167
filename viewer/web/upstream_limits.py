"""The limits of every request the viewer makes to the API (timeouts, size, redirects), from the app's config."""
from flask import current_app

from ..kustomer import upstream


def limits() -> upstream.Limits:
    """The fetch limits from the app's config; the document size limit is the viewer's own."""
    config, default = current_app.config, upstream.Limits()
    return upstream.Limits(
        connect_timeout=float(config.get("FETCH_CONNECT_TIMEOUT", default.connect_timeout)),
        read_timeout=float(config.get("FETCH_READ_TIMEOUT", default.read_timeout)),
        max_bytes=int(config.get("MAX_BYTES", default.max_bytes)),
        max_redirects=int(config.get("FETCH_MAX_REDIRECTS", default.max_redirects)))
