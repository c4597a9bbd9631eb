"""Rows -> answer records, as a program's source maps them, each checked against its KPI.

Pure: no files, no database, no clock (the caller passes `now`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import add, attrgetter, itemgetter, sub
from typing import Any
from zoneinfo import ZoneInfo

from cxgov.errors import FileFormatError
from cxgov.ingest.exports import labelled_number
from cxgov.ingest.readers import Block, RawRow
from cxgov.ingest.rejections import (
    BAD_TIMESTAMP,
    FUTURE_TIMESTAMP,
    LONG_RESPONSE_ID,
    MISSING_RESPONSE_ID,
    MISSING_TIMESTAMP,
    MISSING_VALUE,
    NON_NUMERIC_VALUE,
    UNKNOWN_MEASUREMENT_POINT,
    VALUE_OUT_OF_SCALE,
    Reason,
)
from cxgov.model import Layout, Program, Source, SourceFormat
from cxgov.model.kpis import KpiType
from cxgov.program_files.fields import did_you_mean
from cxgov.store.answers import (
    RESPONSE_ID_LENGTH,
    Answers,
    Record,
    segments_text,
    stored_time,
)

FUTURE_TOLERANCE = dt.timedelta(days=1)
SEGMENT_CACHE_SIZE = 4096
UTC = dt.UTC


_BAD = None  # a (point, value) pair or a cell the block path cannot take as it is
_PAIR_CACHE_SIZE = 1 << 16
_KEY_CACHE_SIZE = 1 << 16
_HOUR_CACHE_SIZE = 1 << 16
# A plain ISO time `YYYY-MM-DDTHH:MM:SS`, split after its hour: `YYYY-MM-DDTHH` and `:MM:SS`.
_PLAIN_TIME_LENGTH = 19
_HOUR = itemgetter(slice(0, 13))
_REST = itemgetter(slice(13, None))
_PLAIN_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}")
_STORED_REST = {
    f":{m:02d}:{s:02d}": f":{m:02d}:{s:02d}.000000" for m in range(60) for s in range(60)
}
_WHOLE_HOUR = dt.timedelta(hours=1)


def _cached(
    cache: dict[Any, Any], columns: Sequence[list[str]], compute: Callable[[Any], Any], limit: int
) -> list[Any]:
    """`compute(key)` for each row, its key its cell of the one column (else a tuple of its
    cells), each distinct key computed once and kept in `cache`.

    Rows repeat a few values (points, customers, segments): one C-level dict lookup per row,
    and Python work only for a key not seen before. A lookup that misses stops `extend` with
    the rows before it kept, so the key is computed and the lookups go on from the next row.
    `cache` is emptied at `limit` entries, so memory stays flat however many keys a file holds.
    """
    single = len(columns) == 1
    rows: Iterator[Any] = iter(columns[0] if single else zip(*columns, strict=True))
    found: list[Any] = []
    while True:
        try:
            found.extend(map(cache.__getitem__, rows))
            return found
        except KeyError:
            at = len(found)
            key = columns[0][at] if single else tuple([column[at] for column in columns])
            if len(cache) >= limit:
                cache.clear()
            value = cache[key] = compute(key)
            found.append(value)


@dataclass(frozen=True, slots=True)
class _Scale:
    low: float | None
    high: float | None

    def describe(self) -> str:
        return f"{self.low:g}..{self.high:g}"


def parse_number(text: str) -> float | None:
    """A number as CX exports write it: `4`, `4.0`, Finnish `4,5`; None when not a number."""
    candidate = text.strip()
    if "," in candidate and "." not in candidate:
        candidate = candidate.replace(",", ".")
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


ZONE_ABBREVIATIONS = {
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "AST": -4,
    "ADT": -3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}
"""Zone abbreviations survey tools write after a time (Google Forms: `… 1:41:54 PM EEST`) →
hours east of UTC. An abbreviation names no zone unambiguously (CST is China's too), so only
Europe's and North America's are read, as those; any other is a bad timestamp."""

_ZONE_SUFFIX = re.compile(
    r"\s*(?:(?:UTC|GMT|Z)\s*(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?)$"
    r"|\s+(?P<abbreviation>" + "|".join(ZONE_ABBREVIATIONS) + r")$",
    re.IGNORECASE,
)
"""A zone written after a time: `Z`, `UTC`, `GMT`, `UTC+3`, `GMT+03:00`, `GMT-0530`, `EEST`."""
_EPOCH = re.compile(r"\d{10}(?:\.\d+)?|\d{13}")
_EPOCH_START = dt.datetime(1970, 1, 1)


def parse_timestamp(text: str, fmt: str | None, zone: ZoneInfo) -> dt.datetime | None:
    """Naive UTC, reading times without a zone in `zone`; None when unparseable.

    Besides `fmt` (strptime) or ISO 8601, a time may end in a zone as survey tools write it
    (`2026-08-22 13:41:54 UTC`, `… GMT+3`), and without `fmt` a cell of 10 or 13 digits is
    Unix epoch seconds or milliseconds."""
    candidate = text.strip()
    if fmt is None and _EPOCH.fullmatch(candidate):
        seconds = float(candidate) / (1000 if len(candidate) == 13 else 1)
        return _EPOCH_START + dt.timedelta(seconds=seconds)
    offset: dt.timedelta | None = None
    suffix = _ZONE_SUFFIX.search(candidate) if candidate[-1:].isalnum() else None
    if suffix is not None and suffix.start() > 0 and not candidate[: suffix.start()].endswith("T"):
        if suffix["abbreviation"]:
            offset = dt.timedelta(hours=ZONE_ABBREVIATIONS[suffix["abbreviation"].upper()])
        else:
            hours, minutes = int(suffix["hours"] or 0), int(suffix["minutes"] or 0)
            sign = -1 if suffix["sign"] == "-" else 1
            offset = sign * dt.timedelta(hours=hours, minutes=minutes)
        candidate = candidate[: suffix.start()]
        if fmt is not None:
            fmt = _ZONE_DIRECTIVE.sub("", fmt)
    try:
        moment = (
            dt.datetime.strptime(candidate, fmt) if fmt else dt.datetime.fromisoformat(candidate)
        )
    except ValueError:
        return None
    try:
        if offset is not None:
            if moment.tzinfo is not None:
                return None  # two zones: "…+02:00 UTC"
            return moment - offset
        if moment.tzinfo is None:
            # the same as moment.replace(tzinfo=zone).astimezone(UTC), for a fraction of the cost
            offset = zone.utcoffset(moment)
            return moment - offset if offset else moment
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return None  # 0001-01-01 in a zone east of UTC, 9999-12-31 west of it: no UTC time


_ZONE_DIRECTIVE = re.compile(r"\s*%Z$")
"""A format's trailing `%Z`, whose zone the suffix reading has taken off the text already."""


def derived_id(fields: Sequence[str]) -> str:
    """The id of a row from a source without a response-id column: a hash of its cells, so
    loading the same row again finds the same answer."""
    digest = hashlib.sha256("\x1f".join(field.strip() for field in fields).encode()).hexdigest()
    return f"derived:{digest[:32]}"


def missing_column(
    file_name: str, column: str, role: str, source: str, header: Sequence[str]
) -> str:
    """Why a file lacks a column the source maps. The header is the file's content: it is
    not echoed (a file read by mistake must not print its first line into a log); only a
    header name close to the expected one is named."""
    hint = did_you_mean(column, header, ignore_case=True)
    return (
        f"{file_name}: no column '{column}' ({role} in source '{source}') among the header's "
        f"{len(header)} columns" + (f"; {hint}" if hint else "")
    )


def fixed_moment(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(tzinfo=None)


class RowMapper:
    """Compiled once per file: column positions, scales and value mappings."""

    def __init__(
        self,
        program: Program,
        source: Source,
        header: Sequence[str],
        *,
        now: dt.datetime,
        pseudonymise: Callable[[str], str],
        file_name: str,
        aliases: Mapping[str, int] | None = None,
        labelled_values: bool = False,
    ) -> None:
        """`aliases` are other names of the header's columns (an export's ImportIds);
        `labelled_values` reads a scale answer with its label (`5 - Erittäin tärkeää`)."""
        self.source = source
        self.labelled_values = labelled_values
        self.zone = ZoneInfo(source.timezone or program.program.timezone)
        self.latest = now.astimezone(UTC).replace(tzinfo=None) + FUTURE_TOLERANCE
        self.pseudonymise = pseudonymise
        positions = dict(aliases or {})
        positions.update((name, i) for i, name in enumerate(header))
        columns = source.columns

        def position(column: str | None, role: str, *, required: bool = True) -> int | None:
            if column is None:
                return None
            if column not in positions:
                if not required:
                    return None
                raise FileFormatError(missing_column(file_name, column, role, source.id, header))
            return positions[column]

        self.response_at = position(columns.response_id, "response_id")
        self.time_at = position(columns.collected_at, "collected_at")
        self.customer_at = position(columns.customer, "customer")
        self.comment_at = position(columns.comment, "comment")
        self.segment_at = [
            (dimension, position(column, f"segment {dimension}"))
            for dimension, column in columns.segments.items()
        ]
        self.fixed_time = (
            fixed_moment(source.collected_at, self.zone)
            if source.collected_at is not None
            else None
        )
        kpis = {kpi.id: kpi for kpi in program.kpis}
        self.scales: dict[str, _Scale] = {}
        for point in program.measurement_points:
            kpi = kpis.get(point.kpi)
            scale = (
                kpi.effective_scale if kpi is not None and kpi.type is not KpiType.VALUE else None
            )
            self.scales[point.id] = _Scale(*scale) if scale else _Scale(None, None)
        self.na_text = {str(v).strip().lower() for v in source.not_applicable if isinstance(v, str)}
        self.na_numbers = {float(v) for v in source.not_applicable if not isinstance(v, str)} | {
            n for n in (parse_number(v) for v in self.na_text) if n is not None
        }
        self.value_map = {
            label.strip().lower(): number for label, number in source.value_map.items()
        }
        if source.layout is Layout.WIDE:
            self.wide = [
                (point, position(column, f"values → {point}"))
                for column, point in source.values.items()
            ]
            self.value_at = None
            self.point_at = None
        else:
            self.wide = []
            self.value_at = position(columns.value, "value")
            self.point_at = position(columns.measurement_point, "measurement_point")
        self.point_labels = dict(source.measurement_points)
        self._segment_cache: dict[tuple[str, ...], dict[str, str]] = {}
        self._segment_positions = [at for _, at in self.segment_at if at is not None]
        self._segment_dimensions = [d for d, at in self.segment_at if at is not None]
        # column positions of the fast path: long layout with every role in the file
        self._long_at: tuple[int, int, int, int] | None = None
        # caches of the block path: (point cell, value cell) → (point, value, n/a) or _BAD;
        # segment cells → stored text; customer cell → key
        self._pairs: dict[tuple[str, str], tuple[str, float | None, bool] | None] = {}
        self._segment_texts: dict[tuple[str, ...], str] = {}
        self._customer_keys: dict[str, str | None] = {}
        # local `YYYY-MM-DDTHH` → the stored UTC `YYYY-MM-DD HH`, None when not a plain hour
        self._utc_hours: dict[str, str | None] = {}
        self._latest_text = stored_time(self.latest)
        if (
            self.response_at is not None
            and self.time_at is not None
            and self.point_at is not None
            and self.value_at is not None
            and len(self._segment_positions) == len(self.segment_at)
        ):
            self._long_at = (self.response_at, self.time_at, self.point_at, self.value_at)

    @property
    def takes_blocks(self) -> bool:
        """Whether `map_block` applies (long layout with every role in the file)."""
        return self._long_at is not None

    def map_block(self, block: Block) -> tuple[Answers, list[tuple[RawRow, list[Reason]]]]:
        """The answers of a block of long-layout rows, and its rejected rows with reasons.

        Column at a time, with the same result as `map` row by row: each check runs over the
        whole column (or its distinct values), and a row that fails any of them goes through
        `map`, which then names every reason or, rarely, accepts it after all.
        """
        assert self._long_at is not None
        response_at, time_at, point_at, value_at = self._long_at
        columns = block.columns
        size = block.size
        doubtful: set[int] = set()

        response_ids = list(map(str.strip, columns[response_at]))
        if "" in response_ids or max(map(len, response_ids)) > RESPONSE_ID_LENGTH:
            doubtful.update(
                i for i, r in enumerate(response_ids) if not r or len(r) > RESPONSE_ID_LENGTH
            )

        times = self._block_times(columns[time_at], doubtful)

        points, values = columns[point_at], columns[value_at]
        resolved = _cached(
            self._pairs, [points, values], lambda pair: self._pair(*pair), _PAIR_CACHE_SIZE
        )
        if _BAD in resolved:
            doubtful.update(i for i, r in enumerate(resolved) if r is _BAD)
            resolved = [r if r is not _BAD else ("", None, False) for r in resolved]

        customer_keys: list[str | None]
        if self.customer_at is not None:
            cells = columns[self.customer_at]
            customer_keys = _cached(
                self._customer_keys, [cells], self._customer_key, _KEY_CACHE_SIZE
            )
        else:
            customer_keys = [None] * size

        comments: list[str | None]
        if self.comment_at is not None:
            comments = [c or None for c in map(str.strip, columns[self.comment_at])]
        else:
            comments = [None] * size

        if self._segment_positions:
            segment_columns = [columns[at] for at in self._segment_positions]
            segment_texts = _cached(
                self._segment_texts,
                segment_columns,
                lambda cells: segments_text(self._segment_mapping(cells)),
                SEGMENT_CACHE_SIZE,
            )
        else:
            segment_texts = [segments_text({})] * size

        answers = Answers(
            response_ids,
            list(map(itemgetter(0), resolved)),
            times,
            list(map(itemgetter(1), resolved)),
            list(map(itemgetter(2), resolved)),
            customer_keys,
            segment_texts,
            comments,
        )
        rejected: list[tuple[RawRow, list[Reason]]] = []
        if doubtful:
            dropped: set[int] = set()
            for index in sorted(doubtful):
                row = block.row(index)
                assert row.fields is not None
                records, reasons = self.map(row.fields)
                if reasons:
                    dropped.add(index)
                    rejected.append((row, reasons))
                else:
                    # accepted after all (a long row maps to exactly one record): in its place
                    [record] = records
                    replacement = Answers.of([record]).columns()
                    for column, item in zip(answers.columns(), replacement, strict=True):
                        column[index] = item[0]
            if dropped:
                answers = Answers._make(
                    [item for i, item in enumerate(column) if i not in dropped]
                    for column in answers.columns()
                )
        return answers, rejected

    def _customer_key(self, cell: str) -> str | None:
        customer = cell.strip()
        return self.pseudonymise(customer) if customer else None

    def keyed(self, row: RawRow) -> RawRow:
        """`row` as the store keeps a rejected row: its customer id replaced by the customer's
        key, as an accepted answer has it (the store never holds a customer id). A row that
        could not be split into the header's columns is kept as read: which of its cells is
        the customer's cannot be told."""
        at = self.customer_at
        if at is None or row.fields is None or at >= len(row.fields):
            return row
        fields = list(row.fields)
        fields[at] = self._customer_key(fields[at]) or ""
        if self.source.format is SourceFormat.JSONL:
            name = self.source.columns.customer
            record = json.loads(row.raw)
            if name in record:
                record[name] = fields[at]
            return RawRow(row.line, fields, json.dumps(record, ensure_ascii=False))
        return RawRow(row.line, fields, None, delimiter=row.delimiter)

    def _block_times(self, cells: list[str], doubtful: set[int]) -> list[str]:
        """Stored texts of a column's naive UTC times; a cell that is no time (or in the future)
        is doubtful, and its text is then a stand-in."""
        texts = self._plain_times(cells)
        if texts is None:
            texts = list(map(stored_time, self._block_moments(cells, doubtful)))
        latest = self._latest_text
        if max(texts) > latest:
            doubtful.update(i for i, t in enumerate(texts) if t > latest)
        return texts

    def _plain_times(self, cells: list[str]) -> list[str] | None:
        """The stored texts when every cell is a plain local `YYYY-MM-DDTHH:MM:SS` in an hour a
        whole number of hours off UTC throughout (nearly every hour of most zones), else None.

        Text to text, the cheap way: each distinct hour is parsed and shifted once, and minutes
        and seconds are copied, which gives what converting each time would.
        """
        if self.source.timestamp_format is not None:
            return None
        if set(map(len, cells)) != {_PLAIN_TIME_LENGTH}:
            return None
        try:
            rests = list(map(_STORED_REST.__getitem__, map(_REST, cells)))
        except KeyError:
            return None  # seconds that are no `:MM:SS`
        hours = list(map(_HOUR, cells))
        known = self._utc_hours
        try:
            utc = list(map(known.__getitem__, hours))
        except KeyError:
            distinct = set(hours)
            if len(known) + len(distinct) > _HOUR_CACHE_SIZE:
                known.clear()
            for hour in distinct.difference(known):
                known[hour] = self._utc_hour(hour)
            utc = list(map(known.__getitem__, hours))
        if None in utc:
            return None
        return list(map(add, utc, rests))

    def _utc_hour(self, hour: str) -> str | None:
        """The stored UTC `YYYY-MM-DD HH` of a local `YYYY-MM-DDTHH` whose every second is the
        same whole number of hours off UTC; None for any other text or hour (a zone's change
        within it, a half-hour zone), which the exact path then takes."""
        if not _PLAIN_HOUR.fullmatch(hour):
            return None
        try:
            start = dt.datetime.fromisoformat(f"{hour}:00:00")
            offset = self.zone.utcoffset(start)
            if offset is None or offset != self.zone.utcoffset(start.replace(minute=59, second=59)):
                return None
            if offset % _WHOLE_HOUR:
                return None
            return stored_time(start - offset)[:13]
        except (ValueError, OverflowError):
            return None

    def _block_moments(self, cells: list[str], doubtful: set[int]) -> list[dt.datetime]:
        """Naive UTC times of a column; a cell that is no time is doubtful (and `latest` here)."""
        fmt = self.source.timestamp_format
        moments: list[Any]
        try:
            if fmt is not None:
                raise ValueError
            parsed = list(map(dt.datetime.fromisoformat, cells))
            if set(map(attrgetter("tzinfo"), parsed)) != {None}:
                raise ValueError
            moments = list(map(sub, parsed, map(self.zone.utcoffset, parsed)))
        except ValueError:
            zone = self.zone
            moments = [parse_timestamp(cell, fmt, zone) for cell in cells]
            if None in moments:
                doubtful.update(i for i, m in enumerate(moments) if m is None)
                moments = [m if m is not None else self.latest for m in moments]
        return moments

    def _pair(self, point_cell: str, value_cell: str) -> tuple[str, float | None, bool] | None:
        """(point, value, n/a) of a good long-layout answer, else _BAD: any doubt (an empty cell,
        an unknown point, a value off the scale), which `_checked` then names."""
        label = point_cell.strip()
        point = self.point_labels.get(label, label)
        scale = self.scales.get(point)
        if scale is None:
            return _BAD
        text = value_cell.strip()
        if not text:
            return _BAD
        lowered = text.lower()
        if lowered in self.na_text:
            return point, None, True
        value = self.value_map.get(lowered)
        if value is None:
            value = self._number(text)
            if value is None:
                return _BAD
        if value in self.na_numbers:
            return point, None, True
        low, high = scale.low, scale.high
        if low is not None and high is not None and not low <= value <= high:
            return _BAD
        return point, value, False

    def _number(self, text: str) -> float | None:
        value = parse_number(text)
        if value is None and self.labelled_values:
            number = labelled_number(text)
            value = parse_number(number) if number is not None else None
        return value

    def _segment_mapping(self, cells: tuple[str, ...]) -> dict[str, str]:
        found = {}
        for dimension, cell in zip(self._segment_dimensions, cells, strict=True):
            cell = cell.strip()
            if cell:
                found[dimension] = cell
        return found

    def map(self, fields: list[str]) -> tuple[list[Record], list[Reason]]:
        """The records of one row, or every reason it cannot load (then no records)."""
        if self._long_at is not None:
            record = self._long_row(fields, *self._long_at)
            if record is not None:
                return [record], []
        return self._checked(fields)

    def _long_row(
        self, fields: list[str], response_at: int, time_at: int, point_at: int, value_at: int
    ) -> Record | None:
        """The one record of a good long-layout row; None sends the row to `_checked`.

        The common case, made cheap: any doubt (an empty cell, an unknown point, a value off the
        scale) returns None, and `_checked` then maps the row again and names every reason, so
        both paths give the same result for every row.
        """
        response_id = fields[response_at].strip()
        if not response_id or len(response_id) > RESPONSE_ID_LENGTH:
            return None
        moment = parse_timestamp(fields[time_at], self.source.timestamp_format, self.zone)
        if moment is None or moment > self.latest:
            return None
        pair = self._pair(fields[point_at], fields[value_at])
        if pair is _BAD:
            return None
        point, value, not_applicable = pair
        customer_key = (
            self._customer_key(fields[self.customer_at]) if self.customer_at is not None else None
        )
        comment = None
        if self.comment_at is not None:
            comment = fields[self.comment_at].strip() or None
        return Record(
            response_id,
            point,
            moment,
            value,
            not_applicable,
            customer_key,
            self._segments(fields),
            comment,
        )

    def _segments(self, fields: list[str]) -> dict[str, str]:
        """Segment dimension → value; rows with equal cells share one (unmodified) mapping."""
        cells = tuple([fields[at] for at in self._segment_positions])
        found = self._segment_cache.get(cells)
        if found is None:
            found = self._segment_mapping(cells)
            if len(self._segment_cache) >= SEGMENT_CACHE_SIZE:
                self._segment_cache.clear()
            self._segment_cache[cells] = found
        return found

    def _checked(self, fields: list[str]) -> tuple[list[Record], list[Reason]]:
        """Every check, naming every reason a row cannot load."""
        reasons: list[Reason] = []
        response_id = (
            fields[self.response_at].strip() if self.response_at is not None else derived_id(fields)
        )
        if not response_id:
            reasons.append(MISSING_RESPONSE_ID.reason())
        elif len(response_id) > RESPONSE_ID_LENGTH:
            reasons.append(
                LONG_RESPONSE_ID.reason(length=len(response_id), limit=RESPONSE_ID_LENGTH)
            )
        collected_at = self._time(fields, reasons)
        customer_key = None
        if self.customer_at is not None:
            customer = fields[self.customer_at].strip()
            customer_key = self.pseudonymise(customer) if customer else None
        comment = None
        if self.comment_at is not None:
            comment = fields[self.comment_at].strip() or None
        segments = {}
        for dimension, at in self.segment_at:
            if at is not None:
                cell = fields[at].strip()
                if cell:
                    segments[dimension] = cell
        answers: list[tuple[str, float | None, bool]] = []
        if self.wide:
            for point, at in self.wide:
                if at is None:
                    continue
                cell = fields[at]
                if not cell.strip():
                    continue  # the question was not shown: no answer, nothing to store
                answers.append(self._answer(point, cell, reasons))
        else:
            found = self._point(fields, reasons)
            assert self.value_at is not None
            cell = fields[self.value_at]
            if not cell.strip():
                reasons.append(MISSING_VALUE.reason())
            elif found is not None:
                answers.append(self._answer(found, cell, reasons))
        if reasons or collected_at is None:
            return [], reasons
        return [
            Record(response_id, point, collected_at, value, na, customer_key, segments, comment)
            for point, value, na in answers
        ], []

    def _time(self, fields: list[str], reasons: list[Reason]) -> dt.datetime | None:
        if self.time_at is None:
            return self.fixed_time
        text = fields[self.time_at]
        if not text.strip():
            if self.fixed_time is not None:
                return self.fixed_time
            reasons.append(MISSING_TIMESTAMP.reason())
            return None
        moment = parse_timestamp(text, self.source.timestamp_format, self.zone)
        if moment is None:
            expected = self.source.timestamp_format or "ISO 8601"
            reasons.append(BAD_TIMESTAMP.reason(text=text.strip(), expected=expected))
            return None
        if moment > self.latest:
            reasons.append(FUTURE_TIMESTAMP.reason(text=text.strip()))
            return None
        return moment

    def _point(self, fields: list[str], reasons: list[Reason]) -> str | None:
        if self.point_at is None:
            return self.source.measurement_point
        label = fields[self.point_at].strip()
        point = self.point_labels.get(label, label)
        if point not in self.scales:
            reasons.append(UNKNOWN_MEASUREMENT_POINT.reason(label=label))
            return None
        return point

    def _answer(
        self, point: str, cell: str, reasons: list[Reason]
    ) -> tuple[str, float | None, bool]:
        text = cell.strip()
        if text.lower() in self.na_text:
            return point, None, True
        value = self.value_map.get(text.lower())
        if value is None:
            value = self._number(text)
        if value is None:
            reasons.append(NON_NUMERIC_VALUE.reason(where=point, text=text))
            return point, None, False
        if value in self.na_numbers:
            return point, None, True
        scale = self.scales[point]
        if (
            scale.low is not None
            and scale.high is not None
            and not scale.low <= value <= scale.high
        ):
            reasons.append(
                VALUE_OUT_OF_SCALE.reason(point=point, value=value, scale=scale.describe())
            )
        return point, value, False
