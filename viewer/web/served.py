"""A document as the viewer serves it: its masked rendition while it is masked, its source URL as shown.

Every view reads documents through `get_document` here, never straight from the store, so no page, row,
search, table or comparison can read an original that is masked now.
"""
from ..masking.remask import shown_source
from ..masking.state import apply_masking
from ..store import documents


def get_document(doc_id: str) -> documents.Document:
    """The document `doc_id` as served now; ViewerError 404 when it is gone, 503 while it is taken in."""
    return documents.get_document(doc_id, serve=_serve)


def _serve(doc):
    apply_masking(doc)
    masking = doc.masking
    doc.shown_source = shown_source(doc.source_url, doc.id,
                                    unmasked=masking is not None and masking.has_rendition and not masking.masked)
