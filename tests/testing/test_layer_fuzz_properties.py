"""The fuzz properties of the layers around the codec, driven by hypothesis: what
fuzz/fuzz_lambda_layers.py, fuzz_headers.py and fuzz_cli.py check under atheris, run on
every test run.

The targets are the very functions the harnesses call (eventstream.testing's
http_integration_fuzz_target, error_response_fuzz_target, header_dict_fuzz_target,
cli_input_fuzz_target, resync_fuzz_target); see eventstream.testing._layer_checks for
the properties.
"""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import testing as t
from eventstream.aws_lambda import InvokeComplete, PayloadChunk, encode_http_integration_prelude

CUTS = st.lists(st.integers(0, 0xFFFF), max_size=15)


def with_control(low: int, cuts: list[int], rest: bytes) -> bytes:
    """An input in the targets' format: control byte, cuts, the rest."""
    return bytes((len(cuts) << 4 | low,)) + b"".join(c.to_bytes(2, "big") for c in cuts) + rest


# --- HTTP-integration splitter --------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@st.composite
def preludes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["valid", "json", "deep", "bytes"]))
    if kind == "valid":
        head = encode_http_integration_prelude(
            draw(st.integers(100, 999)),
            draw(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)),
            cookies=draw(st.lists(st.text(max_size=5), max_size=2)),
        )
    elif kind == "json":
        head = json.dumps(draw(json_values)).encode() + b"\x00" * 8
    elif kind == "deep":
        head = b'{"a":' + b"[" * draw(st.integers(150, 3000)) + b"\x00" * 8
    else:
        head = draw(st.binary(max_size=64))
    return head + draw(st.binary(max_size=64))


@given(st.integers(0, 3), CUTS, preludes())
def test_http_integration_target(cap: int, cuts: list[int], payload: bytes) -> None:
    t.http_integration_fuzz_target(with_control(cap, cuts, payload))


@given(st.binary(max_size=512))
def test_http_integration_target_raw(data: bytes) -> None:
    t.http_integration_fuzz_target(data)


# --- error_from_response --------------------------------------------------------------

BODIES = st.one_of(
    st.binary(max_size=128),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 5000).map(lambda n: b"[" * n),
    st.sampled_from(
        [
            b'{"message": 1' + b"0" * 5000 + b"}",
            b'{"__type": "aws#TooManyRequestsException", "Reason": "X"}',
            b'{"code": ":", "Message": ["a"]}',
        ]
    ),
)


@given(st.integers(0, 15), st.integers(0, 0xFFFF), st.binary(max_size=80), BODIES)
def test_error_response_target(low: int, status: int, header_block: bytes, body: bytes) -> None:
    rest = status.to_bytes(2, "big") + bytes((len(header_block),)) + header_block + body
    t.error_response_fuzz_target(with_control(low, [], rest))


@given(st.binary(max_size=512))
def test_error_response_target_raw(data: bytes) -> None:
    t.error_response_fuzz_target(data)


def test_error_response_bytes_headers_name_the_error() -> None:
    block = b"X-Amzn-ErrorType:ResourceNotFoundException\nRetry-After:3"
    for low in range(4):
        data = with_control(low, [], (404).to_bytes(2, "big") + bytes((len(block),)) + block)
        t.error_response_fuzz_target(data)
        error = t.check_error_response(
            404, [(b"X-Amzn-ErrorType", b"ResourceNotFoundException")], b""
        )
        assert error.code == "ResourceNotFoundException"


# --- header dicts ---------------------------------------------------------------------


@st.composite
def header_records(draw: st.DrawFn) -> bytes:
    out = bytearray()
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 255))
        name = draw(st.binary(min_size=0, max_size=20))
        value = draw(st.binary(max_size=20))
        out += bytes((kind, len(name))) + name + bytes((len(value),)) + value
    return bytes(out)


@given(header_records())
def test_header_dict_target(records: bytes) -> None:
    t.header_dict_fuzz_target(b"\x00" + records)


@given(st.binary(max_size=512))
def test_header_dict_target_raw(data: bytes) -> None:
    t.header_dict_fuzz_target(data)


def test_header_dict_huge_int_is_an_encode_error() -> None:
    # A value of 51,000 bytes read as one int: past str()'s digit limit.
    t.header_dict_fuzz_target(b"\x00" + bytes((0x85, 1)) + b"n" + bytes((255,)) + b"\x7f" * 255)
    for cls in (es.Byte, es.Short, es.Integer, es.Long):
        with pytest.raises(es.EncodeError, match="an integer of 16610 bits out of range"):
            cls(10**5000)
    with pytest.raises(es.EncodeError, match="a negative integer of 16610 bits ms"):
        es.Timestamp(-(10**5000))
    with pytest.raises(es.EncodeError, match="Long value 9223372036854775808 out of range"):
        es.encode(es.Message({"n": 2**63}))


# --- the CLI's input forms ------------------------------------------------------------


@given(st.integers(0, 3), CUTS, st.binary(max_size=300))
def test_cli_input_target_on_text(form: int, cuts: list[int], text: bytes) -> None:
    t.cli_input_fuzz_target(with_control(form, cuts, text))


@given(st.integers(0, 3), CUTS, st.binary(max_size=300))
def test_cli_input_target_round_trip(form: int, cuts: list[int], payload: bytes) -> None:
    t.cli_input_fuzz_target(with_control(form | 4, cuts, payload))


@given(
    st.integers(0, 3),
    CUTS,
    st.text(alphabet="0123456789abcdefABCDEF+/=-_\\x'\"b \n\t", max_size=200),
)
def test_cli_input_target_on_dump_like_text(form: int, cuts: list[int], text: str) -> None:
    t.cli_input_fuzz_target(with_control(form, cuts, text.encode()))


@pytest.mark.parametrize("form", range(4), ids=t.CLI_INPUT_FORMS)
@pytest.mark.parametrize("payload", [bytes(range(256)), b"line\n" * 7, b"\\\\x41"])
def test_cli_input_target_long_lines(form: int, payload: bytes) -> None:
    # Bit 3: past 70 KiB of text, one line (one literal for escaped: one cut).
    t.cli_input_fuzz_target(with_control(form | 8, [1], payload))
    t.cli_input_fuzz_target(with_control(form | 12, [1], payload))


def test_cli_input_target_long_quoted_line_ending_in_backslashes() -> None:
    # Escaped round trip, one literal (one cut) repeated past 70 KiB, ending in 200
    # backslash characters before its closing quote: the quote must not become a byte.
    t.cli_input_fuzz_target(with_control(14, [5], b"\\" * 100))


def test_write_form_reads_back() -> None:
    data = bytes(range(256)) + b"'\"\\"
    for form in ("hex", "base64", "escaped"):
        for variant in range(4):
            text = t.write_form(form, data, variant)
            assert t.check_cli_input(form, text, [7, 100]) == data


# --- the CLI's --resync reader --------------------------------------------------------


@st.composite
def damaged_streams(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        stream = draw(t.streams(max_messages=4)).data
    else:
        stream = draw(t.lambda_streams(max_body=256)).data
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(stream)))
        damage = draw(st.sampled_from(["mutation", "garbage", "cut"]))
        if damage == "mutation":
            stream = stream[:at] + draw(t.mutations()).data + stream[at:]
        elif damage == "garbage":
            stream = stream[:at] + draw(st.binary(max_size=40)) + stream[at:]
        else:
            stream = stream[:at] + stream[at + draw(st.integers(1, 20)) :]
    return stream


@given(st.integers(0, 7), CUTS, damaged_streams())
def test_resync_target(cap: int, cuts: list[int], stream: bytes) -> None:
    t.resync_fuzz_target(with_control(cap << 1, cuts, stream))


@given(st.binary(max_size=600))
def test_resync_target_raw_and_fixed(data: bytes) -> None:
    t.resync_fuzz_target(data)
    t.resync_fuzz_target(with_control(1, [], data))


def test_resync_target_reads_at_most_its_bound() -> None:
    chunk = es.encode(PayloadChunk(b"x" * 100).to_message())
    stream = chunk * (t.RESYNC_MAX_INPUT // len(chunk) + 5)
    t.resync_fuzz_target(with_control(0, [5, 9000], stream + b"garbage"))
    t.resync_fuzz_target(
        with_control(0, [], b"\x00" * 3 + es.encode(InvokeComplete().to_message()))
    )


def test_resync_window_stays_within_one_message_plus_one_block() -> None:
    # The fuzz counterexample's shape: after a bad byte, a prelude whose CRC holds
    # claiming the whole 64-byte cap, its message CRC wrong; the first block ends
    # 1 byte past its claimed end, the second is the rest.
    head = (64).to_bytes(4, "big") + bytes(4)
    fake = head + zlib.crc32(head).to_bytes(4, "big") + bytes(52)
    stream = b"\xff" + fake + bytes(20) + es.encode(es.Message({}, b"ok")) * 5
    t.check_resync(stream, [66], 64)
    t.resync_fuzz_target(with_control(2 << 1, [66], stream))


# --- the Lambda stream property: no event lost before an error -----------------------


@pytest.mark.parametrize("payload", [b"[" * 3000, b"[" * 5000 + b"]" * 5000, b"not json"])
def test_response_stream_property_keeps_the_events_before_a_bad_exception(
    payload: bytes,
) -> None:
    exception = es.Message({":message-type": "exception", ":exception-type": "E"}, payload)
    chunks = [PayloadChunk(b"a"), PayloadChunk(b"b")]
    stream = b"".join(es.encode(c.to_message()) for c in chunks) + es.encode(exception)
    for cuts in ([], [5], [len(stream) - 1]):
        assert t.check_response_stream_decoder(stream, cuts) == chunks
        t.response_stream_fuzz_target(t.encode_fuzz_input(stream, cuts))
