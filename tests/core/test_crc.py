"""The CRC-32 backend: a faster one (the ``fastcrc`` extra) only if it gives zlib's answers."""

from __future__ import annotations

import subprocess
import sys
import types
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import _crc


@given(st.binary(max_size=3000), st.integers(0, 2**32 - 1), st.integers(0, 64))
def test_same_answers_as_zlib(data: bytes, start: int, skip: int) -> None:
    assert _crc.crc32(data) == zlib.crc32(data)
    assert _crc.crc32(data, start) == zlib.crc32(data, start)
    view = memoryview(data)[skip:]
    assert _crc.crc32(view, start) == zlib.crc32(view, start)
    assert _crc.crc32(bytearray(data)) == zlib.crc32(data)


def test_large_buffers_agree() -> None:
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB: the vectorized loops
    assert _crc.crc32(data) == zlib.crc32(data)
    assert _crc.crc32(memoryview(data)[3:], 7) == zlib.crc32(memoryview(data)[3:], 7)


def test_the_backend_is_chosen_at_import() -> None:
    name, function = _crc.select_crc32()
    assert (_crc.CRC32_BACKEND, _crc.crc32) == (name, function)
    assert _crc.CRC32_BACKEND in ("zlib-ng", "isal", "zlib")
    assert (_crc.CRC32_BACKEND == "zlib") == (_crc.crc32 is zlib.crc32)


def test_zlib_ng_is_used_when_installed() -> None:
    zlib_ng = pytest.importorskip("zlib_ng.zlib_ng")
    assert _crc.select_crc32() == ("zlib-ng", zlib_ng.crc32)


def test_a_candidate_is_used_only_if_it_agrees_with_zlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = types.ModuleType("wrong_crc")
    wrong.crc32 = lambda data, value=0: zlib.crc32(data, value) ^ 1  # type: ignore[attr-defined]
    broken = types.ModuleType("broken_crc")
    broken.crc32 = lambda data, value=0: zlib.crc32(bytes(data))  # type: ignore[attr-defined]
    good = types.ModuleType("good_crc")
    good.crc32 = lambda data, value=0: zlib.crc32(data, value)  # type: ignore[attr-defined]
    for module in (wrong, broken, good):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    candidates = (
        ("missing", "no_such_crc_module", "crc32"),
        ("wrong", "wrong_crc", "crc32"),
        ("broken", "broken_crc", "crc32"),  # ignores the running value
        ("no attribute", "good_crc", "nothing"),
    )
    assert _crc.select_crc32(candidates) == ("zlib", zlib.crc32)
    chosen = _crc.select_crc32((*candidates, ("good", "good_crc", "crc32")))
    assert chosen == ("good", good.crc32)


def test_without_the_extra_the_stdlib_gives_the_same_bytes() -> None:
    # A fresh interpreter where neither fast module can be imported.
    script = (
        "import sys\n"
        "sys.modules['zlib_ng'] = sys.modules['isal'] = None\n"
        "import eventstream as es, eventstream._crc as c\n"
        "m = es.Message({':event-type': 'PayloadChunk'}, bytes(range(256)) * 300)\n"
        "data = es.encode(m)\n"
        "assert es.Decoder().feed(data) == [m]\n"
        "print(c.CRC32_BACKEND, data.hex())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout.split()
    message = es.Message({":event-type": "PayloadChunk"}, bytes(range(256)) * 300)
    assert out == ["zlib", es.encode(message).hex()]
