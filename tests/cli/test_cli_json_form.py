"""The JSON form in-process, on many random messages (the subprocess round trip in
test_cli.py runs few, being slow): decode's record reads back to the same message."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream._cli._json_form import dump_line, frame_to_json, message_from_json
from eventstream.testing import messages


@given(messages(), st.sampled_from(["auto", "text", "base64", "hex"]))
def test_record_reads_back_to_the_same_message(message: es.Message, form: str) -> None:
    data = es.encode(message)
    (frame,) = es.Decoder().feed_frames(data)
    line = dump_line(frame_to_json(frame, form))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    text = line.decode("utf-8")  # always valid UTF-8, even for --payload text on binary
    assert len(text.splitlines()) == 1  # no character any line reader splits on
    record = json.loads(text)
    assert (record["offset"], record["total_length"]) == (0, len(data))
    back = message_from_json(text, 1)
    assert back == message
    assert es.encode(back) == data
