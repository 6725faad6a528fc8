"""The readers of what people type and send, fuzzed: the date parsers of ``common.clock`` and the file
reader of the import never raise anything but their documented errors, and never give a day or a moment
outside the years jaring counts in (which could not be converted to Jakarta time)."""

import csv
import io
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jaring.common.clock import (
    FIRST_YEAR,
    LAST_YEAR,
    ZONE,
    OutOfRange,
    day_asked,
    month_asked,
    parse_day,
    parse_moment,
    parse_month,
)
from jaring.imports.readers import COLUMNS, read_rows

QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like dates often enough to reach every branch: digits, separators, signs, offsets,
# NUL, and the years at and beyond both ends.
date_like = st.one_of(
    st.text(alphabet="0123456789-/:T+Z .\x00\x07", max_size=32),
    st.dates().map(date.isoformat),
    st.datetimes(timezones=st.sampled_from([None, ZONE])).map(datetime.isoformat),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds("{:02d}/{:02d}/{}".format, st.integers(0, 32), st.integers(0, 13), st.integers(-1, 99999)),
    st.text(max_size=20),
)


def counted(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


@QUICK
@given(date_like)
def test_parse_day_gives_none_or_a_day_in_the_years_counted(text):
    day = parse_day(text)
    assert day is None or (isinstance(day, date) and counted(day.year))


@QUICK
@given(date_like)
def test_parse_moment_gives_none_or_an_aware_moment_that_converts_to_jakarta(text):
    moment = parse_moment(text)
    if moment is not None:
        assert moment.tzinfo is not None and counted(moment.year)
        assert counted(moment.astimezone(ZONE).year)


@QUICK
@given(st.one_of(date_like, st.builds("{:04d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 13))))
def test_months_are_read_in_the_years_counted_or_refused(text):
    month = parse_month(text)
    assert month is None or counted(month.year)
    try:
        asked = month_asked(text)
    except OutOfRange:
        return
    assert asked is None or (asked == month and counted((asked + 1).year))


@QUICK
@given(date_like)
def test_a_day_asked_by_a_page_is_none_a_day_counted_or_out_of_range(text):
    try:
        day = day_asked(text)
    except OutOfRange:
        return
    assert day is None or counted(day.year)


def csv_cells():
    typed = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
    return typed | st.sampled_from(["", ",", '"', '""', "\x00", "\r\n", ";", "Dewi, S.", '"quoted"'])


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_read_rows_raises_only_validation_errors_on_random_files(tmp_path, kind):
    path = tmp_path / "fuzz.csv"
    header = ",".join(COLUMNS[kind])

    @QUICK
    @given(
        st.lists(st.lists(csv_cells(), max_size=14), max_size=6),
        st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
        st.binary(max_size=40),
        st.booleans(),
    )
    def read(rows, encoding, noise, with_header):
        out = io.StringIO()
        if with_header:
            out.write(header + "\n")
        csv.writer(out, lineterminator="\n").writerows(rows)
        try:
            data = out.getvalue().encode(encoding)
        except UnicodeEncodeError:
            data = out.getvalue().encode("utf-8")
        path.write_bytes(data + noise)
        width = len(COLUMNS[kind])
        try:
            for number, cells in read_rows(path, kind):
                assert isinstance(number, int) and len(cells) == width
                assert all(isinstance(cell, str) for cell in cells)
        except ValidationError as error:
            assert error.message_dict.keys() == {"file"}

    read()
