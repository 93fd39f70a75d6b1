"""Reading roster files: encodings, headers, date order, caps, malformed input, XLSX."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.make_roster import make_rows, roster_text, write_roster
from trainer.errors import TrainerError, ValidationFailed
from trainer.rosters import reading as roster
from trainer.rosters.reading import RosterRefused, read_roster

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"
HEADER = "given_name,father_name,grandfather_name,date_of_birth,force,province\n"


def write(tmp_path, text: str | bytes, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refusal(path, **kwargs) -> str:
    with pytest.raises(RosterRefused) as exc:
        read_roster(path, **kwargs)
    return str(exc.value)


def test_the_sample_reads_with_its_encoding_date_order_and_arabic_headers():
    book = read_roster(FIXTURES / "roster.csv")
    assert (book.encoding, book.date_order, book.date_order_source) == ("utf-8-sig", "day-first", "values")
    assert [c.field for c in book.columns] == list(roster.FIELDS)
    assert book.columns[0].header == "الاسم"
    assert len(book.rows) == 36 and book.rows[0].number == 2 and book.rows[-1].number == 37
    by_row = {r.number: r for r in book.rows}
    # Arabic-Indic digits in a date; the values themselves are kept as written.
    assert by_row[7].date_of_birth == datetime.date(1987, 8, 1)
    assert by_row[7].values["national_id"] == "٥٢٣٩٨٤٦٨٧٩٥٤"
    assert by_row[12].values["unit"] == '=HYPERLINK("http://example.invalid","x")'
    assert by_row[2].date_of_birth == datetime.date(1988, 7, 23)


def test_english_headers_in_any_order_and_case(tmp_path):
    path = write(
        tmp_path,
        "Province,FORCE,Date Of Birth,grandfather_name,Father_Name,given name\n"
        "Ninawa,police,23/07/1988,Hasan,Ali,Omar\n",
    )
    book = read_roster(path)
    row = book.rows[0]
    assert (row.values["given_name"], row.values["province"]) == ("Omar", "Ninawa")
    assert row.date_of_birth == datetime.date(1988, 7, 23)


def test_arabic_headers_with_hamza_variants_and_semicolons(tmp_path):
    path = write(
        tmp_path, "الاسم;اسم الأب;اسم الجد;تاريخ الولادة;القوة;المحافظة\nعلي;حسن;كاظم;1990-01-02;police;IQ-NI\n"
    )
    book = read_roster(path)
    assert book.delimiter == ";" and book.rows[0].values["father_name"] == "حسن"
    assert book.date_order == "year-first"


def test_windows_1256_and_plain_utf8_are_detected(tmp_path):
    text = "الاسم,اسم الاب,اسم الجد,تاريخ الولادة,القوة,المحافظة\nعلي,حسن,كاظم,23/07/1988,الشرطة المحلية,نينوى\n"
    assert read_roster(write(tmp_path, text.encode("cp1256"), "a.csv")).encoding == "windows-1256"
    book = read_roster(write(tmp_path, text.encode("utf-8"), "b.csv"))
    assert book.encoding == "utf-8" and book.rows[0].values["force"] == "الشرطة المحلية"


@pytest.mark.parametrize(
    "data, reason",
    [
        ("Given_name,father_name\nJosé,Zoë\n".encode("latin-1"), "neither UTF-8 nor Windows-1256"),
        (HEADER.encode("utf-16"), "UTF-16"),
        (b"given_name,\x00\x01\x02", "binary data"),
        (b"\xef\xbb\xbfgiven_name\n\xff\xfe", "not UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", "XLSX"),
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
    ],
)
def test_other_encodings_and_binaries_are_refused_with_the_reason(tmp_path, data, reason):
    assert reason in refusal(write(tmp_path, data))


def test_malformed_csv_is_refused_never_half_read(tmp_path):
    unclosed = HEADER + 'Ali,Hasan,Kadhim,23/07/1988,police,IQ-NI\n"Omar,Ali,Hasan,24/07/1988,police,IQ-NI\n'
    assert "never closed" in refusal(write(tmp_path, unclosed))
    stray = HEADER + 'Ali,"Hasan"x,Kadhim,23/07/1988,police,IQ-NI\n'
    assert "malformed CSV near line 2" in refusal(write(tmp_path, stray, "s.csv"))


def test_header_problems_are_all_named(tmp_path):
    text = "given_name,father_name,nickname,given name,force\nA,B,C,D,police\n"
    message = refusal(write(tmp_path, text))
    assert "unknown column 'nickname'" in message
    assert "'given name' and 'given_name' are the same column" in message
    assert "missing required column(s): grandfather_name (اسم الجد), date_of_birth" in message


def test_values_under_an_empty_header_are_refused_but_empty_trailing_columns_are_fine(tmp_path):
    ok = HEADER.rstrip("\n") + ",,\nAli,Hasan,Kadhim,23/07/1988,police,IQ-NI,,\n"
    assert len(read_roster(write(tmp_path, ok, "ok.csv")).rows) == 1
    bad = HEADER.rstrip("\n") + ",\nAli,Hasan,Kadhim,23/07/1988,police,IQ-NI,surprise\n"
    assert "column 7 has values but no header" in refusal(write(tmp_path, bad, "bad.csv"))


def test_row_shape_length_and_line_breaks_are_row_problems(tmp_path):
    long = "x" * 256
    text = (
        HEADER + "Ali,Hasan,Kadhim,23/07/1988,police,IQ-NI,extra\n"
        f"Ali,{long},Kadhim,23/07/1988,police,IQ-NI\n"
        'Ali,"Ha\nsan",Kadhim,23/07/1988,police,IQ-NI\n'
        "Ali,Hasan\n"
        ",,,,,\n"
    )
    book = read_roster(write(tmp_path, text))
    problems = {r.number: [(p.field, p.reason) for p in r.problems] for r in book.rows}
    assert problems[2] == [("row", "7 values but the header has 6 columns")]
    assert problems[3] == [("father_name", "longer than 255 characters")]
    assert problems[4] == [("father_name", "a line break inside the value")]
    assert problems[5][0] == ("row", "2 values but the header has 6 columns")
    assert 6 not in problems  # a blank row is no one


def test_date_order_from_the_values_either_way(tmp_path):
    month_first = HEADER + "A,B,C,07/23/1988,police,IQ-NI\nA,B,C,01/02/1990,police,IQ-NI\n"
    book = read_roster(write(tmp_path, month_first))
    assert book.date_order == "month-first"
    assert [r.date_of_birth for r in book.rows] == [datetime.date(1988, 7, 23), datetime.date(1990, 1, 2)]


def test_an_open_date_order_is_refused_unless_given(tmp_path):
    path = write(tmp_path, HEADER + "A,B,C,01/02/1990,police,IQ-NI\nA,B,C,٠٣/٠٤/١٩٩١,police,IQ-NI\n")
    assert "the date order is open" in refusal(path) and "--date-format" in refusal(path)
    book = read_roster(path, date_format="MM/DD/YYYY")
    assert (book.date_order, book.date_order_source) == ("month-first", "--date-format")
    assert [r.date_of_birth for r in book.rows] == [datetime.date(1990, 1, 2), datetime.date(1991, 3, 4)]
    assert read_roster(path, date_format="%d/%m/%Y").rows[0].date_of_birth == datetime.date(1990, 2, 1)


def test_both_orders_in_one_file_are_refused(tmp_path):
    path = write(tmp_path, HEADER + "A,B,C,23/07/1988,police,IQ-NI\nA,B,C,07/23/1988,police,IQ-NI\n")
    assert "both orders: row 2 (23/07/1988) is day-first, row 3 (07/23/1988) month-first" in refusal(path)


def test_a_row_against_the_given_format_is_a_row_problem_never_a_guess(tmp_path):
    path = write(
        tmp_path,
        HEADER + "A,B,C,23/07/1988,police,IQ-NI\nA,B,C,07/1988,police,IQ-NI\n"
        "A,B,C,23/07/88,police,IQ-NI\nA,B,C,31/02/1990,police,IQ-NI\n"
        "A,B,C,,police,IQ-NI\n",
    )
    rows = read_roster(path, date_format="MM/DD/YYYY").rows
    reasons = [[p.reason for p in r.problems] for r in rows]
    assert reasons[0] == ["'23/07/1988' is not a valid month-first date"]
    assert reasons[1] == ["'07/1988' is not a date (day, month and year, e.g. 23/07/1988)"]
    assert reasons[2] == ["'23/07/88': the year must have four digits"]
    assert reasons[3] == ["'31/02/1990' is not a valid month-first date"]
    assert reasons[4] == [] and rows[4].date_of_birth is None  # "required" is the row check's
    assert "not a date format" in str(pytest.raises(ValidationFailed, read_roster, path, date_format="%Y"))


def test_caps_on_size_rows_and_field_size(tmp_path, monkeypatch):
    path = write_roster(tmp_path / "r.csv", make_rows(30))
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 1000)
    assert "limit is 1,000" in refusal(path)
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 10_000_000)
    monkeypatch.setattr(roster, "MAX_ROWS", 20)
    assert "more than 20 rows" in refusal(path)
    monkeypatch.setattr(roster, "MAX_ROWS", 1000)
    monkeypatch.setattr(roster, "MAX_COLUMNS", 10)
    assert "13 columns; the limit is 10" in refusal(path)
    huge = write(tmp_path, HEADER + "A," + "B" * 200_000 + ",C,23/07/1988,police,IQ-NI\n", "huge.csv")
    assert "far too long" in refusal(huge)


def xlsx(tmp_path, rows, name="r.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx_cells_dates_numbers_and_formulas_as_text(tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["الاسم", "اسم الاب", "اسم الجد", "تاريخ الولادة", "الرقم الوطني", "القوة", "المحافظة", "الوحدة"],
            ["علي", "حسن", "كاظم", datetime.datetime(1988, 7, 23), 741520749048, "police", "IQ-NI", "=SUM(1,2)"],
            ["عمر", "علي", "حسن", "23/07/1990", "123456789012", "army", "Kirkuk", "+SUM(1,2)"],
        ],
    )
    book = read_roster(path)
    assert book.encoding == "xlsx" and book.date_order == "day-first"
    first, second = book.rows
    assert first.date_of_birth == datetime.date(1988, 7, 23) and first.values["national_id"] == "741520749048"
    assert first.values["unit"] == "=SUM(1,2)" and second.values["unit"] == "+SUM(1,2)"
    assert second.date_of_birth == datetime.date(1990, 7, 23)


def test_xlsx_caps_and_damage(tmp_path, monkeypatch):
    path = xlsx(
        tmp_path,
        [["given_name", "father_name", "grandfather_name", "date_of_birth", "force", "province"]]
        + [["A", "B", "C", "1990-01-02", "police", "IQ-NI"]] * 30,
    )
    assert len(read_roster(path).rows) == 30
    monkeypatch.setattr(roster, "MAX_ROWS", 10)
    assert "more than 10 rows" in refusal(path)
    monkeypatch.setattr(roster, "MAX_XLSX_UNPACKED", 1000)
    assert "unpacks to" in refusal(path)
    damaged = write(tmp_path, path.read_bytes()[:600], "damaged.xlsx")
    assert "not a readable XLSX workbook" in refusal(damaged)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "windows-1256"])
@pytest.mark.parametrize("order", ["day-first", "month-first", "year-first"])
def test_generated_rosters_read_back_in_every_encoding_and_order(tmp_path, encoding, order):
    rows = make_rows(40, seed=3)
    # Windows-1256 has no Arabic-Indic digits: Arabic Windows writes ASCII digits.
    for digits in ("ascii",) if encoding == "windows-1256" else ("ascii", "arabic"):
        path = tmp_path / f"{digits}.csv"
        path.write_bytes(roster_text(rows, order=order, digits=digits, headers="english").encode(encoding))
        book = read_roster(path)
        assert book.encoding == encoding and book.date_order == order
        assert [r.date_of_birth for r in book.rows] == [r["date_of_birth"] for r in rows]
        assert [r.values["given_name"] for r in book.rows] == [r["given_name"] for r in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=300).map(lambda b: HEADER.encode() + b),
        st.text(alphabet=st.sampled_from(list('ab,;"\n\r\t ٠١/-12علي\x00é')), max_size=200).map(
            lambda t: (HEADER + t).encode("utf-8")
        ),
    )
)
def test_arbitrary_bytes_give_a_roster_or_a_clear_refusal_never_another_exception(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(data)
        try:
            book = read_roster(path)
        except TrainerError as exc:
            assert str(exc)
        else:
            assert all(r.number >= 2 for r in book.rows)
