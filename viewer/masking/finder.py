"""Which spans of a document to mask: Kustomer's own masks, then every sensitive value under the rules.

A document of BULK_LINES lines or more is read by whole-array passes over its index (bulk.py); a smaller
one object by object (spans.py). Both find the same spans: tests hold them to it.
"""
import functools

from . import bulk, spans
from .span_arrays import Collector, SpanArrays

BULK_LINES = 4096


def find(raw, index, rules_for, bulk_from: int = BULK_LINES, masked_at=None) -> SpanArrays:
    """The spans to mask, in order and never overlapping; `rules_for(resource)` gives a masking.rules.Rules.

    `rules_for` None: there are no rules at all, and only Kustomer's own masks are looked for (walking
    every object of a 100 MB answer to learn its type takes seconds).
    """
    reader, found = spans.Reader(raw, index), Collector()
    found.add(spans.kustomer_masks(reader, masked_at))
    if rules_for is not None:
        rules_of = functools.cache(lambda types: spans.rules_of_types(rules_for, types))
        if index.line_count >= bulk_from:
            bulk.rule_spans(reader, rules_of, found)
        else:
            for line in spans.objects(reader):
                found.add(spans.object_spans(reader, line, rules_of))
    return found.finish()
