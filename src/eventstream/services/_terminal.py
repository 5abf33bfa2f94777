"""Which events end an operation's stream: the facts, with where they come from.

A stream that ends (``close()``) before every event listed here has arrived was cut
short: the service says a request is complete only once they came. Operations not
listed have no such event in their model or documentation (Bedrock
``InvokeModelWithResponseStream`` ends with the HTTP body, Kinesis
``SubscribeToShard`` after its subscription time), so their end cannot be checked.
"""

from __future__ import annotations

from typing import NamedTuple


class TerminalFact(NamedTuple):
    """Events that must all have arrived, and the source saying so."""

    events: tuple[str, ...]
    source: str


#: (botocore service name, operation) -> the events that complete its output stream.
TERMINAL_EVENTS: dict[tuple[str, str], TerminalFact] = {
    ("lambda", "InvokeWithResponseStream"): TerminalFact(
        ("InvokeComplete",),
        "botocore lambda/2015-03-31 service model, InvokeWithResponseStreamResponseEvent."
        "InvokeComplete: 'returned when the stream has ended and all the payload chunks "
        "have been returned'",
    ),
    ("s3", "SelectObjectContent"): TerminalFact(
        ("End",),
        "botocore s3/2006-03-01 service model, SelectObjectContentEventStream.End: 'no more "
        "messages will be sent. You should not assume that the request is complete until "
        "the client receives an EndEvent'",
    ),
    ("bedrock-runtime", "ConverseStream"): TerminalFact(
        ("messageStop", "metadata"),
        "Amazon Bedrock user guide, ConverseStream: the stream closes a message with "
        "messageStop ('The stop event for a message') followed by metadata (usage and "
        "metrics); botocore bedrock-runtime/2023-09-30 model, ConverseStreamOutput",
    ),
}
