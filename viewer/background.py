"""Work started on a thread of its own while the request goes on, its outcome waited for later."""
import threading
from concurrent.futures import Future


def on_a_thread(name: str, fn, *args) -> Future:
    """Run fn(*args) on a daemon thread named `name`; the Future gives its result, or raises what it raised."""
    future = Future()

    def run():
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # raised again in whoever waits for it
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


def done(value) -> Future:
    """A Future that has its result already: for work that was done here after all."""
    future = Future()
    future.set_result(value)
    return future
