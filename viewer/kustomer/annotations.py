"""What the Kustomer objects in a document mean: the labels and reference targets of their custom attributes.

They are read from the organisation's attribute metadata once, when the document arrives, and kept
with it: metadata answers expire from the cache within minutes, and showing a page or scrolling its
rows must never call the API.
"""
import re
from urllib.parse import urlsplit

from ..core.lines import CLOSE, NO_LINE, OPEN_ARRAY
from ..core.objects import ObjectReader
from .allowlist import NotAllowed, check_url
from .links import fetch_href
from .metadata import KLASS_NAME, MetadataUnavailable, resource_for

MAX_OBJECTS = 1000  # top-level objects whose type is read; a list answer holds at most a few hundred
MAX_RESOURCES = 16  # metadata resources read for one document, whatever types it claims to hold
# Kustomer's type suffixes, longest first; `Rel` is the older spelling of a reference.
SUFFIXES = ("Bool", "Str", "Txt", "Num", "Url", "Rel", "At", "Id")
WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
PLURALS = {"customer": "customers", "conversation": "conversations", "company": "companies",
           "user": "users", "team": "teams"}
# Kustomer's IDs are 24 hex digits; anything outside this never becomes part of a URL.
OBJECT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def default_label(name: str) -> str:
    """The label Kustomer shows for an attribute without one: `totalOrdersNum` → "Total Orders"."""
    base = name
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[:-len(suffix)]
            break
    words = WORDS.findall(base)
    return " ".join(word[:1].upper() + word[1:] for word in words) or name


def target_path(target, object_id) -> str | None:
    """The API path of the object a reference names, or None when the target or ID is not one we know."""
    if not isinstance(object_id, str) or not OBJECT_ID.fullmatch(object_id) or not isinstance(target, str):
        return None
    if target in PLURALS:
        return f"/v1/{PLURALS[target]}/{object_id}"
    klass = target.removeprefix("kobject.")
    if klass != target and KLASS_NAME.fullmatch(klass):
        return f"/v1/klasses/{klass}/{object_id}"
    return None


def build(reader, read_metadata) -> dict | None:
    """Annotations for a stored document, or None when it holds no Kustomer object with metadata.

    `reader` is a core.objects.ObjectReader over the document; `read_metadata(resource)` returns a
    metadata.Metadata or raises MetadataUnavailable with the reason.
    """
    objects = reader.top_objects(MAX_OBJECTS)
    types = []
    for line in objects:
        resource = resource_for(reader.scalar(line, "type"))
        if resource and resource not in types:
            types.append(resource)
    if not types:
        return None
    resources, missing = {}, {}
    for resource in types[:MAX_RESOURCES]:
        try:
            metadata = read_metadata(resource)
        except MetadataUnavailable as exc:
            missing[resource] = str(exc)
            continue
        resources[resource] = {name: {"label": a.label, "target": a.target, "multi": a.multi}
                               for name, a in metadata.custom.items()}
    result = {"resources": resources, "note": _note(missing)}
    customer = _single_customer(reader, objects)
    if customer and "customer" in resources:
        klasses = sorted({a["target"].removeprefix("kobject.") for a in resources["customer"].values()
                          if target_path(a["target"], "x") and a["target"].startswith("kobject.")})
        result["customer"] = {"id": customer, "klasses": klasses}
    return result


def _single_customer(reader, objects):
    data = reader.member(0, "data") if objects else None
    if data is None or data not in objects:
        return None
    object_id = reader.scalar(data, "id")
    return object_id if reader.scalar(data, "type") == "customer" and OBJECT_ID.fullmatch(str(object_id)) else None


def _note(missing: dict) -> str | None:
    """One line that says why labels and links are missing, naming the resources they are missing for."""
    if not missing:
        return None
    first = next(iter(missing.values()))
    return f"Labels and reference links are missing for {', '.join(missing)}. {first}"


class Annotations:
    """A document's stored annotations, asked while its rows are drawn."""

    def __init__(self, data: dict | None, source_url: str | None, allowed_hosts=()):
        data = data or {}
        self.resources = data.get("resources") or {}
        self.note = data.get("note")
        self.customer = data.get("customer")
        self.source_url, self.allowed_hosts = source_url, allowed_hosts

    def __bool__(self):
        return bool(self.resources)

    def custom_attributes(self, doc, texts=None):
        """A CustomAttributes over `doc`, sharing a renderer's lines read so far."""
        return CustomAttributes(ObjectReader(doc, texts))

    def label(self, resource, name):
        """(label, from_metadata) for a custom attribute of an annotated resource, else None."""
        attributes = self.resources.get(resource)
        if attributes is None or not isinstance(name, str):
            return None
        attribute = attributes.get(name)
        if attribute and attribute.get("label"):
            return attribute["label"], True
        return default_label(name), False

    def reference(self, resource, name, value) -> str | None:
        """The /fetch link of the object a reference attribute's value names, or None."""
        attribute = (self.resources.get(resource) or {}).get(name)
        if not attribute or not attribute.get("target"):
            return None
        return self._href(target_path(attribute["target"], value))

    def klass_links(self) -> list:
        """(Klass name, /fetch link) for each Klass of a customer document's KObjects."""
        if not self.customer:
            return []
        links = []
        for klass in self.customer.get("klasses", []):
            href = self._href(f"/v1/customers/{self.customer['id']}/klasses/{klass}"
                              if KLASS_NAME.fullmatch(klass) else None)
            if href:
                links.append((klass, href))
        return links

    def _href(self, path):
        if not path or not self.source_url:
            return None
        parts = urlsplit(self.source_url)
        try:
            return fetch_href(check_url(f"{parts.scheme}://{parts.netloc}{path}", self.allowed_hosts))
        except (NotAllowed, ValueError):
            return None


class CustomAttributes:
    """Which custom attribute a line shows: a member of `<object>.attributes.custom`, or an item of one."""

    def __init__(self, reader):
        self.reader, self._resources, self._lines = reader, {}, {}

    def of_line(self, line):
        """(resource, attribute name, is a list item) for a line of a Kustomer object's custom attributes, or None."""
        if line not in self._lines:
            self._lines[line] = self._find(line)
        return self._lines[line]

    def _find(self, line):
        reader = self.reader
        if reader.index.kind(line) == CLOSE:
            return None
        name, holder, item = reader.key(line), reader.parent(line), False
        if name is None:  # an item of a list-valued attribute
            if holder == NO_LINE or reader.index.kind(holder) != OPEN_ARRAY:
                return None
            name, holder, item = reader.key(holder), reader.parent(holder), True
        if name is None or holder == NO_LINE or reader.key(holder) != "custom":
            return None
        attributes = reader.parent(holder)
        if attributes == NO_LINE or reader.key(attributes) != "attributes":
            return None
        resource = self._resource(reader.parent(attributes))
        return (resource, name, item) if resource else None

    def _resource(self, line):
        if line == NO_LINE:
            return None
        if line not in self._resources:
            self._resources[line] = resource_for(self.reader.scalar(line, "type"))
        return self._resources[line]
