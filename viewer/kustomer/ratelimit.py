"""When Kustomer takes requests again, from the headers of a rate-limited answer.

Its own module so that the client (upstream) and the explanations of its errors both use it
without importing each other.
"""
import re
import time
from email.utils import parsedate_to_datetime


def retry_after_seconds(headers: dict, now: float | None = None) -> int | None:
    """Seconds until the API takes requests again, from `retry-after` (seconds or a date) or `x-ratelimit-reset`."""
    now = time.time() if now is None else now
    value = headers.get("retry-after", "").strip()
    if re.fullmatch(r"\d+", value):
        return int(value)
    if value:
        try:
            return max(0, int(parsedate_to_datetime(value).timestamp() - now + 0.999))
        except (TypeError, ValueError):
            pass
    reset = reset_seconds(headers, now)
    return None if reset is None else int(reset + 0.999)


def reset_seconds(headers: dict, now: float | None = None) -> float | None:
    """Seconds until the rate-limit window resets, from `x-ratelimit-reset`; None when the answer does not say."""
    now = time.time() if now is None else now
    reset = headers.get("x-ratelimit-reset", "").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", reset):
        return None
    reset_at = float(reset)
    # Epoch seconds as documented; a small number is more likely "seconds from now".
    return max(0.0, reset_at - now) if reset_at > 1e9 else reset_at


def remaining_requests(headers: dict) -> int | None:
    value = headers.get("x-ratelimit-remaining", "").strip()
    return int(value) if value.isdigit() else None
