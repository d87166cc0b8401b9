"""Terminal text as data: report modules return styled lines, the CLI prints them."""

from click.testing import CliRunner

from crimecast.cli import cli
from crimecast.report.text import Line, as_text, heading, note, plain


def test_lines_keep_their_text_and_style():
    lines = [heading("Title"), plain("a table"), note("Note: careful"), plain()]
    assert [line.style for line in lines] == ["heading", "plain", "note", "plain"]
    assert as_text(lines) == "Title\na table\nNote: careful\n"
    assert Line("x") == plain("x")


def test_the_cli_prints_a_report_modules_lines_in_order(small_csv):
    result = CliRunner().invoke(cli, ["list", "--data", str(small_csv)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Embedded datasets:" and "burglary" in result.stdout
    assert lines.index("Areas:") < lines.index("  force, north, south")
