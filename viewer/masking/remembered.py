"""Kustomer's own masks, remembered before its unmasking window shows what they hid.

The window's answer comes back unmasked for everyone in the organisation; when the viewer's unmask of
it ends, every attribute Kustomer had masked is masked again, whether or not the organisation's metadata
lists it or can be read. The attributes are read from the document as Kustomer masked it: each
attribute of an object (a custom one under `custom`) whose value holds one of Kustomer's mask objects.
"""
import json
from bisect import bisect_left

from ..kustomer.metadata import resource_for
from .formats import PARTIAL_PREFIX
from .rules import Rules, union
from .spans import Reader, kustomer_masks, objects, types_of


def kustomer_masked(raw, index) -> dict:
    """{resource: Rules} of every attribute Kustomer had masked in the document: partial where Kustomer showed
    part of the value, else full."""
    reader = Reader(raw, index)
    spans = kustomer_masks(reader)
    if not spans:
        return {}
    starts = [span.start for span in spans]
    found = {}
    for line in objects(reader):
        resources = [r for r in (resource_for(t) for t in types_of(reader, line)) if r]
        rules = Rules()
        for key, attributes, _ in reader.named(line, frozenset({"attributes"})):
            for name, member, at in reader.members(attributes):
                if name == "custom" and reader.is_object(member):
                    for custom, value, value_at in reader.members(member):
                        mode = _mode(spans, starts, *reader.value(value, value_at))
                        if mode:
                            rules.add({}, {custom: mode})
                else:
                    mode = _mode(spans, starts, *reader.value(member, at))
                    if mode:
                        rules.add({name: mode}, {})
        if rules:
            found = union(found, {resource: rules for resource in resources})
    return found


def _mode(spans, starts, start, end):
    """The mode of Kustomer's masks between `start` and `end`, None if it masked nothing there."""
    first, modes = bisect_left(starts, start), set()
    for span in spans[first:]:
        if span.start >= end:
            break
        shown = json.loads(span.text)
        modes.add("partial" if isinstance(shown, str) and shown.startswith(PARTIAL_PREFIX) and
                  shown.strip("*") else "full")
    return None if not modes else "full" if "full" in modes else "partial"
