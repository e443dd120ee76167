"""Which URLs the viewer may fetch on the user's behalf: https only, on allow-listed host names."""
import ipaddress
import re
from urllib.parse import urlsplit

from ..errors import ViewerError

# Kustomer's US and EU API hosts and every org host (`{org}.api.kustomerapp.com`) end in this.
DEFAULT_ALLOWED_HOSTS = ("*.kustomerapp.com",)


# A DNS name as http.client and the resolver accept it: labels of letters, digits and inner hyphens.
HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?\Z")
# What http.client refuses in a request line, and would raise as an error outside our handling.
UNSENDABLE = re.compile(r"[\x00-\x20\x7f]")


class NotAllowed(ViewerError):
    """A URL the viewer refuses to fetch; the message says why, for the person who asked."""


def host_matches(host: str, pattern: str) -> bool:
    """`*.example.com` matches any name below example.com (not example.com itself); else exact."""
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def check_url(url: str, allowed_hosts=DEFAULT_ALLOWED_HOSTS) -> str:
    """Return `url` when the viewer may fetch it; raise NotAllowed saying why otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise NotAllowed(f"{url!r} is not a valid URL ({exc}).") from None
    if parts.scheme != "https":
        raise NotAllowed(f"Only https URLs are fetched; {url!r} is {parts.scheme or 'not absolute'}.")
    if parts.username is not None or parts.password is not None:
        raise NotAllowed("URLs with a user name or password in them are not fetched.")
    host = parts.hostname or ""
    if not host:
        raise NotAllowed(f"{url!r} has no host.")
    _check_sendable(url, host)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise NotAllowed(f"{host} is an IP address; only allow-listed host names are fetched.")
    if port not in (None, 443):
        raise NotAllowed(f"Only the default https port is fetched; {url!r} names port {port}.")
    if not any(host_matches(host, pattern) for pattern in allowed_hosts):
        raise NotAllowed(f"{host} is not on the allow-list ({', '.join(allowed_hosts)}); "
                         "add it with --allow-host if it is an API you trust with your key.")
    return url


def _check_sendable(url: str, host: str):
    """Refuse a URL no request can be made for, saying what is wrong with it."""
    if UNSENDABLE.search(url):
        raise NotAllowed(f"{url!r} contains a space or a control character; percent-encode it (%20 for a space).")
    try:
        name = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        name = ""
    if not HOST_NAME.match(name):
        raise NotAllowed(f"{host!r} is not a valid host name: a name is made of letters, digits and hyphens, "
                         "in parts of 1 to 63 characters separated by dots.")
