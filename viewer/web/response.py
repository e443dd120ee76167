"""The response a fetched document came in: its request URL (masked as the document is), status, time and headers."""
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Query parameters that page, sort or shape a list: never a customer's data, shown as sent.
PLAIN_PARAMETERS = {"page", "pagesize", "sort", "include", "fields", "limit", "offset", "cursor", "order", "type"}
# A path segment that names someone: an email address, a phone number, an external ID (`externalId=…`).
PERSONAL = re.compile(r"@|\d{7,}|=|\+\d")
MASK = "********"


def shown_url(doc) -> str | None:
    """The document's request URL as the page may show it: while the document is masked, the parts of the URL that
    may be a customer's data (query values other than paging, path segments holding an email, a phone number or
    `externalId=…`) are masked; object IDs and the rest stay as sent."""
    info = doc.fetch_info or {}
    url = info.get("requested_url") or info.get("url") or doc.source_url
    if not url or not getattr(doc.masking, "masked", True):
        return url
    parts = urlsplit(url)
    path = "/".join(_segment(segment) for segment in parts.path.split("/"))
    query = urlencode([(name, value if name.lower().split("[")[0] in PLAIN_PARAMETERS else MASK)
                       for name, value in parse_qsl(parts.query, keep_blank_values=True)], safe="*[]")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _segment(segment: str) -> str:
    if not PERSONAL.search(segment):
        return segment
    name, equals, _value = segment.partition("=")
    return f"{quote(name)}={MASK}" if equals else MASK


def response_of(doc) -> dict | None:
    """`{"url", "status", "seconds", "headers"}` for a fetched document (cookies were never kept), else None."""
    info = doc.fetch_info
    if not info:
        return None
    seconds = info.get("seconds")
    if seconds is None and info.get("elapsed_ms") is not None:
        seconds = info["elapsed_ms"] / 1000
    return {"url": shown_url(doc), "status": info.get("status"), "seconds": seconds,
            "headers": dict(sorted((info.get("headers") or {}).items()))}
