"""Stage 1c: duplicate keys and the top-level landmarks, from every key's span.

Each key gets a fingerprint of its object (where the object opens), its length, its first and its
last eight bytes, read eight at a time; the fingerprints are sorted, and only keys whose
fingerprints are equal are compared byte for byte in Python. Objects holding an escaped key (`"\\u0061"` is the key `"a"`) are checked by decoding
their keys, as JSON compares keys by their text.
"""
import json

import numpy as np



BATCH = 1 << 16  # keys fingerprinted at a time: each of a batch's ten temporary arrays is 512 KiB


def find_duplicates(raw, key_starts, key_ends, key_escaped, key_objects, root_object=-1):
    """(where each duplicate key starts, {landmark: where its key starts}).

    `key_objects` says where each key's object opens: keys are compared within their object. A key
    is a duplicate when an earlier key of its object has the same text; landmarks are the top-level
    keys "links" and "meta" of a document that is an object at `root_object` (the last, if given twice).
    """
    count = len(key_starts)
    if not count:
        return np.zeros(0, np.uint32), {}
    duplicate = np.zeros(count, bool)
    escaped_objects = np.unique(key_objects[key_escaped])
    decoded = np.isin(key_objects, escaped_objects) if len(escaped_objects) else None
    if decoded is not None:
        _decoded_duplicates(raw, np.flatnonzero(decoded), key_starts, key_ends, key_objects, duplicate)
    _plain_duplicates(raw, decoded, key_starts, key_ends, key_objects, duplicate)
    return key_starts[duplicate], _landmarks(raw, key_objects, key_starts, key_ends, key_escaped, root_object)


def key_text(raw, start, end, escaped=True) -> bytes:
    text = bytes(raw[start:end])
    if escaped and b"\\" in text:
        text = b'"' + json.loads(text).encode("utf-8", "surrogatepass") + b'"'
    return text


def _decoded_duplicates(raw, which, key_starts, key_ends, parent, duplicate):
    seen = {}
    for i in which:
        text = key_text(raw, int(key_starts[i]), int(key_ends[i]))
        keys = seen.setdefault(int(parent[i]), set())
        if text in keys:
            duplicate[i] = True
        else:
            keys.add(text)


def _plain_duplicates(raw, decoded, key_starts, key_ends, parent, duplicate):
    """Keys compared as written (those not in `decoded` objects): by fingerprint, then byte for byte."""
    count = len(key_starts)
    # 32 bits: keys of equal fingerprints are compared byte for byte anyway, and a million keys give
    # only about a hundred chance pairs, at half the memory of 64.
    fingerprint = np.empty(count, np.uint32)
    for lo in range(0, count, BATCH):
        hi = min(count, lo + BATCH)
        mixed = _fingerprints(raw, key_starts[lo:hi], key_ends[lo:hi], parent[lo:hi])
        fingerprint[lo:hi] = (mixed ^ (mixed >> np.uint64(32))).astype(np.uint32)
    if decoded is not None:
        fingerprint[decoded] = np.arange(np.count_nonzero(decoded), dtype=np.uint32)  # set apart: compared decoded
    ordered = np.sort(fingerprint)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if not len(repeated):
        return
    candidates = []
    for lo in range(0, count, BATCH):
        piece = fingerprint[lo:lo + BATCH]
        at = np.minimum(np.searchsorted(repeated, piece), len(repeated) - 1)
        candidates.append(np.flatnonzero(repeated[at] == piece) + lo)
    candidates = np.concatenate(candidates)
    if decoded is not None:
        candidates = candidates[~decoded[candidates]]
    seen = set()
    for i in candidates:  # in line order, so the first of equal keys is the one not marked
        key = (int(parent[i]), key_text(raw, int(key_starts[i]), int(key_ends[i]), escaped=False))
        if key in seen:
            duplicate[i] = True
        else:
            seen.add(key)


def _fingerprints(raw, key_starts, key_ends, parent):
    """Of each key: its object, its length, its first and last eight bytes, mixed into 64 bits."""
    s, e = key_starts.astype(np.int64), key_ends.astype(np.int64)
    fingerprint = parent.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    fingerprint ^= (e - s).astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    for at in (s, np.maximum(e - 8, s)):
        word = _words(raw, at, len(raw))
        available = np.minimum(e - at, 8)
        mask = np.where(available >= 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                        (np.uint64(1) << (np.minimum(available, 7).astype(np.uint64) * np.uint64(8))) - np.uint64(1))
        fingerprint = (fingerprint ^ (word & mask)) * np.uint64(0x100000001B3)
        fingerprint ^= fingerprint >> np.uint64(29)
    return fingerprint


def _words(raw, at, size):
    """The eight bytes at each position in `at` as little-endian integers (zero past the end)."""
    # Eight aligned views of the bytes, one per offset modulo 8: a gather from them is one fancy index
    # each, where an unaligned strided view would be read element by element.
    words = np.zeros(len(at), np.uint64)
    inside = at + 8 <= size
    remainder = at % 8
    for offset in range(8):
        count = (size - offset) // 8
        if count <= 0:
            continue
        view = np.frombuffer(raw, "<u8", count=count, offset=offset)
        chosen = np.flatnonzero(inside & (remainder == offset))
        words[chosen] = view[(at[chosen] - offset) // 8]
    for i in np.flatnonzero(~inside):
        words[i] = int.from_bytes(bytes(raw[int(at[i]):int(at[i]) + 8]), "little")
    return words


def _landmarks(raw, key_objects, key_starts, key_ends, key_escaped, root_object):
    if root_object < 0:
        return {}
    length = key_ends.astype(np.int64) - key_starts
    candidates = np.flatnonzero((key_objects == root_object) & (((length == 6) | (length == 7)) | key_escaped))
    found = {}
    for i in candidates:
        name = key_text(raw, int(key_starts[i]), int(key_ends[i]))[1:-1]
        if name in (b"links", b"meta"):
            found[name.decode()] = int(key_starts[i])
    return found
