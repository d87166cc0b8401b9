"""`forecast example` as lines: the shipped list and what was copied."""

from pathlib import Path

from crimecast.examples import examples
from crimecast.report.examples import copied_text, examples_text
from crimecast.report.text import as_text


def test_every_shipped_example_is_listed_with_its_files():
    shipped = examples()
    lines = examples_text(shipped.values())
    assert lines[0].style == "heading" and len(lines) == len(shipped) + 1
    fleet = next(line.text for line in lines if line.text.strip().startswith("fleet-2013"))
    assert "fleet-2013.yaml" in fleet and ".csv" in fleet  # a fleet comes with its vehicles CSV


def test_copied_files_are_named():
    assert as_text(copied_text([Path("a.yaml"), Path("b.csv")])) == "Copied a.yaml, b.csv."
