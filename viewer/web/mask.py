"""When a document arrives, mask its sensitive values by the organisation's metadata and the local rules."""
import functools

from flask import current_app

from ..kustomer import upstream
from ..kustomer.allowlist import NotAllowed, check_url
from ..kustomer.errors import UpstreamError
from ..kustomer.metadata import MetadataUnavailable, cache_for
from ..masking.rendition import mask_document
from ..masking.rules import Rules
from ..masking.spans import Reader, object_types
from ..store.documents import get_document
from .annotate import NO_KEY
from .upstream_limits import limits


def mask_incoming(doc_id: str, raw, source_url=None, *, organisation: bool = False):
    """Store the masked rendition of a new document; `organisation` reads the org's metadata for it."""
    index = get_document(doc_id).index
    local = current_app.config.get("MASKING_RULES") or {}
    found, missing = {}, {}
    if organisation and _allowed(source_url):
        found, missing = _organisation_rules(source_url, object_types(Reader(raw, index)))

    @functools.cache  # asked once per object of a list; the answer depends only on the resource
    def rules_for(resource):
        rules = Rules()
        if resource in found:
            rules.add(found[resource].sensitive_standard(), found[resource].sensitive_custom())
        if resource in local:
            rules.add(local[resource].standard, local[resource].custom)
        return rules.inherit(resource)

    mask_document(doc_id, raw, index, rules_for if found or local else None, note=_note(missing))


def _allowed(source_url) -> bool:
    try:
        check_url(source_url or "", current_app.config["ALLOWED_HOSTS"])
        return True
    except (NotAllowed, ValueError):
        return False


def _organisation_rules(source_url, resources):
    found, missing = {}, {}
    try:
        key = upstream.api_key(source_url)
    except UpstreamError:
        key = None
    cache = cache_for(current_app)
    # Every type of the answer, however many: the cache asks Kustomer once per resource and host per 5 minutes.
    for resource in resources:
        if key is None:
            missing[resource] = NO_KEY
            continue
        try:
            found[resource] = cache.get(source_url, resource, allowed_hosts=current_app.config["ALLOWED_HOSTS"],
                                        limits=limits(), key=key)
        except MetadataUnavailable as exc:
            missing[resource] = str(exc)
    return found, missing


def _note(missing: dict) -> str | None:
    if not missing:
        return None
    reasons = " ".join(dict.fromkeys(missing.values()))
    return (f"The organisation's masking rules could not be read for {', '.join(missing)}, so only the viewer's "
            f"local rules and Kustomer's own masks apply to them. {reasons}")
