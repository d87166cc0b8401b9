"""Population files: reading, validation, and choosing the year."""

import pytest

from crimecast.data.population import load_population
from crimecast.errors import DataError


def test_reads_slugs_numbers_years_and_sources(write_csv):
    table = load_population(write_csv('area,population,year,source\nWest Midlands,"2,736,460",2011,Census\n'))
    (row,) = table.rows
    assert (row.area, row.people, row.year, row.source) == ("west-midlands", 2736460.0, 2011, "Census")


@pytest.mark.parametrize("text, message", [
    ("area,population\na,1\n", "missing column year"),
    ("area,population,year\na,1,\n", "row 2, column year: no year; give the year the population refers to"),
    ("area,population,year\na,lots,2011\n", "row 2, column population: 'lots' is not a number"),
    ("area,population,year\na,0,2011\n", "row 2, column population: a population must be above zero"),
    ("area,population,year\na,1,11\n", "row 2, column year: '11' is not a year"),
    ("area,population,year\na,1,2011\na,2,2011\n", "row 3: a second 2011 population for 'a' \\(first on row 2\\)"),
])
def test_bad_rows_are_named(write_csv, text, message):
    with pytest.raises(DataError, match=message):
        load_population(write_csv(text))


def test_missing_area_names_it_and_the_row_to_add(write_csv):
    table = load_population(write_csv("area,population,year\na,100,2011\n"))
    with pytest.raises(DataError, match="no population for 'b'; add a row b,POPULATION,YEAR"):
        table.for_areas(["a", "b"], year=2011)


def test_one_year_file_is_used_for_any_year_with_a_note(write_csv):
    table = load_population(write_csv("area,population,year\na,100,2011\nb,200,2011\n"))
    chosen, notes = table.for_areas(["a", "b"], year=2013)
    assert chosen["b"].people == 200 and "populations are for 2011" in notes[0]


def test_several_years_must_hold_the_year_for_every_area(write_csv):
    table = load_population(write_csv("area,population,year\na,100,2011\na,110,2013\nb,200,2011\n"))
    chosen, notes = table.for_areas(["a"], year=2013)
    assert chosen["a"].people == 110 and notes == []
    with pytest.raises(DataError, match="no 2013 population for 'b' \\(the file has 2011\\); add a row b,POPULATION,2013"):
        table.for_areas(["a", "b"], year=2013)
