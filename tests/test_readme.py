"""The README's walkthrough runs top to bottom: every ``bash`` example, in order, in one empty folder.

Each command runs through click's CliRunner exactly as written in the README
(comments dropped, ``&&`` chains split), on the files earlier steps made. A
block preceded by ``<!-- walkthrough: skip (reason) -->`` is not run (the
install-and-test line). To keep this quick, every model's core is swapped for
the seasonal-naive core, month effects (seasonal adjustment, trajectories) are
seasonal means instead of a Prophet fit, work runs in this process, and charts
are laid out without tight_layout and written as one-pixel PNGs under their
real names (one-element SVGs in the Board pack); the fund is optimised with
fewer samples and without pricing its binding constraints, and fleet switching
values are bisected coarsely. The test checks that the commands, options,
file names and order of the walkthrough work, not the forecasts' or the
optimisers' numbers or the charts' drawing, which tests/test_models.py,
tests/test_csf.py, tests/test_fleet.py, tests/test_cli.py and bench/ check.
"""

from __future__ import annotations

import importlib
import re
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import crimecast.cli
import crimecast.report.charts as charts
from conftest import HOME_OFFICE, LONDON, needs_shared_data, unpriced
from crimecast.cli import cli
from crimecast.forecast import models
from crimecast.forecast.cores import SeasonalNaiveCore

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP = re.compile(r"<!--\s*walkthrough:\s*skip\b")
BLOCK = re.compile(r"(?P<before>(?:<!--[^\n]*-->\n)?)```bash\n(?P<body>.*?)```", re.DOTALL)


def readme_commands(text: str) -> list[tuple[list[str], str]]:
    """``(argv, line)`` of every ``forecast`` command in the README's bash blocks, in order; skipped blocks left out."""
    commands = []
    for block in BLOCK.finditer(text):
        if SKIP.search(block.group("before")):
            continue
        commands += block_commands(block.group("body"))
    return commands


def block_commands(body: str) -> list[tuple[list[str], str]]:
    """``(argv, line)`` of each ``forecast`` command in one bash block's ``body``."""
    commands = []
    for line in body.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        while words:
            chain = words.index("&&") if "&&" in words else len(words)
            command, words = words[:chain], words[chain + 1:]
            if command:
                assert command[0] == "forecast", f"README runs something other than forecast: {line!r}"
                commands.append((command[1:], line.strip()))
    return commands


# The README's output from the real data (../shared/data), whose commands the walkthrough skips: a skipped bash block
# followed at once by a text block is run as written, on the data imported as the README imports it, and the text
# block must be what its last command prints, line for line (a newcomer found two that had fallen behind).
REAL_DATA_OUTPUT = re.compile(r"<!--\s*walkthrough:\s*skip\b[^\n]*-->\n```bash\n(?P<body>(?:(?!```).)*)```\n\n"
                              r"```text\n(?P<shown>(?:(?!```).)*)```", re.DOTALL)
IMPORTS = {  # a dataset the README names -> its import command ("Your own data", "Next year's milestones")
    "london": ["data", "import", "csv", str(LONDON), "--name", "london", "--wide", "--category-col", "MajorText",
               "--area-col", "BoroughName", "--sum-duplicates"],
    "forces": ["data", "import", "home-office", str(HOME_OFFICE), "--name", "forces", "--sum-duplicates"],
}


def real_data_blocks(text: str) -> list[tuple[list[list[str]], str]]:
    """(the commands, the output shown) of each block of output from the real data."""
    return [([argv for argv, _ in block_commands(match.group("body"))], match.group("shown"))
            for match in REAL_DATA_OUTPUT.finditer(text)]


def test_the_real_data_output_blocks_are_found_and_their_data_can_be_imported():
    blocks = real_data_blocks(README.read_text(encoding="utf-8"))
    datasets = [argv[argv.index("--dataset") + 1] for commands, _ in blocks for argv in commands if "--dataset" in argv]
    assert len(blocks) >= 2 and set(datasets) <= set(IMPORTS) and {"london", "forces"} <= set(datasets)


@needs_shared_data
@pytest.mark.parametrize("index", range(len(real_data_blocks(README.read_text(encoding="utf-8")))))
def test_readme_output_from_the_real_data_is_what_the_command_prints(index, tmp_path, monkeypatch):
    commands, shown = real_data_blocks(README.read_text(encoding="utf-8"))[index]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRIMECAST_STORE", raising=False)  # the README's default store, here
    monkeypatch.setattr(crimecast.cli, "default_jobs", lambda: 1)  # each series is seeded: the same output
    runner = CliRunner()
    *setup, command = commands
    imported = runner.invoke(cli, IMPORTS[command[command.index("--dataset") + 1]])
    assert imported.exit_code == 0, imported.output
    for argv in setup:
        assert runner.invoke(cli, argv).exit_code == 0, argv
    result = runner.invoke(cli, command)
    assert result.exit_code == 0, result.output
    printed = [line.rstrip() for line in result.output.strip("\n").splitlines()]
    assert printed == [line.rstrip() for line in shown.strip("\n").splitlines()]


def _quick_pdf(html, pdf, **_):
    """A one-line stand-in for the PDF (printing it is tested in tests/test_board.py)."""
    return charts.write_atomic(Path(pdf), lambda tmp: tmp.write_bytes(b"%PDF-1.4\n% walkthrough stand-in\n"))


def _fewer_samples(load):
    """The CSF assumptions with fewer uncertainty samples and a one-point budget curve (the solves are tested in test_csf.py)."""
    from crimecast.optimise.assumptions import BudgetSweep

    def quick(*args, **kwargs):
        assumptions, source = load(*args, **kwargs)
        fewer = assumptions.uncertainty.model_copy(update={"samples": 8, "stability_samples": 3})
        budget = assumptions.fund.budget
        sweep = BudgetSweep(low=round(budget, -3), high=round(budget, -3), step=round(0.1 * budget, -3))  # one point
        fund = assumptions.fund.model_copy(update={"budget_sweep": sweep})
        return assumptions.model_copy(update={"uncertainty": fewer, "fund": fund}), source
    return quick


def _coarse_switching(switching_value):
    """Switching values bisected to 25% instead of 0.01% (the search is tested in test_fleet.py)."""
    return lambda *args, **kwargs: switching_value(*args, **{**kwargs, "tolerance": 0.25})


def _quick_png(fig, path):
    """Save a one-pixel PNG under the chart's name (drawing is tested elsewhere)."""
    from matplotlib.figure import Figure

    return charts.write_atomic(Path(path), lambda tmp: Figure(figsize=(0.01, 0.01), dpi=100).savefig(tmp, format="png"))


def _tiny_png(fig):
    """One-pixel PNG bytes in place of the chart (drawing is tested elsewhere)."""
    import io

    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    Figure(figsize=(0.01, 0.01), dpi=100).savefig(buffer, format="png")
    return buffer.getvalue()


def _tiny_svg_uri(fig):
    """A one-element SVG data URI in place of the Board pack's chart (drawing is tested in tests/test_board.py)."""
    import base64

    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()


def _quick_month_effects(y):
    """Month (or quarter) effects as seasonal means over the overall mean (the Prophet fit is tested elsewhere)."""
    if len(y) < 2 * y.index.month.nunique():
        return None
    means = y.astype(float).groupby(y.index.month.to_numpy()).mean()
    return (means / means.mean()).rename("month_effect")


def _patch_month_effects(monkeypatch) -> int:
    """Swap every crimecast module's ``fit_month_effects`` (wherever it was imported) for the quick one."""
    for name in ("crimecast.forecast.steps", "crimecast.scenarios.assess", "crimecast.forecast.run"):
        importlib.import_module(name)
    from crimecast.forecast import seasonal

    original = seasonal.fit_month_effects
    users = [module for name, module in list(sys.modules.items())
             if name.startswith("crimecast") and getattr(module, "fit_month_effects", None) is original]
    for module in users:
        monkeypatch.setattr(module, "fit_month_effects", _quick_month_effects)
    return len(users)


def test_walkthrough_parts_cover_every_command_once_and_repeat_only_saves():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    parts = [walkthrough_part(commands, part) for part in (1, 2, 3)]
    repeated = [c for c in parts[2] if c in parts[0] + parts[1]]
    assert repeated and all(_saved_name(argv) for argv, _ in repeated)
    assert parts[0] + parts[1] + parts[2][len(repeated):] == commands  # the repeats lead the part


def test_readme_commands_are_found_in_order():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    lines = [line for _, line in commands]
    assert len(commands) > 30
    assert lines.index(next(l for l in lines if l.startswith("forecast example changes"))) < lines.index(
        next(l for l in lines if "--known-changes changes.csv" in l))
    assert not any(l.startswith("pip install") for l in lines)


# The walkthrough runs in three parts, each in its own empty folder, so that the test workers share it: the
# second starts at the milestones, the third at the Board pack. Each section copies its own examples; a part
# first repeats the earlier commands that saved a forecast it reads (`--save NAME`, then `--forecast NAME`).
PART_STARTS = ("forecast milestones burglary --target -8%          # one target",
               "forecast report --plan plan-2013-14                       # a year-end")
EXPECTED_FILES = {
    1: ["out/burglary-dwelling_force_forecast.csv", "out/burglary-dwelling_force_spc_adjusted.png",
        "reports/shoplifting_force_forecast.csv", "out/summary.csv"],
    2: ["plan-2013-14.yaml", "csf-2013-14.yaml", "fleet-2013.yaml", "satisfaction.csv"],
    3: ["papers/september", "burglary.csv"],
}


def _saved_name(argv: list[str]) -> str | None:
    return argv[argv.index("--save") + 1] if "--save" in argv else None


def walkthrough_part(commands: list[tuple[list[str], str]], part: int) -> list[tuple[list[str], str]]:
    """The commands of one part, after the earlier commands that saved a forecast the part reads."""
    cuts = [0] + [next(i for i, (_, line) in enumerate(commands) if line.startswith(start)) for start in PART_STARTS]
    cuts.append(len(commands))
    own = commands[cuts[part - 1]:cuts[part]]
    read = {word for argv, _ in own for word in argv}
    saving = [(argv, line) for argv, line in commands[:cuts[part - 1]] if _saved_name(argv) in read]
    return saving + own


@pytest.mark.slow
@pytest.mark.parametrize("part", [1, 2, 3])
def test_readme_walkthrough_runs_top_to_bottom(part, tmp_path, monkeypatch):
    commands = walkthrough_part(readme_commands(README.read_text(encoding="utf-8")), part)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(models.CrimeForecaster, "_make_core", lambda self: SeasonalNaiveCore)
    monkeypatch.setattr(crimecast.cli, "default_jobs", lambda: 1)
    monkeypatch.setattr(charts, "save_figure", _quick_png)
    monkeypatch.setattr(charts, "png_bytes", _tiny_png)
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "tight_layout", lambda self, *args, **kwargs: None)
    assert _patch_month_effects(monkeypatch) >= 2
    import crimecast.optimise.assumptions as assumptions
    import crimecast.report.board_html as board_html

    monkeypatch.setattr(board_html, "print_pdf", _quick_pdf)
    monkeypatch.setattr(board_html, "svg_data_uri", _tiny_svg_uri)
    monkeypatch.setattr(assumptions, "load_assumptions", _fewer_samples(assumptions.load_assumptions))
    import crimecast.optimise.csf as csf
    import crimecast.optimise.fleet as fleet

    monkeypatch.setattr(csf, "_prices", unpriced)  # re-solving without each is tested in test_csf.py
    monkeypatch.setattr(fleet, "switching_value", _coarse_switching(fleet.switching_value))
    runner = CliRunner()
    for argv, line in commands:
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, f"README command failed: {line}\n{result.output}"
        assert "Traceback" not in result.output, line
    for name in EXPECTED_FILES[part]:
        assert (tmp_path / name).exists(), name
