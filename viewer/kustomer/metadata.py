"""Kustomer's attribute metadata (`GET /v1/metadata/<resource>`): one client and one cache for every reader.

Masking reads `sensitive`, labels read `displayName`, references read `target` and `multi`: all from
the same answer, so each (host, resource) costs one request per few minutes whoever asks first.
"""
import json
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ViewerError
from . import upstream

# The resources Kustomer describes; `kobject.<klass>` uses the Klass name (letters, digits, `_`, `-`).
RESOURCES = ("customer", "conversation", "company", "message")
KLASS_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Long enough that paging through a list costs one request per resource, short enough that a
# change an administrator makes (an attribute marked sensitive) reaches the viewer within minutes.
CACHE_SECONDS = 300.0
# Metadata answers are small; anything this big is not metadata.
MAX_METADATA_BYTES = 8 * 1024 * 1024
# Kustomer's documented inheritance: these standard attributes are as sensitive as the one they follow.
INHERITS = {"customer": {"firstName": "name", "lastName": "name", "displayName": "name", "externalId": "externalIds"}}


def resource_for(object_type) -> str | None:
    """The metadata resource of a JSON:API object type (`customer`, `kobject.order`…), or None."""
    if not isinstance(object_type, str):
        return None
    if object_type in RESOURCES:
        return object_type
    klass = object_type.removeprefix("kobject.")
    if klass != object_type and KLASS_NAME.fullmatch(klass):
        return object_type
    return None


@dataclass(frozen=True)
class Attribute:
    """What the organisation says of one attribute; `standard` is true for `standardProperties`."""

    name: str
    standard: bool
    label: str | None = None
    sensitive: bool = False
    mask_type: str | None = None
    target: str | None = None
    multi: bool = False


@dataclass
class Metadata:
    """The attributes of one resource: `custom` (under `attributes.custom`) and `standard` (under `attributes`)."""

    resource: str
    custom: dict = field(default_factory=dict)
    standard: dict = field(default_factory=dict)

    def sensitive_standard(self) -> dict:
        """Standard attribute name → mask type, with Kustomer's inheritance applied."""
        found = {name: a.mask_type for name, a in self.standard.items() if a.sensitive}
        for child, parent in INHERITS.get(self.resource, {}).items():
            if parent in found and child not in found:
                found[child] = found[parent]
        return found

    def sensitive_custom(self) -> dict:
        """Custom attribute name → mask type."""
        return {name: a.mask_type for name, a in self.custom.items() if a.sensitive}


class MetadataUnavailable(ViewerError):
    """The metadata could not be read; the message says why, for a quiet line on the page."""


def parse(resource: str, body: bytes) -> Metadata:
    """Metadata from the body of `GET /v1/metadata/<resource>`; tolerant of missing parts, strict on type."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MetadataUnavailable(f"Kustomer's metadata for {resource} is not JSON.") from None
    data = document.get("data") if isinstance(document, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise MetadataUnavailable(f"Kustomer's metadata for {resource} has no data.attributes.")
    return Metadata(resource, _attributes(attributes.get("properties"), False),
                    _attributes(attributes.get("standardProperties"), True))


def _attributes(entries, standard: bool) -> dict:
    if not isinstance(entries, dict):
        return {}
    found = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            continue
        sensitive = entry.get("sensitive")
        enabled = isinstance(sensitive, dict) and sensitive.get("enabled") is True
        mask_type = sensitive.get("maskType") if enabled and isinstance(sensitive.get("maskType"), str) else None
        label, target = entry.get("displayName"), entry.get("target")
        found[name] = Attribute(name, standard, label if isinstance(label, str) and label.strip() else None,
                                enabled, mask_type, target if isinstance(target, str) else None,
                                entry.get("multi") is True)
    return found


class MetadataCache:
    """Metadata per (API host, resource), kept for `seconds`; failures are kept too, for a shorter time.

    Thread-safe; one lock per key, so two requests for the same resource wait for one fetch
    instead of making two, and requests for other resources do not wait at all.
    """

    def __init__(self, seconds: float = CACHE_SECONDS, clock=time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._entries, self._locks, self._guard = {}, {}, threading.Lock()

    def get(self, api_url: str, resource: str, *, allowed_hosts, limits: upstream.Limits,
            key: str | None = None) -> Metadata:
        """The metadata of `resource` on the host of `api_url`; raises MetadataUnavailable with the reason."""
        parts = urlsplit(api_url)
        if resource_for(resource) is None:
            raise MetadataUnavailable(f"Kustomer has no attribute metadata for {resource!r}.")
        cache_key = (parts.hostname, resource, key)  # two organisations on one regional host differ
        with self._guard:
            lock = self._locks.setdefault(cache_key, threading.Lock())
        with lock:
            entry = self._entries.get(cache_key)
            if entry and entry[0] > self.clock():
                return _result(entry[1])
            value = self._fetch(f"https://{parts.netloc}/v1/metadata/{resource}", resource,
                                allowed_hosts, limits, key)
            # A failure is retried sooner: the key or the network may be fixed in the meantime.
            ttl = self.seconds if isinstance(value, Metadata) else min(self.seconds, 30.0)
            self._entries[cache_key] = (self.clock() + ttl, value)
            return _result(value)

    def clear(self):
        with self._guard:
            self._entries.clear()

    @staticmethod
    def _fetch(url, resource, allowed_hosts, limits, key):
        small = upstream.Limits(limits.connect_timeout, limits.read_timeout,
                                min(limits.max_bytes, MAX_METADATA_BYTES), limits.max_redirects)
        try:
            got = upstream.fetch(url, allowed_hosts=allowed_hosts, limits=small, key=key)
            return parse(resource, got.body)
        except MetadataUnavailable as exc:
            return exc
        except ViewerError as exc:
            return MetadataUnavailable(_why(resource, exc))


def _result(value):
    if isinstance(value, MetadataUnavailable):
        raise value
    return value


def _why(resource: str, exc: ViewerError) -> str:
    status = getattr(exc, "upstream_status", None) or exc.status
    if status == 403:
        return (f"Kustomer refused the metadata for {resource} (403): the key needs the role "
                "org.permission.metadata.read.")
    if status == 401:
        return f"Kustomer did not accept the key for the metadata of {resource} (401)."
    title = getattr(exc, "title", None) or str(exc).split("\n")[0]
    return f"The metadata for {resource} could not be read: {title}"


def cache_for(app) -> MetadataCache:
    """The app's one metadata cache, shared by masking, labels and references."""
    return app.extensions.setdefault(
        "viewer.metadata", MetadataCache(float(app.config.get("METADATA_CACHE_SECONDS", CACHE_SECONDS))))
