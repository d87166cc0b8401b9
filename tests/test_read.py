import pytest

from crimecast.data.read import read_table
from crimecast.errors import DataError


def test_blank_rows_are_left_out_and_rows_keep_their_line_in_the_file(write_csv):
    path = write_csv("month,count\r\n2020-01,5\r\n\r\n2020-02,6\r\n,\r\n , \r\n")  # as a spreadsheet saves it
    frame = read_table(path)
    assert frame["month"].tolist() == ["2020-01", "2020-02"]
    assert frame["_row"].tolist() == [2, 4]  # the blank line 3 still counts, so errors name the right row


def test_a_file_of_a_header_and_blank_rows_has_no_rows(write_csv):
    with pytest.raises(DataError, match=r"counts.csv: the file has a header but no rows"):
        read_table(write_csv("\ufeffmonth,count\r\n,\r\n"))
