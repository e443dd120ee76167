"""Which URLs the viewer may fetch on the user's behalf: https only, on allow-listed host names."""
import ipaddress
from urllib.parse import urlsplit

from ..errors import ViewerError

# Kustomer's US and EU API hosts and every org host (`{org}.api.kustomerapp.com`) end in this.
DEFAULT_ALLOWED_HOSTS = ("*.kustomerapp.com",)


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
