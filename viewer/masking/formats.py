"""Kustomer's mask formats: a fixed run of asterisks, never as long as the value, plus a partial hint.

From Kustomer's data-masking article: partial email `*******.com`, partial phone `*******5309`,
full masking all asterisks; a partial mask of an empty value is the full mask.
"""
import json
import re

import numpy as np

FULL = "********"
PARTIAL_PREFIX = "*******"
# Attributes whose partial form Kustomer documents; anything else has none and is masked fully.
EMAIL_ATTRIBUTES = ("emails", "sharedEmails", "email")
PHONE_ATTRIBUTES = ("phones", "sharedPhones", "phone")
SUFFIX = re.compile(r"\.[A-Za-z0-9-]{1,63}\Z")
NOT_DIGIT = re.compile(r"\D")


def mask(value: str, mode: str, attribute: str) -> str:
    """The mask shown for `value` of `attribute` under `mode` (`partial` or anything else: full)."""
    if mode != "partial" or not value:
        return FULL
    if attribute in EMAIL_ATTRIBUTES or "@" in value:
        domain = value.rpartition("@")[2]
        suffix = SUFFIX.search(domain) if "@" in value else None
        return PARTIAL_PREFIX + suffix.group() if suffix else FULL
    if attribute in PHONE_ATTRIBUTES:
        digits = NOT_DIGIT.sub("", value)
        # Four digits of a short number would be most of it.
        return PARTIAL_PREFIX + digits[-4:] if len(digits) >= 7 else FULL
    return FULL


LONGEST = 64  # values longer than this (in bytes) are masked one at a time by mask()
_ROWS = 1 << 15  # values read at once: a block of LONGEST bytes each


def partial_masks(data, starts, ends, attribute: str):
    """The partial masks of many values at once, as mask() gives them one at a time.

    `data`: a document's bytes (numpy uint8); `starts`/`ends`: where each value's JSON text lies, a
    string (quotes included, no escapes) or a number. Returns (texts, ids, undecided): the JSON text of
    each distinct mask, the number of each value's, and which values were left for mask() (non-ASCII
    text, whose digits and letters are Unicode's; text longer than LONGEST).
    """
    texts, ids = {json.dumps(FULL).encode(): 0}, np.zeros(len(starts), np.int32)
    undecided = np.zeros(len(starts), bool)
    for at in range(0, len(starts), _ROWS):
        part = slice(at, at + _ROWS)
        ids[part], undecided[part] = _partial_rows(data, starts[part], ends[part], attribute, texts)
    return list(texts), ids, undecided


def _partial_rows(data, starts, ends, attribute, texts):
    first = data[starts]
    string = first == ord('"')
    masked = string | (first == ord("-")) | ((first >= ord("0")) & (first <= ord("9")))
    begin = starts + string
    length = ends - string - begin
    width = int(min(LONGEST, max(1, length.max(initial=0))))  # as wide as the longest value: emails are short
    columns = np.arange(width)
    inside = columns < length[:, None]
    text = np.where(inside, data[np.minimum(begin[:, None] + columns, len(data) - 1)], 0)
    undecided = masked & ((length > LONGEST) | (text >= 0x80).any(1))
    at_sign = text == ord("@")
    has_at = at_sign.any(1)
    tail = np.zeros_like(text)
    if attribute in EMAIL_ATTRIBUTES or has_at.any():  # an email, or any value holding an @
        # The domain's last label, dot included, when it is letters, digits and hyphens (SUFFIX).
        last_at = np.where(has_at, width - 1 - np.argmax(at_sign[:, ::-1], 1), width)
        dots = text == ord(".")
        has_dot = dots.any(1)
        last_dot = np.where(has_dot, width - 1 - np.argmax(dots[:, ::-1], 1), -1)
        after = columns > last_dot[:, None]
        letter = ((text >= ord("a")) & (text <= ord("z"))) | ((text >= ord("A")) & (text <= ord("Z"))) | \
            ((text >= ord("0")) & (text <= ord("9"))) | (text == ord("-"))
        clean = ~(after & inside & ~letter).any(1)
        size = length - last_dot - 1
        suffix = has_at & has_dot & (last_dot > last_at) & clean & (size >= 1) & (size <= 63)
        tail = np.where(suffix[:, None] & (columns >= last_dot[:, None]) & inside, text, 0)
    if attribute in PHONE_ATTRIBUTES and attribute not in EMAIL_ATTRIBUTES:
        digit = (text >= ord("0")) & (text <= ord("9")) & inside
        from_right = np.cumsum(digit[:, ::-1], 1)[:, ::-1]  # digits at or after each column
        enough = (digit.sum(1) >= 7) & ~has_at
        tail = np.where(enough[:, None] & digit & (from_right <= 4), text, tail)
    shown = masked & ~undecided & tail.any(1) & (length > 0)
    ids = np.zeros(len(starts), np.int32)
    if shown.any():
        rows = np.ascontiguousarray(tail[shown]).view(np.dtype((np.void, width))).ravel()
        distinct, which = np.unique(rows, return_inverse=True)
        numbers = [texts.setdefault(b'"' + PARTIAL_PREFIX.encode() + bytes(row).replace(b"\0", b"") + b'"', len(texts))
                   for row in distinct]
        ids[shown] = np.array(numbers, np.int32)[which.ravel()]
    return ids, undecided
