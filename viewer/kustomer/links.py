"""Which strings in a document are links, and where they go.

Plain http(s) URLs open directly. When the document came from an API (it has a source URL), API
paths (`/v1/...`), JSON:API `links` and absolute URLs on the allow-list open through `/fetch`,
resolved against the source URL, so that the viewer fetches them with the user's key.
"""
import re
from urllib.parse import urlencode, urljoin, urlsplit

from .allowlist import NotAllowed, check_url

LINK_KEYS = {"self", "first", "prev", "next", "last", "related"}
EMBEDDED_URL = re.compile(r"https?://[^\s\"'<>\\]+[^\s\"'<>\\.,;:!?)\]]")


def fetch_href(url: str) -> str:
    return "/fetch?" + urlencode({"url": url})


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def link_for(value: str, *, key=None, parent_key=None, source_url=None, allowed_hosts=()):
    """(href, kind) for a whole string value, kind "api" (through /fetch) or "web"; or None."""
    if source_url:
        # Kustomer spells a KObject's `klass` relationship `link`, where others have `links`.
        api_like = value.startswith("/v1/") or (
            parent_key in ("links", "link") and key in LINK_KEYS and value.startswith("/")) or _is_web_url(value)
        if api_like:
            try:
                absolute = check_url(urljoin(source_url, value), allowed_hosts)
            except (NotAllowed, ValueError):
                absolute = None
            if absolute:
                return fetch_href(absolute), "api"
    if _is_web_url(value):
        return value, "web"
    return None


def page_links(landmarks: dict, source_url, allowed_hosts):
    """Previous/next page hrefs for a list response (`links.prev/next`, or `meta.page` of `meta.totalPages`)."""
    links, meta = landmarks.get("links") or {}, landmarks.get("meta") or {}
    result = {}
    for name in ("prev", "next"):
        target = links.get(name) if isinstance(links, dict) else None
        if isinstance(target, str) and target:
            link = link_for(target, key=name, parent_key="links", source_url=source_url, allowed_hosts=allowed_hosts)
            if link and link[1] == "api":
                result[name] = link[0]
    page, pages = (meta.get("page"), meta.get("totalPages")) if isinstance(meta, dict) else (None, None)
    if source_url and isinstance(page, int) and isinstance(pages, int):
        for name, number in (("prev", page - 1), ("next", page + 1)):
            if name not in result and 1 <= number <= pages:
                url = _with_page(source_url, number)
                try:
                    result[name] = fetch_href(check_url(url, allowed_hosts))
                except NotAllowed:
                    pass
        result["page"], result["pages"] = page, pages
    return result


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = re.sub(r"(^|&)page=\d+", rf"\g<1>page={number}", parts.query)
    if query == parts.query and not re.search(r"(^|&)page=", query):
        query = f"{query}&page={number}" if query else f"page={number}"
    return parts._replace(query=query).geturl()
