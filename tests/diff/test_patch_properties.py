"""Hypothesis: a document A, a B made from it by random edits; the viewer's patch turns A into B."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import exact

KEYS = st.sampled_from(["a", "b", "id", "type", "x/y", "~", "é", ""])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5),
    st.lists(st.fixed_dictionaries({"id": st.integers(0, 30), "v": inner}), max_size=6)
    .map(lambda items: list({item["id"]: item for item in items}.values()))), max_leaves=25)


@st.composite
def edited(draw, value):
    """`value` after random edits: changed leaves, members added and removed, lists reordered."""
    if draw(st.integers(0, 9)) == 0:
        return draw(VALUES)
    if isinstance(value, dict):
        result = {k: draw(edited(v)) for k, v in value.items() if draw(st.integers(0, 5))}
        if draw(st.booleans()):
            result[draw(KEYS)] = draw(VALUES)
        return result
    if isinstance(value, list):
        result = [draw(edited(v)) for v in value if draw(st.integers(0, 5))]
        if result and draw(st.booleans()):
            result = draw(st.permutations(result))
        if draw(st.booleans()):
            result.insert(draw(st.integers(0, len(result))), draw(VALUES))
        return result
    return value


def written(value, draw):
    """The value as JSON text, keys in a drawn order, compact or indented."""
    def reorder(v):
        if isinstance(v, dict):
            return dict(draw(st.permutations([(k, reorder(x)) for k, x in v.items()])))
        return [reorder(x) for x in v] if isinstance(v, list) else v
    return json.dumps(reorder(value), indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans()))


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_the_patch_turns_a_into_b(patch_of, data):
    a = data.draw(VALUES)
    b = data.draw(edited(a))
    patch_of(written(a, data.draw), written(b, data.draw))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_same_value_written_twice_is_no_change(patch_of, data):
    value = data.draw(VALUES)
    assert patch_of(written(value, data.draw), written(value, data.draw)) == []
    assert exact(json.dumps(value)) == exact(json.dumps(value))
