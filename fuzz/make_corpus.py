"""Write a fuzzer's seed corpus: ``python fuzz/make_corpus.py OUTDIR TARGET``.

TARGET is ``decoder`` or ``lambda`` (the stream harnesses), or ``layers``, ``headers``
or ``cli`` (fuzz_lambda_layers.py, fuzz_headers.py, fuzz_cli.py).

Stream seeds (each wrapped in the input format of ``eventstream.testing``'s fuzz
targets): the reference SDKs' conformance vectors and the Lambda capture in
``fixtures/``, hand-made messages of every header type, realistic Lambda
streams, and the structural mutations and corruptions of them.  Layer seeds: valid
and hostile HTTP-integration preludes and error replies (nesting past the stack, huge
integers, bad UTF-8, raw-bytes headers), header records of every value type and past
every limit, the capture as hex, base64 and escaped dumps (short and long lines), and
damaged streams for ``--resync``.  Deterministic: the same files every run.  Needs no
hypothesis.
"""

from __future__ import annotations

import base64
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


def _with_control(low: int, rest: bytes, cuts: tuple[int, ...] = ()) -> bytes:
    """An input in the layer targets' format: control byte, cuts, the rest."""
    return bytes((len(cuts) << 4 | low,)) + b"".join(c.to_bytes(2, "big") for c in cuts) + rest


NUL8 = b"\x00" * 8
# Nested JSON past any stack, and an integer past CPython's digit limit.
_DEEP = b"[" * 3000
_HUGE_INT = b"1" + b"0" * 5000


def _layer_seeds() -> dict[str, bytes]:
    """Inputs for fuzz_lambda_layers.py: selector byte 0 (prelude) or 1 (error reply)."""
    from eventstream.aws_lambda import encode_http_integration_prelude

    seeds: dict[str, bytes] = {}
    preludes = {
        "minimal": b"{}" + NUL8,
        "full": encode_http_integration_prelude(
            201, {"Content-Type": "text/plain"}, {"X-M": ["a", "b"]}, ["a=1; Path=/"]
        ),
        "nulls": b'{"statusCode": null, "headers": null, "cookies": null}' + NUL8,
        "deep": _DEEP + NUL8,
        "deep-member": b'{"statusCode": 200, "x": ' + _DEEP + NUL8,
        "huge-int": b'{"statusCode": ' + _HUGE_INT + b"}" + NUL8,
        "not-utf8": b'{"a": "\xff"}' + NUL8,
        "no-delimiter": b'{"statusCode": 200}' + b"\x00" * 7,
        "bad-status": b'{"statusCode": 99}' + NUL8,
    }
    for name, prelude in preludes.items():
        for cap in range(4):
            payload = prelude + b"body \x00 bytes"
            seeds[f"prelude-{name}-{cap}"] = b"\x00" + _with_control(cap, payload, (3, 20))
    bodies = {
        "modeled": b'{"Type": "User", "message": "Function not found: f"}',
        "throttled": b'{"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",'
        b' "Type": "User", "message": "Rate Exceeded."}',
        "typed": b'{"__type": "aws.lambda#ServiceException", "Message": "x"}',
        "html": b"<html><body>502 Bad Gateway</body></html>",
        "deep": _DEEP,
        "deep-closed": _DEEP + b"]" * 3000,
        "huge-int": b'{"message": ' + _HUGE_INT + b"}",
        "not-utf8": b'{"message": "\xff\xfe"}',
        "empty": b"",
    }
    headers = {
        "plain": b"",
        "typed": b"X-Amzn-ErrorType:TooManyRequestsException:http://internal.amazon.com/\n"
        b"Retry-After:1\nx-amzn-RequestId:0000",
        "latin1": b"X-Amzn-ErrorType:Resource\xe9\nX-\xff:\x00",
    }
    for body_name, body in bodies.items():
        for header_name, block in headers.items():
            for low in (0, 1, 2, 3, 5, 14):
                rest = (429 if "throttled" in body_name else 502).to_bytes(2, "big")
                rest += bytes((len(block),)) + block + body
                seeds[f"error-{body_name}-{header_name}-{low}"] = b"\x01" + _with_control(
                    low, rest
                )
    return seeds


def _header_record(kind: int, name: bytes, value: bytes) -> bytes:
    return bytes((kind, len(name))) + name + bytes((len(value),)) + value


def _header_seeds() -> dict[str, bytes]:
    """Inputs for fuzz_headers.py: records of every value kind, and past every limit."""
    seeds: dict[str, bytes] = {}
    samples = {
        0: b"\x01",
        1: b"\x7f",
        2: b"\x80\x00",
        3: b"\x7f\xff\xff\xff",
        4: b"\x80" + b"\x00" * 7,
        5: b"\x01" + b"\x00" * 8,  # past int64
        6: b"\x00\xff",
        7: b"ba",
        8: b"mv",
        9: "caf\u00e9".encode() + b"\xed\xa0\x80",  # a lone surrogate
        10: b"\x7f" + b"\xff" * 7,
        11: uuid.UUID(int=2**128 - 1).bytes,
        12: b"\x00\x01\x02\x03",
        13: b"\x00\x01",
        14: b"\x01",
        15: b"\xe9\xff",
    }
    every = b"".join(_header_record(k, f"h{k}".encode(), v) for k, v in samples.items())
    seeds["every-kind"] = b"\x00" + every
    for kind, value in samples.items():
        seeds[f"kind-{kind}"] = b"\x00" + _header_record(kind, b":event-type", value)
        # Bit 6 doubles the name, bit 7 repeats the value 200 times: past the limits.
        seeds[f"kind-{kind}-long"] = b"\x00" + _header_record(kind | 0xC0, b"\xe9" * 200, value)
    seeds["bytes-name"] = b"\x00" + _header_record(0x26, b"name", b"v")
    seeds["empty-name"] = b"\x00" + _header_record(9, b"", b"v")
    seeds["duplicate"] = b"\x00" + _header_record(9, b"a", b"1") + _header_record(5, b"a", b"1")
    return seeds


def _cli_seeds() -> dict[str, bytes]:
    """Inputs for fuzz_cli.py: selector byte 0 (--input forms) or 1 (--resync)."""
    from eventstream.testing import write_form

    capture = (FIXTURES / "lambda-stream.bin").read_bytes()
    seeds: dict[str, bytes] = {}
    dumps = {
        "hex": capture.hex().encode(),
        "hex-spaced": b" ".join(capture.hex().encode()[i : i + 2] for i in range(0, 64, 2)),
        "base64": base64.b64encode(capture),
        "base64-url": base64.urlsafe_b64encode(capture).rstrip(b"="),
        "escaped": repr(capture).encode(),
        "escaped-wrapped": write_form("escaped", capture, 0),
        "escaped-log": capture[:40].decode("latin-1").encode("unicode_escape"),
        "whitespace-first": b"\n" * 100 + capture.hex().encode(),
    }
    for name, text in dumps.items():
        for form in range(4):
            seeds[f"input-{name}-{form}"] = b"\x00" + _with_control(form, text, (5, 77))
            # Bit 3: the same text repeated past 70 KiB, one long line.
            seeds[f"input-{name}-{form}-long"] = b"\x00" + _with_control(form | 8, text)
    for form in range(4):
        for name, payload in {"capture": capture, "bytes": bytes(range(256))}.items():
            seeds[f"write-{name}-{form}"] = b"\x00" + _with_control(form | 4, payload, (9,))
            seeds[f"write-{name}-{form}-long"] = b"\x00" + _with_control(form | 12, payload, (1,))
    # One quoted literal over 64 KiB whose last bytes are backslashes: the closing quote
    # follows a long run of escaped backslashes.
    seeds["write-backslashes-escaped-long"] = b"\x00" + _with_control(14, b"\\" * 100, (5,))
    rng = random.Random(11)
    streams = {
        "capture": capture,
        "garbage-between": capture[:20] + b"\x00\x00\x01\x00garbage" + capture,
        "cut": capture[:50] + capture[60:],
        "corrupt": t.corrupt(capture, rng).data,
        "lambda": t.random_lambda_stream(rng, max_body=512).data,
    }
    for name, stream in streams.items():
        for cap in (0, 3, 7):
            for fix in (0, 1):
                low = cap << 1 | fix
                seeds[f"resync-{name}-{cap}-{fix}"] = b"\x01" + _with_control(low, stream, (13,))
    return seeds


_LAYER_SEEDS = {"layers": _layer_seeds, "headers": _header_seeds, "cli": _cli_seeds}
TARGETS = ("decoder", "lambda", *_LAYER_SEEDS)


def write_corpus(out: Path, target: str) -> int:
    """Write the seeds for ``target`` (one of :data:`TARGETS`) into ``out``; return how many."""
    out.mkdir(parents=True, exist_ok=True)
    if target in _LAYER_SEEDS:
        seeds = _LAYER_SEEDS[target]()
        for name, data in seeds.items():
            digest = hashlib.sha1(data).hexdigest()[:12]
            (out / f"{name}-{digest}").write_bytes(data)
        return len(seeds)
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
    if len(argv) != 2 or argv[1] not in TARGETS:
        print(f"usage: python fuzz/make_corpus.py OUTDIR {'|'.join(TARGETS)}", file=sys.stderr)
        return 2
    print(f"{write_corpus(Path(argv[0]), argv[1])} seeds written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
