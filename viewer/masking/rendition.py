"""The masked rendition of a document: its bytes with each masked value replaced by its mask.

It is made once, when the document arrives, and served instead of the original while the document
is masked: rows, find, counts, paths, the raw view, /raw and the download all read it as they
would any document, at the same speed, and never see an original value. The original bytes stay
stored for unmasking.
"""
import functools
import json
from array import array
from typing import NamedTuple

import numpy as np
from flask import current_app

from ..core.lines import NO_LINE
from ..core.scan import Scan, scan
from ..store.db import get_db
from ..store.masking import cache_rendition_index, finish_pending, save_masking, save_rules, set_unmasked_until
from .finder import find
from .rules import Rules, to_record
from .span_arrays import SpanArrays
from .spans import Reader, objects, types_of


def render(raw, spans):
    """(masked bytes, offset of each span's mask in them); `spans` a span_arrays.SpanArrays."""
    if not len(spans):
        return bytes(raw), np.zeros(0, np.int64)
    grown = spans.text_lengths() - (spans.ends - spans.starts)
    offsets = spans.starts + np.concatenate(([0], np.cumsum(grown)[:-1]))
    kept_from = np.concatenate(([0], spans.ends)).tolist()
    kept_to = np.concatenate((spans.starts, [len(raw)])).tolist()
    texts = spans.texts
    pieces = [b""] * (2 * len(spans) + 1)
    pieces[0::2] = [raw[start:end] for start, end in zip(kept_from, kept_to)]  # slices of bytes: quicker than views
    pieces[1::2] = [texts[number] for number in spans.text_ids.tolist()]
    return b"".join(pieces), offsets


def apply_rules(doc_id: str, raw, index, rules: dict, *, host=None, note=None, resources=None, ahead=None,
                again=False):
    """Mask a stored document under `rules` ({resource: Rules}, inheritance applied) and record them with it.

    The rules are recorded first, while the document is still hidden: a document is never served without
    the rules it was masked under, so stricter rules later always find it (viewer.masking.remask).
    `ahead`: a masking.ahead.Ahead under the same rules, which found the spans while the original was stored.
    `again`: masking a stored document again (viewer.masking.remask), not one being taken in.
    """
    if ahead is None:
        ahead = Rulebook(rules)
    save_rules(doc_id, to_record(rules), host=host, resources=None, note=note)
    mask_document(doc_id, raw, index, ahead.rules_for, note=note, prepared=ahead.result(), again=again)
    if rules or resources is not None:  # the resources it holds: later metadata for one of them concerns it
        save_rules(doc_id, to_record(rules), host=host, resources=ahead.asked if resources is None else resources,
                   note=note)


class Rulebook:
    """Rules as find() asks for them (`rules_for`, None when there are none), noting the resources asked for."""

    def __init__(self, rules: dict):
        self.rules, self.asked = rules, set()
        self.rules_for = functools.cache(self._rules_for) if rules else None

    def _rules_for(self, resource):
        self.asked.add(resource)
        return self.rules.get(resource) or Rules()

    def result(self):
        return None  # nothing prepared: mask_document finds the spans itself


class Prepared(NamedTuple):
    """What masking finds in a document and makes of it, before anything is stored."""

    spans: SpanArrays
    rendition: bytes | None
    offsets: object  # each span's offset in the rendition (numpy)
    holding: object  # each span's line in the original (numpy)


def prepare(raw, index, rules_for, masked_at=None) -> Prepared:
    """Find what to mask and make the rendition: no database, no app (it may run on another thread).
    `masked_at`: where Kustomer's masks are (spans.masked_at), when that was looked for already."""
    spans = find(raw, index, rules_for, masked_at=masked_at)
    if not len(spans):
        return Prepared(spans, None, None, None)
    rendition, offsets = render(raw, spans)
    return Prepared(spans, rendition, offsets, _lines_holding(index.starts, spans.starts))


def mask_document(doc_id: str, raw, index, rules_for, note=None, prepared: Prepared | None = None, again=False):
    """Find what to mask in a stored document (or take what `prepared` found), and store its masked rendition
    and what was masked."""
    spans, rendition, offsets, holding = prepared or prepare(raw, index, rules_for)
    customer_id = customer_of(Reader(raw, index))
    unexpected = spans.attributes(unexpected=True)
    if unexpected:
        shape = (f"A value of {', '.join(unexpected)} had an unexpected shape (not the one Kustomer sends), "
                 "so it is masked whole.")
        note = f"{note} {shape}" if note else shape
    if not spans and not note:
        finish_pending(doc_id)
        return
    result = None
    masked_lines, original_lines, preview = [], [], None
    if spans:
        original_lines = _each_once(holding)
        result = _shifted(doc_id, index, spans, holding)
        if result is not None:
            masked_lines = original_lines  # the same lines: only values within them changed
        else:
            result = scan(rendition, current_app.extensions.get("viewer.engine"))
            masked_lines = _each_once(_lines_holding(result.starts, offsets))
        text = rendition[result.body_start:result.body_start + 400].decode("utf-8", "ignore")
        preview = " ".join(text.split())[:120]
    attributes = spans.attributes()
    save_masking(doc_id, rendition=rendition, result=result, masked_lines=masked_lines,
                 original_lines=original_lines, attributes=attributes, count=len(spans), note=note,
                 customer_id=customer_id, kustomer=spans.any_kustomer(), preview=preview, again=again)
    if result is not None:
        # The rendition is what is shown next: its index takes the original's place in memory.
        cache_rendition_index(doc_id, result)


def _shifted(doc_id, index, spans, holding) -> Scan | None:
    """The rendition's index without scanning it again, when every span replaces a value inside one line
    (a scalar by its mask): the lines, their kinds and their tree are the original's, each start moved by
    the change in length of the spans in the lines before it. None when a span covers a line start (a value
    masked whole, a Kustomer mask object): then the rendition is scanned. `holding`: each span's line.
    """
    starts, ends = np.frombuffer(index.starts, np.uint32), spans.ends
    if holding[0] < 0:  # a span before the first line (none is): scanned, to be sure
        return None
    following = holding + 1
    inside = following < len(starts)
    if np.any(starts[following[inside]] < ends[inside]):
        return None
    grown = spans.text_lengths() - (ends - spans.starts)
    # Each line's change in length, summed over its spans (sorted, so a line's are together), moves every
    # line start after it: a running sum over the lines, written straight into the array kept.
    first = np.flatnonzero(np.concatenate(([True], holding[1:] != holding[:-1])))
    lines, sums = holding[first], np.add.reduceat(grown, first)
    shift = np.zeros(len(starts), np.int64)
    after = lines + 1 < len(starts)
    shift[lines[after] + 1] = sums[after]
    np.cumsum(shift, out=shift)
    if int(starts[-1]) + int(shift[-1]) >= NO_LINE:
        return None
    row = get_db().execute("SELECT body_start, body_end, duplicates, landmarks FROM documents WHERE id = ?",
                           (doc_id,)).fetchone()
    result = Scan(row["body_start"], row["body_end"] + int(grown.sum()), notices=[],
                  duplicates=json.loads(row["duplicates"]), landmarks=json.loads(row["landmarks"]))
    result.starts = array("I", [0]) * len(starts)
    np.add(starts, shift, out=np.frombuffer(result.starts, np.uint32), casting="unsafe")
    result.parents, result.matches, result.kinds = index.parents, index.matches, index.kinds
    return result


def _lines_holding(starts, offsets):
    """The line holding each of these byte offsets (sorted, so the lines are too)."""
    # Offsets in the starts' own type (a document's offsets fit it), so that the big array is not converted.
    return np.searchsorted(np.frombuffer(starts, np.uint32), np.asarray(offsets).astype(np.uint32), side="right") - 1


def _each_once(lines) -> list:
    """Sorted lines, each once."""
    if not len(lines):
        return []
    return lines[np.concatenate(([True], lines[1:] != lines[:-1]))].tolist()


def keep_given_rendition(doc_id: str, raw, index, rendition: bytes, unmasked_until=None, again=False):
    """Store `rendition` as a new document's masked rendition, as it is (a jq result's outputs on its source's
    masked text); unmasked until `unmasked_until`, as its source was when the program ran. `again`: made again
    for a stored document (viewer.masking.remask), which keeps its unmask."""
    if rendition == bytes(raw) and not again:
        finish_pending(doc_id)
        return
    result = scan(rendition, current_app.extensions.get("viewer.engine"))
    masked_lines = _differing_lines(raw, index.starts, rendition, result.starts)
    text = rendition[result.body_start:result.body_start + 400].decode("utf-8", "ignore")
    save_masking(doc_id, rendition=rendition, result=result, masked_lines=masked_lines, original_lines=masked_lines,
                 attributes=[], count=len(masked_lines), note=None, customer_id=None, kustomer=False,
                 preview=" ".join(text.split())[:120], again=again)
    if unmasked_until:
        set_unmasked_until(doc_id, unmasked_until)
    else:
        cache_rendition_index(doc_id, result)


BADGED_LINES = 2_000_000  # lines compared for badges; a bigger result says how many values, not where


def _differing_lines(raw, starts, rendition, masked_starts) -> list:
    """The lines that differ, when both texts have the same lines (masks replace strings with strings)."""
    if len(starts) != len(masked_starts) or len(starts) > BADGED_LINES:
        return []
    return [line for line in range(len(starts) - 1)
            if raw[starts[line]:starts[line + 1]] != rendition[masked_starts[line]:masked_starts[line + 1]]]


def customer_of(reader) -> str | None:
    """The customer a single-object answer is about: the customer itself, or the object's customer relationship.

    None unless every copy of a member given twice agrees.
    """
    found = objects(reader)
    if not found:
        return None
    if _one(types_of(reader, found[0])) == "customer":
        value = _one(_values(reader, [found[0]], "id"))
    else:
        lines = [found[0]]
        for name in ("relationships", "customer", "data"):
            lines = [line for opener in lines for _, line, _ in reader.named(opener, frozenset({name}))]
        value = _one(_values(reader, lines, "id"))
    return value if isinstance(value, str) and value.replace("-", "").replace("_", "").isalnum() else None


def _values(reader, openers, name) -> list:
    return [reader.scalar(line, at) for opener in openers for _, line, at in reader.named(opener, frozenset({name}))]


def _one(values):
    """The value every copy has, or None."""
    return values[0] if values and all(v == values[0] for v in values) else None
