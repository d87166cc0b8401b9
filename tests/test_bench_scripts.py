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
