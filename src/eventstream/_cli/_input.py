"""Reading a capture: a file or stdin, in blocks, as raw bytes or a textual dump.

Goal: a multi-gigabyte capture is never read into memory at once.  Input is
read in blocks of :data:`READ_BLOCK` bytes and each textual form is decoded
incrementally, holding back at most a few characters (an odd hex digit, an
incomplete base64 quantum, a cut escape sequence or the edge of a line).

Forms (``--input``):

``raw``      the bytes themselves (the default).
``hex``      hex digits, two per byte; ASCII whitespace anywhere is ignored.
``base64``   standard or URL-safe alphabet, whitespace ignored, padding optional.
``escaped``  a string literal as logs print bytes: one character per byte
             (``\\xHH``, ``\\uHHHH`` up to ``\\u00FF``, ``\\n``/``\\t``/... and octal
             escapes, other characters U+0000..U+00FF as themselves).  Line breaks
             are not bytes (a newline byte is written ``\\n``), so a dump may be
             wrapped anywhere, even inside an escape.  A quoted literal (``"..."``,
             ``'...'``, ``b'...'``, opening at the start of a line, after any
             indentation, and closing at the end of a line) gives the text between its
             quotes; anything else is taken as it is, spaces included.
``auto``     tells the form from the first 4 KiB after any leading whitespace
             (see :func:`detect_form`).
"""

from __future__ import annotations

import binascii
import codecs
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO, ClassVar, Protocol

from ._errors import CliError

#: Bytes read from the input at a time.
READ_BLOCK = 64 * 1024

FORMS = ("raw", "hex", "base64", "escaped", "auto")

#: Input bytes ``--input auto`` looks at after any leading whitespace, at
#: least (unless the input is shorter).
AUTO_SAMPLE = 4096
#: Leading whitespace ``--input auto`` reads past, at most.
AUTO_BLANK_MAX = 1024 * 1024

_WHITESPACE = b" \t\r\n\f\v"
# A control byte other than whitespace: no text dump has one, a raw stream starts with one.
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")
# The first line of an od, hexdump or xxd listing: an offset column (6 or more
# digits, xxd's with a colon), then groups of hex digits.
_LISTING = re.compile(
    rb"[ \t\r\n\f\v]*[0-9A-Fa-f]{6,}:?[ \t]+[0-9A-Fa-f]{2,4}[ \t]+[0-9A-Fa-f]{2,4}"
)
_NOT_LISTING = (
    "looks like an od, hexdump or xxd listing (an offset column before the bytes); "
    "such listings are not read (od and hexdump also fold repeated lines into '*'): "
    "write the bytes alone, e.g. with `xxd -p` or `od -An -v -tx1`, and pass --input hex"
)


def refuse_listing(head: bytes, what: str) -> None:
    """Refuse an input that starts like an od/hexdump/xxd listing; say what to make instead."""
    if _LISTING.match(head):
        raise CliError(f"{what}: the input {_NOT_LISTING}")


def looks_like_text(head: bytes) -> bool:
    """True if these first bytes of an input are text, not an event stream."""
    return bool(head) and _CONTROL.search(head) is None and not head.isspace()


class Form(Protocol):
    """An incremental decoder from one textual form to bytes."""

    def feed(self, data: bytes) -> bytes: ...

    def close(self) -> bytes: ...


class RawForm:
    def feed(self, data: bytes) -> bytes:
        return data

    def close(self) -> bytes:
        return b""


class _QuantumForm:
    """Text in an alphabet, whitespace ignored, decoded a whole quantum of characters at a time."""

    name: ClassVar[str]
    what: ClassVar[str]
    bad: ClassVar[re.Pattern[bytes]]
    quantum: ClassVar[int]
    table: ClassVar[bytes | None] = None  # a translation applied before decoding

    def __init__(self) -> None:
        self._seen = 0  # input bytes consumed, for error offsets
        self._rest = b""  # an incomplete quantum

    def feed(self, data: bytes) -> bytes:
        bad = self.bad.search(data)
        if bad is not None:
            raise CliError(
                f"--input {self.name}: byte {bad.group()!r} at input offset "
                f"{self._seen + bad.start()} is not {self.what} or whitespace"
            )
        self._seen += len(data)
        chars = self._rest + data.translate(self.table, _WHITESPACE)
        cut = len(chars) - len(chars) % self.quantum
        self._rest = chars[cut:]
        return self._decode(chars[:cut])

    def _decode(self, quanta: bytes) -> bytes:
        raise NotImplementedError


class HexForm(_QuantumForm):
    name = "hex"
    what = "a hex digit"
    bad = re.compile(rb"[^0-9A-Fa-f \t\r\n\f\v]")
    quantum = 2

    def __init__(self) -> None:
        super().__init__()
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if not self._started:
            self._started = True
            refuse_listing(data, "--input hex")
        return super().feed(data)

    def _decode(self, quanta: bytes) -> bytes:
        return binascii.unhexlify(quanta)

    def close(self) -> bytes:
        if self._rest:
            raise CliError("--input hex: odd number of hex digits (the last byte is half there)")
        return b""


class Base64Form(_QuantumForm):
    name = "base64"
    what = "a base64 character"
    bad = re.compile(rb"[^A-Za-z0-9+/=_\- \t\r\n\f\v]")
    quantum = 4
    table = bytes.maketrans(b"-_", b"+/")  # the URL-safe alphabet, read as the standard one
    _QUANTA = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")

    def __init__(self) -> None:
        super().__init__()
        self._padded = False  # a quantum with '=' ended the data

    def _decode(self, quanta: bytes) -> bytes:
        if not quanta:
            return b""
        if self._padded or self._QUANTA.fullmatch(quanta) is None:
            raise CliError(
                f"--input base64: '=' padding in the middle of the data (near input offset "
                f"{self._seen}); expected it only at the very end"
            )
        self._padded = quanta.endswith(b"=")
        return binascii.a2b_base64(quanta)

    def close(self) -> bytes:
        rest, self._rest = self._rest, b""
        if len(rest) == 1:
            raise CliError("--input base64: the data ends with a lone character (6 bits)")
        # Unpadded base64 is common in logs: supply the padding.
        return self._decode(rest + b"=" * (-len(rest) % 4))


class EscapedForm:
    # One escape sequence, matched at a backslash.
    _ESCAPE = re.compile(
        r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([0-7]{1,3})|(.))", re.S
    )
    _SIMPLE: ClassVar[dict[str, int]] = {
        "\\": 0x5C, "'": 0x27, '"': 0x22, "/": 0x2F, "a": 0x07, "b": 0x08,
        "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B,
    }  # fmt: skip
    _OPEN_QUOTE = re.compile(r"\s*b?(['\"])")
    # Longest escape (\UXXXXXXXX) plus slack: the tail held back from decoding
    # until the text after it is known.
    _HOLD = 16
    # A line longer than this is decoded in pieces instead of held whole.
    _LINE_PIECE = 64 * 1024

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._pending = ""  # the current line, not yet complete
        self._content = ""  # line contents (quotes and edges removed), not yet decoded
        self._line = 1  # the line being read, for error messages
        self._line_open = False  # the current line's opening was already read
        self._quote: str | None = None
        self._quote_line = 0  # the line the open quote opened on

    def feed(self, data: bytes) -> bytes:
        return self._lines(self._utf8(data, final=False), final=False)

    def close(self) -> bytes:
        return self._lines(self._utf8(b"", final=True), final=True)

    def _utf8(self, data: bytes, final: bool) -> str:
        try:
            return self._text.decode(data, final)
        except UnicodeDecodeError as exc:
            raise CliError(
                f"--input escaped: the input is not UTF-8 text ({exc.reason})"
            ) from None

    def _lines(self, text: str, final: bool) -> bytes:
        # Lines are joined (a dump may wrap anywhere, even inside an escape)
        # and decoded as one text, all but a tail that may be a cut escape.
        pending = self._pending + text
        out = bytearray()
        start = 0
        end = pending.find("\n")
        while end >= 0:
            self._content += self._line_content(pending[start:end])
            out += self._decode_content(final=False)
            self._line += 1
            start = end + 1
            end = pending.find("\n", start)
        rest = pending[start:]
        if final:
            self._content += self._line_content(rest, final=True)
            rest = ""
        elif len(rest) > self._LINE_PIECE:
            # A very long line: take all but its tail, which may hold the closing quote.
            rest = rest[self._open(rest) :]
            cut = len(rest) - self._HOLD
            # Take an even number of a run of backslashes: pairs are whole
            # escapes, and the run's parity, which says whether a closing
            # quote is escaped, is then the held tail's.
            taken = rest[:cut]
            if (len(taken) - len(taken.rstrip("\\"))) % 2:
                cut -= 1
            self._content += rest[:cut]
            rest = rest[cut:]
        self._pending = rest
        out += self._decode_content(final)
        return bytes(out)

    def _open(self, line: str) -> int:
        """Read a line's opening quote, if it has one outside a quote; return its length."""
        if self._line_open or self._quote is not None:
            return 0
        self._line_open = True
        match = self._OPEN_QUOTE.match(line)
        if match is None:
            return 0
        self._quote = match.group(1)
        self._quote_line = self._line
        return match.end()

    def _line_content(self, line: str, final: bool = False) -> str:
        raw = line.rstrip("\r")
        opening = self._open(raw)
        line = raw[opening:]
        self._line_open = False
        if self._quote is not None:
            stripped = line.rstrip()
            body = stripped[:-1]
            # A closing quote is one not escaped by an odd run of backslashes.
            if stripped.endswith(self._quote) and (len(body) - len(body.rstrip("\\"))) % 2 == 0:
                self._quote = None
                return body
            if final:
                if opening:
                    # The last line opens a quote it never closes: then it
                    # was no quoted literal, and the quote is a byte.
                    self._quote = None
                    return raw
                raise CliError(
                    f"--input escaped: the quoted literal opened on line {self._quote_line} "
                    f"never closes (its closing {self._quote} is missing)"
                )
        return line

    def _decode_content(self, final: bool) -> bytes:
        content = self._content
        limit = len(content) if final else len(content) - self._HOLD
        if limit <= 0:
            return b""
        decoded, used = self._unescape(content, limit)
        self._content = content[used:]
        return decoded

    def _where(self, at: int) -> str:
        return f"line {self._line}"

    def _unescape(self, text: str, limit: int) -> tuple[bytes, int]:
        """Decode ``text[:limit]``; the last escape may run past ``limit``."""
        out = bytearray()
        pos = 0
        while pos < limit:
            slash = text.find("\\", pos, limit)
            stop = limit if slash < 0 else slash
            out += self._literal(text[pos:stop], pos)
            pos = stop
            if slash < 0:
                break
            match = self._ESCAPE.match(text, slash)
            if match is None:
                raise CliError(
                    f"--input escaped: the text ends with a backslash ({self._where(slash)})"
                )
            out.append(self._escape_value(match, slash))
            pos = match.end()
        return bytes(out), pos

    def _escape_value(self, match: re.Match[str], at: int) -> int:
        hex2, hex4, hex8, octal, simple = match.groups()
        if simple is not None:
            value = self._SIMPLE.get(simple)
            if value is None:
                raise CliError(
                    f"--input escaped: unknown escape {match.group()} at {self._where(at)}; "
                    "expected \\xHH, \\uHHHH, \\NNN (octal) or one of "
                    "\\\\ \\' \\\" \\/ \\a \\b \\f \\n \\r \\t \\v"
                )
            return value
        digits = hex2 or hex4 or hex8
        value = int(digits, 16) if digits is not None else int(octal, 8)
        if value > 0xFF:
            raise CliError(
                f"--input escaped: {match.group()} at {self._where(at)} is not a byte "
                "(above 0xFF); escaped input takes one character per byte"
            )
        return value

    def _literal(self, text: str, at: int) -> bytes:
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError as exc:
            char = text[exc.start]
            where = self._where(at + exc.start)
            if char == "\ufffd":
                raise CliError(
                    f"--input escaped: U+FFFD (replacement character) at {where}: whoever made "
                    "this dump decoded the bytes as UTF-8 and lost the ones that were not; "
                    "they cannot be recovered"
                ) from None
            raise CliError(
                f"--input escaped: character U+{ord(char):04X} at {where} is not a byte; "
                "escaped input takes one character per byte (U+0000..U+00FF)"
            ) from None


def detect_form(sample: bytes) -> str:
    """The form of an input from its first bytes.

    A raw stream starts with a control byte: the first byte of the first
    message's total length is below 0x20 unless that message is 512 MiB or
    more, over the decoder's cap.  A text dump has no control bytes besides
    whitespace; then a backslash means ``escaped``, hex digits alone ``hex``,
    and the base64 alphabet ``base64``.
    """
    if not sample:
        return "raw"
    if _CONTROL.search(sample):
        return "raw"
    refuse_listing(sample, "--input auto")
    text = sample.translate(None, _WHITESPACE)
    if b"\\" in text:
        return "escaped"
    if re.fullmatch(rb"[0-9A-Fa-f]*", text):
        return "hex"
    if re.fullmatch(rb"[A-Za-z0-9+/_\-]*=*", text):
        return "base64"
    raise CliError(
        "--input auto: cannot tell the input form: it is text, but not hex, base64 or "
        "escaped bytes; pass --input"
    )


def make_form(name: str) -> Form:
    forms: dict[str, type[Form]] = {
        "raw": RawForm,
        "hex": HexForm,
        "base64": Base64Form,
        "escaped": EscapedForm,
    }
    return forms[name]()


class Input:
    """A capture being read: the file (or stdin), its form, and how far we are.

    ``bytes_read`` counts input bytes (of the dump, for a textual form) and
    ``size`` is the input's size when it is a regular file, for progress.
    """

    def __init__(self, path: str, form: str) -> None:
        self.name = "<stdin>" if path == "-" else path
        self._stream: BinaryIO
        if path == "-":
            self._stream = sys.stdin.buffer
            self._owned = False
        else:
            try:
                self._stream = open(path, "rb")  # noqa: SIM115 (closed by close())
            except OSError as exc:
                raise CliError(f"cannot open {path}: {exc.strerror}") from None
            self._owned = True
        self._read_some: Callable[[int], bytes] = getattr(self._stream, "read1", self._stream.read)
        self.size: int | None = None
        try:
            info = os.fstat(self._stream.fileno())
        except (OSError, ValueError):  # no file descriptor (a test's stand-in stream)
            pass
        else:
            if stat.S_ISREG(info.st_mode):
                self.size = info.st_size
        self.bytes_read = 0
        #: The input's first bytes (up to 64), to tell what a bad stream was.
        self.head = b""
        self._first = b""
        if form == "auto":
            self._first = self._sample()
            form = detect_form(self._first)
        self.form = form

    def _sample(self) -> bytes:
        """The input's first bytes: enough to tell its form from its first non-blank ones.

        A live pipe hands over what it has; gather :data:`AUTO_SAMPLE` bytes
        after the leading whitespace, and no more once a control byte has
        said "raw".  The whitespace is kept (an escaped dump's spaces are
        bytes), up to :data:`AUTO_BLANK_MAX`.
        """
        sample = bytearray()
        blank = 0  # leading whitespace bytes
        block = self._read()
        while block:
            sample += block
            if blank == len(sample) - len(block):
                blank += len(block) - len(block.lstrip(_WHITESPACE))
            if len(sample) - blank >= AUTO_SAMPLE or _CONTROL.search(block):
                break
            if blank > AUTO_BLANK_MAX:
                raise CliError(
                    f"--input auto: the input starts with more than {AUTO_BLANK_MAX} bytes of "
                    "whitespace; pass --input"
                )
            block = self._read()
        return bytes(sample)

    def _read(self) -> bytes:
        # read1: what is available now (at least a byte, until the end), so a
        # live pipe (`... | eventstream lambda`) is passed on as it arrives.
        try:
            block = self._read_some(READ_BLOCK)
        except OSError as exc:
            raise CliError(f"cannot read {self.name}: {exc.strerror}") from None
        if len(self.head) < 64:
            self.head += block[: 64 - len(self.head)]
        self.bytes_read += len(block)
        return block

    def blocks(self) -> Iterator[bytes]:
        """The decoded bytes of the capture, a block at a time."""
        form = make_form(self.form)
        block, self._first = self._first, b""
        if not block:
            block = self._read()
        while block:
            data = form.feed(block)
            if data:
                yield data
            block = self._read()
        data = form.close()
        if data:
            yield data

    def close(self) -> None:
        if self._owned:
            self._stream.close()
