"""Sizes in bytes, read from the command line and written for people (powers of 1024)."""
import re

SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*\Z", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'2G', '500M', '64k' or a number of bytes → bytes."""
    match = SIZE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a size: write a number of bytes, or one followed by K, M, G or T "
                         "(2G, 500M)")
    number, unit = float(match.group(1)), match.group(2).upper()
    return int(number * 1024 ** " KMGT".index(unit or " "))


def format_size(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"
