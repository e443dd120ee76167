"""When a Kustomer document arrives, read the metadata of the objects it holds and keep what it says with it."""
from flask import current_app, request

from ..core.objects import ObjectReader
from ..kustomer import annotations, upstream
from ..kustomer.allowlist import NotAllowed, check_url
from ..kustomer.errors import UpstreamError
from ..kustomer.metadata import MetadataUnavailable, cache_for
from ..store.annotations import save_annotations
from .served import get_document

NO_KEY = ("No API key is stored for this organisation, so the viewer cannot read Kustomer's attribute metadata: "
          "add one with python -m viewer key set NAME (a key with the role org.permission.metadata.read), or set "
          f"{upstream.KEY_VARIABLE} and restart the viewer.")


def annotate(doc_id: str, source_url, limits: upstream.Limits):
    """Store labels and reference targets for a document that came from an allow-listed API URL."""
    allowed = current_app.config["ALLOWED_HOSTS"]
    try:
        check_url(source_url or "", allowed)
    except (NotAllowed, ValueError):
        return
    try:
        key, why = upstream.api_key(source_url), None
    except UpstreamError as exc:
        key, why = None, NO_KEY if exc.kind == "missing_key" else f"{exc.title}: {exc}"
    cache = cache_for(current_app)

    def read(resource):
        if key is None:
            raise MetadataUnavailable(why)
        return cache.get(source_url, resource, allowed_hosts=allowed, limits=limits, key=key)

    data = annotations.build(ObjectReader(get_document(doc_id)), read)
    if data:
        save_annotations(doc_id, data)


def posted_by_the_viewer() -> bool:
    """A post from the viewer's own pages (Send to viewer's tab) or from no page at all (`viewer open`).

    Another site's form may post a document too, but must not make the viewer spend the key on it.
    """
    return request.headers.get("Sec-Fetch-Site") in (None, "same-origin", "none")
