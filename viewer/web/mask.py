"""When a document arrives, mask its sensitive values by the organisation's metadata and the local rules."""
from urllib.parse import urlsplit

from flask import current_app

from ..kustomer import upstream
from ..kustomer.allowlist import NotAllowed, check_url
from ..kustomer.errors import UpstreamError
from ..kustomer.metadata import MetadataUnavailable, cache_for
from ..masking.ahead import Ahead
from ..masking.remask import local_rules, remask_stricter
from ..masking.rendition import apply_rules
from ..masking.rules import Rules, union
from ..masking.spans import Reader, object_types
from .annotate import NO_KEY
from .served import get_document
from .upstream_limits import limits


def ahead_of_storing(organisation: bool, remembered=None) -> Ahead | None:
    """Masking to prepare while a new document is stored, when its rules are known before it is: those of
    a document that does not need its organisation's metadata."""
    return None if organisation else Ahead(union({}, local_rules(), remembered))


def mask_incoming(doc_id: str, raw, source_url=None, *, organisation: bool = False, remembered=None, ahead=None):
    """Store the masked rendition of a new document; `organisation` reads the org's metadata for it.
    `remembered`: {resource: Rules} masked besides, whatever the metadata says (Kustomer's own masks).
    `ahead`: what ahead_of_storing gave for it, started while it was stored."""
    index = get_document(doc_id).index
    if ahead is not None:  # only for a document that needs no metadata
        apply_rules(doc_id, raw, index, ahead.rules, note=_note({}), ahead=ahead)
        return
    found, missing, host, resources = {}, {}, None, None
    if organisation and _allowed(source_url):
        host, resources = urlsplit(source_url).hostname, object_types(Reader(raw, index))
        found, missing = _organisation_rules(source_url, resources)
    organisation_rules = {resource: Rules().add(metadata.sensitive_standard(), metadata.sensitive_custom())
                          for resource, metadata in found.items()}
    rules = union(organisation_rules, local_rules(), remembered)
    apply_rules(doc_id, raw, index, rules, host=host, note=_note(missing), resources=resources)
    if host:
        remask_stricter(current_app._get_current_object(), host, organisation_rules, taken_in=doc_id)


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
