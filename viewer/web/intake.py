"""A document's life from its first byte to visible: store, index, annotate, mask; or nothing at all.

Every way in (`POST /docs`, `/fetch`, the unmasking window's fetch, and any document the viewer
makes itself) goes through `take_in`, so there is one place where a document becomes visible and
one place to recover from. The document is stored hidden (pending) and shown only once masking
has run; a failure at any step removes what was written, and the request answers with the cause (409 when
the document was deleted meanwhile, by Delete or Delete all on another page).
A viewer killed midway leaves a pending document, which the next start removes
(store.documents.remove_unfinished): finishing it could need the API, and masking fails closed.
"""
from flask import current_app

from ..errors import ViewerError
from ..kustomer import keys
from ..masking.rendition import keep_given_rendition
from ..store.budget import let_go_held
from ..store.documents import delete_document, gone_while_taken_in, save_document
from .annotate import annotate
from .mask import ahead_of_storing, mask_incoming
from .served import get_document


def take_in(raw, *, source_url=None, fetch_info=None, cross_site=False, organisation=False, limits=None,
            rendition=None, unmasked_until=None, remembered=None) -> str:
    """Store `raw` and make it visible; return its id. `organisation`: read the organisation's metadata for it
    (labels, links and masking rules), for a document fetched from, or sent by the viewer from, an API URL.
    `rendition`: its masked rendition, made already (a jq result of an unmasked document: the program's outputs
    on its masked text), unmasked until `unmasked_until`, as its source is. `remembered`: {resource: Rules} to
    mask besides (what Kustomer had masked before its unmasking window)."""
    # Masking by rules known already is prepared on another thread while the original is written.
    ahead = ahead_of_storing(organisation, remembered) if rendition is None else None
    try:
        return _take_in(raw, ahead, source_url=source_url, fetch_info=fetch_info, cross_site=cross_site,
                        organisation=organisation, limits=limits, rendition=rendition, unmasked_until=unmasked_until,
                        remembered=remembered)
    finally:
        let_go_held()  # the store's turn, kept from the document's write for its rendition's


def _take_in(raw, ahead, *, source_url, fetch_info, cross_site, organisation, limits, rendition, unmasked_until,
             remembered) -> str:
    doc_id = save_document(raw, source_url=source_url, fetch_info=fetch_info, cross_site=cross_site, pending=True,
                           on_index=ahead.start if ahead is not None else None,
                           while_indexed=ahead.look if ahead is not None else None,
                           # its rendition follows at once (no metadata to fetch first): one turn for both writes
                           keep_turn=ahead is not None)
    step = "labelled"
    try:
        # The metadata is read with the key the document was fetched with (a stored key chosen by name).
        with keys.chosen((fetch_info or {}).get("key_name")):
            if organisation and limits is not None:
                annotate(doc_id, source_url, limits)
            step = "masked"
            if rendition is not None:
                keep_given_rendition(doc_id, raw, get_document(doc_id).index, rendition, unmasked_until)
            else:
                mask_incoming(doc_id, raw, source_url, organisation=organisation, remembered=remembered,
                              ahead=ahead)
    except BaseException as exc:
        removed = delete_document(doc_id)
        if not isinstance(exc, Exception):
            raise
        if not removed:  # deleted meanwhile (Delete, Delete all): whatever the step then tripped on, that is why
            raise gone_while_taken_in() from None
        if isinstance(exc, ViewerError):
            raise
        # The cause's own words stay in the log: they may quote the document or the viewer's internals.
        current_app.logger.exception("Could not finish taking in document %s", doc_id)
        raise ViewerError(f"The document was stored but could not be {step}, so it was removed: the viewer hit "
                          "an unexpected error, whose details are in its terminal output. Send it again; if this "
                          "keeps happening, report that output.", status=500) from None
    return doc_id
