"""The benchmark's one error type."""


class BenchError(Exception):
    """A benchmark step could not be measured; the message says which and why."""
