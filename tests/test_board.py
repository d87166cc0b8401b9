"""The Board pack: `forecast report` on the shipped 2013/14 replay, its content, its PDF and its bad inputs."""

from __future__ import annotations

import base64
import html as html_text
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from conftest import HOME_OFFICE, QUICK_FUND, needs_chromium, needs_shared_data
from crimecast.cli import cli
from crimecast.data.load import load_counts
from crimecast.data.series import with_totals
from crimecast.forecast import mdc
from crimecast.optimise.assumptions import load_assumptions
from crimecast.report.board import _binding_sentences, build_board_pack, crimecast_version, fingerprint
from crimecast.report.board_html import fleet_heading, render_html
from crimecast.scenarios.plan import load_plan
from tests.builders import avon_fund

pytestmark = pytest.mark.xdist_group("board-replay")  # one worker builds the replay once

# The published outcomes (PCC 2013/14 year-end report, sections E and G): every milestone was missed.
PUBLISHED = {"Total recorded crime": 0.023, "Burglary dwelling": -0.061, "Violence with injury": 0.087,
             "Crime in priority areas (proxy)": 0.023}
PUBLISHED_RATES = {"Victim satisfaction, crime": 0.838, "Victim satisfaction, ASB": 0.777}  # paras 106-107
DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


class Page(HTMLParser):
    """The parts of the page the tests look at."""

    def __init__(self, text: str):
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.headers: list[dict] = []
        self.rows: list[dict] = []
        self.icons: list[tuple[int, str]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._in_row = False
        self.feed(text)

    def handle_endtag(self, tag):
        if tag == "tr":
            self._in_row = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "th":
            self.headers.append(attrs)
        elif tag == "tr" and "milestone-row" in attrs.get("class", ""):
            self.rows.append(attrs)
            self._in_row = True
        elif tag == "span" and "data-icon" in attrs and self._in_row:
            self.icons.append((len(self.rows) - 1, attrs["data-icon"]))
        for name in ("href", "src", "action", "poster"):
            if name in attrs:
                self.links.append(attrs[name])


def _plain(html: str) -> str:
    """The page's text without the embedded charts and without tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", DATA_URI.sub("", html)))


def test_a_chance_takes_the_article_its_number_is_said_with():
    from crimecast.report.board import _chance

    assert [_chance(p, 1000) for p in (0.11, 0.08, 0.18, 0.83, 0.35, 0.006, 0.1, 0.0)] == [
        "an 11%", "an 8%", "an 18%", "an 83%", "a 35%", "a 0.6%", "a 10%", "less than a 0.1%"]


@pytest.fixture(scope="module")
def replay(board_replay):
    result, folder, _ = board_replay
    assert result.exit_code == 0, result.output
    html = (folder / "report.html").read_text(encoding="utf-8")
    return html, Page(html), folder


@pytest.mark.slow
def test_replay_has_every_milestone_with_its_published_outcome(replay):
    html, page, _ = replay
    plan = load_plan("plan-2013-14")
    assert len(page.rows) == len(plan.milestones) == len(PUBLISHED) + len(PUBLISHED_RATES)
    assert html.count('class="outcome" data-label="Outcome"') == len(page.rows)  # the year is complete
    assert 'class="summary cards verdict-first"' in html  # so a phone's card leads with it
    text = _plain(html)
    counted = [m for m in plan.milestones if m.rate is None]
    for milestone, row in zip(plan.milestones[len(counted):], page.rows[len(counted):]):  # the two satisfaction rates
        assert row["data-unit"] == "rate" and row["data-met"] == "false", milestone.name
        assert f"{milestone.name} was {PUBLISHED_RATES[milestone.name] * 100:.1f}% in 2013/14" in text
        assert float(row["data-p-meet"]) < 0.3
    assert "chart (Laney) used" in text  # ASB satisfaction varies more than its surveys explain
    for milestone, row in zip(counted, page.rows):
        published = PUBLISHED[milestone.name]
        assert float(row["data-outcome-change"]) == pytest.approx(published, abs=0.0005), milestone.name
        assert row["data-met"] == "false"  # all four were missed
        assert f"{published * 100:+.1f}%" in text
        assert milestone.name in text
    assert "Burglary dwelling was 6.1% below 2012/13 in 2013/14" in text
    assert "a significant fall (p < 0.001); the -8.0% milestone was missed" in text.replace("&lt;", "<")
    # Every milestone was unlikely from the start (forecast from March 2013).
    assert all(float(row["data-p-meet"]) < 0.3 for row in page.rows)
    # The year is over: what the limits said of each target is in the past tense.
    assert "will be hit and miss" not in text and "will be consistently" not in text
    assert text.count("was hit and miss") + text.count("was consistently") >= len(page.rows)


@pytest.mark.slow
def test_replay_icons_follow_from_the_numbers(replay):
    _, page, _ = replay
    for index, row in enumerate(page.rows):
        limits = mdc.Limits(mean=0.0, mr_bar=0.0, lower=float(row["data-lower"]), upper=float(row["data-upper"]))
        expected = mdc.assurance(limits, year_target=12 * float(row["data-monthly-target"]),
                                 lower_is_better=row["data-direction"] == "at_most")
        assert row["data-assurance"] == expected.kind
        shown = [kind for i, kind in page.icons if i == index]
        assert shown == [row["data-variation"], row["data-assurance"]]
        if row["data-variation"] != mdc.COMMON_CAUSE:
            higher_is_worse = row["data-direction"] == "at_most"
            worse = (row["data-variation-side"] == "higher") == higher_is_worse
            assert row["data-variation"] == (mdc.CONCERNING if worse else mdc.IMPROVING)
    by_name = dict(zip(PUBLISHED, page.rows))
    # Violence with injury stepped up in July 2013 (para 80): special cause, concerning.
    assert by_name["Violence with injury"]["data-variation"] == mdc.CONCERNING
    assert by_name["Violence with injury"]["data-variation-side"] == "higher"


@pytest.mark.slow
def test_replay_has_no_broken_image_and_no_external_url(replay):
    html, page, _ = replay
    assert len(page.images) == 2 * (len(PUBLISHED) + len(PUBLISHED_RATES)) + 2  # SPC + fan per milestone, CSF, fleet
    for image in page.images:
        assert len(image.get("alt", "")) > 40
        match = DATA_URI.fullmatch(image["src"])
        assert match, image["src"][:60]
        root = ET.fromstring(base64.b64decode(match.group(1)))
        assert root.tag.endswith("svg") and len(root) > 0
    for link in page.links:
        assert link.startswith(("#", "data:")), link
        if link.startswith("#"):
            assert link[1:] in page.ids, link
    outside = DATA_URI.sub("", html)
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/|url\(|@import", outside, flags=re.I)
    assert "<script" not in outside and "<link" not in outside


@pytest.mark.slow
def test_replay_is_accessible_html(replay):
    html, page, _ = replay
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:])), page.headings
    assert page.headers and all(h.get("scope") in ("col", "row") for h in page.headers)
    assert '<html lang="en-GB">' in html and 'name="viewport"' in html
    assert "@media screen and (max-width: 44rem)" in html  # the narrow-screen layout


@pytest.mark.slow
def test_replay_has_every_section_and_its_provenance(replay):
    html, page, _ = replay
    text = _plain(html)
    for section in ("summary", "scenarios", "money", "provenance"):
        assert section in page.ids
    for words in ("Domestic-abuse reporting uplift", "Evidence: PCC 2013/14 year-end report, para 81",
                  "Community Safety Fund, 2014/15", "next £10,000 buys", "binds", "Switching values",
                  "Whole-life cost over", "CO2"):
        assert words in text, words
    counts = with_totals(load_counts("west-midlands"))
    assert fingerprint(counts[counts["month"] <= pd.Timestamp("2014-03-01")]) in text
    assert "ILLUSTRATIVE DATA" in text
    assert "As of March 2014; forecasts made from March 2013" in text
    assert f"crimecast {crimecast_version()}" in text
    words = html_text.unescape(text)
    # Every forecast the pack shows is named with the part of the pack it serves.
    assert "Forecast: the count milestones and the scenario ets, 200 simulated paths, seed 2014" in words
    assert "Forecast: the rate milestones logit-binomial" in words
    assert "Forecast: the Community Safety Fund's baseline crime ets, 200 simulated paths" in words
    assert "simulated paths, seed 2014 Plan" not in words  # no single model line standing for the whole pack


@pytest.mark.slow
def test_replay_names_the_part_each_note_is_about_and_words_the_money_plainly(replay):
    html, page, _ = replay
    words = html_text.unescape(_plain(html))
    assert "Note: " not in words  # every note says which part of the pack it is about
    assert re.search(r"Note on the milestones: \d+ series are forecast one by one and added up", words)
    assert re.search(r"Note on the Community Safety Fund: \d+ series are forecast one by one and added up", words)
    assert "solved to proven optimality by HiGHS" in words and "by highs" not in words
    assert not re.search(r"would (gain|buy) 0\.0 ", words)  # a limit that gains nothing shown is not a gain of 0.0
    assert "West Midlands Police fleet renewal, 2013" in words
    assert "Fleet renewal: West Midlands Police fleet renewal" not in words
    assert "max_per_site" not in words  # the shipped limit of 4 charge points a site does not bind: nothing to say
    # The scenario's band only beside the series it changes (violence with injury, and the totals holding it).
    cumulative = [image["alt"] for image in page.images if image["alt"].startswith("Cumulative")]
    assert len(cumulative) == len(PUBLISHED)
    assert "scenario's 80% band" in cumulative[2] and "scenario's 80% band" not in cumulative[1]  # violence; burglary


@pytest.mark.slow
@needs_chromium
def test_replay_pdf_is_a4_with_a_page_per_section(replay):
    _, _, folder = replay
    pdf = folder / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("pdfinfo/pdftotext (poppler-utils) are not installed here; CI installs them")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 + len(PUBLISHED) + 1 + 1 + 1 <= pages <= 30  # summary, milestones, scenario, money, provenance
    assert "(A4)" in info
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for words in (*PUBLISHED, "Community Safety Fund", "Where the numbers come from", "ILLUSTRATIVE DATA"):
        assert words in text, words
    first_pages = " ".join(subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                                          text=True, check=True).stdout.split())
    assert "Summary" in first_pages and "Violence with injury" in first_pages


# ---------------------------------------------------------------- a quick pack: in-year, determinism, no Chromium

QUICK = ["--model", "seasonal-naive", "--paths", "100", "--as-of", "2013-09"]


def test_the_provenance_names_the_funds_forecast_beside_the_milestones(quick_plan, csf_file, unpriced_fund):
    counts = with_totals(load_counts("west-midlands"))
    pack = build_board_pack(counts, load_plan(quick_plan), as_of=pd.Timestamp("2013-09-01"), model="seasonal-naive",
                            csf=load_assumptions(csf_file(**QUICK_FUND, **{"forecast.paths": 300})))
    assert pack.provenance.forecasts == (
        ("Forecast: the count milestones", "seasonal-naive, 1,000 simulated paths, seed 2014"),
        ("Forecast: the Community Safety Fund's baseline crime",
         "seasonal-naive, 300 simulated paths, seed 2014, from the data to March 2014"))
    assert [part for part, _ in pack.notes] == ["the Community Safety Fund"]  # its 28 series; one milestone series
    text = html_text.unescape(_plain(render_html(pack)))
    assert "the Community Safety Fund's baseline crime seasonal-naive, 300 simulated paths" in text
    assert "Forecast: the count milestones seasonal-naive, 1,000 simulated paths" in text


def test_a_limit_that_gains_nothing_shown_is_not_called_a_gain():
    from types import SimpleNamespace

    binding = pd.DataFrame({"description": ["Coventry: at most 10% above 2013/14", "Walsall: at most 10% above 2013/14",
                                            "Fund: at most £6,969,000 in total"],
                            "group": ["change", "change", "budget"], "price": [0.006, 0.36, 0.02]})
    result = SimpleNamespace(binding=binding, spec=SimpleNamespace(budget=6_969_000),
                             weights=SimpleNamespace(unit="crimes prevented", currency="crimes"))
    assert _binding_sentences(result) == [
        "Coventry: at most 10% above 2013/14 is reached but hardly holds the plan back: dropping it would gain less "
        "than 0.05 (crimes prevented).",
        "Walsall: at most 10% above 2013/14 binds: dropping it would gain 0.4 (crimes prevented).",
        "Fund: at most £6,969,000 in total is reached but hardly holds the plan back: £10,000 more would gain less "
        "than 0.05 (crimes prevented)."]
    result.weights = SimpleNamespace(unit="£ social cost", currency="cost")
    assert "dropping it would gain less than £0.50" in _binding_sentences(result)[0]


def test_a_scheme_kept_out_by_its_payback_is_worded_as_a_sentence():
    from types import SimpleNamespace

    binding = pd.DataFrame({"description": ["ANPR extension: payback 3.8 years is beyond the 3-year limit"],
                            "group": ["payback"], "price": [140.0]})
    result = SimpleNamespace(binding=binding, spec=SimpleNamespace(budget=6_969_000),
                             weights=SimpleNamespace(unit="crimes prevented", currency="crimes"))
    assert _binding_sentences(result) == [
        "The payback limit keeps a scheme out (ANPR extension: payback 3.8 years is beyond the 3-year limit): allowing "
        "it would gain 140.0 (crimes prevented)."]


def test_the_fleet_heading_does_not_repeat_itself():
    assert fleet_heading("West Midlands Police fleet renewal, 2013") == "West Midlands Police fleet renewal, 2013"
    assert fleet_heading("diary cars 2015") == "Fleet renewal: diary cars 2015"


def test_in_year_pack_is_deterministic(quick_plan):
    counts = with_totals(load_counts("west-midlands"))
    plan = load_plan(quick_plan)
    build = lambda: build_board_pack(counts, plan, as_of=pd.Timestamp("2013-09-01"), model="seasonal-naive",  # noqa: E731
                                     paths=100)
    first, second = render_html(build()), render_html(build())
    assert first == second
    text = _plain(first)
    assert "In-year assurance for 2013/14" in text
    assert "Burglary dwelling is 6.4% below the same 6 months of last year" in text
    assert "The -8.0% milestone is at most 12,606 crimes in 2013/14, on 13,702 in 2012/13. There is" in text
    assert "chance of meeting it (expected" in text and "a target would be a coin toss" not in text
    assert first.count('scope="col"') == 8 and 'data-label="Outcome"' not in first  # no column of dashes in-year
    assert 'class="summary cards"' in first  # and no card leading with an outcome that is not known


def test_a_count_milestones_section_says_its_target_and_coin_toss_in_crimes(tmp_path):
    """A count target ("at most 12,000") read "a -1.7% target would be a coin toss"; a section stating a target now
    gives last year's total beside it (a change target's in crimes too: see test_in_year_pack_is_deterministic)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "name": "Count check", "year": "2013/14", "milestones": [
        {"name": "Burglary dwelling", "category": "burglary-dwelling", "count": 12000}]}), encoding="utf-8")
    counts = with_totals(load_counts("west-midlands"))
    text = _plain(render_html(build_board_pack(counts, load_plan(plan), as_of=pd.Timestamp("2013-09-01"),
                                               model="seasonal-naive", paths=100)))
    assert "The milestone is at most 12,000 crimes in 2013/14, against 13,702 in 2012/13. There is" in text
    assert re.search(r"; a target of \d{1,2},\d{3} would be a coin toss\.", text), text


def test_without_chromium_the_html_is_written_and_the_exit_says_so(quick_plan, tmp_path, monkeypatch):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF-1.4 from an earlier run")
    monkeypatch.setenv("CRIMECAST_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = CliRunner().invoke(cli, ["report", "--plan", str(quick_plan), *QUICK, "--out", str(out)])
    assert result.exit_code == 1
    assert "Chromium was not found" in result.output and "report.html is complete" in result.output
    assert "Traceback" not in result.output
    assert "  forecast " not in result.output  # progress as `run`'s bar, not a line a series
    assert (out / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not (out / "report.pdf").exists()  # no PDF of another run left beside the new page
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]  # no temporary files left
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "report.html").stat().st_mode & 0o777 == 0o666 & ~umask  # not private to its writer


def test_a_plan_naming_an_unknown_series_is_one_clear_line(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "year": "2013/14", "milestones": [
        {"category": "unicorn-theft", "target": "-5%"}]}), encoding="utf-8")
    out = tmp_path / "pack"
    result = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--no-pdf", "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "unicorn-theft" in errors[0] and "milestones[0]" in errors[0]
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []  # nothing written (the folder is not even made)


def test_the_pack_reads_the_data_its_plan_names(small_csv, tmp_path):
    """A plan's `data:` is the pack's data, as for `forecast milestones`, unless --data or --dataset says otherwise."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "year": "2013/14", "data": str(small_csv), "milestones": [
        {"category": "robbery", "area": "north", "target": "-5%"}]}), encoding="utf-8")
    out = tmp_path / "pack"
    result = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--model", "seasonal-naive", "--paths", "100",
                                      "--no-pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "small.csv" in page and "ILLUSTRATIVE" not in result.output
    result = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--data", "west-midlands", "--no-pdf",
                                      "--out", str(tmp_path / "other")])
    assert result.exit_code == 1 and "unknown area 'north' in west-midlands" in result.output


def _avon_file(tmp_path, *, start: str, months: int):
    """A counts file of one force (Avon and Somerset) in a force column: burglary and robbery, monthly from ``start``."""
    from conftest import seasonal_counts

    data = tmp_path / "avon.csv"
    periods = pd.date_range(f"{start}-01", periods=months, freq="MS")
    data.write_text("month,force,category,count\n" + "\n".join(
        f"{m:%Y-%m},Avon and Somerset,{c},{n}" for c in ("burglary", "robbery")
        for m, n in zip(periods, seasonal_counts(months))) + "\n")
    return data


def test_the_scenario_section_names_the_one_force_of_a_peers_dataset_as_scenario_check_does(tmp_path):
    """A file of one force imported as peers: `scenario check` says "burglary (Avon and Somerset)", and the pack's
    scenario section said "(force-wide)"."""
    data = _avon_file(tmp_path, start="2018-04", months=42)
    plan, scenario = tmp_path / "plan.csv", tmp_path / "push.yaml"
    plan.write_text("category,target,year\nburglary,-5%,2021/22\n")
    scenario.write_text(yaml.safe_dump({"version": 1, "name": "push", "base": {"data": str(data)}, "drivers": [
        {"name": "op", "kind": "uplift", "category": "burglary", "value": -0.05, "evidence": "ILLUSTRATIVE"}]}))
    source = ["--data", str(data), "--areas", "peers", "--area-col", "force"]
    check = CliRunner().invoke(cli, ["scenario", "check", str(scenario), *source])
    assert check.exit_code == 0 and "-5% on burglary (Avon and Somerset)" in check.output, check.output
    out = tmp_path / "pack"
    result = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--scenario", str(scenario), *source,
                                      "--model", "seasonal-naive", "--paths", "100", "--no-pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = html_text.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "op (uplift): -5% on burglary (Avon and Somerset)" in page and "(force-wide)" not in page


def test_the_fund_section_reads_one_force_of_a_peers_dataset_as_optimise_csf_does(tmp_path, unpriced_fund):
    """The fund's area: force on one force of peers is that force, by the default-area rule `optimise csf` reads it
    with (was: "fund.recipients.police.area: unknown area 'force'"), and the pack's fund is the optimiser's."""
    data = _avon_file(tmp_path, start="2017-04", months=48)
    plan, fund = tmp_path / "plan.csv", tmp_path / "fund.yaml"
    plan.write_text("category,target,year\nburglary,-5%,2021/22\n")
    fund.write_text(yaml.safe_dump(avon_fund(data=str(data), as_of="2021-03", paths=100)))
    source = ["--data", str(data), "--areas", "peers", "--area-col", "force"]
    result = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--csf", str(fund), *source, "--model",
                                      "seasonal-naive", "--paths", "100", "--no-pdf", "--out", str(tmp_path / "pack")])
    assert result.exit_code == 0, result.output
    optimised = CliRunner().invoke(cli, ["optimise", "csf", "--assumptions", str(fund), *source, "--no-chart",
                                         "--out", str(tmp_path / "csf")])
    assert optimised.exit_code == 0, optimised.output
    split = re.search(r"The optimal split of £1,000,000 gives [\d.]+ \(crimes prevented\) in 2021/22",
                      optimised.output)
    page = " ".join(html_text.unescape((tmp_path / "pack" / "report.html").read_text(encoding="utf-8")).split())
    assert split and split.group(0) in page


def test_the_fund_section_reads_a_fund_file_naming_a_stored_dataset(tmp_path, unpriced_fund):
    """A fund file whose forecast.data names a dataset in the store (`forecast data import ... --name avon`): `optimise
    csf` read it, the pack did not ("avon: no such file, embedded dataset or stored dataset")."""
    data, store = _avon_file(tmp_path, start="2017-04", months=48), str(tmp_path / "s.duckdb")  # the plan's: embedded
    imported = CliRunner().invoke(cli, ["data", "import", "csv", str(data), "--name", "avon", "--area-col", "force",
                                        "--areas", "peers", "--store", store])
    assert imported.exit_code == 0, imported.output
    fund = tmp_path / "fund.yaml"
    fund.write_text(yaml.safe_dump(avon_fund(data="avon", as_of="2021-03", paths=100)))
    result = CliRunner().invoke(cli, ["report", "--plan", "plan-2013-14", "--csf", str(fund), "--store", store,
                                      "--model", "seasonal-naive", "--paths", "100", "--no-pdf",
                                      "--out", str(tmp_path / "pack")])
    assert result.exit_code == 0, result.output
    optimised = CliRunner().invoke(cli, ["optimise", "csf", "--assumptions", str(fund), "--store", store, "--no-chart",
                                         "--out", str(tmp_path / "csf")])
    assert optimised.exit_code == 0, optimised.output
    split = re.search(r"The optimal split of £1,000,000 gives [\d.]+ \(crimes prevented\) in 2021/22", optimised.output)
    page = " ".join(html_text.unescape((tmp_path / "pack" / "report.html").read_text(encoding="utf-8")).split())
    assert split and split.group(0) in page
    misspelt = fund.read_text().replace("data: avon", "data: avn")
    (tmp_path / "typo.yaml").write_text(misspelt)
    refused = CliRunner().invoke(cli, ["report", "--plan", "plan-2013-14", "--csf", str(tmp_path / "typo.yaml"),
                                       "--store", store, "--no-pdf", "--out", str(tmp_path / "pack2")])
    assert refused.exit_code == 1 and "typo.yaml: forecast.data: 'avn'" in refused.output, refused.output
    assert "Did you mean 'avon'?" in refused.output


def test_an_unwritable_out_is_refused_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["report", "--plan", "plan-2013-14", "--out", str(blocker / "pack")])
    assert result.exit_code == 2
    assert "--out" in result.output and "cannot create a folder inside" in result.output
    assert "Traceback" not in result.output


def test_an_infeasible_fund_is_explained_and_writes_nothing(tmp_path, csf_file):
    infeasible = csf_file(**{"fund.budget": 1_000_000})
    out = tmp_path / "pack"
    result = CliRunner().invoke(cli, ["report", "--plan", "plan-2013-14", "--csf", str(infeasible), "--no-pdf",
                                      "--out", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "no plan meets every constraint" in errors[0].lower()
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_the_replay_is_shared_by_one_worker(request):
    """Under pytest-xdist, every test of the group runs on the worker that built the replay (--dist loadgroup)."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        assert request.node.nodeid.endswith("@board-replay"), "--dist loadgroup is not grouping tests"


def test_a_quarterly_pack_sets_a_quarterly_target_against_quarterly_limits_in_quarters(tmp_path):
    from crimecast.data.frequency import QUARTERLY
    from tests.conftest import quarterly_demo

    counts = quarterly_demo()  # 2006/07 Q1 to 2013/14 Q4
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump({"version": 1, "name": "q", "year": "2013/14", "milestones": [
        {"category": "burglary-dwelling", "target": "-5%"}]}), encoding="utf-8")
    pack = build_board_pack(counts, load_plan(plan_file), as_of=pd.Timestamp("2013-12-01"), model="seasonal-naive",
                            paths=100)
    view = pack.milestones[0]
    assert view.assurance.monthly_target == pytest.approx(view.assessment.threshold / 4)
    limits = view.process.chart.periods[-1].limits
    assert view.assurance.kind == mdc.assurance(limits, year_target=view.assessment.threshold,
                                                frequency=QUARTERLY).kind
    text = html_text.unescape(_plain(render_html(pack)))
    assert "the latest quarter is" in text and "a quarter) the target's quarterly equivalent" in text
    assert "the same 3 quarters of last year" in text and "Year to date vs same quarters last year" in text
    assert "refitted to the quarters observed" in text and "as a quarterly average" in text
    assert "2006/07 Q1 to 2013/14 Q3" in text and "of the quarterly counts used" in text
    assert "at least one point of the latest 2 quarters; the process has moved past the limits" in text  # the legend
    for monthly in ("latest month", "a month)", "monthly equivalent", "months observed", "2013-10", "6 months"):
        assert monthly not in text


def test_a_quarterly_year_end_pack_may_be_dated_at_the_last_quarters_end(tmp_path):
    from tests.conftest import quarterly_demo

    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump({"version": 1, "name": "q", "year": "2013/14", "milestones": [
        {"category": "burglary-dwelling", "target": "-5%"}]}), encoding="utf-8")
    pack = build_board_pack(quarterly_demo(), load_plan(plan_file), as_of=pd.Timestamp("2014-03-01"),
                            model="seasonal-naive", paths=100)  # the data's last quarter starts 2014-01, ends 2014-03
    assert pack.stage == "year end" and pack.milestones[0].assessment.outcome is not None


def test_a_year_end_pack_on_data_that_runs_past_the_year_is_dated_at_the_years_end(tmp_path):
    """A 2020/21 plan on police.uk data to September 2021 made "year-end report as of September 2021", its icons
    reading the months after the year: the Board expects the year as it ended, and a pack dated later to say so."""
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump({"version": 1, "name": "Burglary 2012/13", "year": "2012/13", "milestones": [
        {"name": "Burglary dwelling", "category": "burglary-dwelling", "target": "-5%"}]}), encoding="utf-8")
    ask = ["report", "--plan", str(plan_file), "--model", "seasonal-naive", "--paths", "100", "--no-pdf"]
    result = CliRunner().invoke(cli, [*ask, "--out", str(tmp_path / "default")])  # the data ends 2014-03
    assert result.exit_code == 0, result.output
    assert "Burglary 2012/13: year-end report as of March 2013." in result.output
    assert ("Note: the data runs to 2014-03, after 2012/13 ended: the pack is its year-end report, dated at the "
            "year's end (March 2013); --as-of 2014-03 dates it by the data's last month instead") in result.output
    dated = (tmp_path / "default" / "report.html").read_text(encoding="utf-8")
    assert "2006-04 to 2013-03" in _plain(dated) and "after the year ended" not in dated
    later = build_board_pack(with_totals(load_counts("west-midlands")), load_plan(plan_file),
                             as_of=pd.Timestamp("2014-03-01"), model="seasonal-naive", paths=100)
    assert later.title == "Burglary 2012/13: year-end report, with data to March 2014"
    assert ("The control charts and their icons read the data to March 2014, 12 months after the year ended."
            in _plain(render_html(later)))


def test_a_pack_on_a_dataset_of_rates_only_is_dated_by_its_rates_and_reads_no_survey_after_its_date(tmp_path,
                                                                                                  monkeypatch):
    """A stored dataset of rates has no counts: the pack is built from its rates, cut at the pack's date like counts,
    and reads them once (was three times: to date the pack, for the assessment and for the p-chart; twice without
    --as-of, to find its default date and again to build it)."""
    import crimecast.data.store as store_module
    from crimecast.data.rates import embedded_rates
    from crimecast.data.store import read_rates

    rates = embedded_rates("west-midlands")  # 2008-04 to 2014-03
    force = rates[(rates["area"] == "force") & (rates["category"] == "satisfaction-crime")]
    pd.DataFrame({"month": force["month"].dt.strftime("%Y-%m"), "satisfied": force["numerator"],
                  "surveyed": force["denominator"]}).to_csv(tmp_path / "sat.csv", index=False)
    store = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    imported = runner.invoke(cli, ["data", "import", "csv", str(tmp_path / "sat.csv"), "--numerator-col", "satisfied",
                                   "--denominator-col", "surveyed", "--name", "sat", "--store", store])
    assert imported.exit_code == 0, imported.output
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Satisfaction, category: sat, rate: 88%}\n")
    common = ["report", "--plan", str(plan), "--dataset", "sat", "--store", store, "--paths", "200", "--no-pdf"]
    reads = []
    monkeypatch.setattr(store_module, "read_rates", lambda name, **kw: reads.append(name) or read_rates(name, **kw))
    result = runner.invoke(cli, [*common, "--as-of", "2013-09", "--out", str(tmp_path / "pack")])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert reads == ["sat"]
    text = html_text.unescape(_plain((tmp_path / "pack" / "report.html").read_text(encoding="utf-8")))
    used = read_rates("sat", store=store)
    used = used[used["month"] <= pd.Timestamp("2013-09-01")]
    assert f"Data set sat (illustrative), 2008-04 to 2013-09 Fingerprint SHA-256 {fingerprint(used)}" in text
    assert "(of the monthly rates used, as a sorted CSV of month, area, category, numerator, denominator" in text
    assert "Oct 2010 to Sep 2013: p-chart used" in text  # the p-chart's three years end at the pack's date
    assert "Outcome" not in text  # in-year: the rest of the year's surveys are not read, so no outcome
    reads.clear()  # without --as-of: dated by the rates (at the year's end) and built from that one read (was two)
    year_end = runner.invoke(cli, [*common, "--out", str(tmp_path / "year-end")])
    assert year_end.exit_code == 0 and year_end.exception is None, year_end.output
    assert reads == ["sat"]
    assert "year-end report as of March 2014" in year_end.output
    late = runner.invoke(cli, [*common, "--as-of", "2014-04", "--out", str(tmp_path / "late")])
    assert late.exit_code == 2 and "Traceback" not in late.output
    assert "--as-of 2014-04 is after the last month of the rates (2014-03). Use 2014-03 or earlier." in late.output
    # before the data, every series read as unknown ("unknown category ... Known categories:  ")
    early = runner.invoke(cli, [*common, "--as-of", "2005-03", "--out", str(tmp_path / "early")])
    assert early.exit_code == 2 and "Traceback" not in early.output
    assert "--as-of 2005-03 is before the first month of the rates (2008-04): nothing was known then." in early.output


def test_a_pack_reads_the_rates_once_however_many_rate_milestones_it_has(tmp_path, monkeypatch):
    """The rates were read again (from the store, for a stored dataset) for every rate milestone's p-chart, then
    once for the assessment and once for the p-charts: now the p-charts draw those the assessment read."""
    import crimecast.data.rates as rates_module

    reads = []
    read = rates_module._all_rates_for
    monkeypatch.setattr(rates_module, "_all_rates_for", lambda counts, **kw: reads.append(1) or read(counts, **kw))
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n" + "".join(
        f"  - {{name: Satisfaction {n}, category: satisfaction-{c}, rate: {n}%}}\n"
        for n, c in ((88, "crime"), (80, "asb"), (85, "crime"))))
    counts = with_totals(load_counts())
    pack = build_board_pack(counts, load_plan(str(plan)), as_of=pd.Timestamp("2013-09-01"), paths=100)
    assert [m.process.chart.kind for m in pack.milestones] == ["p-chart", "p' chart (Laney)", "p-chart"]
    assert len(reads) == 1  # for the assessment and the three p-charts
    assert pack.report.rates is not None and pack.report.rates["month"].max() == pd.Timestamp("2013-09-01")


def test_a_rate_year_end_sentence_says_how_much_of_the_year_before_was_recorded():
    """A year-end pack compares a rate with the year before; when surveys cover only part of that year, it says so."""
    from types import SimpleNamespace

    from crimecast.report.board import _against_last_rate

    def said(months: int, last: float | None) -> str:
        a = SimpleNamespace(year_start=2014, last_year_months_recorded=months, last_year=last)
        return _against_last_rate(a, 0.86)

    assert said(12, 0.84) == "against 84.0% in 2013/14 (+2.0 points)"
    assert said(9, 0.84) == "against 84.0% in 2013/14, recorded in only 9 of its 12 months (+2.0 points)"
    assert said(0, None) == "(no month of 2013/14 recorded)"


def test_process_sentence_names_the_step_that_set_the_current_period():
    # London burglary (force) has steps in 2021-05 (down) and 2023-03 (up): the pack's sentence quoted the first,
    # "a step change down ... to a process average of 4,526", beside the current period's limits
    from crimecast.forecast.mdc import assurance, variation
    from crimecast.forecast.run import run_spc
    from crimecast.report.board import IN_YEAR, _process_sentence
    from tests.conftest import seasonal_counts

    months = pd.date_range("2016-04-01", periods=48, freq="MS")
    noise = seasonal_counts(48, level=200, seed=3) - 200
    level = [400] * 16 + [300] * 16 + [380] * 16
    counts = pd.DataFrame({"month": months, "area": "force", "category": "burglary",
                           "count": [max(int(a + b * 0.2), 0) for a, b in zip(level, noise)]})
    process = run_spc(counts, category="burglary", area="force", start=months[0], exceptional=())
    assert len(process.chart.steps) == 2, process.summary
    limits = process.chart.periods[-1].limits
    sentence = _process_sentence(process, variation(process.chart, lower_is_better=True),
                                 assurance(limits, year_target=3_600, lower_is_better=True), IN_YEAR)
    assert sentence.startswith("Step change up of") and f"{limits.mean:,.0f}" in sentence.split(";")[0]
    assert " will be " in sentence  # the year is still running


def test_process_sentence_judges_no_target_against_limits_that_mean_nothing():
    # London's airports' burglary, 2020-23: mostly zeros, limits 2 / 2 / 2 that flag every month
    from crimecast.forecast.mdc import assurance, variation
    from crimecast.forecast.run import run_spc
    from crimecast.report.board import IN_YEAR, _process_sentence

    months = pd.date_range("2020-10-01", periods=36, freq="MS")
    counts = pd.DataFrame({"month": months, "area": "force", "category": "burglary",
                           "count": [0] * 30 + [1, 11, 7, 10, 18, 20]})
    process = run_spc(counts, category="burglary", area="force", start=months[0], exceptional=())
    current = process.chart.periods[-1]
    sentence = _process_sentence(process, variation(process.chart, lower_is_better=True),
                                 assurance(current.limits, year_target=20, lower_is_better=True,
                                           degenerate=current.degenerate), IN_YEAR)
    assert sentence.startswith("Too few crimes, too evenly spread, for a control chart: 30 of the 36 months")
    assert sentence.endswith("The target is not judged against control limits.") and "natural limits" not in sentence


def test_process_sentence_says_when_the_latest_months_lie_beyond_the_limit_the_target_lies_beyond():
    # Merseyside burglary, 2018-03 to 2021-09: a fall not confirmed as a step, the last six months under the lower
    # limit (581) and the target's monthly equivalent (574); the pack said "will be consistently missed"
    from crimecast.forecast.mdc import CONSISTENTLY_MISSED, MOVED, assurance, variation
    from crimecast.forecast.run import run_spc
    from crimecast.report.board import IN_YEAR, _current_values, _process_sentence

    months = pd.date_range("2018-04-01", periods=36, freq="MS")
    values = [round(900 - 9 * i + (20 if i % 2 else -20)) for i in range(30)] + [560, 550, 565, 545, 555, 548]  # no step
    counts = pd.DataFrame({"month": months, "area": "force", "category": "burglary", "count": values})
    process = run_spc(counts, category="burglary", area="force", start=months[0], exceptional=())
    limits = process.chart.periods[-1].limits
    latest = _current_values(process.chart)
    assert assurance(limits, year_target=12 * 570, lower_is_better=True).kind == CONSISTENTLY_MISSED
    assure = assurance(limits, year_target=12 * 570, lower_is_better=True, latest=latest)
    assert assure.kind == MOVED and limits.lower > 565 and not process.chart.steps, process.summary
    assert assure.label == "Not judged: recent months lie beyond the limits"
    sentence = _process_sentence(process, variation(process.chart, lower_is_better=True), assure, IN_YEAR)
    assert sentence.endswith("(570) lies below the lower limit, but so do the latest 6 months (545 to 565): the "
                             "process has moved past the limits, so the target is not judged against them."), sentence
    within = assurance(limits, year_target=12 * 700, lower_is_better=True, latest=latest)  # inside the limits
    assert "moved past" not in _process_sentence(process, variation(process.chart, lower_is_better=True), within, IN_YEAR)


def test_process_sentence_counts_the_latest_six_months_beyond_the_limit_when_not_all_are():
    # Westminster theft, 2023: months beyond the limit the target lies beyond, then the latest back inside; the pack
    # said "will be consistently met" (only an unbroken run at the very end counted). Months beyond that are older
    # than the latest 6 leave the reading as it was.
    from crimecast.forecast.mdc import CONSISTENTLY_MISSED, MOVED, assurance, variation
    from crimecast.forecast.run import run_spc
    from crimecast.report.board import IN_YEAR, _current_values, _process_sentence

    def read(tail):
        values = [round(900 - 9 * i + (20 if i % 2 else -20)) for i in range(30)] + tail
        months = pd.date_range("2018-04-01", periods=len(values), freq="MS")
        counts = pd.DataFrame({"month": months, "area": "force", "category": "burglary", "count": values})
        process = run_spc(counts, category="burglary", area="force", start=months[0], exceptional=())
        assert not process.chart.steps, process.summary
        assure = assurance(process.chart.periods[-1].limits, year_target=12 * 570, lower_is_better=True,
                           latest=_current_values(process.chart))
        return assure, _process_sentence(process, variation(process.chart, lower_is_better=True), assure, IN_YEAR)

    assure, sentence = read([700, 690, 560, 550, 565, 640, 650])  # 3 of the latest 6 under the lower limit (635)
    assert assure.kind == MOVED and sentence.endswith(
        "(570) lies below the lower limit, but so do 3 of the latest 6 months (550 to 565): the process has moved past "
        "the limits, so the target is not judged against them."), sentence
    assure, sentence = read([560, 550, 565, 640, 650, 660, 655, 645, 650, 660])  # the same 3, now 8 to 10 months back
    assert assure.kind == CONSISTENTLY_MISSED and assure.lower > 565, sentence
    assert sentence.endswith("(570) will be consistently missed."), sentence


def test_the_moved_reading_for_counts_looks_only_at_the_current_period():
    # a known change down 4 months before the end: the 2 months before it (880, 920) are among the latest 6 but not in
    # the current period, whose limits (559 to 639) the target's 700 lies above; the pack read "moved" on them
    from crimecast.data.known_changes import KnownChange
    from crimecast.forecast.mdc import CONSISTENTLY_MET, assurance, variation
    from crimecast.forecast.run import run_spc
    from crimecast.report.board import IN_YEAR, _current_values, _process_sentence

    values = [900 + (20 if i % 2 else -20) for i in range(32)] + [600, 590, 610, 595]
    months = pd.date_range("2018-04-01", periods=len(values), freq="MS")
    counts = pd.DataFrame({"month": months, "area": "force", "category": "burglary", "count": values})
    process = run_spc(counts, category="burglary", area="force", start=months[0], exceptional=(),
                      known_changes=(KnownChange(month=months[-4], description="recording change"),))
    assert list(_current_values(process.chart)) == [600, 590, 610, 595]
    assure = assurance(process.chart.periods[-1].limits, year_target=12 * 700, lower_is_better=True,
                       latest=_current_values(process.chart))
    assert assure.kind == CONSISTENTLY_MET and assure.upper < 700, process.summary
    sentence = _process_sentence(process, variation(process.chart, lower_is_better=True), assure, IN_YEAR)
    assert sentence.endswith("(700) will be consistently met."), sentence


def test_a_rate_target_beyond_a_limit_the_latest_months_also_lie_beyond_is_not_judged_in_the_counts_words():
    # satisfaction near 85% for 31 months, then five months near 90% (too few to confirm a step): a 89% target above
    # the typical month's upper limit read "will be consistently missed" beside five months above it
    from crimecast.data.rates import SATISFACTION, RateWords
    from crimecast.forecast.mdc import CONSISTENTLY_MISSED, MOVED
    from crimecast.forecast.pchart import describe_p_chart, p_chart
    from crimecast.report.board import IN_YEAR, RateProcess, _rate_assurance, _rate_process_sentence, _rate_variation

    rates = [0.84 + (0.004 if i % 2 else -0.004) for i in range(31)] + [0.9, 0.905, 0.895, 0.91, 0.9]
    series = pd.DataFrame({"numerator": [round(r * 800) for r in rates], "denominator": 800},
                          index=pd.date_range("2011-04-01", periods=36, freq="MS"))
    series.attrs["words"] = SATISFACTION
    chart = p_chart(series)
    process = RateProcess(category="satisfaction", area="force", chart=chart, summary=describe_p_chart(chart))
    var = _rate_variation(chart, lower_is_better=False)

    def read(target: float):
        assure = _rate_assurance(chart, target=target, lower_is_better=False)
        return assure, _rate_process_sentence(process, var, assure, target, IN_YEAR)

    assure, sentence = read(0.89)
    assert assure.kind == MOVED and not chart.steps and assure.upper < 0.895, describe_p_chart(chart)
    assert assure.label == "Not judged: recent months lie beyond the limits"
    assert sentence.endswith("the target of 89.0% lies above the upper limit, but so do the latest 5 months (89.5% to "
                             "91.0%): the process has moved past the limits, so the target is not judged against them."), sentence
    settled = series.iloc[:31]  # without the latest months the same target is consistently missed
    assert _rate_assurance(p_chart(settled), target=0.89, lower_is_better=False).kind == CONSISTENTLY_MISSED
    assure, sentence = read(0.86)  # a target within the limits is read as before
    assert assure.kind != MOVED and sentence.endswith("the target of 86.0% will be hit and miss."), sentence
    assert "Against the limits for a typical month's surveys (" in sentence and "survey sampling" in sentence
    series.attrs["words"] = RateWords("dwelling", "burglaries")  # a rate that is not satisfaction: in its own words
    chart = p_chart(series)
    process = RateProcess(category="dwelling-share", area="force", chart=chart, summary=describe_p_chart(chart))
    sentence = _rate_process_sentence(process, var, _rate_assurance(chart, target=0.86, lower_is_better=False), 0.86,
                                      IN_YEAR)
    assert "Against the limits for a typical month's burglaries (" in sentence and "survey" not in sentence, sentence


def test_a_binding_charge_point_limit_is_told_in_the_packs_fleet_section(quick_plan):
    from crimecast.optimise.fleet_spec import load_fleet

    shipped = load_fleet("fleet-2013")  # its limit of 4 a site never binds (tests/test_fleet.py): nothing said
    points = shipped.spec.charge_points.model_copy(update={"max_per_site": 2})
    limited = shipped.model_copy(update={"spec": shipped.spec.model_copy(update={"charge_points": points})})
    pack = build_board_pack(with_totals(load_counts("west-midlands")), load_plan(quick_plan),
                            as_of=pd.Timestamp("2013-09-01"), model="seasonal-naive", paths=100, fleet=limited)
    money = html_text.unescape(_plain(render_html(pack))).split("Switching values")[0]
    assert "Charge points are limited to 2 a site (max_per_site under charge_points in the fleet file)" in money
    assert "keeps 4 vehicles from going electric" in money and "Without the limit (up to 3 charge points a site)" in money


FLEET_IN_THOUSANDS = """version: 1
name: Diary cars priced in thousands
vehicles: vehicles.csv
appraisal: {years: 4, discount_rate: 0.035, days_per_year: 230, winter_range_derate: 0.25, emission_factor_year: "2013"}
prices: {fuel_per_litre: 1.17, electricity_per_kwh: 0.11}
charge_points: {cost_per_point: 2500, grant_fraction: 0.6, power_kw: 3.7}
options:
  - {name: Diesel (purchase), kind: diesel, roles: [diary-car], price: 13, residual_fraction: 0.3,
     litres_per_mile: 0.101, maintenance_per_mile: 0.06, co2_g_per_mile: 185}
  - {name: Leaf (purchase), kind: battery-ev, roles: [diary-car], price: 15.3, residual_fraction: 0.2,
     kwh_per_mile: 0.3, electric_range_miles: 75, maintenance_per_mile: 0.025, co2_g_per_mile: 0}
"""


def test_the_fleet_optimisers_notes_reach_the_packs_fleet_section(quick_plan, tmp_path):
    """The optimiser's notes (prices that look like thousands; what ran out of time) were in the terminal and
    workbook but not the pack, which showed a plan priced at £13 a car without a word."""
    from crimecast.optimise.fleet_spec import load_fleet
    from crimecast.report.board import fleet_note_for_board

    (tmp_path / "fleet.yaml").write_text(FLEET_IN_THOUSANDS, encoding="utf-8")
    (tmp_path / "vehicles.csv").write_text("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\n"
                                           "DC01,site-01,diary-car,45,55,14,Diesel (purchase)\n", encoding="utf-8")
    pack = build_board_pack(with_totals(load_counts("west-midlands")), load_plan(quick_plan),
                            as_of=pd.Timestamp("2013-09-01"), model="seasonal-naive", paths=100,
                            fleet=load_fleet(tmp_path / "fleet.yaml"))
    money = html_text.unescape(_plain(render_html(pack))).split("Fleet renewal: Diary cars priced in thousands")[1]
    assert "Note on the fleet plan: Every option's price is under £1,000" in money.split("Switching values")[0]
    assert "write them in full (13,000, not 13)." in money
    stopped = ("Switching values skipped: the cheapest plan without limits was not proven in time (highs did not prove "
               "an optimum within the time limit of 2 s (best plan found 1.2e+06; best proven bound 1.1e+06 (no plan "
               "can cost less)), so crimecast reports nothing from it. Allow more time (--time-limit) or simplify the "
               "problem.).")
    assert fleet_note_for_board(stopped) == (
        "Switching values skipped: the cheapest plan without limits was not proven in time (the solver ran out of its "
        "2 s before it could be sure of the best plan, so nothing is reported from it).")
    assert fleet_note_for_board("Sensitivity: 5 of 5 prices skipped (not proven optimal within the time allowed).") \
        == "Sensitivity: 5 of 5 prices skipped (not worked out for certain in the time allowed)."


def test_board_notes_leave_out_the_switches_an_analyst_would_pass():
    """The notes as the terminal words them name switches (--no-drift, --no-steps, --exceptional); the Board pack
    gives each without them, as whole sentences, and a note that only differed by a switch once."""
    from types import SimpleNamespace

    from crimecast.data.frequency import MONTHLY
    from crimecast.forecast.drift import Drift
    from crimecast.forecast.models import step_note
    from crimecast.forecast.panel import steps_note
    from crimecast.report.board import for_board

    drift = Drift(errors=(0.06,) * 12, categories=8, year_start=pd.Timestamp("2012-04-01")).note(frequency=MONTHLY)
    step = SimpleNamespace(change=-0.12, known=False, month=pd.Timestamp("2019-05-01"), before=410.0, after=362.0)
    cases = {
        steps_note(["other-offences / force -6% from 2011-04", "violence-with-injury / force -6% from 2011-05"]):
            "2 step changes modelled as level shifts: other-offences / force -6% from 2011-04; "
            "violence-with-injury / force -6% from 2011-05.",
        step_note(step, frequency=MONTHLY):
            "step change down of 12% from 2019-05 is modelled as a level shift; the periods either side average "
            "410 and 362 (seasonally adjusted).",
        "12 exceptional months (covid) kept out of fitting; the forecast follows the pattern around them. "
        "--exceptional none (exceptional: none in a file) keeps them in.":
            "12 exceptional months (covid) kept out of fitting; the forecast follows the pattern around them.",
        "covid of the UK calendar ended fewer than 12 months before the data does, so it stays in the fit until the "
        "months after show whether the level came back; give the dates in your own --exceptional file to keep them "
        "out now.":
            "covid of the UK calendar ended fewer than 12 months before the data does, so it stays in the fit until "
            "the months after show whether the level came back.",
        "ets's windows carry the dataset drift measured at each window's origin, as its forecasts do "
        "(--no-drift leaves it out).": "ets's windows carry the dataset drift measured at each window's origin, as "
                                       "its forecasts do.",
        "3 series (a / b): intervals are wide (width factor 3 or more, where 1.3 to 2.0 is typical).":
            "3 series (a / b): intervals are wide (width factor 3 or more, where 1.3 to 2.0 is typical).",
    }
    for note, board in cases.items():
        assert for_board(note) == board, note
    assert "drift: false" in drift and for_board(drift).endswith("in its first months.")
    # (was "forecasts have been missing: ...", which reads as if there were no forecasts)
    assert for_board(drift) == ("recent forecasts fell short: in the year 2012-04 to 2013-03, recorded crime in this "
                                "dataset's 8 categories came in 6.2% above what was forecast a year ahead, so this "
                                "forecast carries 25% of that gap forward: about +1.5% on a year's total, more in its "
                                "first months.")
    for board in [*cases.values(), for_board(drift)]:
        assert not re.search(r"--|drift: false|steps: false|exceptional: none|level_shifts", board)
        assert board.endswith(".") and "  " not in board and " ." not in board and " ;" not in board


def test_the_packs_drift_note_has_no_switch_in_it(tmp_path):
    """The default model's dataset-drift note on the 2013/14 data, as the Board pack gives it (the milestones' own
    notes, which `forecast milestones` prints, keep the switch)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "name": "Violence check", "year": "2013/14", "milestones": [
        {"name": "Violence with injury", "category": "violence-with-injury", "target": "-5%"}]}), encoding="utf-8")
    pack = build_board_pack(with_totals(load_counts("west-midlands")), load_plan(plan), as_of=pd.Timestamp("2013-09-01"),
                            paths=100)
    notes = [note for _, note in pack.notes]
    drift = [note for note in notes if note.startswith("recent forecasts fell short: in the year 2012-10 to 2013-09")]
    assert len(drift) == 1 and drift[0].endswith("about +0.6% on a year's total, less in its first months."), notes
    assert not any(re.search(r"--[a-z]|steps: false|drift: false|exceptional: none|level_shifts", n) for n in notes)
    assert any(note.endswith("--no-drift (drift: false in a file) leaves it out.") for note in pack.report.notes)


def test_board_notes_say_what_calibration_means_for_the_reader_not_how_it_was_done():
    """The forecast's notes on how its ranges were made, as the terminal gives them (width factors, backtests, the log
    scale, 1.80) and as the Board reads them: what they mean for the ranges and chances."""
    from crimecast.data.frequency import QUARTERLY
    from crimecast.forecast.calibrate import WIDE_INTERVALS, Calibration, wide_note
    from crimecast.forecast.drift import Drift
    from crimecast.forecast.models import PARTLY_CALIBRATED
    from crimecast.report.board import for_board
    from crimecast.report.milestones import CALIBRATION_CAVEAT

    index = pd.date_range("2002-04-01", periods=45, freq="QS-JAN")
    wide = wide_note(Calibration(scale=3.7, n_scores=12, windows=3, window_misses=((32, 3.9, 0.16), (36, 3.4, -0.28))),
                     index, label=QUARTERLY.label, noun="quarter")
    lead = "4 series (criminal-damage-and-arson / west-midlands, robbery / west-midlands ...): "
    notes = {  # as `forecast milestones` prints them on the Home Office table and on police.uk Merseyside
        lead + PARTLY_CALIBRATED:
            lead + "there are under three years of past forecasts to test these series' ranges on, so how wide their "
            "ranges are rests partly on what is typical of other series, not only on their own record: read their "
            "ranges, and the chances drawn from them, as less certain than usual.",
        "burglary / merseyside: intervals calibrated on only 9 backtest months (three years make full evidence): their "
        "width factor is weighed against the factor for series without backtests of their own, 1.80, giving 2.04.":
            "burglary / merseyside: only 9 months of past forecasts could test its range (three years would be full "
            "evidence), so how wide its range is rests partly on what is typical of other series, not only on its own "
            "record: read its range, and the chance drawn from it, as less certain than usual.",
        "robbery / force: series too short to calibrate intervals on its own backtests; used the width factor for "
        "series without backtests of their own, 1.80.":
            "robbery / force: too short to test its forecast's range on its own past: the range is as wide as is "
            "typical of other series, so read it, and the chance drawn from it, as less certain than usual.",
        lead + WIDE_INTERVALS:
            lead + "their ranges are wide: in some past years these series' counts ran much further from the forecast "
            "than expected, so their ranges are widened to allow for moves that size.",
        "robbery / west-midlands: " + wide:
            "robbery / west-midlands: its range is wide: in the years from 2010/11 Q1 and 2011/12 Q1 its counts ran 16% "
            "above and 28% below the forecast in a typical quarter, much further than expected, so its range is "
            "widened to allow for moves that size.",
        "9 series forecast separately and added up path by path (totals are coherent); their paths are paired so year "
        "totals move together as their year-on-year changes have.":
            "9 series are forecast one by one and added up, so each total agrees with its parts, and its range allows "
            "for parts that tend to rise and fall together.",
        "13 series (a / b): 7 exceptional months (lockdown-1 of the covid-uk calendar) kept out of fitting; the "
        "forecast follows the pattern around them (and out of the interval calibration scores). --exceptional none "
        "(exceptional: none in a file) keeps them in.":
            "13 series (a / b): 7 exceptional months (lockdown-1 of the covid-uk calendar) kept out of fitting; the "
            "forecast follows the pattern around them.",
    }
    assert wide.startswith("intervals are wide (width factor 3.7, where 1.3 to 2.0 is typical): in the backtest years")
    for note, board in notes.items():
        assert for_board(note) == board, note
    drift = Drift(errors=(-0.04,) * 4, categories=9, year_start=pd.Timestamp("2012-07-01")).note(frequency=QUARTERLY)
    caveat = for_board(CALIBRATION_CAVEAT)
    assert caveat.startswith("Tested against what really happened, ") and "bench/" not in caveat
    jargon = r"width factor|backtest|calibrat|log scale|1\.80|bench/|path by path|coherent|dataset drift"
    for board in [*notes.values(), for_board(drift), caveat]:
        assert not re.search(jargon, board), board
    assert for_board(drift).startswith("recent forecasts ran high: in the year 2012/13 Q2 to 2013/14 Q1, recorded "
                                       "crime in this dataset's 9 categories came in ")
    assert " below what was forecast a year ahead, so this forecast carries 25% of that gap forward: " in for_board(drift)
    assert for_board(drift).endswith("in its first quarters.")
    assert for_board("a note with nothing to translate.") == "a note with nothing to translate."


def test_a_planning_packs_change_on_a_part_forecast_year_says_so_in_its_cell(tmp_path):
    """Planning 2013/14 in December 2012: the change in "Forecast for the year" is on 2012/13, of which January to
    March 2013 are forecast; the cell carries a mark tied to a note under the table that says so, and the pack does
    not repeat the terminal's note (which speaks of its 'last year' column and 50/70/90% targets)."""
    from crimecast.report.board import PLANNING
    from crimecast.report.board_html import summary_footnotes, summary_rows
    from crimecast.scenarios.assess import partly_forecast_note
    from tests.conftest import quarterly_demo

    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump({"version": 1, "name": "q", "year": "2013/14", "milestones": [
        {"category": "burglary-dwelling", "target": "-5%"}]}), encoding="utf-8")
    plan = load_plan(plan_file)
    pack = build_board_pack(quarterly_demo(), plan, as_of=pd.Timestamp("2012-12-01"), model="seasonal-naive",
                            paths=100)
    assert pack.stage == PLANNING and pack.milestones[0].assessment.last_year_partly_forecast
    notes = summary_footnotes(pack)
    assert notes == [{"mark": "*", "id": "summary-note-1", "text":
                      "The forecast's change is on 2012/13, which is not complete: April 2012 to December 2012 are "
                      "actual and January 2013 to March 2013 forecast. P(meet) allows for the uncertainty of that "
                      "forecast too."}]
    assert summary_rows(pack)[0]["forecast"]["note"] == notes[0]
    html = render_html(pack)
    assert '<sup class="mark"><a href="#summary-note-1" aria-describedby="summary-note-1">' in html
    assert '<p class="footnote" id="summary-note-1">' in html
    terminal = partly_forecast_note(pack.report.assessments)
    assert terminal and terminal[0] in pack.report.notes and terminal[0] not in [n for _, n in pack.notes]
    assert "expected " in pack.milestones[0].sentences[1] and " on a partly forecast 2012/13, 80% interval" in \
        pack.milestones[0].sentences[1]
    in_year = build_board_pack(quarterly_demo(), plan, as_of=pd.Timestamp("2013-06-01"), model="seasonal-naive",
                               paths=100)
    assert summary_footnotes(in_year) == [] and "summary-note" not in render_html(in_year)


def test_two_signals_that_seem_to_disagree_are_explained_in_words():
    """The icon reads the latest period against the chart's limits; the E-test the year so far against last year. A
    special cause on the other side from a significant change (below the limits of a long average, yet up on last
    year) is said in words; so is a significant change beside a common-cause icon read against a settled level; a
    plain common-cause icon beside one is left to the key, and agreement says nothing."""
    from crimecast.data.frequency import QUARTERLY
    from crimecast.forecast.significance import poisson_e_test
    from crimecast.forecast.spc import control_chart
    from crimecast.report.board import IN_YEAR, YEAR_END, YearToDate, _two_signals_sentence
    from tests.test_mdc import QUARTERS, WEST_MIDLANDS_TRC

    chart = control_chart(pd.Series([float(v) for v in WEST_MIDLANDS_TRC], index=QUARTERS))
    up = YearToDate(3, 43865, 42605, poisson_e_test(43865, 42605), QUARTERLY)
    improving = mdc.Variation(mdc.IMPROVING, "lower", "2013-04: beyond limit")
    assert _two_signals_sentence(improving, up, chart, IN_YEAR) == (
        "The year to date is up on last year, while the control chart reads the latest quarter as special cause, "
        "improving: it lies below the lower limit of the average since 2008/09 Q2. Both hold: the latest quarter is "
        "lower than that average, but higher than a year before.")
    settled = mdc.variation(chart, lower_is_better=True)
    assert settled.settled is not None
    assert _two_signals_sentence(settled, up, chart, YEAR_END).startswith(
        "The Poisson E-test finds the year's rise on last year more than chance alone would give")
    assert "common cause variation around the level held since 2012/13 Q1" in _two_signals_sentence(
        settled, up, chart, IN_YEAR)
    plain = mdc.Variation(mdc.COMMON_CAUSE, None, "within")
    down = YearToDate(3, 41000, 42605, poisson_e_test(41000, 42605), QUARTERLY)
    assert _two_signals_sentence(plain, up, chart, IN_YEAR) is None  # the key to the icons says it once
    assert _two_signals_sentence(improving, down, chart, IN_YEAR) is None  # both say lower
    small = YearToDate(3, 1359, 1456, poisson_e_test(1359, 1456), QUARTERLY)  # p = 0.068: no significant change
    assert _two_signals_sentence(improving, small, chart, IN_YEAR) is None


@needs_shared_data
def test_west_midlands_total_crime_in_june_2013_is_not_called_improving_while_up_on_last_year(tmp_path):
    """The Home Office table, West Midlands, as of 2013/14 Q1, from a plan naming its force once (a top-level area):
    total recorded crime 3.0% up on the same quarter of 2012/13 (a significant rise), its latest five quarters under
    the lower limit of the average since 2008/09 Q2 after the gradual fall of 2011/12. The icon read "improving"; read
    against the level held since 2012/13 Q1 the latest quarter is common cause, and the section says why. The notes
    are in plain words; the milestones' own notes, which the terminal prints, keep the analyst's."""
    from crimecast.data.imports import ImportOptions, import_data
    from crimecast.data.sources import DataSource, open_counts

    store = tmp_path / "store.duckdb"
    import_data("home-office", [HOME_OFFICE], name="forces", store=store, options=ImportOptions(sum_duplicates=True))
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text("version: 1\nname: West Midlands 2013/14\nyear: 2013/14\ndata: forces\narea: west-midlands\n"
                         "milestones:\n  - {name: Total recorded crime, category: total-recorded-crime, target: -5%}\n",
                         encoding="utf-8")
    plan = load_plan(plan_file)
    counts = open_counts(DataSource(dataset=plan.data, store=str(store)).asking(plan.areas))
    pack = build_board_pack(counts, plan, as_of=pd.Timestamp("2013-06-01"), paths=200)
    view = pack.milestones[0]
    assert view.assessment.area == "west-midlands" and view.ytd.test.verdict == "a significant rise"
    assert round(view.ytd.test.change, 3) == 0.030
    assert view.variation.kind == mdc.COMMON_CAUSE and view.variation.settled.when == "2012/13 Q1"
    assert view.variation.label == "Common cause at a lower level since 2012/13 Q1"
    text = " ".join(view.sentences)
    assert "but the latest 5 quarters, since 2012/13 Q1, lie below the lower limit: a lower level held for more than a " \
           "year, not confirmed as a step change. Against that level (" in text
    assert "reads the latest quarter as common cause variation around the level held since 2012/13 Q1" in text
    board_notes = " ".join(note for _, note in pack.notes)
    assert "recent forecasts fell short: " in board_notes or "recent forecasts ran high: " in board_notes
    assert not re.search(r"width factor|backtest|log scale|path by path", board_notes), board_notes
    assert any("(on the log scale)" in note for note in pack.report.notes)  # the analyst's form, as printed


def test_open_pack_counts_dates_a_pack_on_data_past_the_plans_year_at_its_end(tmp_path):
    """The library reads the pack's data and dates it (the CLI only says the note)."""
    from crimecast.data.sources import DataSource
    from crimecast.report.board import open_pack_counts

    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump({"version": 1, "name": "B", "year": "2012/13", "milestones": [
        {"name": "Burglary dwelling", "category": "burglary-dwelling", "target": "-5%"}]}), encoding="utf-8")
    dated = open_pack_counts(DataSource(), plan_file=str(plan_file))
    assert dated.as_of == pd.Timestamp("2013-03-01") and dated.note.startswith("the data runs to 2014-03, after 2012/13")
    assert dated.data.counts["month"].max() == pd.Timestamp("2014-03-01")  # the outcome's months are read as they stand
    given = open_pack_counts(DataSource(), plan_file=str(plan_file), as_of=pd.Timestamp("2013-09-01"))
    assert (given.as_of, given.note) == (pd.Timestamp("2013-09-01"), None)
