"""Writes pickup-2026-11.xlsx: the shop's pickup survey as Microsoft Forms gives it ("Open
results in Excel"): one sheet, the columns ID, Start time, Completion time, Email, Name, then
one column per question headed by its text; the times are date cells without a zone. Made-up
answers. Run it again (with openpyxl installed) to rewrite the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "How satisfied were you with picking up your order?",
    "What could we do better?",
]
ROWS = [
    [1, dt.datetime(2026, 11, 28, 16, 2, 11), dt.datetime(2026, 11, 28, 16, 3, 40),
     "anonymous", "", 5, "Quick and friendly."],
    [2, dt.datetime(2026, 11, 29, 11, 40, 0), dt.datetime(2026, 11, 29, 11, 41, 5),
     "anonymous", "", 2, "The parcel locker would not open."],
    [3, dt.datetime(2026, 11, 30, 23, 58, 30), dt.datetime(2026, 11, 30, 23, 59, 50),
     "anonymous", "", 4, None],
]  # fmt: skip


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = Path(__file__).with_name("pickup-2026-11.xlsx")
    workbook.save(out)
    print(out)


if __name__ == "__main__":
    main()
