"""Test helpers for code that reads or writes event streams, and for fuzzing it.

Without extra dependencies:

* :func:`mutate`: malformed frames whose CRCs still hold (lengths that lie,
  unknown types, overrunning names and values, bad UTF-8, duplicate and
  empty names, truncated headers), each with the error this library raises;
* :func:`corrupt`: plain damage (bit flips, truncation, garbage);
* :func:`raw_frame`, :func:`raw_header`, :func:`fix_checksums`: build or
  repair CRC-valid frames around any bytes;
* :func:`random_lambda_stream`, :func:`build_lambda_stream`: realistic Lambda
  ``InvokeWithResponseStream`` bodies with what a client must decode from them;
* :func:`fake_stream`, :func:`stub_event_stream`, :func:`random_event`: byte-exact
  fake bodies for any AWS operation's event stream from boto3-shaped events, a boto3
  client answering with them offline, and random events from a model;
* :func:`check_decoder`, :func:`check_response_stream_decoder`: the property
  our fuzzers check, for any input; :func:`decoder_fuzz_target` and
  :func:`response_stream_fuzz_target`: the same as one-input fuzz targets
  (atheris, python-afl, ``hypothesis.fuzz_one_input``);
* the layers around the codec, the same way: :func:`check_http_integration`,
  :func:`check_error_response`, :func:`check_header_dict`, :func:`check_cli_input`
  (with :func:`write_form`), :func:`check_resync`, and their one-input targets
  :func:`http_integration_fuzz_target`, :func:`error_response_fuzz_target`,
  :func:`header_dict_fuzz_target`, :func:`cli_input_fuzz_target`,
  :func:`resync_fuzz_target`.

With ``pip install 'eventstream-codec[h2]'``: :class:`LoopbackH2Server`, an HTTP/2 server
on 127.0.0.1 for bidirectional event-stream clients.  It verifies each input frame's
signature chain and the final empty frame, and follows a script of :class:`Send`,
:class:`Receive`, :class:`ReceiveEnd`, :class:`Respond`, :class:`Stall`,
:class:`Reset`, :class:`GoAway` and :class:`Drop` steps; :class:`ReceivedRequest`
records what it got.  (``h2`` is needed when a server is made, not to import these.)

With ``pip install 'eventstream-codec[testing]'`` (hypothesis), strategies:
:func:`header_names`, :func:`header_values`, :func:`headers`,
:func:`messages`, :func:`streams`, :func:`splits`, :func:`mutations`,
:func:`corruptions`, :func:`lambda_streams`.  Importing one of them without
hypothesis raises an ``ImportError`` that says so; the rest of this module
works either way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._check import check_decoder, check_response_stream_decoder
from ._corruptions import CORRUPTION_KINDS, Corruption, corrupt
from ._frames import fix_checksums, raw_frame, raw_header
from ._fuzz_targets import (
    CLI_INPUT_FORMS,
    FUZZ_CAPS,
    HTTP_PRELUDE_CAPS,
    RESYNC_CAPS,
    RESYNC_MAX_INPUT,
    FuzzInput,
    cli_input_fuzz_target,
    decoder_fuzz_target,
    encode_fuzz_input,
    error_response_fuzz_target,
    header_dict_fuzz_target,
    http_integration_fuzz_target,
    parse_fuzz_input,
    response_stream_fuzz_target,
    resync_fuzz_target,
)
from ._h2server import (
    Drop,
    EventVerifying,
    GoAway,
    LoopbackH2Server,
    Receive,
    ReceivedRequest,
    ReceiveEnd,
    Reset,
    Respond,
    Send,
    Stall,
    Step,
)
from ._lambda_streams import LambdaStream, build_lambda_stream, random_lambda_stream
from ._layer_checks import (
    check_cli_input,
    check_error_response,
    check_header_dict,
    check_http_integration,
    check_resync,
    write_form,
)
from ._mutators import INVALID_UTF8, MUTATION_KINDS, Mutation, mutate
from ._service_events import random_event
from ._service_streams import StubbedEventStream, fake_stream, stub_event_stream

if TYPE_CHECKING:
    from ._strategies import (
        Stream,
        corruptions,
        header_names,
        header_values,
        headers,
        lambda_streams,
        messages,
        mutations,
        splits,
        streams,
    )


def __getattr__(name: str) -> Any:
    # The strategies are imported on first use, so that everything else here
    # works without hypothesis; without it, this raises a clear ImportError.
    # Every other public name is already an attribute, so only the
    # strategies come here.
    if name in __all__:
        return getattr(importlib.import_module("._strategies", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLI_INPUT_FORMS",
    "CORRUPTION_KINDS",
    "FUZZ_CAPS",
    "HTTP_PRELUDE_CAPS",
    "INVALID_UTF8",
    "MUTATION_KINDS",
    "RESYNC_CAPS",
    "RESYNC_MAX_INPUT",
    "Corruption",
    "Drop",
    "EventVerifying",
    "FuzzInput",
    "GoAway",
    "LambdaStream",
    "LoopbackH2Server",
    "Mutation",
    "Receive",
    "ReceiveEnd",
    "ReceivedRequest",
    "Reset",
    "Respond",
    "Send",
    "Stall",
    "Step",
    "Stream",
    "StubbedEventStream",
    "build_lambda_stream",
    "check_cli_input",
    "check_decoder",
    "check_error_response",
    "check_header_dict",
    "check_http_integration",
    "check_response_stream_decoder",
    "check_resync",
    "cli_input_fuzz_target",
    "corrupt",
    "corruptions",
    "decoder_fuzz_target",
    "encode_fuzz_input",
    "error_response_fuzz_target",
    "fake_stream",
    "fix_checksums",
    "header_dict_fuzz_target",
    "header_names",
    "header_values",
    "headers",
    "http_integration_fuzz_target",
    "lambda_streams",
    "messages",
    "mutate",
    "mutations",
    "parse_fuzz_input",
    "random_event",
    "random_lambda_stream",
    "raw_frame",
    "raw_header",
    "response_stream_fuzz_target",
    "resync_fuzz_target",
    "splits",
    "streams",
    "stub_event_stream",
    "write_form",
]
