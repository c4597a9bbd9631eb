"""Readers for data files: CSV (sniffed or declared delimiter, BOM, legacy encodings, quoted
newlines) and JSONL, gzip-compressed or not. They stream: one row in memory at a time."""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import IO, cast

from cxgov.errors import FileFormatError, UsageError
from cxgov.ingest.rejections import BAD_CSV, BAD_JSON, WRONG_FIELD_COUNT, Reason
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
    # utf-8-sig drops a byte-order mark when there is one and reads plain UTF-8 otherwise
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    return io.TextIOWrapper(_open_binary(path), encoding=codec, newline="", errors="strict")


def _encoding_error(
    path: Path, line: int, encoding: str, exc: UnicodeDecodeError
) -> FileFormatError:
    return FileFormatError(
        f"{path}:{line}: not valid {encoding}: {exc.reason}; declare the file's `encoding` in "
        "the source (utf-8, latin-1 or cp1252)"
    )


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with _open_text(path, encoding) as handle:
        try:
            sample = handle.read(_SNIFF_BYTES)
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise _encoding_error(path, line, encoding, exc) from exc
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_header(
    reader: Iterator[list[str]], handle: IO[str], path: Path, encoding: str
) -> list[str] | None:
    """The header row, stripped; None (and the file closed) for an empty file."""
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        return None
    except UnicodeDecodeError as exc:
        handle.close()
        raise _encoding_error(path, 1, encoding, exc) from exc
    except csv.Error as exc:
        handle.close()
        raise FileFormatError(f"{path}: cannot read the header: {exc}") from exc
    return [name.strip() for name in header]


def read_csv(
    path: Path, *, encoding: str = "utf-8", delimiter: str | None = None
) -> tuple[list[str], Iterator[RawRow]]:
    """The header and a stream of rows. Rows whose field count differs from the header's are
    returned with problem `wrong_field_count` rather than guessed at."""
    chosen = delimiter or _sniff_delimiter(path, encoding)
    handle = _open_text(path, encoding)
    reader = csv.reader(handle, delimiter=chosen)
    header = _read_header(reader, handle, path, encoding)
    if header is None:
        return [], iter(())

    def rows() -> Iterator[RawRow]:
        width = len(header)
        previous_end = reader.line_num
        try:
            while True:
                try:
                    # a plain loop over the reader; a CSV syntax error leaves it and re-enters
                    for fields in reader:
                        line = previous_end + 1
                        previous_end = reader.line_num
                        if fields:  # not a blank line
                            yield _csv_row(line, fields, width, chosen)
                    return
                except csv.Error as exc:
                    line = previous_end + 1
                    previous_end = reader.line_num
                    yield RawRow(line, None, "", BAD_CSV.reason(error=exc))
        except UnicodeDecodeError as exc:
            raise _encoding_error(path, previous_end + 1, encoding, exc) from exc
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
        for number, text in enumerate(handle, start=1):
            stripped = text.strip()
            if not stripped:
                continue
            try:
                record = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=exc.msg))
                continue
            if not isinstance(record, dict):
                yield RawRow(number, None, stripped, BAD_JSON.reason(problem=_json_kind(record)))
                continue
            yield RawRow(number, [_cell(record.get(name)) for name in columns], stripped)


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
    the `csv` module would: no quote character, no carriage return or NUL, no blank line, and
    every line with the header's field count.
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


_BLOCK_CHARS = 256 * 1024
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
    chosen = delimiter or _sniff_delimiter(path, encoding)
    handle = _open_text(path, encoding)
    pending: list[str] = []
    consumed = 0  # physical lines handed out as blocks (the csv reader counts its own)
    at_end = False

    def next_block() -> str:
        nonlocal at_end
        text = handle.read(_BLOCK_CHARS)
        if not text:
            at_end = True
            return ""
        if text[-1] != "\n":
            text += handle.readline()
        return text

    def feed() -> Iterator[str]:
        while True:
            while pending:
                yield pending.pop()
            if at_end:
                return
            text = next_block()
            if not text:
                return
            # lines as a text file opened with newline="" gives them (\n, \r\n or \r)
            pending.extend(reversed(io.StringIO(text, newline="").readlines()))

    reader = csv.reader(feed(), delimiter=chosen)
    header = _read_header(reader, handle, path, encoding)
    if header is None:
        return [], iter(())
    width = len(header)
    limit = csv.field_size_limit()

    def plain(text: str) -> list[list[str]] | None:
        """The block's columns when it needs no CSV parsing, else None."""
        for char in _NOT_PLAIN:
            if char in text:
                return None
        body = text[:-1] if text[-1] == "\n" else text
        lines = body.split("\n")
        if "" in lines or max(map(len, lines)) > limit:
            return None
        if text.count(chosen) != len(lines) * (width - 1):
            return None
        if width > 1:
            counts = set(map(str.count, lines, repeat(chosen)))
            if counts != {width - 1}:
                return None
        cells = body.replace("\n", chosen).split(chosen)
        return [cells[i::width] for i in range(width)]

    def rows() -> Iterator[Block | RawRow]:
        nonlocal consumed
        previous_end = reader.line_num
        try:
            while True:
                if not pending and not at_end:
                    # the csv reader stands between rows: the next block may skip it
                    text = next_block()
                    if not text:
                        return
                    columns = plain(text)
                    if columns is not None:
                        block = Block(consumed + previous_end + 1, columns, chosen)
                        consumed += block.size
                        yield block
                        continue
                    pending.extend(reversed(io.StringIO(text, newline="").readlines()))
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    line = consumed + previous_end + 1
                    previous_end = reader.line_num
                    yield RawRow(line, None, "", BAD_CSV.reason(error=exc))
                    continue
                line = consumed + previous_end + 1
                previous_end = reader.line_num
                if fields:  # not a blank line
                    yield _csv_row(line, fields, width, chosen)
        except UnicodeDecodeError as exc:
            raise _encoding_error(path, consumed + previous_end + 1, encoding, exc) from exc
        finally:
            handle.close()

    return header, rows()


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
