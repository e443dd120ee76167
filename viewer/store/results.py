"""Which jq program made a document, and from which document: kept beside the result."""
from dataclasses import dataclass

from .db import get_db


@dataclass
class Made:
    """How a result came about: `program` run on `source_id`, giving `outputs` outputs."""

    source_id: str
    program: str
    outputs: int
    masked_source: bool  # read from the source's masked rendition: its masked values have no original here


def record_result(doc_id: str, made: Made):
    get_db().execute("INSERT INTO jq_results (doc_id, source_id, program, outputs, masked_source) VALUES (?,?,?,?,?)",
                     (doc_id, made.source_id, made.program, made.outputs, int(made.masked_source)))


def load_result(doc_id: str) -> Made | None:
    row = get_db().execute("SELECT source_id, program, outputs, masked_source FROM jq_results WHERE doc_id = ?",
                           (doc_id,)).fetchone()
    return Made(row[0], row[1], row[2], bool(row[3])) if row else None
