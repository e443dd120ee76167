"""A count that nobody waits for any more stops, so that it does not slow down the search that replaced it."""
import json

from viewer.core import search
from viewer.store.documents import get_document


def test_a_search_for_other_text_stops_a_running_count(app, post):
    doc_id = post(json.dumps([{"note": "needle %d" % i, "pad": "x" * 2000} for i in range(2000)]).encode())
    with app.test_request_context():
        doc = get_document(doc_id)
        blocks = doc.blocks

        def user_types_other_text_meanwhile(*args, **kwargs):
            for n, block in enumerate(blocks(*args, **kwargs)):
                if n == 1:
                    doc.blocks = blocks
                    assert search.find(doc, "other text", -1) == (None, False)
                yield block
        doc.blocks = user_types_other_text_meanwhile
        assert search.count(doc, "needle") is None
        assert search.count(doc, "needle") == 2000

