"""Fetch an allow-listed API URL with the user's key, checking every redirect hop against the list.

Standard library only: `ssl.create_default_context()` trusts the system's certificate store (and
`SSL_CERT_FILE`), and names resolve through the system resolver, as for any other program.
"""
import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from . import errors as explain
from . import keys
from .allowlist import DEFAULT_ALLOWED_HOSTS, NotAllowed, check_url
from .errors import UpstreamError

KEY_VARIABLE, KEY_FILE_VARIABLE = keys.KEY_VARIABLE, keys.KEY_FILE_VARIABLE

# The response headers an error keeps: its type and Kustomer's rate-limit figures.
KEPT_HEADERS = ("content-type", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")
# A document keeps every other response header (request IDs to quote to Kustomer's support), but not these:
# a session cookie is a credential.
COOKIE_HEADERS = ("set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization")  # never kept

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "api-bookmarklets-viewer"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How long to wait and how much to read; the viewer's config overrides these defaults."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 256 * 1024 * 1024
    max_redirects: int = 5


@dataclass
class Fetched:
    """A successful (2xx) answer: the exact body and what is worth keeping about how it came."""

    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict
    fetched_at: str
    elapsed_ms: int
    redirects: list = field(default_factory=list)
    key_name: str | None = None  # the stored key chosen by name (&org=NAME), never the key

    def info(self) -> dict:
        """What is stored with the document (never the key): JSON-serialisable."""
        return {"url": self.final_url, "requested_url": self.url, "status": self.status,
                "fetched_at": self.fetched_at, "elapsed_ms": self.elapsed_ms, "seconds": self.elapsed_ms / 1000,
                "headers": self.headers, "redirects": self.redirects, "key_name": self.key_name}


def api_key(url: str = "", name: str | None = None) -> str:
    """The key a request to `url` carries (see kustomer.keys); read from the key file at each request."""
    return keys.key_for(url, name)


def fetch(url: str, *, allowed_hosts=DEFAULT_ALLOWED_HOSTS, limits: Limits = Limits(), key: str | None = None,
          key_name: str | None = None) -> Fetched:
    """GET `url` with the bearer key (the URL's, or the one stored as `key_name`); follow redirects that stay
    on the allow-list; raise UpstreamError."""
    key = _checked(url, allowed_hosts, key, key_name)
    started, fetched_at = time.monotonic(), _now()
    current, redirects = url, []
    while True:
        status, headers, body = _get_once(current, key, limits)
        if status in REDIRECT_STATUSES:
            current = _next_hop(current, headers, redirects, allowed_hosts, limits)
            continue
        if not 200 <= status < 300:
            raise explain.from_response(current, status, _kept(headers), _redact(body, key), key)
        elapsed = int((time.monotonic() - started) * 1000)
        return Fetched(url, current, status, body, without_cookies(headers), fetched_at, elapsed, redirects,
                       key_name or keys.chosen_name())


def _checked(url: str, allowed_hosts, key: str | None, key_name: str | None = None) -> str:
    """Refuse a URL off the allow-list before the key is even read; the key, with the URL on its error."""
    check_url(url, allowed_hosts)
    try:
        return keys.key_for(url, key_name) if key is None else key
    except UpstreamError as exc:
        exc.url = url
        raise


def _kept(headers: dict) -> dict:
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}


def without_cookies(headers: dict) -> dict:
    return {name: value for name, value in headers.items() if name.lower() not in COOKIE_HEADERS}


def _next_hop(current, headers, redirects, allowed_hosts, limits) -> str:
    location = headers.get("location")
    if not location:
        raise explain.bad_redirect(current, "a redirect without a Location header")
    target = urljoin(current, location)
    try:
        check_url(target, allowed_hosts)
    except NotAllowed as exc:
        raise NotAllowed(f"The API redirected {current} to {target}, which the viewer does not follow, "
                         f"so your key was not sent there: {exc}") from None
    redirects.append(target)
    if len(redirects) > limits.max_redirects:
        raise explain.bad_redirect(current, f"more than {limits.max_redirects} redirects in a row")
    return target


def post(url: str, *, allowed_hosts=DEFAULT_ALLOWED_HOSTS, limits: Limits = Limits(), key: str | None = None,
         key_name: str | None = None):
    """POST with no body (opening an unmasking window) to an allow-listed URL; (status, body), or UpstreamError."""
    return _without_body("POST", url, allowed_hosts, limits, key, key_name)


def delete(url: str, *, allowed_hosts=DEFAULT_ALLOWED_HOSTS, limits: Limits = Limits(), key: str | None = None,
           key_name: str | None = None):
    """DELETE (ending an unmasking window) at an allow-listed URL; (status, body), or UpstreamError."""
    return _without_body("DELETE", url, allowed_hosts, limits, key, key_name)


def _without_body(method, url, allowed_hosts, limits, key, key_name=None):
    key = _checked(url, allowed_hosts, key, key_name)
    status, headers, body = _get_once(url, key, limits, method=method)
    if not 200 <= status < 300:
        kept = _kept(headers)
        raise explain.from_response(url, status, kept, _redact(body, key), key)
    return status, body


def _get_once(url: str, key: str, limits: Limits, method: str = "GET"):
    """One request on a fresh connection: (status, lower-cased headers, body) or UpstreamError."""
    parts = urlsplit(url)
    host = parts.hostname
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn = http.client.HTTPSConnection(host, parts.port or 443, timeout=limits.connect_timeout,
                                           context=ssl.create_default_context())
    except (http.client.HTTPException, ValueError) as exc:  # check_url stops these; a last line of defence
        raise explain.connection_failure(url, host, exc) from None
    try:
        try:
            conn.connect()
        except socket.gaierror as exc:
            raise explain.dns_failure(url, host, exc) from None
        except UnicodeError as exc:  # a name the IDNA codec cannot encode
            raise explain.connection_failure(url, host, exc) from None
        except TimeoutError:
            raise explain.timeout(url, "connect", limits.connect_timeout) from None
        except ssl.SSLError as exc:
            raise explain.tls_failure(url, host, exc) from None
        except OSError as exc:
            raise explain.connection_failure(url, host, exc) from None
        conn.sock.settimeout(limits.read_timeout)
        try:
            conn.request(method, path, body=b"" if method == "POST" else None,
                         headers={"Authorization": f"Bearer {key}", "Accept": "application/json",
                                  "User-Agent": USER_AGENT})
            response = conn.getresponse()
            headers = {}
            for name, value in response.getheaders():  # a repeated header is one value, as HTTP allows
                name = name.lower()
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            body = b"" if response.status in REDIRECT_STATUSES else _read_limited(response, url, limits)
        except TimeoutError:
            raise explain.timeout(url, "read", limits.read_timeout) from None
        except ssl.SSLError as exc:
            raise explain.tls_failure(url, host, exc) from None
        except (http.client.HTTPException, OSError) as exc:
            raise explain.connection_failure(url, host, exc) from None
        return response.status, headers, body
    finally:
        conn.close()


def _read_limited(response, url: str, limits: Limits) -> bytes:
    declared = response.getheader("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise explain.too_large(url, limits.max_bytes, int(declared))
    chunks, size, deadline = [], 0, time.monotonic() + max(limits.read_timeout * 10, 60)
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > limits.max_bytes:
            raise explain.too_large(url, limits.max_bytes, None)
        if time.monotonic() > deadline:  # a server that trickles bytes would beat the per-read timeout
            raise explain.timeout(url, "read", limits.read_timeout)
        chunks.append(chunk)
    return b"".join(chunks)


def _redact(body: bytes, key: str) -> bytes:
    """An API that echoes the request must not put the key on an error page."""
    return body.replace(key.encode(), b"[" + KEY_VARIABLE.encode() + b"]") if key else body


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
