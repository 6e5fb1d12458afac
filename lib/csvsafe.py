"""CSV helpers shared by every export and import.

Exports: :func:`neutralise` makes one cell safe against spreadsheet formula injection, and
:func:`iter_csv` / :func:`write_csv` write whole files with every cell neutralised. ``iter_csv``
yields encoded lines, ready for Django's ``StreamingHttpResponse``::

    response = StreamingHttpResponse(iter_csv(header, rows, bom=True), content_type=CSV_TYPE)

Imports: :func:`read_csv_upload` checks an uploaded file (size, text, CSV, header columns) and
returns ``(rows, errors)``. It never raises for a problem with the file itself: every problem is
an ``(line_number, message)`` pair with a message that can be shown to the person who uploaded
it. ``line_number`` is the row number the user sees when they open the file in a spreadsheet
(the header is row 1), or ``None`` for a problem with the whole file (too large, not text,
empty).

This module deliberately does not import Django.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any, NamedTuple

__all__ = [
    "CSV_CONTENT_TYPE",
    "FORMULA_TRIGGERS",
    "UploadRow",
    "iter_csv",
    "neutralise",
    "normalise_header",
    "read_csv_upload",
    "write_csv",
]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

#: Characters that make a spreadsheet treat a cell as a formula (or, for tab, CR and LF, can
#: hide a formula behind them). OWASP "CSV Injection" lists = + - @ tab and carriage return;
#: ASVS 5 adds NUL. Full-width forms are included because some spreadsheet locales normalise
#: them to their ASCII equivalents.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")

_LEADING_SPACE = re.compile(r"^[ \u00a0\u2000-\u200b\u3000]+")


def neutralise(value: Any) -> str:
    """Return ``value`` as a string that a spreadsheet will show as text, never run as a formula.

    Follows the OWASP CSV Injection advice: a cell that starts with ``=``, ``+``, ``-``, ``@``,
    tab, carriage return (or line feed / NUL) is prefixed with a single quote ``'``. The check
    is also made after leading spaces, since some spreadsheets ignore them. ``None`` becomes
    ``""``; other non-strings go through ``str()``. Real numbers (``int``, ``float``,
    ``Decimal``, not ``bool``) are left alone, so ``-5`` stays a number; a *string* ``"-5"`` is
    prefixed like any other text starting with ``-``.

    Quotes, commas and newlines inside the value are left for the CSV writer to quote, and
    HTML such as ``<script>`` is left as-is: escaping it is the template's job, not the CSV's.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = value if isinstance(value, str) else str(value)
    if not text:
        return text
    stripped = _LEADING_SPACE.sub("", text)
    if stripped and stripped[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


class _Echo:
    """A write-only 'file' whose write() hands the line back (the Django streaming recipe)."""

    def write(self, value: str) -> str:
        return value


def _cells(row: Sequence[Any] | Mapping[str, Any], header: Sequence[str]) -> list[str]:
    if isinstance(row, Mapping):
        return [neutralise(row.get(name)) for name in header]
    return [neutralise(cell) for cell in row]


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    *,
    bom: bool = False,
    encoding: str = "utf-8",
) -> Iterator[bytes]:
    """Yield a CSV file line by line as encoded bytes, every cell (and header) neutralised.

    ``rows`` may be sequences (in header order) or mappings keyed by header name (missing keys
    give empty cells). ``bom=True`` starts the file with a UTF-8 byte order mark so that Excel
    opens it as UTF-8 rather than the system code page. Lines end with CRLF (RFC 4180).
    Nothing is buffered beyond one line, so it works with a lazy queryset iterator.
    """
    writer = csv.writer(_Echo())
    first = writer.writerow(_cells(header, header))
    prefix = codecs.BOM_UTF8 if bom and encoding.replace("_", "-").lower() == "utf-8" else b""
    yield prefix + first.encode(encoding)
    for row in rows:
        yield writer.writerow(_cells(row, header)).encode(encoding)


def write_csv(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    header: Sequence[str],
    fileobj: IO[str] | IO[bytes] | Any,
    *,
    bom: bool = False,
) -> int:
    """Write a whole CSV file (header + neutralised rows) to ``fileobj``; return the row count.

    ``fileobj`` may be a binary file, a text file (open it with ``newline=""``) or anything with
    a ``write()`` that accepts ``str`` (such as Django's ``HttpResponse``).
    """
    binary = _is_binary(fileobj)
    count = -1  # the header is not a row
    for line in iter_csv(header, rows, bom=bom):
        fileobj.write(line if binary else line.decode("utf-8"))
        count += 1
    return count


def _is_binary(fileobj: Any) -> bool:
    if isinstance(fileobj, io.TextIOBase):
        return False
    if isinstance(fileobj, (io.RawIOBase, io.BufferedIOBase)):
        return True
    return "b" in getattr(fileobj, "mode", "")


# -- reading uploads -----------------------------------------------------------------------------


class UploadRow(NamedTuple):
    """One data row of an upload: its spreadsheet row number and its values by column name.

    ``values`` has a key for every required and optional column (optional ones missing from the
    file are ``""``); columns the caller did not ask for are dropped.
    """

    line: int
    values: dict[str, str]


Error = tuple[int | None, str]

_HEADER_JUNK = re.compile(r"[\s_\-\ufeff\u200b]+")
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024


def normalise_header(name: str) -> str:
    """Header comparison key: case-insensitive, ignoring spaces, underscores and hyphens.

    ``"Email address"``, ``" email_address "`` and ``"E-mail Address"`` all match.
    """
    return _HEADER_JUNK.sub("", name).casefold()


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def _read_limited(source: bytes | bytearray | str | IO[Any], max_bytes: int) -> bytes | str:
    """The upload's bytes, or an error message if it is bigger than ``max_bytes``.

    A file object is read no further than ``max_bytes + 1`` bytes; its declared ``size`` (as on
    Django's UploadedFile) is checked first so an oversized upload is not read at all.
    """
    limit = _size(max_bytes)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, str):
        data = source.encode("utf-8")
    else:
        declared = getattr(source, "size", None)
        if isinstance(declared, int) and declared > max_bytes:
            return f"The file is too large ({_size(declared)}). The limit is {limit}."
        chunk = source.read(max_bytes + 1)
        data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk or b"")
        if len(data) > max_bytes:
            return f"The file is too large. The limit is {limit}."
    if len(data) > max_bytes:
        return f"The file is too large ({_size(len(data))}). The limit is {limit}."
    return data


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes) -> tuple[str | None, Error | None]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, (
            None,
            "The file is saved as UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” "
            "and upload it again.",
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return None, (
            None,
            "This looks like an Excel workbook, not a CSV file. In Excel choose File › Save As › "
            "“CSV UTF-8 (comma delimited)” and upload that file.",
        )
    nul = data.find(b"\0")
    if nul != -1:
        return None, (
            _line_of(data, nul),
            "The file contains binary data (a NUL byte), so it is not a CSV text file.",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, (
            _line_of(data, exc.start),
            "The file is not UTF-8 text (it may have been saved in another encoding). Save it "
            "as “CSV UTF-8 (comma delimited)” and upload it again.",
        )


def _choose_delimiter(text: str, wanted: set[str]) -> str:
    """The delimiter under which the header row names the most wanted columns.

    csv.Sniffer alone is unreliable on real uploads (it fails on one-column files and can be
    fooled by punctuation inside values), so its guess only decides ties; without a guess,
    comma wins ties.
    """
    sample = text[:_SNIFF_BYTES]
    first_line = next((ln for ln in io.StringIO(sample, newline="") if ln.strip()), "")
    candidates = list(_DELIMITERS)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ","
    candidates.remove(sniffed)
    candidates.insert(0, sniffed)

    def hits(delimiter: str) -> int:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        return len({normalise_header(h) for h in header} & wanted)

    return max(candidates, key=hits)  # max() keeps the first of equal candidates


def read_csv_upload(
    source: bytes | bytearray | str | IO[Any],
    *,
    max_bytes: int,
    required_columns: Sequence[str],
    optional_columns: Sequence[str] = (),
) -> tuple[list[UploadRow], list[Error]]:
    """Check and parse an uploaded CSV file.

    ``source`` is the file's bytes or a file object opened in binary mode (a Django
    ``UploadedFile`` works: its declared ``size`` is checked before anything is read, and at
    most ``max_bytes + 1`` bytes are read). Returns ``(rows, errors)``:

    * ``rows``: one :class:`UploadRow` per non-blank data row that could be parsed, with cells
      stripped of surrounding whitespace and keyed by the caller's column names;
    * ``errors``: ``(line_number, message)`` pairs, ``line_number`` being the spreadsheet row
      (header = 1) or ``None`` for the whole file.

    Whole-file problems (too large, binary, not UTF-8, empty, no data rows, missing columns)
    return no rows. Row problems (too many values, a value longer than the CSV field limit)
    are reported and the other rows are still returned, so the caller can show every problem
    at once; most callers should refuse to import anything while ``errors`` is non-empty.

    Header names match case-insensitively, ignoring spaces, underscores and hyphens; columns
    that are neither required nor optional are ignored. The delimiter may be a comma,
    semicolon, tab or pipe (Excel in some locales saves semicolons).
    """
    data = _read_limited(source, max_bytes)
    if isinstance(data, str):
        return [], [(None, data)]
    text, error = _decode(data)
    if error or text is None:
        return [], [error or (None, "The file could not be read.")]
    if not text.strip():
        return [], [(None, "The file is empty.")]

    columns = list(dict.fromkeys([*required_columns, *optional_columns]))
    by_key = {normalise_header(c): c for c in columns}
    delimiter = _choose_delimiter(text, set(by_key))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    rows: list[UploadRow] = []
    errors: list[Error] = []
    header: list[str] | None = None
    positions: dict[str, int] = {}
    line = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot resume reliably after this; report and stop.
            line += 1
            if "field larger than field limit" in str(exc):
                limit = csv.field_size_limit()
                message = f"A value in this row is too long (over {limit:,} characters)."
            else:
                message = f"This row could not be read as CSV ({exc})."
            errors.append((line, message + " Rows after it were not read."))
            break
        line += 1  # one spreadsheet row per CSV record, even if a quoted cell spans lines
        cells = [c.strip() for c in record]
        if not any(cells):
            continue  # blank line (or only separators)
        if header is None:
            header = cells
            positions, header_errors = _map_header(header, by_key, required_columns, line)
            if header_errors:
                return [], header_errors
            continue
        extra = cells[len(header) :]
        if any(extra):
            errors.append(
                (
                    line,
                    f"This row has {len(cells)} values but the header has {len(header)} "
                    "columns. Check for unquoted commas inside a value.",
                )
            )
            continue
        values = {name: (cells[pos] if pos < len(cells) else "") for name, pos in positions.items()}
        for name in columns:
            values.setdefault(name, "")
        rows.append(UploadRow(line, values))

    if header is None:
        return [], [(None, "The file is empty.")]
    if not rows and not errors:
        errors.append((None, "The file has a header row but no data rows."))
    return rows, errors


def _map_header(
    header: list[str], by_key: dict[str, str], required: Sequence[str], line: int
) -> tuple[dict[str, int], list[Error]]:
    positions: dict[str, int] = {}
    errors: list[Error] = []
    for pos, raw in enumerate(header):
        name = by_key.get(normalise_header(raw))
        if name is None:
            continue
        if name in positions:
            errors.append((line, f"The column “{name}” appears more than once in the header."))
            continue
        positions[name] = pos
    missing = [c for c in required if c not in positions]
    if missing:
        listed = ", ".join(f"“{c}”" for c in missing)
        noun = "column" if len(missing) == 1 else "columns"
        errors.append(
            (
                line,
                f"The header row is missing the required {noun} {listed}. The first row of the "
                "file must name the columns; check it is a comma-separated CSV file.",
            )
        )
    return positions, errors
