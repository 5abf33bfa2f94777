"""Write a fuzzer's seed corpus: ``python fuzz/make_corpus.py OUTDIR decoder|lambda``.

Seeds (each wrapped in the input format of ``eventstream.testing``'s fuzz
targets): the reference SDKs' conformance vectors and the Lambda capture in
``fixtures/``, hand-made messages of every header type, realistic Lambda
streams, and the structural mutations and corruptions of them.  Deterministic:
the same files every run.  Needs no hypothesis.
"""

from __future__ import annotations

import hashlib
import random
import sys
import uuid
from pathlib import Path

import eventstream as es
from eventstream import testing as t

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

_EXAMPLES = [
    es.Message(),
    es.Message({}, b"payload only"),
    es.Message(
        {
            ":event-type": "PayloadChunk",
            ":content-type": "application/octet-stream",
            ":message-type": "event",
        },
        b'{"token": "hi"}\n',
    ),
    es.Message(
        {
            "t": True,
            "f": False,
            "b": es.Byte(-128),
            "s": es.Short(32767),
            "i": es.Integer(-(2**31)),
            "l": es.Long(2**63 - 1),
            "ba": b"\x00\xff",
            "str": "caf\u00e9 \u65e5\u672c",
            "ts": es.Timestamp(-(2**63)),
            "id": uuid.UUID(int=2**128 - 1),
            "\u00e9" * 127 + "n": "",
        },
        bytes(range(256)),
    ),
    es.Message({":message-type": "exception", ":exception-type": "ThrottlingException"}, b"{}"),
    es.Message({":message-type": "error", ":error-code": "E", ":error-message": "boom"}),
]


def seed_streams() -> dict[str, tuple[bytes, str]]:
    """name -> (stream bytes, which target it is for: "decoder", "lambda" or "both")."""
    rng = random.Random(20241124)
    seeds: dict[str, tuple[bytes, str]] = {}
    for path in sorted((FIXTURES / "vectors").rglob("*")):
        if path.is_file() and "decoded" not in path.parts and path.suffix != ".md":
            seeds[f"vector-{path.parent.name}-{path.name}"] = (path.read_bytes(), "decoder")
    seeds["lambda-capture"] = ((FIXTURES / "lambda-stream.bin").read_bytes(), "both")
    for i, message in enumerate(_EXAMPLES):
        data = es.encode(message)
        seeds[f"example-{i}"] = (data, "decoder")
        for kind in t.MUTATION_KINDS:
            seeds[f"example-{i}-{kind}"] = (data + t.mutate(message, rng, kind).data, "decoder")
        for kind in t.CORRUPTION_KINDS:
            seeds[f"example-{i}-{kind}"] = (t.corrupt(data, rng, kind).data, "decoder")
    for i in range(12):
        stream = t.random_lambda_stream(rng, max_body=1024)
        seeds[f"lambda-{i}"] = (stream.data, "lambda")
        chunk = es.encode(t.build_lambda_stream(b"x").events[0].to_message())
        kind = t.MUTATION_KINDS[i % len(t.MUTATION_KINDS)]
        bad = t.mutate(es.decode(chunk), rng, kind).data
        seeds[f"lambda-{i}-{kind}"] = (chunk + bad + stream.data, "lambda")
        seeds[f"lambda-{i}-corrupt"] = (t.corrupt(stream.data, rng).data, "lambda")
    return seeds


def write_corpus(out: Path, target: str) -> int:
    """Write the seeds for ``target`` ("decoder" or "lambda") into ``out``; return how many."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    count = 0
    for name, (stream, kind) in seed_streams().items():
        if kind not in (target, "both"):
            continue
        cuts = sorted(rng.randrange(len(stream) + 1) for _ in range(rng.randint(1, 4)))
        variants = {
            "whole": t.encode_fuzz_input(stream),
            "cut": t.encode_fuzz_input(stream, [c for c in cuts if c <= 0xFFFF]),
            "fixed": t.encode_fuzz_input(stream, fix_checksums=True, cap_index=rng.randrange(8)),
        }
        for variant, data in variants.items():
            digest = hashlib.sha1(data).hexdigest()[:12]
            (out / f"{name}-{variant}-{digest}").write_bytes(data)
            count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("decoder", "lambda"):
        print("usage: python fuzz/make_corpus.py OUTDIR decoder|lambda", file=sys.stderr)
        return 2
    print(f"{write_corpus(Path(argv[0]), argv[1])} seeds written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
