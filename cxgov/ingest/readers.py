"""Readers for data files: CSV (sniffed or declared delimiter, BOM, legacy encodings, quoted
newlines) and JSONL, gzip-compressed or not. They stream: one row in memory at a time."""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import IO, Any, cast

from cxgov.errors import FileFormatError, UsageError
from cxgov.ingest.rejections import (
    BAD_CSV,
    BAD_ENCODING,
    BAD_JSON,
    NUL_BYTE,
    UNCLOSED_QUOTE,
    WRONG_FIELD_COUNT,
    Reason,
)
from cxgov.rules.sources import path_problem

GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 64 * 1024


class RawRow:
    """One data row: its first line in the file, its fields by column, and its text.

    `raw` is the row as CSV text; for a CSV row that splits cleanly it is written back from the
    fields only when asked for (a rejected row), which keeps the common path cheap.
    """

    __slots__ = ("_delimiter", "_raw", "fields", "line", "problem")

    def __init__(
        self,
        line: int,
        fields: list[str] | None,
        raw: str | None,
        problem: Reason | None = None,
        *,
        delimiter: str = ",",
    ) -> None:
        self.line = line
        self.fields = fields
        """Cells in header order; None when the row cannot be split (see `problem`)."""
        self.problem = problem
        """Set when the row is unreadable as a whole (R001 wrong_field_count, R002 bad_csv,
        R003 bad_json)."""
        self._raw = raw
        self._delimiter = delimiter

    @property
    def delimiter(self) -> str:
        return self._delimiter

    @property
    def raw(self) -> str:
        if self._raw is None:
            self._raw = _csv_text(self.fields or [], self._delimiter)
        return self._raw

    def __repr__(self) -> str:
        return f"RawRow(line={self.line}, fields={self.fields!r}, problem={self.problem!r})"


def _csv_text(fields: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_binary(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    if compressed:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _open_text(path: Path, encoding: str) -> IO[str]:
    # utf-8-sig drops a byte-order mark when there is one and reads plain UTF-8 otherwise;
    # surrogateescape keeps a byte the encoding cannot decode as a lone surrogate, so that one
    # bad byte rejects its row (R005) instead of the whole file
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    return io.TextIOWrapper(_open_binary(path), encoding=codec, newline="", errors=_ESCAPE)


_UNDECODABLE = re.compile("[\udc80-\udcff]")
"""A byte the file's encoding could not decode, as `surrogateescape` keeps it."""

_undecoded = [0]
"""Bytes decoded by `_ESCAPE` so far, in this process: while a file adds none, none of its
text needs searching for them."""


_SURROGATEESCAPE = codecs.lookup_error("surrogateescape")


def _escape(error: UnicodeError) -> tuple[str | bytes, int]:
    _undecoded[0] += 1
    return _SURROGATEESCAPE(error)


_ESCAPE = "cxgov.surrogateescape"
codecs.register_error(_ESCAPE, _escape)

_DAMAGED = (EOFError, zlib.error, gzip.BadGzipFile)
"""What reading a truncated or corrupt gzip file raises, part way through."""


def _damaged(path: Path, exc: Exception) -> FileFormatError:
    return FileFormatError(
        f"{path}: the compressed file is truncated or damaged ({exc}); export it again"
    )


def printable(text: str) -> str:
    """`text` with each NUL and undecodable byte written as `\\xNN`, so it can be stored (no
    PostgreSQL text holds a NUL) and shown."""
    text = text.replace("\x00", "\\x00")
    if text.isascii() or not _UNDECODABLE.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unstorable(text: str, encoding: str) -> Reason | None:
    """Why a row's text (its lines) cannot be stored, None when it can: a NUL character (R006)
    or a byte the encoding could not decode (R005), at the first one found."""
    found = text.find("\x00")
    if found >= 0:
        return NUL_BYTE.reason(place=_place(text, found))
    if text.isascii():
        return None
    byte = _UNDECODABLE.search(text)
    if byte is None:
        return None
    at = byte.start()
    return BAD_ENCODING.reason(
        byte=ord(byte.group()) - 0xDC00, place=_place(text, at), encoding=encoding
    )


def _place(text: str, at: int) -> str:
    """Where offset `at` of a row's text is: its column, and the line within a quoted value
    that runs over several lines."""
    line = text.count("\n", 0, at)
    column = at - text.rfind("\n", 0, at)
    return f"column {column}" if line == 0 else f"line +{line}, column {column}"


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with _open_text(path, encoding) as handle:
        try:
            sample = handle.read(_SNIFF_BYTES)
        except _DAMAGED as exc:
            raise _damaged(path, exc) from exc
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # the sniffer gives up on some files it could read (a quoted value with the delimiter
        # in it ending a CRLF line): the header line's most frequent candidate, "," on a tie
        first = sample.split("\n", 1)[0]
        return max(_DELIMITERS, key=first.count)


_DELIMITERS = ",;\t|"


_BLOCK_CHARS = 256 * 1024


class _Lines:
    """The lines `csv.reader` reads (`feed`), taken from the file in blocks of whole lines.

    It keeps the lines of the record being read (`taken`) so that a record that turns out to be
    a runaway quoted value can be given back and read again line by line: `csv.reader` cannot
    rewind, and the file is read once, as a stream.
    """

    __slots__ = ("_handle", "_path", "_undecoded_at_open", "at_end", "pending", "suspect", "taken")

    def __init__(self, handle: IO[str], path: Path) -> None:
        self._handle = handle
        self._path = path
        self.pending: list[str] = []
        """Lines still to read, the next one last."""
        self.taken: list[str] = []
        self.at_end = False
        self.suspect = False
        """Whether the text read so far may hold a NUL or an undecodable byte: until it does,
        rows need no search for them."""
        self._undecoded_at_open = _undecoded[0]

    def read_block(self) -> str:
        """The next whole lines of the file, about `_BLOCK_CHARS` of them; "" at its end."""
        try:
            text = self._handle.read(_BLOCK_CHARS)
            if text and text[-1] != "\n":
                text += self._handle.readline()
        except _DAMAGED as exc:
            raise _damaged(self._path, exc) from exc
        if not text:
            self.at_end = True
        elif not self.suspect:
            self.suspect = _undecoded[0] != self._undecoded_at_open or "\x00" in text
        return text

    def push(self, text: str) -> None:
        # lines as a text file opened with newline="" gives them (\n, \r\n or \r)
        self.pending.extend(reversed(io.StringIO(text, newline="").readlines()))

    def give_back(self, lines: list[str]) -> None:
        self.pending.extend(reversed(lines))

    def exhausted(self) -> bool:
        while not self.pending and not self.at_end:
            self.push(self.read_block())
        return not self.pending

    def feed(self) -> Iterator[str]:
        pending, taken = self.pending, self.taken
        while True:
            while pending:
                line = pending.pop()
                taken.append(line)
                yield line
            if self.at_end:
                return
            self.push(self.read_block())


_MAX_RUNAWAYS = 100
"""Runaway quotes in one file after which its quoting is broken beyond reading row by row (each
one reads the lines after it again)."""


class _Records:
    """The rows `csv.reader` reads from `_Lines`, numbered by the file's physical lines, with
    the checks of a whole row: its field count, undecodable bytes and runaway quoted values."""

    def __init__(
        self,
        reader: Iterator[list[str]],
        lines: _Lines,
        path: Path,
        *,
        width: int,
        delimiter: str,
        encoding: str,
    ) -> None:
        self._reader = cast("Any", reader)
        self._lines = lines
        self._path = path
        self._width = width
        self.delimiter = delimiter
        self._encoding = encoding
        self._previous_end: int = self._reader.line_num
        self._offset = 0
        """What the reader's own count of lines misses: lines handed out as blocks, and those
        before it started (it is replaced after a runaway quote)."""
        self._runaways = 0
        self.finished = False

    @property
    def next_line(self) -> int:
        return self._offset + self._previous_end + 1

    def skip(self, count: int) -> None:
        """`count` lines were handed out without the reader (as a `Block`)."""
        self._offset += count

    def step(self) -> RawRow | None:
        """The next row; None for a blank line, or at the end (then `finished`)."""
        line = self.next_line
        taken = self._lines.taken
        taken.clear()
        try:
            fields = next(self._reader)
        except StopIteration:
            self.finished = True
            return None
        except csv.Error as exc:
            self._previous_end = self._reader.line_num
            return RawRow(line, None, "", BAD_CSV.reason(error=exc))
        self._previous_end = self._reader.line_num
        if len(taken) > 1 and self._runaway(taken):
            return self._reject_runaway(line, taken)
        if not fields:
            return None
        if self._lines.suspect:
            text = taken[0] if len(taken) == 1 else "".join(taken)
            problem = _unstorable(text, self._encoding)
            if problem is not None:
                return RawRow(line, None, printable(text.rstrip("\r\n")), problem)
        return _csv_row(line, fields, self._width, self.delimiter)

    def _runaway(self, taken: list[str]) -> bool:
        """A quoted value that swallowed rows: the lines it took split like rows of their own
        (at least two, and at least half of them), or it ran to the end of the file unclosed
        and took a line that looks like a row. A comment over a few lines is neither."""
        if self._width < 2:
            return False
        fields = self._width - 1
        rows = sum(1 for text in taken[1:] if text.count(self.delimiter) == fields)
        if rows >= 2 and 2 * rows >= len(taken) - 1:
            return True
        unclosed = sum(text.count('"') for text in taken) % 2 == 1
        return rows >= 1 and unclosed and self._lines.exhausted()

    def _reject_runaway(self, line: int, taken: list[str]) -> RawRow:
        self._runaways += 1
        if self._runaways > _MAX_RUNAWAYS:
            raise FileFormatError(
                f"{self._path}: more than {_MAX_RUNAWAYS} quoted values run on over later rows "
                "(R004 unclosed_quote); check that the export quotes its fields the standard way"
            )
        rest = taken[1:]
        end = "the end of the file" if self._lines.exhausted() else f"line {line + len(taken) - 1}"
        problem = UNCLOSED_QUOTE.reason(lines=len(rest), end=end)
        self._lines.give_back(rest)
        # the reader may have met the end of the file: a new one reads the lines given back
        self._reader = csv.reader(self._lines.feed(), delimiter=self.delimiter)
        self._offset, self._previous_end = line, 0
        return RawRow(line, None, printable(taken[0].rstrip("\r\n")), problem)


def _read_header(reader: Iterator[list[str]], path: Path, encoding: str) -> list[str] | None:
    """The header row, stripped; None for an empty file."""
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FileFormatError(f"{path}: cannot read the header: {exc}") from exc
    bad = _unstorable(",".join(header), encoding)
    if bad is not None:
        raise FileFormatError(
            f"{path}:1: cannot read the header as {encoding} ({bad.text}); declare the file's "
            "`encoding` in the source (utf-8, latin-1 or cp1252)"
        )
    return [name.strip() for name in header]


def _open_csv(
    path: Path, encoding: str, delimiter: str | None
) -> tuple[IO[str], _Lines, list[str] | None, _Records | None]:
    chosen = delimiter or _sniff_delimiter(path, encoding)
    handle = _open_text(path, encoding)
    lines = _Lines(handle, path)
    reader = csv.reader(lines.feed(), delimiter=chosen)
    try:
        header = _read_header(reader, path, encoding)
    except BaseException:
        handle.close()
        raise
    if header is None:
        handle.close()
        return handle, lines, None, None
    records = _Records(reader, lines, path, width=len(header), delimiter=chosen, encoding=encoding)
    return handle, lines, header, records


def read_csv(
    path: Path, *, encoding: str = "utf-8", delimiter: str | None = None
) -> tuple[list[str], Iterator[RawRow]]:
    """The header and a stream of rows. Rows whose field count differs from the header's are
    returned with problem `wrong_field_count` rather than guessed at."""
    handle, _lines, header, records = _open_csv(path, encoding, delimiter)
    if header is None or records is None:
        return [], iter(())

    def rows() -> Iterator[RawRow]:
        try:
            while not records.finished:
                row = records.step()
                if row is not None:
                    yield row
        finally:
            handle.close()

    return header, rows()


def _csv_row(line: int, fields: list[str], width: int, delimiter: str) -> RawRow:
    """A parsed CSV line as a row, or as a rejected one when its field count is off."""
    if len(fields) != width:
        return RawRow(
            line,
            None,
            _csv_text(fields, delimiter),
            WRONG_FIELD_COUNT.reason(fields=len(fields), width=width),
        )
    return RawRow(line, fields, None, delimiter=delimiter)


def read_jsonl(path: Path, columns: list[str], *, encoding: str = "utf-8") -> Iterator[RawRow]:
    """One JSON object per line, its values laid out in `columns` order (missing keys empty)."""
    with _open_text(path, encoding) as handle:
        lines = _Lines(handle, path)
        for number, text in enumerate(lines.feed(), start=1):
            lines.taken.clear()
            stripped = text.strip()
            if not stripped:
                continue
            problem = _unstorable(stripped, encoding) if lines.suspect else None
            if problem is not None:
                yield RawRow(number, None, printable(stripped), problem)
                continue
            try:
                record = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=exc.msg))
                continue
            except ValueError:  # an integer past Python's digit limit
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=_TOO_LONG))
                continue
            except RecursionError:
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=_TOO_DEEP))
                continue
            if not isinstance(record, dict):
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=_json_kind(record)))
                continue
            cells = [_cell(record.get(name)) for name in columns]
            # JSON writes a NUL escaped (\u0000): it shows only in the values
            nul = next(
                (name for name, cell in zip(columns, cells, strict=True) if "\x00" in cell), None
            )
            if nul is not None:
                yield RawRow(number, None, stripped, NUL_BYTE.reason(place=f"field {nul!r}"))
                continue
            yield RawRow(number, cells, stripped)


_TOO_LONG = "a number with more digits than any answer has"
_TOO_DEEP = "arrays or objects nested too deep to read"


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return "a number"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Block:
    """Consecutive data rows that split cleanly, held column by column.

    Row `i` of the block is physical line `first_line + i` of the file and has the cells
    `columns[c][i]`. A reader hands out a block only where plain splitting gives exactly what
    the `csv` module would: no quote character, no carriage return or NUL, no blank line, no
    undecodable byte, and every line with the header's field count.
    """

    __slots__ = ("_delimiter", "columns", "first_line", "size")

    def __init__(self, first_line: int, columns: list[list[str]], delimiter: str) -> None:
        self.first_line = first_line
        self.columns = columns
        self.size = len(columns[0]) if columns else 0
        self._delimiter = delimiter

    def row(self, index: int) -> RawRow:
        return RawRow(
            self.first_line + index,
            [column[index] for column in self.columns],
            None,
            delimiter=self._delimiter,
        )


_NOT_PLAIN = ('"', "\r", "\x00")


def read_csv_blocks(
    path: Path, *, encoding: str = "utf-8", delimiter: str | None = None
) -> tuple[list[str], Iterator[Block | RawRow]]:
    """`read_csv`, faster: the same header and rows, but runs of plain rows come as `Block`s.

    The file is read in blocks of lines; a block that needs no CSV parsing (see `Block`) is
    split with `str.split`, anything else goes through one `csv.reader` that sees exactly the
    lines `read_csv`'s would (a quoted field may run on into later blocks), so the rows, their
    line numbers and their problems are the same as `read_csv` gives.
    """
    handle, lines, header, records = _open_csv(path, encoding, delimiter)
    if header is None or records is None:
        return [], iter(())
    return header, _blocks(handle, lines, header, records, encoding)


def read_headed_blocks(
    path: Path, *, header_rows: int, encoding: str = "utf-8", delimiter: str | None = None
) -> tuple[list[tuple[int, list[str]]], Iterator[Block | RawRow]]:
    """`read_csv_blocks` of an export with `header_rows` header rows above its answers: the
    header rows (line and cells, the first one stripped) and the answer rows after them.

    The header rows are parsed records, not physical lines: a question text over several lines
    is one of them. A header row that cannot be read, or a file that ends before its header
    does, is a problem of the whole file (FileFormatError), never a rejected row.
    """
    handle, lines, header, records = _open_csv(path, encoding, delimiter)
    if header is None or records is None:
        return [], iter(())
    found = [(1, header)]
    try:
        while len(found) < header_rows:
            row = records.step()
            if records.finished:
                raise FileFormatError(
                    f"{path}: the file ends after {len(found)} of its {header_rows} header rows"
                )
            if row is None:
                continue  # a blank line
            if row.fields is None:
                assert row.problem is not None
                raise FileFormatError(
                    f"{path}:{row.line}: header row {len(found) + 1} cannot be read: "
                    f"{row.problem.text}"
                )
            found.append((row.line, row.fields))
    except BaseException:
        handle.close()
        raise
    return found, _blocks(handle, lines, header, records, encoding)


def _blocks(
    handle: IO[str], lines: _Lines, header: list[str], records: _Records, encoding: str
) -> Iterator[Block | RawRow]:
    """The rows after those `records` has read, runs of plain rows as `Block`s."""
    chosen = records.delimiter
    width = len(header)
    limit = csv.field_size_limit()

    def plain(text: str) -> list[list[str]] | None:
        """The block's columns when it needs no CSV parsing, else None."""
        for char in _NOT_PLAIN:
            if char in text:
                return None
        if lines.suspect and _unstorable(text, encoding) is not None:
            return None
        body = text[:-1] if text[-1] == "\n" else text
        block_lines = body.split("\n")
        if "" in block_lines or max(map(len, block_lines)) > limit:
            return None
        if text.count(chosen) != len(block_lines) * (width - 1):
            return None
        if width > 1:
            counts = set(map(str.count, block_lines, repeat(chosen)))
            if counts != {width - 1}:
                return None
        cells = body.replace("\n", chosen).split(chosen)
        return [cells[i::width] for i in range(width)]

    def rows() -> Iterator[Block | RawRow]:
        try:
            while True:
                if not lines.pending and not lines.at_end:
                    # the csv reader stands between rows: the next block may skip it
                    text = lines.read_block()
                    if not text:
                        return
                    columns = plain(text)
                    if columns is not None:
                        block = Block(records.next_line, columns, chosen)
                        records.skip(block.size)
                        yield block
                        continue
                    lines.push(text)
                row = records.step()
                if records.finished:
                    return
                if row is not None:
                    yield row
        finally:
            handle.close()

    return rows()


def source_files(directory: Path, pattern: str) -> list[Path]:
    """The files a source's `path` glob finds inside the program folder, sorted.

    A path that validation refuses (empty, absolute, climbing out with `..`) is refused here
    too, and a file that resolves outside the folder (a symbolic link pointing out) is never
    returned: a source reads the program's own data, nothing else on the machine.
    """
    problem = path_problem(pattern)
    if problem is not None:
        raise UsageError(f"source path {pattern!r} {problem[0]}: {problem[1]}")
    inside = directory.resolve()
    return sorted(
        p for p in directory.glob(pattern) if p.is_file() and p.resolve().is_relative_to(inside)
    )
