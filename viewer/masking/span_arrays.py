"""Spans kept as columns: the starts, ends and masks of a big document's masked values as numpy arrays.

A list of 50,000 customers has a few hundred thousand masked values. As one Python object each they
cost more to make, sort, shift and render than finding them does; as arrays, sorting them, dropping
those inside another, writing the rendition and moving the line index are a few array operations. The
masks themselves are few distinct texts (`"********"`, `"*******.com"`), kept once each and referred
to by number. `spans.py` still reads awkward objects one at a time and gives `Span`s; they join here.
"""
import numpy as np

from .spans import Span

_NO_SPANS = np.zeros(0, np.int64)


class Collector:
    """Spans gathered from every reader of a document, singly or in blocks, made into SpanArrays at the end."""

    def __init__(self):
        self.texts, self.labels = {}, {}  # each distinct mask text and attribute label, by its number
        self._blocks, self._single = [], []

    def text_id(self, text: bytes) -> int:
        return self.texts.setdefault(text, len(self.texts))

    def add(self, spans):
        """Spans read one at a time (spans.Span)."""
        self._single += spans

    def _flush(self):
        """The spans read one at a time so far, as a block: the order spans were found in is kept."""
        single, count = self._single, len(self._single)
        if count:
            self._blocks.append((
                np.fromiter((s.start for s in single), np.int64, count),
                np.fromiter((s.end for s in single), np.int64, count),
                np.fromiter((self.text_id(s.text) for s in single), np.int32, count),
                np.fromiter((self.labels.setdefault(s.attribute, len(self.labels)) for s in single), np.int32, count),
                np.fromiter((int(s.kustomer) | int(s.unexpected) << 1 for s in single), np.int8, count)))
            self._single = []

    def block(self, starts, ends, texts, label: str, *, kustomer=False, unexpected=False):
        """Spans from arrays: `texts` is one mask text for all of them, or an array of numbers from `text_id`."""
        if not len(starts):
            return
        self._flush()
        if isinstance(texts, bytes):
            texts = np.full(len(starts), self.text_id(texts), np.int32)
        flags = np.full(len(starts), int(kustomer) | int(unexpected) << 1, np.int8)
        label_id = np.full(len(starts), self.labels.setdefault(label, len(self.labels)), np.int32)
        self._blocks.append((np.asarray(starts, np.int64), np.asarray(ends, np.int64), np.asarray(texts, np.int32),
                             label_id, flags))

    def merge(self, other: "Collector"):
        """Take every span `other` gathered, its mask texts and labels numbered anew as this one's."""
        self._flush()
        other._flush()
        texts = np.array([self.text_id(text) for text in other.texts], np.int32)  # in the order of their numbers
        labels = np.array([self.labels.setdefault(label, len(self.labels)) for label in other.labels], np.int32)
        for starts, ends, text_ids, label_ids, flags in other._blocks:
            self._blocks.append((starts, ends, texts[text_ids], labels[label_ids], flags))

    def finish(self) -> "SpanArrays":
        """Every span gathered, in order of start, without those inside one already kept."""
        self._flush()
        blocks = self._blocks
        if not blocks:
            return SpanArrays(_NO_SPANS, _NO_SPANS, np.zeros(0, np.int32), [], np.zeros(0, np.int32), [],
                              np.zeros(0, np.int8))
        starts, ends, texts, labels, flags = (np.concatenate(column) for column in zip(*blocks))
        order = np.lexsort((-ends, starts))  # stable: of two equal spans, the first found
        starts, ends, texts, labels, flags = starts[order], ends[order], texts[order], labels[order], flags[order]
        kept = _outermost(starts, ends)
        if kept is not None:
            starts, ends, texts, labels, flags = starts[kept], ends[kept], texts[kept], labels[kept], flags[kept]
        return SpanArrays(starts, ends, texts, list(self.texts), labels, list(self.labels), flags)


def _outermost(starts, ends):
    """Which spans (sorted by start, the longest first) to keep: none inside or across one kept before it.

    None when every span is kept, the usual case: the check is one pass. Spans inside another come
    from a value masked whole that holds a Kustomer mask, or the same mask found by two readers.
    """
    if len(starts) < 2 or not np.any(starts[1:] < np.maximum.accumulate(ends)[:-1]):
        return None
    kept, end = np.zeros(len(starts), bool), -1
    for i, (start, stop) in enumerate(zip(starts.tolist(), ends.tolist())):
        if start >= end:
            kept[i], end = True, stop
    return kept


class SpanArrays:
    """Spans in order and never overlapping: bytes starts[i]..ends[i] of the original show texts[text_ids[i]]."""

    def __init__(self, starts, ends, text_ids, texts, label_ids, labels, flags):
        self.starts, self.ends, self.text_ids, self.texts = starts, ends, text_ids, texts
        self.label_ids, self.labels, self.flags = label_ids, labels, flags

    def __len__(self):
        return len(self.starts)

    def __iter__(self):
        texts, labels = self.texts, self.labels
        for start, end, text, label, flag in zip(self.starts.tolist(), self.ends.tolist(), self.text_ids.tolist(),
                                                 self.label_ids.tolist(), self.flags.tolist()):
            yield Span(start, end, texts[text], labels[label], bool(flag & 1), bool(flag & 2))

    def __eq__(self, other):
        return list(self) == list(other)

    def text_lengths(self):
        """The length of each span's mask."""
        return np.array([len(text) for text in self.texts], np.int64)[self.text_ids] if self.texts else _NO_SPANS

    def attributes(self, *, unexpected=False) -> list:
        """The sorted labels of the attributes masked (only those masked whole for an unexpected shape)."""
        ids = self.label_ids[self.flags & 2 != 0] if unexpected else self.label_ids
        return sorted({label for label in (self.labels[i] for i in np.unique(ids).tolist()) if label})

    def any_kustomer(self) -> bool:
        return bool(np.any(self.flags & 1))
