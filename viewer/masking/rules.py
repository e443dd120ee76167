"""Which attributes to mask: the organisation's metadata, and a local TOML file (`--masking FILE`).

The file lists entries, each naming a resource, an attribute and a mode:

    [[mask]]
    resource = "customer"              # customer, conversation, company, message or kobject.<klass>
    attribute = "custom.accountNumberStr"   # a custom attribute; "emails" for a standard one
    mode = "full"                      # or "partial"
"""
import json
import tomllib
from dataclasses import dataclass, field

from ..kustomer.metadata import INHERITS, resource_for
from .errors import MaskingError

MODES = ("partial", "full")
FIELDS = ("resource", "attribute", "mode")


@dataclass
class Rules:
    """Attributes to mask in objects of one resource: name → mode, standard and custom apart."""

    standard: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.standard or self.custom)

    def inherit(self, resource: str):
        """Kustomer's inheritance (a customer's firstName follows name…), for local rules as for the org's."""
        for child, parent in INHERITS.get(resource, {}).items():
            if parent in self.standard and child not in self.standard:
                self.standard[child] = self.standard[parent]
        return self

    def copy(self):
        return Rules(dict(self.standard), dict(self.custom))

    def covers(self, other) -> bool:
        """Every attribute `other` masks is masked here, as strongly."""
        return all(mine.get(name) in (mode, "full")
                   for mine, theirs in ((self.standard, other.standard), (self.custom, other.custom))
                   for name, mode in theirs.items())

    def add(self, standard: dict, custom: dict):
        """Add rules; where both name an attribute, the stronger mask (full) wins."""
        for mine, theirs in ((self.standard, standard), (self.custom, custom)):
            for name, mode in theirs.items():
                mode = "partial" if mode == "partial" else "full"
                if mine.get(name) != "full":
                    mine[name] = mode
        return self


def load(path) -> dict:
    """{resource: Rules} from a rules file; raises MaskingError naming the file, the entry and the field."""
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise MaskingError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MaskingError(f"{path}: not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"mask"})
    if extra:
        raise MaskingError(f"{path}: unknown table or key {extra[0]!r}; the file holds [[mask]] entries only.")
    entries = data.get("mask", [])
    if not isinstance(entries, list):
        raise MaskingError(f"{path}: mask must be a list of entries, written [[mask]].")
    found = {}
    for number, entry in enumerate(entries, 1):
        resource, attribute, mode = _entry(path, number, entry)
        rules = found.setdefault(resource, Rules())
        if attribute.startswith("custom."):
            rules.add({}, {attribute.removeprefix("custom."): mode})
        else:
            rules.add({attribute: mode}, {})
    return found


def _entry(path, number, entry):
    where = f"{path}: mask entry {number}"
    if not isinstance(entry, dict):
        raise MaskingError(f"{where}: must be a table with resource, attribute and mode.")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise MaskingError(f"{where}: unknown field {unknown[0]!r}; an entry has resource, attribute and mode.")
    for name in FIELDS:
        if name not in entry:
            raise MaskingError(f"{where}: {name}: missing.")
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise MaskingError(f"{where}: {name}: must be text.")
    resource, attribute, mode = (entry[name].strip() for name in FIELDS)
    if resource_for(resource) is None:
        raise MaskingError(f"{where}: resource: {resource!r} is not one of customer, conversation, company, "
                           "message or kobject.<klass>.")
    if attribute in ("custom", "custom.") or attribute.count(".") > (1 if attribute.startswith("custom.") else 0):
        raise MaskingError(f"{where}: attribute: {attribute!r} is not an attribute name; write \"emails\" for a "
                           "standard attribute or \"custom.accountNumberStr\" for a custom one.")
    if mode not in MODES:
        raise MaskingError(f"{where}: mode: must be \"partial\" or \"full\", not {mode!r}.")
    return resource, attribute, mode


def union(*maps) -> dict:
    """{resource: Rules} masking everything any of `maps` masks, the stronger mode where two name an attribute."""
    found = {}
    for each in maps:
        for resource, rules in (each or {}).items():
            found.setdefault(resource, Rules()).add(rules.standard, rules.custom)
    return {resource: rules.inherit(resource) for resource, rules in found.items() if rules}


def covers(recorded: dict, wanted: dict) -> bool:
    """Whether rules `recorded` mask all that `wanted` masks: a document masked under them needs no re-masking."""
    return all(recorded.get(resource, Rules()).covers(rules) for resource, rules in wanted.items())


def to_record(found: dict) -> str:
    """Rules as canonical JSON: the same rules always give the same text."""
    return json.dumps({resource: {"standard": rules.standard, "custom": rules.custom}
                       for resource, rules in found.items() if rules}, sort_keys=True, separators=(",", ":"))


def from_record(text) -> dict:
    return {resource: Rules(dict(entry.get("standard", {})), dict(entry.get("custom", {})))
            for resource, entry in json.loads(text or "{}").items()}
