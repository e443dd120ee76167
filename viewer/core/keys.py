"""Stage 1c: duplicate keys and the top-level landmarks, from every key's span.

Each key gets a fingerprint of its object, its length, its first and its last eight bytes, read eight at a
time; keys are sorted by it, and only keys whose fingerprints are equal are compared byte for byte
in Python. Objects holding an escaped key (`"\\u0061"` is the key `"a"`) are checked by decoding
their keys, as JSON compares keys by their text.
"""
import json

import numpy as np

DUPLICATE = 0x80
MAX_LISTED = 1000
LANDMARKS = ("links", "meta")


def find_duplicates(raw, key_starts, key_ends, key_escaped, starts, parents, kinds):
    """Mark duplicate keys' lines in `kinds`; return (the first 1000 such lines, landmarks)."""
    if not len(key_starts):
        return [], {}
    lines = np.searchsorted(starts[:-1], key_starts, side="right") - 1
    parent = parents[lines]
    duplicate = np.zeros(len(lines), bool)

    escaped_objects = np.unique(parent[key_escaped])
    decoded = np.isin(parent, escaped_objects) if len(escaped_objects) else np.zeros(len(lines), bool)
    if decoded.any():
        _decoded_duplicates(raw, np.flatnonzero(decoded), key_starts, key_ends, parent, duplicate)
    plain = np.flatnonzero(~decoded)
    if len(plain):
        _plain_duplicates(raw, plain, key_starts, key_ends, parent, duplicate)

    duplicate_lines = lines[duplicate]
    kinds[duplicate_lines] |= DUPLICATE
    return [int(x) for x in duplicate_lines[:MAX_LISTED]], _landmarks(raw, lines, parent, key_starts, key_ends,
                                                                       key_escaped, kinds)


def _key_text(raw, start, end, escaped=True) -> bytes:
    text = bytes(raw[start:end])
    if escaped and b"\\" in text:
        text = b'"' + json.loads(text).encode("utf-8", "surrogatepass") + b'"'
    return text


def _decoded_duplicates(raw, which, key_starts, key_ends, parent, duplicate):
    seen = {}
    for i in which:
        text = _key_text(raw, int(key_starts[i]), int(key_ends[i]))
        keys = seen.setdefault(int(parent[i]), set())
        if text in keys:
            duplicate[i] = True
        else:
            keys.add(text)


def _plain_duplicates(raw, which, key_starts, key_ends, parent, duplicate):
    s, e = key_starts[which].astype(np.int64), key_ends[which].astype(np.int64)
    length = e - s
    size = len(raw)
    fingerprint = parent[which].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    fingerprint ^= length.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    for offset in (0, -8):
        at = (e + offset) if offset < 0 else (s + offset)
        at = np.maximum(at, s)
        word = _words(raw, at, size)
        available = np.clip(e - at, 0, 8)
        mask = np.where(available >= 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                        (np.uint64(1) << (np.minimum(available, 7).astype(np.uint64) * np.uint64(8))) - np.uint64(1))
        fingerprint = (fingerprint ^ (word & mask)) * np.uint64(0x100000001B3)
        fingerprint ^= fingerprint >> np.uint64(29)
    order = np.argsort(fingerprint)  # equal fingerprints are put back in line order below
    ordered = fingerprint[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(same):
        return
    # Runs of equal fingerprints: compare their keys for real.
    groups = {}
    for position in same:
        groups.setdefault(int(ordered[position]), set()).update((int(order[position]), int(order[position + 1])))
    for members in groups.values():
        seen = set()
        for local in sorted(members):
            i = which[local]
            key = (int(parent[i]), _key_text(raw, int(key_starts[i]), int(key_ends[i]), escaped=False))
            if key in seen:
                duplicate[i] = True
            else:
                seen.add(key)


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


def _landmarks(raw, lines, parent, key_starts, key_ends, key_escaped, kinds):
    """Top-level "links" and "meta": the line of each (the last one, if given twice)."""
    if kinds[0] & 0x03 != 1:  # the root is not an object
        return {}
    length = key_ends.astype(np.int64) - key_starts
    candidates = np.flatnonzero((parent == 0) & (((length == 6) | (length == 7)) | key_escaped))
    found = {}
    for i in candidates:
        name = _key_text(raw, int(key_starts[i]), int(key_ends[i]))[1:-1]
        if name in (b"links", b"meta"):
            found[name.decode()] = int(lines[i])
    return found
