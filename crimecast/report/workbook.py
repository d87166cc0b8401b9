"""Excel workbooks a finance officer can hand on: headers in words, £ and % formats, widths, frozen header rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crimecast.io import write_atomic

MONEY, PERCENT, NUMBER0, NUMBER1, NUMBER2, TEXT = "money", "percent", "number0", "number1", "number2", "text"
SIGNED_PERCENT = "signed_percent"
FORMATS = {MONEY: '"£"#,##0;-"£"#,##0', PERCENT: "0.0%", SIGNED_PERCENT: "+0.0%;-0.0%;0.0%", NUMBER0: "#,##0", NUMBER1: "#,##0.0", NUMBER2: "#,##0.00",
           TEXT: "@"}
WRAP_WIDTH = 48  # text longer than this wraps within a column this wide


@dataclass
class Sheet:
    """One sheet: a frame, its column headers in words and each column's number format.

    Attributes
    ----------
    frame
        The data, one row per line.
    headers
        Column -> header in words (columns not named keep their own name).
    formats
        Column -> one of ``money``, ``percent``, ``number0/1/2``, ``text``.
    title
        An optional first line above the table (bold).
    """

    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    title: str = ""


def _width(values: list[str], header: str) -> float:
    """Wide enough for the values (long text wraps) and the header's longest word (headers wrap)."""
    longest = max([len(v) for v in values], default=0)
    word = max((len(w) for w in header.split()), default=0)
    return float(min(max(longest + 2, word + 2, 9), WRAP_WIDTH))


def write_workbook(sheets: dict[str, Sheet], path: Path) -> Path:
    """Write the sheets to ``path`` atomically, formatted for reading and printing.

    Cell values are reproducible; openpyxl also records the save time, so the
    file itself is not byte-identical between runs.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for name, sheet in sheets.items():
            ws = book.create_sheet(name[:31])
            frame = sheet.frame.reset_index(drop=True)
            start = 1
            if sheet.title:
                ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=12)
                start = 3
            lines = {start: 1}  # row -> text lines its tallest wrapped cell needs
            widths = {}
            for j, column in enumerate(frame.columns, start=1):
                cell = ws.cell(row=start, column=j, value=sheet.headers.get(column, str(column)))
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDE6F0")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                kind = sheet.formats.get(column)
                shown = []
                for i, value in enumerate(frame[column].tolist(), start=start + 1):
                    if isinstance(value, float) and value != value:
                        value = None
                    elif hasattr(value, "item"):
                        value = value.item()
                    target = ws.cell(row=i, column=j, value=value)
                    if kind and kind != TEXT and isinstance(value, (int, float)) and not isinstance(value, bool):
                        target.number_format = FORMATS[kind]
                    target.alignment = Alignment(wrap_text=isinstance(value, str) and len(value) > WRAP_WIDTH,
                                                 vertical="top")
                    shown.append(_shown(value, kind))
                header = sheet.headers.get(column, str(column))
                widths[j] = _width(shown, header)
                ws.column_dimensions[get_column_letter(j)].width = widths[j]
                lines[start] = max(lines[start], _lines(header, widths[j]))
                for i, text in enumerate(shown, start=start + 1):
                    lines[i] = max(lines.get(i, 1), _lines(text, widths[j]))
            for row, count in lines.items():  # set heights: not every reader re-measures wrapped rows itself
                if count > 1:
                    ws.row_dimensions[row].height = 15 * count
            ws.freeze_panes = ws.cell(row=start + 1, column=1)
            ws.sheet_view.zoomScale = 100
            ws.page_setup.orientation = "landscape"
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.print_title_rows = f"{start}:{start}"
        book.save(tmp)

    return write_atomic(path, write)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (words kept whole)."""
    import textwrap

    return max(1, len(textwrap.wrap(str(text), width=max(int(width) - 2, 4)))) if text else 1


def _shown(value, kind: str | None) -> str:
    """Roughly how the cell reads once formatted, to size its column."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if kind == MONEY:
            return f"£{value:,.0f}"
        if kind in (PERCENT, SIGNED_PERCENT):
            return f"{value:.1%}"
        if kind in (NUMBER1, NUMBER2):
            return f"{value:,.2f}"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
    return str(value)


def notes_sheet(lines: list[str], *, title: str = "Method and notes") -> Sheet:
    """A one-column sheet of sentences."""
    return Sheet(pd.DataFrame({"note": lines}), headers={"note": "Note"}, title=title)
