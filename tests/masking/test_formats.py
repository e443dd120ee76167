"""Kustomer's mask formats: the length never depends on the value."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.masking.formats import FULL, mask, partial_masks


@pytest.mark.parametrize("value,mode,attribute,shown", [
    ("jenny.jennings@example.com", "partial", "emails", "*******.com"),
    ("a@b.co.uk", "partial", "emails", "*******.uk"),
    ("+15558675309", "partial", "phones", "*******5309"),
    ("+1 (555) 867-5309", "partial", "phone", "*******5309"),
    ("", "partial", "emails", FULL),
    ("12", "partial", "phones", FULL),
    ("Jenny Jennings", "partial", "name", FULL),  # no partial form
    ("Jenny Jennings", "full", "name", FULL),
    ("x", "full", "name", FULL),
    ("jenny@example.com", "full", "emails", FULL),
])
def test_masks(value, mode, attribute, shown):
    assert mask(value, mode, attribute) == shown


VALUES = st.one_of(
    st.text(alphabet=st.sampled_from("ab.-@+0123456789 ()xZ_é٣"), max_size=80),
    st.emails(), st.from_regex(r"\+?[0-9 ()-]{0,20}", fullmatch=True),
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(VALUES, st.booleans()), min_size=1, max_size=20),
       st.sampled_from(["emails", "email", "phones", "phone", "name", "sharedPhones", "notesTxt"]))
def test_partial_masks_in_bulk_are_those_of_mask_one_by_one(values, attribute):
    """formats.partial_masks gives each value the text json.dumps(mask(value)) would, or leaves it to mask()."""
    pieces, starts, ends, expected = [], [], [], []
    at = 0
    for value, as_number in values:
        number = as_number and value.lstrip("-")[:1].isdigit() and value.isascii()
        token = (value if number else json.dumps(value, ensure_ascii=False)).encode()
        if b"\\" in token:  # bulk reads text written without escapes only
            continue
        starts.append(at)
        ends.append(at + len(token))
        pieces.append(token + b",")
        at += len(token) + 1
        expected.append(json.dumps(mask(value, "partial", attribute)).encode())
    data = np.frombuffer(b"".join(pieces) or b" ", np.uint8)
    texts, ids, undecided = partial_masks(data, np.array(starts, np.int64), np.array(ends, np.int64), attribute)
    for i, want in enumerate(expected):
        if not undecided[i]:
            assert texts[ids[i]] == want, (values, i)
