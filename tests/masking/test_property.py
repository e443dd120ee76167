"""Generated customers, written every way JSON allows: no value under a sensitive path is shown, every other value is.

Each sensitive value holds a token S<n>q and each value that is not sensitive a token P<n>q; the
rendition, read with every copy of a duplicate key kept, must hold no S token and every P token.
"""
import itertools
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from tests.masking.conftest import RULES, every_text, masked_text, rules_for_text
from viewer.core.index import Index
from viewer.core.scan import scan
from viewer.masking import bulk as masking_bulk
from viewer.masking import finder

LONG = " " * 70_000  # more than any look-ahead of 64 KiB
SHORT = ["", " ", "\n", "\t  ", "\r\n    "]
CONTACTS = {"emails": "email", "phones": "phone", "socials": "username"}
EXTRA_MEMBERS = ["meta", "alias", "url", "note"]


class Writer:
    """Draws a document and writes it as JSON text, choosing whitespace and escapes as it goes."""

    def __init__(self, data, escapes=True):
        self.data, self.count, self.escapes = data, itertools.count(), escapes
        self.tokens = {"S": [], "P": []}  # every sensitive value's text, and every other value's

    def draw(self, strategy):
        return self.data.draw(strategy)

    def token(self, kind: str) -> str:
        token = f"{kind}{next(self.count)}q"
        self.tokens[kind].append(token)
        return token

    # The tree: ("obj", [(key, node)]), ("arr", [node]), ("str", text) or ("lit", JSON text).
    def write(self, node) -> str:
        kind, body = node
        if kind == "str":
            return self.string(body)
        if kind == "lit":
            return body
        if kind == "arr":
            return "[" + ",".join(self.space() + self.write(item) + self.space() for item in body) + "]"
        return "{" + ",".join(self.space() + self.string(key) + self.space() + ":" + self.space()
                              + self.write(value) + self.space() for key, value in body) + "}"

    def space(self) -> str:
        choice = self.draw(st.integers(0, 60))
        return LONG if choice == 0 else SHORT[choice % len(SHORT)]

    def string(self, text: str) -> str:
        if not self.escapes:
            return '"' + text + '"'
        escaped = self.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        return '"' + "".join(f"\\u{ord(c):04x}" if e else c for c, e in zip(text, escaped)) + '"'

    def secret(self):
        """A sensitive value in any shape."""
        shape = self.draw(st.sampled_from(["str", "num", "obj", "key", "arr", "null", "kustomer"]))
        if shape == "null":
            return "lit", "null"
        if shape == "kustomer":
            return "obj", [("isMasked", ("lit", "true")), ("maskedPresentation", ("str", "****"))]
        if shape == "num":
            return "lit", self.number()
        token = self.token("S")
        return {"str": ("str", token), "obj": ("obj", [("address", ("str", token))]),
                "key": ("obj", [(token, ("lit", "true"))]), "arr": ("arr", [("str", token)])}[shape]

    def number(self) -> str:
        number = f"9{next(self.count)}7"
        self.tokens["S"].append(number)
        return number

    def item(self, value_key: str):
        """An item of a contact attribute: mostly Kustomer's shape, sometimes not."""
        if self.draw(st.integers(0, 4)) == 0:
            return self.secret()
        members = [(value_key, self.secret() if self.draw(st.booleans()) else ("str", self.token("S")))]
        if self.draw(st.booleans()):
            members.append(("type", ("str", "home")))
        if self.draw(st.booleans()):
            members.append(("verified", ("lit", "true")))
        if self.draw(st.integers(0, 3)) == 0:
            members.append((self.draw(st.sampled_from(EXTRA_MEMBERS)), self.secret()))
        if self.draw(st.integers(0, 3)) == 0:
            members.append((value_key, ("str", self.token("S"))))
        return "obj", self.shuffled(members)

    def sensitive(self, name: str):
        value_key = CONTACTS.get(name)
        if value_key and self.draw(st.integers(0, 4)):
            return "arr", [self.item(value_key) for _ in range(self.draw(st.integers(0, 3)))]
        return self.secret()

    def attributes(self):
        members = [("locale", ("str", self.token("P"))), ("tags", ("arr", [("str", self.token("P"))]))]
        for name in self.draw(st.lists(st.sampled_from(["name", *CONTACTS]), max_size=5)):
            members.append((name, self.sensitive(name)))
        for _ in range(self.draw(st.integers(0, 2))):
            custom = [("loyaltyTierStr", ("str", self.token("P")))]
            custom += [("legacyAccountIdNum", self.secret()) for _ in range(self.draw(st.integers(0, 2)))]
            members.append(("custom", ("obj", self.shuffled(custom))))
        return "obj", self.shuffled(members)

    def customer(self):
        types = ["customer", *self.draw(st.lists(st.sampled_from(["customer", "conversation", "x"]), max_size=2))]
        members = [("type", ("str", t)) for t in types] + [("id", ("str", self.token("P")))]
        members += [("attributes", self.attributes()) for _ in range(self.draw(st.integers(1, 2)))]
        members.append(("relationships", ("obj", [("org", ("obj", [("id", ("str", self.token("P")))]))])))
        return "obj", self.shuffled(members)

    def answer(self):
        members = [("meta", ("obj", [("page", ("str", self.token("P")))]))]
        for name in ["data", *self.draw(st.lists(st.sampled_from(["data", "included"]), max_size=2))]:
            if self.draw(st.booleans()):
                members.append((name, self.customer()))
            else:
                members.append((name, ("arr", [self.customer() for _ in range(self.draw(st.integers(0, 3)))])))
        return "obj", self.shuffled(members)

    def shuffled(self, members):
        return self.draw(st.permutations(members))


@pytest.fixture(scope="module")
def rules_for(tmp_path_factory):
    extra = '\n[[mask]]\nresource = "customer"\nattribute = "socials"\nmode = "full"\n'
    return rules_for_text(RULES + extra, tmp_path_factory.mktemp("rules"))


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_no_sensitive_value_survives_and_every_other_value_does(rules_for, data):
    writer = Writer(data)
    raw = writer.write(writer.answer()).encode()
    original = every_text(raw)
    assert all(secret in original for secret in writer.tokens["S"])
    served = every_text(masked_text(raw, rules_for))
    for secret in writer.tokens["S"]:
        assert secret not in served
    for value in writer.tokens["P"]:
        assert value in original and value in served


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data(), st.booleans())
def test_members_found_in_bulk_are_those_read_one_by_one(rules_for, data, escapes):
    """viewer.masking.bulk finds the same spans as spans' own walk, whatever the document (a big one takes it)."""
    writer = Writer(data, escapes)
    raw = writer.write(writer.answer()).encode()
    result = scan(raw)
    index = Index(result.starts, result.parents, result.matches, result.kinds)
    bulk = finder.find(raw, index, rules_for, bulk_from=0)
    one_by_one = finder.find(raw, index, rules_for, bulk_from=1 << 40)
    with patch.object(masking_bulk, "PARALLEL_OBJECTS", 2):  # the answer's halves read on two threads
        halves = finder.find(raw, index, rules_for, bulk_from=0)
    assert bulk == one_by_one == halves


def test_a_long_list_read_in_halves_on_two_threads_masks_as_read_whole(rules_for):
    raw = generate(3_000_000, 7)
    result = scan(raw)
    index = Index(result.starts, result.parents, result.matches, result.kinds)
    whole = finder.find(raw, index, rules_for, bulk_from=0)
    with patch.object(masking_bulk, "PARALLEL_OBJECTS", 2):
        halves = finder.find(raw, index, rules_for, bulk_from=0)
    assert len(whole) > 1000 and halves == whole
