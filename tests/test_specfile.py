"""The spec-file loader under every domain: safe YAML, line numbers, plain errors of the caller's class."""

from pathlib import Path
from typing import Annotated, Literal, Union

import pytest
from pydantic import Field

from crimecast.errors import CrimecastError, FleetFileError, FundFileError, PlanError, ScenarioError, SpecFileError
from crimecast.specfile import Month, Strict, find_file, load_yaml_model, read_yaml


class _Error(SpecFileError):
    pass


class _Red(Strict):
    kind: Literal["red"]
    shade: int = Field(ge=0)


class _Blue(Strict):
    kind: Literal["blue"]
    depth: float


class _Palette(Strict):
    name: str
    start: Month | None = None
    colours: list[Annotated[Union[_Red, _Blue], Field(discriminator="kind")]] = []


KINDS = {"colours": {"red": _Red, "blue": _Blue}}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "palette.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(_Error) as caught:
        load_yaml_model(_write(tmp_path, text), _Palette, what="a palette", error=_Error, kinds=KINDS)
    return str(caught.value)


def test_every_file_error_is_a_spec_file_error_with_exit_code_1():
    for kind in (ScenarioError, PlanError, FleetFileError, FundFileError):
        assert issubclass(kind, SpecFileError) and issubclass(kind, CrimecastError) and kind.exit_code == 1


def test_a_good_file_is_validated_and_months_are_normalised(tmp_path):
    palette = load_yaml_model(_write(tmp_path, "name: p\nstart: 2014-4\ncolours:\n  - {kind: red, shade: 2}\n"),
                              _Palette, what="a palette", kinds=KINDS)
    assert palette.start == "2014-04" and palette.colours[0].shade == 2


def test_errors_name_the_line_the_key_path_and_use_the_callers_class(tmp_path):
    text = "name: p\ncolours:\n  - kind: red\n    shade: -1\n  - kind: blue\n    dept: 3\n"
    assert _error(tmp_path, text).startswith(f"{tmp_path / 'palette.yaml'} line 6: colours[1].dept: unknown key 'dept'. "
                                             "Did you mean 'depth'? Keys allowed here: kind, depth.")


def test_an_unknown_kind_lists_the_kinds_passed_in(tmp_path):
    message = _error(tmp_path, "name: p\ncolours:\n  - kind: rde\n")
    assert "line 3: colours[0]: unknown colour kind 'rde'. Did you mean 'red'? Use one of: red, blue." in message


def test_a_key_written_twice_is_refused_not_silently_overwritten(tmp_path):
    assert "line 2: key 'name' appears twice. Keep one." in _error(tmp_path, "name: a\nname: b\n")


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    path = _write(tmp_path, "name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(_Error, match="a palette holds plain values only"):
        load_yaml_model(path, _Palette, what="a palette", error=_Error)


def test_not_a_mapping_and_missing_files_are_explained(tmp_path):
    assert "a palette is a YAML mapping" in _error(tmp_path, "- just\n- a list\n")
    assert "palette.yaml is empty (or holds only comments): a palette is" in _error(tmp_path, "# nothing yet\n")
    with pytest.raises(SpecFileError, match="not found.*Check the path, or name one"):
        read_yaml(tmp_path / "nowhere.yaml", what="palette", hint="or name one")


def test_find_file_prefers_a_real_path_then_a_shipped_name(tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "demo.yaml").write_text("name: d\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_file("demo", shipped) == shipped / "demo.yaml"
    (tmp_path / "demo").write_text("mine", encoding="utf-8")
    assert find_file("demo", shipped) == Path("demo")
    assert find_file("other.yaml", shipped) == Path("other.yaml")
