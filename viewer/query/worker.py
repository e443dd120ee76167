"""The process one jq program runs in: `python -I worker.py MEMORY_BYTES`, started by viewer.query.run.

It imports nothing of the viewer (it runs isolated, without the viewer on its path). Standard input
brings the program's length in bytes on a line, the program, then the document's text. Each output
goes to standard output as the JSON text libjq writes for it (the program is run as `(PROGRAM) | tojson`,
so numbers keep every digit as written) and a newline. The exit status says how it ended; jq's message
goes to standard error.
"""
import os
import sys

OK, COMPILE_ERROR, RUN_ERROR, OUT_OF_MEMORY, BAD_INPUT = 0, 3, 4, 5, 6


def limit_resources(memory: int):
    """No more than `memory` bytes of address space, and no file opened from here on (jq's `import`, `include`)."""
    try:
        import resource
    except ImportError:  # Windows: the viewer's timeout still stops the worker
        return
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))  # open descriptors (the pipes) keep working


class _Utf8:
    """The document's bytes where the binding asks for text.

    `input_text` hands libjq `text.encode("utf8")`; the bytes are UTF-8 already (the viewer checked
    them when the document came in), so they go as they are, without a decoded copy and an encoded one
    (200 MB and most of a second for a 100 MB document, and memory counted against --jq-memory).
    """

    def __init__(self, data: bytes):
        self.data = data

    def encode(self, encoding="utf-8", errors="strict") -> bytes:
        return self.data


def main() -> int:
    import jq  # before the limits: loading the library opens files

    os.environ.clear()  # the viewer starts this process with an empty environment; this makes sure of it
    stdin, stdout, stderr = sys.stdin.buffer, sys.stdout.buffer, sys.stderr
    limit_resources(int(sys.argv[1]))
    try:
        length = int(stdin.readline())
        program = stdin.read(length).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"the worker could not read its program: {exc}", file=stderr)
        return BAD_INPUT
    try:
        jq.compile(program)  # alone first, so that jq's message places the error in the program as written
        wrapped = jq.compile(f"({program}\n) | tojson")
    except ValueError as exc:
        print(exc, file=stderr)
        return COMPILE_ERROR
    data = stdin.read()  # read only once the program compiles: a typo answers without sending the document
    try:
        outputs = wrapped.input_text(_Utf8(data))
    except (AttributeError, TypeError):  # a binding that wants str itself: decoded, then encoded again by it
        outputs = wrapped.input_text(data.decode("utf-8", "replace"))
    try:
        for output in outputs:
            stdout.write(output.encode("utf-8"))
            stdout.write(b"\n")
    except ValueError as exc:
        print(exc, file=stderr)
        return RUN_ERROR
    stdout.flush()
    # At once: freeing the parsed document (about eight times its size, in small pieces) took most of a second.
    os._exit(OK)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
