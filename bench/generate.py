"""Kustomer-shaped JSON documents of a chosen size, the same bytes for the same seed.

A list response like `GET /v1/customers` or a search export: `meta`, `links`, then `data` holding
customers and conversations with nested attributes, long strings and 64-bit integers.
"""
import argparse
import json
import random
from pathlib import Path

WORDS = ["order", "refund", "shipping", "tracking", "invoice", "delivery", "address", "account", "password", "reset", "subscription", "cancel", "upgrade", "payment", "card", "declined", "warranty", "return", "exchange", "damaged", "missing", "late", "package", "courier", "label", "voucher", "discount", "loyalty", "points", "email", "phone", "chat"]


def _hex_id(rng: random.Random) -> str:
    return "%024x" % rng.getrandbits(96)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _customer(rng: random.Random, n: int) -> dict:
    cid = _hex_id(rng)
    return {
        "type": "customer",
        "id": cid,
        "attributes": {
            "name": f"Customer {n}",
            "displayName": f"Customer {n}",
            "externalId": str(rng.getrandbits(63)),
            "emails": [{"type": "home", "email": f"customer{n}@example.org"}],
            "phones": [{"type": "mobile", "phone": "+1555%07d" % rng.randrange(10**7)}],
            "locale": rng.choice(["en_US", "en_GB", "de_DE", "fr_FR", "ja_JP"]),
            "tags": rng.sample(WORDS, 3),
            "sentiment": {"polarity": rng.choice([-1, 0, 1]), "confidence": round(rng.random(), 4)},
            "custom": {"ordersNum": rng.randrange(200), "lifetimeValueNum": rng.randrange(10**6) / 100,
                       "notesTxt": _sentence(rng, rng.randrange(20, 120))},
            "createdAt": "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (rng.randrange(1, 13), rng.randrange(1, 29),
                                                                    rng.randrange(24), rng.randrange(60),
                                                                    rng.randrange(60), rng.randrange(1000)),
        },
        "relationships": {
            "conversations": {"links": {"self": f"/v1/customers/{cid}/conversations"}},
            "org": {"data": {"type": "org", "id": "5cb3a1b7c9e77c0013e5f2d2"}},
        },
        "links": {"self": f"/v1/customers/{cid}"},
    }


def _conversation(rng: random.Random, n: int) -> dict:
    cid = _hex_id(rng)
    return {
        "type": "conversation",
        "id": cid,
        "attributes": {
            "name": _sentence(rng, 5),
            "channels": ["email"],
            "status": rng.choice(["open", "done", "snoozed"]),
            "priority": rng.randrange(1, 6),
            "messageCount": rng.randrange(1, 40),
            "preview": _sentence(rng, rng.randrange(30, 200)),
            "externalThreadId": rng.getrandbits(64),  # beyond 2**53: JSON.parse would round it
            "satisfaction": {"score": rng.randrange(1, 6), "comment": _sentence(rng, 12)},
        },
        "relationships": {"messages": {"links": {"self": f"/v1/conversations/{cid}/messages"}}},
        "links": {"self": f"/v1/conversations/{cid}"},
    }


def generate(size: int, seed: int = 1) -> bytes:
    """A compact JSON document of at least `size` bytes (and at most one record more)."""
    rng = random.Random(seed)
    head = ('{"meta":{"page":1,"totalPages":1,"exactFloat":0.1000000000000000055511151231257827},'
            '"links":{"self":"/v1/customers?page=1","next":null},"data":[')
    parts, total, n = [head], len(head), 0
    while total < size:
        record = _customer(rng, n) if n % 3 else _conversation(rng, n)
        text = ("," if n else "") + json.dumps(record, separators=(",", ":"), ensure_ascii=False)
        parts.append(text)
        total += len(text.encode())
        n += 1
    parts.append("]}")
    return "".join(parts).encode()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size_mb", type=float, help="size in MB (10**6 bytes)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.write_bytes(generate(int(args.size_mb * 10**6), args.seed))


if __name__ == "__main__":
    main()
