"""Every bench script answers ``--help`` without running its bench or rewriting bench/RESULTS.md."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem not in {"__init__", "results"})


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_prints_and_stops(name, monkeypatch, capsys):
    results = ROOT / "bench" / "RESULTS.md"
    before = results.read_bytes()
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setattr(sys, "argv", [f"{name}.py", "--help"])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_path(str(ROOT / "bench" / f"{name}.py"), run_name="__main__")
    assert stopped.value.code == 0
    assert "usage:" in capsys.readouterr().out
    assert results.read_bytes() == before


def test_a_subsample_and_every_series_write_their_own_accuracy_sections(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.accuracy import section_name

    assert section_name(low_counts=False, series=30) == "accuracy"
    assert section_name(low_counts=False, series=None) == "accuracy-all-series"
    assert section_name(low_counts=True, series=30) == "accuracy-low-counts"
    assert section_name(low_counts=True, series=None) == "accuracy-low-counts-all-series"
