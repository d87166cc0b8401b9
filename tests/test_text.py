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


def test_messages_go_to_stderr_and_results_to_stdout():
    import click

    from crimecast.cli import _show
    from crimecast.report.text import detail, done, error

    @click.command()
    def show():
        _show([plain("result"), error("failed"), done("saved"), note("careful", err=True), detail("trace"), note("aside")])

    result = CliRunner().invoke(show, [])
    assert result.stdout == "result\naside\n"
    assert result.stderr == "failed\nsaved\ncareful\ntrace\n"
    assert [line.style for line in (error("x"), done("x"), detail("x"))] == ["error", "done", "plain"]


def test_a_board_pack_whose_pdf_failed_says_so_on_stderr_after_the_html_it_wrote(tmp_path):
    from types import SimpleNamespace

    from crimecast.report.board_html import Written, written_text

    pack = SimpleNamespace(title="2013/14 milestones: year-end report as of March 2014")
    ok = written_text(pack, Written(html=tmp_path / "report.html", pdf=tmp_path / "report.pdf"), seconds=6.2)
    assert [line.text for line in ok][1] == f"Wrote {tmp_path / 'report.html'} and {tmp_path / 'report.pdf'} in 6 s."
    failed = written_text(pack, Written(html=tmp_path / "report.html", pdf=None, pdf_problem="Chromium crashed.",
                                        removed_stale_pdf=True), seconds=3)
    assert "Removed the old" in failed[2].text and str(tmp_path / "report.pdf") in failed[2].text
    assert failed[-1].style == "error" and failed[-1].err and failed[-1].text.endswith("report.html is complete.")


def test_wrote_line_names_the_chart_an_example_file_or_the_only_file():
    from pathlib import Path

    from crimecast.report.text import wrote_line

    assert wrote_line([Path("a.csv"), Path("a.png")], "out") == "\nWrote 2 files to out/ (chart a.png)."
    assert wrote_line([Path("a.csv"), Path("b.csv")], "out") == "\nWrote 2 files to out/ (e.g. a.csv)."
    assert wrote_line([Path("a.csv")], "out") == "\nWrote 1 file to out/ (a.csv)."  # spc --no-chart on a rate
