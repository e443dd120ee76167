"""Rules travel with the rendition: a document masked under rules looser than those in force is masked again.

Each document records the rules it was masked under (viewer.masking.rendition.apply_rules). At start,
every document whose rules do not cover the local rules in force (a stricter `--masking` file) is masked
again; so is every document of an organisation whose metadata, read later for another document, masks
more of a resource it holds. The work runs on one thread owned by the app, newest document first, and a
document waiting for it is not served (viewer.masking.state). The rules used are the union of those it
was masked under and those in force: looser rules never unmask a document, only Unmask does.
"""
import json
import threading

from flask import current_app

from ..errors import ViewerError
from ..store.documents import original_document
from ..store.masking import load_masking, load_rules, rules_of_documents, save_rules
from ..store.results import load_result
from .rendition import apply_rules
from .rules import Rules, covers, from_record, to_record, union
from .spans import Reader, object_types
from .urls import shown_url

EXTENSION = "viewer.remask"


RERUN = "viewer.rerun"  # the app's way to make a derived document again from its source (web/views/query.py)


class WaitFor(Exception):
    """A document made from another (a jq result) waits for its source to be masked again first."""

    def __init__(self, source_id: str):
        super().__init__(source_id)
        self.source_id = source_id


class Remasking(ViewerError):
    """A document asked for while it waits to be masked again."""

    status = 503
    retry_after = 2
    title = "Being masked again under the new rules"


def local_rules(app=None) -> dict:
    """The rules of --masking, in force for every document, inheritance applied."""
    return union((app or current_app).config.get("MASKING_RULES") or {})


def served_rules(doc_id: str) -> dict:
    """{resource: Rules} a document is served under: those it was masked under and those in force."""
    row = load_rules(doc_id)
    return union(from_record(row["rules"]) if row else {}, local_rules())


def shown_source(url, doc_id=None, *, unmasked=False):
    """A document's source URL as shown: lookups masked under the rules it is served under (in full when those
    are not known: the document is gone, or was stored before rules were recorded); as stored while unmasked."""
    if not url or unmasked:
        return url
    row = load_rules(doc_id) if doc_id else None
    if row is None:
        return shown_url(url)
    rules = union(from_record(row["rules"]), local_rules())
    return shown_url(url, lambda resource: rules.get(resource) or Rules())


class Remasker:
    """The app's queue of documents to mask again, and the one thread that does it."""

    def __init__(self, app):
        self.app = app
        self._queue, self._failed = {}, set()  # doc id -> rules to add to it, in the order they are done
        self.done = self.total = 0
        self._changed = threading.Condition()
        self._thread = None

    def add(self, items):
        """Queue (document id, {resource: Rules} to add) pairs, in the order given; start the thread."""
        with self._changed:
            for doc_id, extra in items:
                if doc_id in self._queue:
                    self._queue[doc_id] = union(self._queue[doc_id], extra)
                else:
                    self._queue[doc_id] = extra
                    self.total += 1
            if self._queue and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="viewer-remask", daemon=True)
                self._thread.start()

    def holds(self, doc_id) -> bool:
        return doc_id in self._queue or doc_id in self._failed

    def progress(self, doc_id) -> str:
        with self._changed:
            if doc_id in self._failed:
                return ("Masking it again failed (the viewer's terminal output says why), so it stays hidden: delete "
                        "it and take it in again, or restart the viewer to try again.")
            ahead = list(self._queue).index(doc_id) if doc_id in self._queue else 0
            return (f"{self.done} of {self.total} documents to mask again are done; "
                    + ("this one is being masked now." if ahead == 0 else f"{ahead} more before this one."))

    def idle(self, timeout=None) -> bool:
        """Wait until the queue is empty (for tests and a clean stop); whether it is."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue, timeout)

    def _run(self):
        while True:
            with self._changed:
                if not self._queue:
                    self._thread = None
                    self._changed.notify_all()
                    return
                doc_id, extra = next(iter(self._queue.items()))
            try:
                with self.app.app_context():
                    remask(doc_id, extra)
            except WaitFor as wait:
                with self._changed:
                    if wait.source_id in self._queue and wait.source_id != doc_id:
                        self._queue[doc_id] = self._queue.pop(doc_id)  # after its source, which is queued
                        continue
                self.app.logger.error("Could not mask document %s again: its source %s could not be masked again",
                                      doc_id, wait.source_id)
                self._failed.add(doc_id)
            except Exception:
                self.app.logger.exception("Could not mask document %s again under the new rules", doc_id)
                self._failed.add(doc_id)
            with self._changed:
                del self._queue[doc_id]
                self.done += 1
                self._changed.notify_all()


def remasker(app) -> Remasker:
    return app.extensions.setdefault(EXTENSION, Remasker(app))


def remask(doc_id: str, extra: dict):
    """Mask a stored document again from its original bytes, under its rules, those in force and `extra`.

    A document made from another by a jq program is made again instead: the program runs on its source's
    masked text, once the source is masked under the new rules (its own bytes need not be in any shape
    that masking reads: `.data[].attributes.emails` is a list of lists).
    """
    original = original_document(doc_id)  # not get_document: that serves the rendition, and refuses while this runs
    if original is None:
        return  # deleted meanwhile
    made = load_result(doc_id)
    if made is not None:
        current_app.extensions[RERUN](doc_id, made, original, extra)
        return
    raw = original.read(0, original.size)
    record = load_rules(doc_id)
    recorded = from_record(record["rules"]) if record else _legacy_rules(doc_id, raw, original.index)
    resources = json.loads(record["resources"]) if record and record["resources"] else None
    apply_rules(doc_id, raw, original.index, union(recorded, local_rules(), extra),
                host=record["host"] if record else None, note=record["note"] if record else None,
                resources=resources, again=True)


def inherit_rules(doc_id: str, source_id: str, extra: dict | None = None):
    """Record on a document made from another (a jq result) the rules its source is served under, besides its
    own: stricter rules for the source's resources, local or the organisation's, then mask it again too."""
    own, source = load_rules(doc_id), load_rules(source_id)
    rules = union(from_record(own["rules"]) if own else {}, served_rules(source_id), extra)
    listed = [json.loads(row["resources"]) if row and row["resources"] else None for row in (own, source)]
    resources = None if None in listed else set(listed[0]) | set(listed[1])
    host = (source["host"] if source else None) or (own["host"] if own else None)
    save_rules(doc_id, to_record(rules), host=host, resources=resources, note=own["note"] if own else None)


def _legacy_rules(doc_id, raw, index) -> dict:
    """A document stored before rules were recorded: every attribute it had masked, in full, for every resource
    it holds (the rules themselves are not known, so they are taken to be as strict as what was masked)."""
    row = load_masking(doc_id)
    labels = json.loads(row["attributes"]) if row else []
    standard = {label: "full" for label in labels if not label.startswith("custom.")}
    custom = {label.removeprefix("custom."): "full" for label in labels if label.startswith("custom.")}
    return {resource: Rules(dict(standard), dict(custom)) for resource in object_types(Reader(raw, index))}


def remask_looser_at_start(app):
    """Queue every document masked under rules that do not cover the local rules in force, newest first."""
    with app.app_context():
        local, items = local_rules(app), []
        for row in rules_of_documents():
            if not row["recorded"]:
                if local:
                    items.append((row["id"], {}))
                continue
            resources = json.loads(row["resources"]) if row["resources"] else None
            wanted = {r: rules for r, rules in local.items() if resources is None or r in resources}
            if not covers(from_record(row["rules"]), wanted):
                items.append((row["id"], {}))
    if items:
        remasker(app).add(items)


def remask_stricter(app, host: str, organisation_rules: dict, *, taken_in: str):
    """Queue the other documents of `host` masked under less of a resource than the organisation's rules now say."""
    items = []
    for row in rules_of_documents(host):
        if row["id"] == taken_in:
            continue
        resources = json.loads(row["resources"]) if row["resources"] else None
        extra = {r: rules for r, rules in organisation_rules.items() if rules and (resources is None or r in resources)}
        if extra and not covers(from_record(row["rules"]), union(extra)):
            items.append((row["id"], extra))
    if items:
        remasker(app).add(items)
