"""The ``forecast`` command: thin glue over the crimecast library.

Each command parses options, calls one library function and renders what it
returns. Library errors become one clear message and an exit code (2 usage,
1 data or model); ``--debug`` shows the traceback. Heavy libraries (pandas,
Prophet, SciPy, matplotlib, PuLP) are imported inside the commands that use
them, so ``forecast --help`` is quick.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crimecast.defaults import (BACKTEST_MODELS, BACKTEST_WINDOWS, DEFAULT_FILL, DEFAULT_HORIZON, DEFAULT_MAX_GAP,
                                DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED, MAX_HORIZON, MODEL_NAMES, RUN_LENGTH,
                                STORE_ENV)
from crimecast.defaults import CALENDAR_SETTLE_MONTHS, DEFAULT_EXCEPTIONAL, DRIFT_SHARE, NO_EXCEPTIONAL
from crimecast.errors import CrimecastError, UsageError
from crimecast.forecast.parallel import default_jobs
from crimecast.io import check_output_dir, check_output_file, staged_output
from crimecast.words import plural

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_OUT = Path("out")
INTERRUPTED_EXIT = 130  # the shell's code for a command stopped by Ctrl-C


class CrimecastGroup(click.Group):
    """A click group that turns crimecast errors into one line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CrimecastError as error:
            if ctx.params.get("debug"):
                raise
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            click.secho("\nInterrupted: stopped, and no output files were changed.", fg="red", err=True)
            ctx.exit(INTERRUPTED_EXIT)


def _checked_by(check):
    """An ``--out`` callback running ``check`` (folder or file) when options are parsed, before any work."""

    def callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is None:
            return value
        try:
            return check(value, option="--out")
        except UsageError as error:
            raise click.BadParameter(str(error).removeprefix(f"--out {value}").lstrip(": ") or str(error),
                                     ctx=ctx, param=param) from None

    return callback


_checked_out_dir = _checked_by(check_output_dir)  # --out FOLDER: it must be writable
_checked_out_file = _checked_by(check_output_file)  # --out FILE: its folder must be writable


def out_option(help_text: str):
    """``--out FOLDER``, checked to be writable before the command starts."""
    return click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
                        callback=_checked_out_dir, help=help_text)


def no_chart_option(what: str = "the PNG charts"):
    """``--no-chart``, declared once for every command that draws: skip ``what`` (the CSVs are still written)."""
    return click.option("--no-chart", is_flag=True, help=f"Skip {what}.")


json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON on stdout instead of text (notes in its notes key or on stderr; progress on stderr).")
"""``--json``, declared once for every command that offers it."""


def _echo_json(payload) -> None:
    """The one way a command prints JSON: indented, months as YYYY-MM, NaN as null."""
    from crimecast.report.serialise import json_default

    click.echo(json.dumps(payload, indent=2, default=json_default))


_STYLES = {"plain": {}, "heading": {"bold": True}, "note": {"fg": "yellow"}, "error": {"fg": "red"},
           "done": {"fg": "green"}}


def _show(lines) -> None:
    """Print a report module's lines (crimecast.report.text.Line) with their styles, on stdout or stderr."""
    for line in lines:
        style = _STYLES[line.style]
        if style:
            click.secho(line.text, err=line.err, **style)
        else:
            click.echo(line.text, err=line.err)  # as click.echo: no reset code after a plain line on a colour terminal


def data_source_options(command):
    """The one set of options that points a command at data; passes ``data_source`` (a DataSource)."""
    options = [
        click.option("--dataset", default=None, help="A dataset in the store (see `forecast data list`)."),
        click.option("--data", "data", default=None,
                     help="Embedded dataset name or a CSV/Excel file of counts (default: west-midlands, illustrative)."),
        click.option("--store", default=None, envvar=STORE_ENV, show_envvar=True,
                     help="The store file (default: crimecast.duckdb here)."),
        click.option("--date-col", help="File column holding the month (default: month, date or period)."),
        click.option("--value-col", help="File column holding the count (default: count, value or crimes)."),
        click.option("--category-col", help="File column holding the crime category (default: category, crime_type)."),
        click.option("--minor-col", help="File column holding a second, minor category level (kept beside the major one)."),
        click.option("--area-col", help="File column holding the area (default: area, district, borough, force)."),
        click.option("--wide", is_flag=True, help="Months are column headers (one row per category and area)."),
        click.option("--quarterly", is_flag=True, help="Dates are quarters (2013 Q1, 2013/14 Q1); kept as quarters."),
        click.option("--quarter-col", help="With --quarterly: a separate column holding the quarter number."),
        click.option("--sum-duplicates", is_flag=True, help="Add together rows with the same period, area and category."),
        click.option("--areas", "areas", type=click.Choice(["parts", "peers"]), default=None,
                     help="Areas are districts of one force (parts, totalled as 'force') or separate forces (peers)."),
        click.option("--category-map", type=click.Path(dir_okay=False), default=None,
                     help="CSV (source,category[,in_total]) mapping the file's categories."),
        click.option("--fill-missing", type=click.Choice(["error", "zero", "interpolate"]), default=DEFAULT_FILL,
                     show_default=True, help="What to do with periods missing inside a series."),
        click.option("--max-gap", type=click.IntRange(1, 24), default=DEFAULT_MAX_GAP, show_default=True,
                     help="Most consecutive missing periods that may be filled; a series with a longer gap is left out."),
        click.option("--keep-outliers", is_flag=True,
                     help="Keep counts far outside their series (refused by default as likely typing errors)."),
    ]
    for option in reversed(options):
        command = option(command)

    @functools.wraps(command)
    def wrapper(*args, dataset, data, store, date_col, value_col, category_col, minor_col, area_col, wide, quarterly,
                quarter_col, sum_duplicates, areas, category_map, fill_missing, max_gap, keep_outliers, **kwargs):
        from crimecast.data.load import ColumnMap
        from crimecast.data.sources import DataSource

        if dataset is not None and data is not None:
            raise UsageError("give --dataset (a stored dataset) or --data (a file or embedded dataset), not both.")
        columns = ColumnMap(date_col=date_col, value_col=value_col, category_col=category_col, area_col=area_col,
                            quarter_col=quarter_col, wide=wide, quarterly=quarterly, minor_col=minor_col)
        source = DataSource(dataset=dataset, data=data, store=store, columns=columns, sum_duplicates=sum_duplicates,
                            areas=areas, category_map=category_map, fill_missing=fill_missing, max_gap=max_gap,
                            keep_outliers=keep_outliers, as_of=kwargs.pop("data_as_of", None))
        return command(*args, data_source=source, **kwargs)

    return wrapper


def data_options(command=None, *, peers: bool = False, check=None):
    """The data options, reading the counts once: passes ``counts`` (validated, with totals).

    The counts are those of the areas the command's ``--area`` asks for, and the data's notes speak of CATEGORY in
    them. ``peers=True`` (``@data_options(peers=True)``, for compare): ``--area`` is read with its peers (``--peers``,
    or the areas of a ``--peer-group`` file, read once here), the notes speak of them all, and ``peers`` is passed on
    as the list of their names. ``check``
    (``@data_options(check=fn)``): ``fn(counts, options)``, with the command's options as a dict, refuses what the
    command cannot do with the data after its names are checked and before the notes, so its error too comes alone;
    what it returns is passed on as ``checked``.
    """
    if command is None:
        return functools.partial(data_options, peers=peers, check=check)

    @functools.wraps(command)
    def wrapper(*args, data_source, **kwargs):
        from crimecast.data.sources import open_counts, refuse_unknown_names

        area = kwargs.get("area")
        if peers:  # compare: --area with its peers, passed on as their names (a peer-group file read once, here)
            from crimecast.forecast.compare import peer_names

            kwargs["peers"] = peer_names(kwargs["peers"], kwargs.get("peer_group"))
            area = ",".join([area, *kwargs["peers"]])
        if "area" in kwargs:  # (a command without --area, such as list, reads the data as it is)
            data_source = data_source.asking(area)
        counts = open_counts(data_source)
        category = kwargs.get("category")
        refuse_unknown_names(counts, area=area, category=category)  # the command's own names, refused first
        if check is not None:
            kwargs["checked"] = check(counts, kwargs)
        _say_provenance(counts, area=area, category=category)  # then the notes of what it reads
        return command(*args, counts=counts, **kwargs)

    return data_source_options(wrapper)


def as_of_option(command):
    """``--as-of MONTH``: the data as it stood at the end of that month."""
    return click.option("--as-of", "data_as_of", default=None, callback=lambda ctx, param, value: _month_option(value, "--as-of"),
                        help="Use the data as it stood at the end of this month (e.g. 2020-06); later months are ignored.")(command)


def _data_label(counts: pd.DataFrame) -> str:
    """``'west-midlands (illustrative)'`` or the file name."""
    source = str(counts.attrs.get("source", ""))
    return f"{source} (illustrative)" if counts.attrs.get("illustrative") else source


def _say_provenance(counts: pd.DataFrame, *, area: str | None = None, category: str | None = None,
                    categories: list[str] | None = None) -> None:
    """The illustrative notice (a rate series' own for one: ``crimecast.data.sources.notice_for``; over counts and
    rates both, one covering both: ``notice_over`` of ``categories``, a plan's) and the data's notes (on gaps: of
    the series the command reads, ``category`` in ``area``, alone: ``notes_for``)."""
    from crimecast.data.sources import notes_for, notice_for, notice_over

    if counts.attrs.get("illustrative"):
        notice = notice_for(counts, category=category) if categories is None else notice_over(counts, categories)
        click.secho(notice, fg="yellow", err=True)
    for note in notes_for(counts, area=area, category=category):
        click.echo(f"Note: {note}", err=True)


def _open_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--scheduler``: checked now; the cluster starts when work first reaches it and stops with the command."""
    if value is None:
        return
    from crimecast.forecast.parallel import require_dask, scheduler_session

    require_dask()
    ctx.with_resource(scheduler_session(value))


def _scheduler_given() -> bool | None:
    """Whether ``--scheduler`` was given to the running command (``None``: not), for :func:`refuse_unused`."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source("scheduler")
    return True if source not in (None, ParameterSource.DEFAULT) else None


scheduler_option = click.option(
    "--scheduler", default=None, expose_value=False, callback=_open_scheduler,
    help="Run the per-series work on Dask instead of --jobs: 'local:N' (a local cluster of N worker processes) "
         "or 'tcp://HOST:PORT' (a running 'dask scheduler'). Needs crimecast[dask].")


def forecast_spec_options(command):
    """The forecast settings every forecasting command shares; passes ``spec_options`` (the ones given).

    Values not given stay ``None`` so that a file's own settings (a scenario's
    base, a plan's or fund's forecast) apply; see ``crimecast.forecast.spec``.
    """
    options = [
        click.option("--model", type=click.Choice(list(MODEL_NAMES)), default=None,
                     help=f"Forecasting model [default: {DEFAULT_MODEL}, or the file's]."),
        click.option("--paths", "n_paths", type=click.IntRange(100, 100_000), default=None,
                     help=f"Simulated sample paths per series [default: {DEFAULT_PATHS:,}, or the file's]."),
        click.option("--seed", type=int, default=None, help=f"Random seed (same seed, same output) [default: {DEFAULT_SEED}]."),
        click.option("--no-steps", is_flag=True,
                     help=f"Do not model confirmed step changes as level shifts ({DEFAULT_MODEL} only)."),
        click.option("--no-drift", is_flag=True,
                     help=f"Do not carry {DRIFT_SHARE:.0%} of last year's dataset-wide forecast error into the forecasts "
                          f"({DEFAULT_MODEL} only)."),
        click.option("--known-changes", "known_changes_file", type=click.Path(path_type=Path), default=None,
                     help="CSV of known process changes (month,description[,category,area]), always treated as steps."),
    ]
    for option in reversed(options):
        command = option(command)

    @functools.wraps(command)
    def wrapper(*args, model, n_paths, seed, no_steps, no_drift, known_changes_file, **kwargs):
        spec_options = {"model": model, "paths": n_paths, "seed": seed, "steps": False if no_steps else None,
                        "drift": False if no_drift else None,
                        "known_changes": _known_changes(known_changes_file) or None}
        return command(*args, spec_options=spec_options, **kwargs)

    return wrapper


def run_options(command):
    """Options shared by commands that forecast series named on the command line."""
    options = [
        click.option("--area", default=None, help="Area slug, or 'all' (default: force-wide)."),
        click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for many series (default: cores, at most 4)."),
        scheduler_option,
        json_option,
    ]
    for option in reversed(options):
        command = option(command)
    return forecast_spec_options(command)


def saved_forecast_option(command):
    """``--forecast NAME``: read a saved forecast from the store instead of forecasting."""
    return click.option("--forecast", "saved_name", default=None,
                        help="Use the forecast saved as NAME (`forecast run ... --save NAME`) instead of forecasting; "
                             "see `forecast forecasts`.")(command)


def _saved(name: str | None, counts, store):
    """The saved forecast ``name`` checked against ``counts``, or ``None``."""
    if name is None:
        return None
    from crimecast.forecast.saved import load_panel

    return load_panel(name, counts=counts, store=store)


def exceptional_option(command):
    """``--exceptional NAME|FILE|none`` of a forecast: months kept out of fitting (default covid-uk)."""
    return click.option("--exceptional", "exceptional_spec", default=None, metavar="NAME|FILE|none",
                        help="Exceptional periods (e.g. lockdowns) kept out of the model's fitting "
                             "(and out of the interval calibration's scores): a shipped calendar or a YAML/CSV file of from,to months "
                             f"[default: {DEFAULT_EXCEPTIONAL}, which changes only series spanning 2020-21, each period "
                             f"once {CALENDAR_SETTLE_MONTHS} months of data follow it; '{NO_EXCEPTIONAL}' keeps every "
                             "month in].")(command)


def spc_exceptional_option(command):
    """``--exceptional NAME|FILE|none`` of a control chart: months shown but kept out of the limits (as a forecast's)."""
    return click.option("--exceptional", "exceptional_spec", default=None, metavar="NAME|FILE|none",
                        help="Exceptional periods (e.g. lockdowns) shown but kept out of the limits and the search for "
                             "steps: a shipped calendar or a YAML/CSV file of from,to months [default: "
                             f"{DEFAULT_EXCEPTIONAL}, as every forecast, each period once {CALENDAR_SETTLE_MONTHS} months "
                             f"of data follow it; '{NO_EXCEPTIONAL}' keeps every month in].")(command)


def _exceptional(spec: str | None, counts: pd.DataFrame) -> tuple | None:
    """The periods of ``--exceptional``: ``None`` when not given (a forecast's default calendar), ``()`` for none."""
    from crimecast.data.exceptional import exceptional_for_data

    if spec is None:
        return None
    return () if spec.strip().lower() == NO_EXCEPTIONAL else exceptional_for_data(spec, counts)


def _known_changes(path: Path | None) -> tuple:
    from crimecast.data.known_changes import load_known_changes

    return tuple(load_known_changes(path)) if path else ()


@contextlib.contextmanager
def _progress(total: int, label: str):
    """A progress bar on stderr for several series; yields the callback the library calls per series."""
    if total <= 1:
        yield None
        return
    with click.progressbar(length=total, label=label, show_pos=True, file=sys.stderr) as bar:
        yield lambda _: bar.update(1)


@click.group(cls=CrimecastGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.version_option(package_name="crimecast")
def cli(debug: bool) -> None:
    """crimecast: calibrated crime forecasts, scenarios, milestones and spending optimisation for police.

    \b
    Examples:
      forecast run burglary
      forecast backtest burglary
      forecast spc vehicle-crime
      forecast scenario run domestic-abuse-uplift
      forecast milestones burglary --target -8%
      forecast optimise csf
      forecast optimise fleet fleet-2013
      forecast list
      forecast example --list
    """


@cli.command("run")
@click.argument("category")
@run_options
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON), default=None,
              help=f"Periods ahead: months, or quarters for quarterly data [default: one year, {DEFAULT_HORIZON} months "
                   "or 4 quarters]. A period's forecast is the same whatever the horizon.")
@out_option("Folder for the CSV and PNG fan chart.")
@click.option("--no-backtest", is_flag=True, help="Skip the backtest against baselines (faster).")
@no_chart_option("the PNG fan chart")
@click.option("--save", "save_name", default=None,
              help="Keep the forecast (paths, settings, data fingerprint) in the store as NAME, for --forecast NAME.")
@exceptional_option
@as_of_option
@data_source_options
@click.pass_context
def run_command(ctx, category, area, jobs, as_json, spec_options, horizon, out_dir, no_backtest, no_chart, save_name,
                exceptional_spec, data_source):
    """Forecast CATEGORY (a slug such as burglary-dwelling, or 'all').

    Prints monthly forecasts with 80% and 95% intervals, the next financial
    year's total against the last, and backtest scores against baselines;
    writes a CSV and a PNG fan chart into --out. Quarterly data is forecast
    in quarters (--horizon counts quarters; default 4, one year). With
    several series, one that cannot be forecast is listed with the reason
    and the others are still done (the exit code is then 1).

    \b
    Examples:
      forecast run burglary
      forecast run violence-with-injury --area birmingham --out reports/
      forecast run all --no-backtest
      forecast run crime --data mydata.csv --date-col Month --value-col Crimes
      forecast run all --save wm-2014     # then: forecast milestones burglary --forecast wm-2014
    """
    from crimecast.forecast.run import BacktestOptions, open_run_data, run_forecasts, run_size
    from crimecast.forecast.spec import forecast_spec, refuse_unused, refuse_unused_switches
    from crimecast.report import forecast as render
    from crimecast.report.files import ChartWorkers

    data = open_run_data(data_source, category=category, area=area, save=save_name)  # its own refusals first
    counts, area = data.counts, data.area
    if data.rates is not None:  # a rate series (satisfied / surveyed) is forecast as a proportion
        from crimecast.forecast.rates import LOGIT_BINOMIAL, NOT_FOR_RATES

        refuse_unused({**spec_options, "exceptional": exceptional_spec}, names=NOT_FOR_RATES,
                      where=f"on a rate series ('{category}')",
                      why=f"a rate is forecast as a proportion by its own model, {LOGIT_BINOMIAL} (--paths, --seed and "
                          "--horizon apply)")  # before any note: the error comes alone
    _say_provenance(counts, area=data.asked, category=category)
    if data.rates is not None:
        rate_spec = forecast_spec(**spec_options, horizon=horizon)
        return _run_rate(data.rates, category=category, area=area, horizon=horizon, n_paths=rate_spec.paths,
                         seed=rate_spec.seed, backtest=not no_backtest, chart=not no_chart, out_dir=out_dir,
                         as_json=as_json, counts=counts)
    spec = forecast_spec(**spec_options, horizon=horizon, exceptional=_exceptional(exceptional_spec, counts))
    refuse_unused_switches(spec, spec_options)
    options = BacktestOptions(backtest=not no_backtest)
    steps = run_size(counts, category=category, area=area, backtest=not no_backtest, spec=spec)
    with contextlib.ExitStack() as cleanup:  # chart workers start now, so their plotting imports overlap the fitting
        painters = None if no_chart else cleanup.enter_context(ChartWorkers(min(jobs or default_jobs(), steps)))
        with _progress(steps, "Forecasting") as progress:
            run = run_forecasts(counts, category=category, area=area, spec=spec, options=options,
                                jobs=jobs or default_jobs(), progress=progress)
        reports, notes, failures = run.reports, run.notes, run.failures
        if save_name is not None:
            _show(render.save_text(data.keep(run), name=save_name, failures=failures))
        summary = render.run_summary(reports, failures=failures)
        with staged_output(out_dir) as stage, _progress(0 if no_chart else len(reports), "Drawing charts") as progress:
            written = render.write_run_files(reports, stage.dir, counts=counts, data_label=_data_label(counts),
                                             summary=summary, chart=not no_chart, workers=painters, progress=progress)
            stage.publish(stale=render.stale_names(failures))
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.run_json(reports, notes=notes, failures=failures, data=counts.attrs, files=written,
                                   batch_notes=run.batch_notes))
    else:
        _show(render.run_text(reports, summary=summary, data_label=_data_label(counts), folder=out_dir, files=written,
                              notes=notes, batch_notes=run.batch_notes, off=spec.switched_off))
    _show(render.removed_text(stage.removed))
    if failures:
        _show(render.failures_text(failures, what="forecast", debug=ctx.find_root().params.get("debug", False)))
        ctx.exit(1)


def _models_option(models: str, model: str) -> tuple[str, ...]:
    """``--models``: known names, and at least one to compare ``--model`` with."""
    chosen = tuple(dict.fromkeys(m.strip() for m in models.split(",") if m.strip()))
    unknown = [m for m in chosen if m not in MODEL_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown {plural(len(unknown), 'model')} {', '.join(unknown)}; choose from "
                                 f"{', '.join(MODEL_NAMES)}.", param_hint="--models")
    if not set(chosen) - {model}:
        example = ",".join(dict.fromkeys((model, *BACKTEST_MODELS)))  # the default list, led by --model, no repeats
        raise click.BadParameter(f"name at least one model to compare {model} with, e.g. --models {example} "
                                 f"(choose from {', '.join(MODEL_NAMES)}).", param_hint="--models")
    return chosen


def _backtest_setup(counts: pd.DataFrame, options: dict) -> tuple:
    """``backtest``'s check (``@data_options(check=...)``): its spec, options and area (``--area``, or the default),
    what it would refuse (its options, a selection too short to backtest) refused before any note."""
    from crimecast.data.series import ALL, default_area
    from crimecast.forecast.run import BacktestOptions, check_backtest
    from crimecast.forecast.spec import forecast_spec, refuse_unused_switches

    category, spec_options = options["category"], options["spec_options"]
    spec = forecast_spec(**spec_options, exceptional=_exceptional(options["exceptional_spec"], counts))
    chosen = _models_option(options["models"], spec.model)
    refuse_unused_switches(spec, spec_options, models=chosen)
    area = options["area"] or (ALL if category == ALL else default_area(counts))
    backtest = BacktestOptions(windows=options["windows"], models=chosen)
    check_backtest(counts, category=category, area=area, options=backtest)  # a selection it refuses: the error alone
    return spec, backtest, area


@cli.command("backtest")
@click.argument("category")
@run_options
@click.option("--windows", type=click.IntRange(1, 10), default=BACKTEST_WINDOWS, show_default=True,
              help="Non-overlapping one-year windows (12 months or 4 quarters) at the end of the data.")
@click.option("--models", default=",".join(BACKTEST_MODELS), show_default=True,
              help=f"Comma-separated models to compare ({', '.join(MODEL_NAMES)}).")
@exceptional_option
@as_of_option
@data_options(check=_backtest_setup)
@click.pass_context
def backtest_command(ctx, category, area, jobs, as_json, spec_options, windows, models, exceptional_spec, counts,
                     checked):
    """Score the models on CATEGORY (or 'all') by rolling-origin backtest.

    Each 12-month window is forecast from the data before it; MASE is
    scaled by the in-sample seasonal-naive error. With several series, one
    that cannot be backtested is listed with the reason and the others are
    still scored (the exit code is then 1).

    \b
    Examples:
      forecast backtest burglary
      forecast backtest all --area force --json
      forecast backtest shoplifting --models crimecast,prophet-default,ets
    """
    from crimecast.data.frequency import frequency_of
    from crimecast.data.series import select_keys
    from crimecast.forecast.run import run_backtests
    from crimecast.report.forecast import backtest_json, backtest_text, failures_text

    spec, options, area = checked
    with _progress(len(select_keys(counts, category=category, area=area)[0]), "Backtesting") as progress:
        report = run_backtests(counts, category=category, area=area, spec=spec, options=options,
                               jobs=jobs or default_jobs(), progress=progress)
    if as_json:
        _echo_json(backtest_json(report, data=counts.attrs))
    else:
        _show(backtest_text(report, model=spec.model, frequency=frequency_of(counts),
                            off=spec.switched_off_for((spec.model, *options.models))))
    if report.failures:
        _show(failures_text(report.failures, what="backtest", debug=ctx.find_root().params.get("debug", False)))
        ctx.exit(1)


@cli.command("list")
@data_options
def list_command(counts):
    """Show the datasets, and the categories and areas of the data.

    \b
    Examples:
      forecast list
      forecast list --dataset merseyside
      forecast list --data london.csv --wide --category-col MajorText --area-col BoroughName --sum-duplicates
    """
    from crimecast.data.load import EMBEDDED_DATASETS
    from crimecast.data.rates import rates_for
    from crimecast.report.data import catalogue_text

    _show(catalogue_text(counts, embedded=tuple(EMBEDDED_DATASETS), rates=rates_for(counts)))


@cli.command("example")
@click.argument("names", nargs=-1, metavar="NAME...")
@click.option("--list", "show_list", is_flag=True, help="List the shipped examples.")
@click.option("--out", "folder", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              callback=_checked_out_dir, help="Folder to copy into.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def example_command(names, show_list, folder, force):
    """Copy shipped examples into the working folder, to run or to edit.

    A fleet example comes with its vehicles CSV. Data files are small,
    illustrative extracts of the embedded data in the layouts of the
    README's "Your own data" section.

    \b
    Examples:
      forecast example --list
      forecast example domestic-abuse-uplift
      forecast example fleet-2013 csf-2013-14 --out inputs/
    """
    from crimecast.examples import copy_examples, examples
    from crimecast.report.examples import copied_text, examples_text

    if show_list or not names:
        _show(examples_text(examples().values()))
        return
    _show(copied_text(copy_examples(list(names), folder=folder, force=force)))


@cli.command("spc")
@click.argument("category")
@click.option("--area", default=None, help="Area slug (default: force-wide); 'all', or a comma-separated list, for one row per area.")
@click.option("--from", "start", default=None, help="First month charted, e.g. 2011-04 (default: the last three years outside exceptional periods; five for quarters).")
@click.option("--seasonal-adjust", is_flag=True, help="Chart seasonally adjusted values (the model's month effects removed).")
@click.option("--known-changes", "known_changes_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of known process changes (month,description[,category,area]), always treated as steps.")
@click.option("--run-length", type=click.IntRange(5, 12), default=RUN_LENGTH, show_default=True,
              help="Points in a row on one side of the mean that signal a shift.")
@click.option("--screen/--no-screen", default=True, show_default=True,
              help="Leave moving ranges above 3.267 x their average out of the limits.")
@out_option("Folder for the PNG chart and CSV of periods and signals.")
@no_chart_option("the PNG chart (one per area with --area all)")
@json_option
@spc_exceptional_option
@as_of_option
@data_options
def spc_command(category, area, start, seasonal_adjust, known_changes_file, run_length, screen, out_dir, no_chart,
                as_json, exceptional_spec, counts):
    """Statistical process control (XmR) chart of CATEGORY.

    Prints the periods (process average and natural limits, a new period at
    each confirmed step change), the special-cause signals and a summary in
    a performance report's words; writes a PNG chart and CSVs into --out.

    \b
    Examples:
      forecast spc vehicle-crime
      forecast spc burglary --seasonal-adjust
      forecast spc violence-with-injury --from 2011-04 --known-changes changes.csv
    """
    if area and (area.strip() == "all" or "," in area):
        return _spc_areas(category, area, start=start, seasonal_adjust=seasonal_adjust,
                          known_changes_file=known_changes_file, run_length=run_length, screen=screen, out_dir=out_dir,
                          chart=not no_chart, as_json=as_json, exceptional_spec=exceptional_spec, counts=counts)
    from crimecast.data.rates import is_rate, rates_for
    from crimecast.data.series import default_area
    from crimecast.forecast.run import run_spc
    from crimecast.report import forecast as render

    start_month = _month_option(start, "--from")
    rates = rates_for(counts)  # a rate series gets a p-chart (Laney's p' when overdispersed)
    if is_rate(rates, category):
        return _spc_rate(rates, category=category, area=area, start=start_month, run_length=run_length, out_dir=out_dir,
                         drawn=not no_chart, as_json=as_json, counts=counts)
    known = _known_changes(known_changes_file)
    report = run_spc(counts, category=category, area=area or default_area(counts), start=start_month,
                     seasonal_adjust=seasonal_adjust, known_changes=known, run_length=run_length, screen=screen,
                     exceptional=_exceptional(exceptional_spec, counts))
    with staged_output(out_dir) as stage:
        written = render.write_spc_files(report, stage.dir, counts=counts, chart=not no_chart)
        stage.publish()
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.spc_json(report, files=written))
    else:
        _show(render.spc_text(report, folder=out_dir, files=written))


@cli.command("compare")
@click.argument("category")
@click.option("--area", required=True, help="The force (or district) compared, e.g. west-midlands.")
@click.option("--peers", default=None, help="Comma-separated peer areas, e.g. greater-manchester,merseyside,west-yorkshire.")
@click.option("--peer-group", "peer_group", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A file of peers: one area a line, or a CSV with an area column.")
@click.option("--year", default=None, help="Financial year compared, e.g. 2013/14 (default: the last full year).")
@click.option("--population", "population_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV area,population,year[,source]: residents for rates per 1,000 and the funnel plot.")
@click.option("--no-forecast", is_flag=True, help="Skip the forecasts of the year after --year (faster); a past year has none.")
@forecast_spec_options
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for the forecasts.")
@scheduler_option
@out_option("Folder for the CSV and the funnel plot PNG.")
@no_chart_option("the funnel plot")
@json_option
@exceptional_option
@as_of_option
@data_options(peers=True)
def compare_command(category, area, peers, peer_group, year, population_file, no_forecast, spec_options, jobs,
                    out_dir, no_chart, as_json, exceptional_spec, counts):
    """Compare one force (or district) with its most similar forces on CATEGORY.

    For a financial year: each area's count, its change on the year before
    with the Poisson E-test, and, with --population, its rate per 1,000
    residents, the group rate, a rank and a funnel plot (rates against
    residents, with 95% and 99.8% limits around the group rate). The
    forecast of the year after the one compared is shown beside it while that
    year is not complete in the data (the current year); a past year gets none
    (--no-forecast skips it). Writes a CSV and the funnel plot PNG into --out.

    \b
    Examples:
      forecast compare total-recorded-crime --dataset forces --area west-midlands \\
          --peers greater-manchester,merseyside,west-yorkshire --population population-msf.csv
      forecast compare burglary --area birmingham --peers coventry,dudley --no-forecast
    """
    from crimecast.data.population import load_population
    from crimecast.forecast.compare import compare_areas
    from crimecast.forecast.spec import OPTIONS, RUN_OPTIONS, forecast_spec, refuse_unused, refuse_unused_switches
    from crimecast.report import compare as render

    population = load_population(population_file) if population_file else None
    # the forecast settings, and how the forecasts are run: refused where nothing is forecast
    given = {**spec_options, "exceptional": exceptional_spec, "jobs": jobs, "scheduler": _scheduler_given()}
    unused = (*OPTIONS, *RUN_OPTIONS)
    options = None
    if no_forecast:
        refuse_unused(given, names=unused, where="with --no-forecast", why="nothing is forecast",
                      instead="drop --no-forecast")
    else:
        options = forecast_spec(**spec_options, exceptional=_exceptional(exceptional_spec, counts))
        refuse_unused_switches(options, spec_options)
    comparison = compare_areas(counts, category=category, focus=area, peers=peers, year=year, population=population,
                               forecast=options, jobs=jobs or default_jobs())
    if options is not None and comparison.spec is None:  # a past year: no forecast was made
        refuse_unused(given, names=unused, where=f"with --year {comparison.year}",
                      why="it is a past year, so nothing is forecast")
    with staged_output(out_dir) as stage:
        written = render.write_compare_files(comparison, stage.dir, data_label=_data_label(counts),
                                             notice=counts.attrs.get("notice", ""), chart=not no_chart)
        stage.publish()
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.compare_json(comparison, data=counts.attrs, files=written))
    else:
        _show(render.compare_text(comparison, data_label=_data_label(counts), folder=out_dir, files=written))


def _spc_areas(category, area, *, start, seasonal_adjust, known_changes_file, run_length, screen, out_dir, chart,
               as_json, exceptional_spec, counts) -> None:
    """``forecast spc CATEGORY --area all`` (or a list): one row per area, a chart per area, a summary CSV."""
    from crimecast.forecast.spc_areas import area_count, run_spc_areas
    from crimecast.report import forecast as render
    from crimecast.report.files import ChartWorkers

    areas = area_count(counts, category=category, area=area)
    with contextlib.ExitStack() as cleanup:  # chart workers start now: their plotting imports overlap the charting
        painters = cleanup.enter_context(ChartWorkers(min(default_jobs(), areas))) if chart else None
        with _progress(areas, "Charting") as progress:
            report = run_spc_areas(counts, category=category, area=area, jobs=default_jobs(), progress=progress,
                                   start=_month_option(start, "--from"), seasonal_adjust=seasonal_adjust,
                                   known_changes=_known_changes(known_changes_file), run_length=run_length,
                                   screen=screen, exceptional=_exceptional(exceptional_spec, counts))
        rows = report.rows()
        with staged_output(out_dir) as stage, _progress(len(report.reports) if chart else 0, "Drawing charts") as progress:
            written = render.write_spc_areas_files(report, stage.dir, rows=rows, counts=counts,
                                                   data_label=_data_label(counts), seasonal_adjust=seasonal_adjust,
                                                   chart=chart, workers=painters, progress=progress)
            stage.publish()
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.spc_areas_json(report, rows=rows, files=written))
    else:
        _show(render.spc_areas_text(report, rows=rows, folder=out_dir, files=written))
    if report.failures:
        _show(render.spc_areas_failures_text(report))
        click.get_current_context().exit(1)


def _month_option(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    import pandas as pd

    from crimecast.data.months import parse_months

    try:
        return parse_months(pd.Series([value]), where=option).iloc[0]
    except CrimecastError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


# ---------------------------------------------------------------- data

@cli.group("data")
def data_group() -> None:
    """Import real data into the store (one DuckDB file) and see what it holds.

    The store is crimecast.duckdb in this folder unless --store or
    CRIMECAST_STORE says otherwise; analysts can query it with SQL
    (tables: datasets, counts, categories, areas, files).

    \b
    Examples:
      forecast data import police-uk 2024-03.zip --name merseyside --area-level local-authority
      forecast data import home-office prc-pfa-mar2013-onwards-tables.csv --name forces --sum-duplicates
      forecast data import csv counts.csv --name district --category-col Offence
      forecast data list
      forecast data show merseyside
    """


def _store_option(command):
    return click.option("--store", default=None, envvar=STORE_ENV, show_envvar=True,
                        help="The store file (default: crimecast.duckdb here).")(command)


@data_group.command("import")
@click.argument("kind", type=click.Choice(["police-uk", "home-office", "csv"]))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The dataset's name in the store (letters, digits, - and _).")
@_store_option
@click.option("--url", default=None, help="police-uk: download this archive first.")
@click.option("--area-level", type=click.Choice(["force", "local-authority", "lsoa"]), default="force", show_default=True,
              help="police-uk: count by force, local authority (from the LSOA name) or LSOA.")
@click.option("--lsoa-lookup", type=click.Path(dir_okay=False), default=None,
              help="police-uk: CSV mapping LSOA codes to areas (e.g. CSPs or wards), used instead of --area-level.")
@click.option("--offence-level", type=click.Choice(["group", "offence"]), default="group", show_default=True,
              help="home-office: offence groups or offences.")
@click.option("--date-col", help="csv: column holding the month.")
@click.option("--value-col", help="csv: column holding the count.")
@click.option("--category-col", help="csv: column holding the category.")
@click.option("--minor-col", help="csv: column holding a second, minor category level (kept beside the major one).")
@click.option("--area-col", help="csv: column holding the area.")
@click.option("--wide", is_flag=True, help="csv: months are column headers.")
@click.option("--quarterly", is_flag=True, help="csv: dates are quarters (kept as quarters).")
@click.option("--quarter-col", help="csv: with --quarterly, a column holding the quarter number.")
@click.option("--sum-duplicates", is_flag=True, help="Add together (net) rows for the same period, area and category.")
@click.option("--areas", "areas", type=click.Choice(["parts", "peers"]), default=None,
              help="csv: districts of one force (parts) or separate forces (peers).")
@click.option("--category-map", type=click.Path(dir_okay=False), default=None,
              help="csv: CSV (source,category[,in_total]) mapping categories.")
@click.option("--replace", is_flag=True, help="Replace the dataset instead of extending it.")
@json_option
@click.option("--numerator-col", help="csv: a rate series' numerator column (e.g. satisfied); needs --denominator-col.")
@click.option("--denominator-col", help="csv: a rate series' denominator column (e.g. surveyed); needs --numerator-col.")
def data_import_command(kind, paths, name, store, url, area_level, lsoa_lookup, offence_level, date_col, value_col,
                        category_col, minor_col, area_col, wide, quarterly, quarter_col, sum_duplicates, areas, category_map, replace,
                        as_json, numerator_col=None, denominator_col=None):
    """Import KIND files into the store as dataset --name.

    KIND is police-uk (the data.police.uk download: a zip, its folder or
    street CSVs), home-office (police recorded crime open data tables,
    quarterly) or csv (any CSV or Excel file the column options describe).
    An import is one transaction: a failed import changes nothing;
    importing the same files again changes nothing; newer months extend
    the dataset.

    \b
    Examples:
      forecast data import police-uk 2024-03.zip --name merseyside
      forecast data import police-uk --url https://example.org/archive.zip --name national
      forecast data import home-office pfa.csv --name forces --sum-duplicates
      forecast data import csv counts.csv --name district --areas parts
      forecast data import csv satisfaction.csv --numerator-col satisfied --denominator-col surveyed --name sat
    """
    if numerator_col or denominator_col:  # a rate series (satisfied / surveyed): its own path and table
        return _import_rates(kind, paths, name=name, store=store, numerator_col=numerator_col,
                             denominator_col=denominator_col, date_col=date_col, category_col=category_col,
                             area_col=area_col, areas=areas, replace=replace, as_json=as_json)
    from crimecast.data.imports import ImportOptions, import_data
    from crimecast.data.load import ColumnMap
    from crimecast.report import data as render

    options = ImportOptions(area_level=area_level, lsoa_lookup=lsoa_lookup, offence_level=offence_level,
                            columns=ColumnMap(date_col=date_col, value_col=value_col, category_col=category_col,
                                              area_col=area_col, quarter_col=quarter_col, wide=wide, quarterly=quarterly,
                                              minor_col=minor_col),
                            sum_duplicates=sum_duplicates, areas=areas, category_map=category_map)
    with _download_progress(enabled=bool(url) and not as_json) as progress:
        summary = import_data(kind, list(paths), name=name, store=store, options=options, url=url, replace=replace,
                              progress=progress, step=None if as_json else _say_step)
    if as_json:
        _echo_json(render.import_json(summary))
        return
    _show(render.import_text(summary))


def _import_rates(kind, paths, *, name, store, numerator_col, denominator_col, date_col, category_col, area_col,
                  areas, replace, as_json) -> None:
    from crimecast.data.rates import RateColumns, import_rates
    from crimecast.report import data as render

    if not (numerator_col and denominator_col):
        raise UsageError("a rate series needs both --numerator-col (e.g. satisfied) and --denominator-col (e.g. surveyed).")
    if kind != "csv" or len(paths) != 1:
        raise UsageError("rates are imported from one csv file at a time: forecast data import csv FILE --numerator-col ... "
                         "--denominator-col ... --name NAME.")
    columns = RateColumns(numerator_col=numerator_col, denominator_col=denominator_col, date_col=date_col,
                          category_col=category_col, area_col=area_col)
    summary = import_rates(paths[0], name=name, columns=columns, store=store, replace=replace, areas=areas)
    if as_json:
        _echo_json(render.rates_import_json(summary))
        return
    _show(render.import_text(summary))


def _say_step(words: str) -> None:
    click.echo(f"  {words} ...", err=True)


@contextlib.contextmanager
def _download_progress(*, enabled: bool):
    if not enabled:
        yield None
        return
    shown = {"last": 0}

    def progress(done: int, total: int | None) -> None:
        if done - shown["last"] >= 5 << 20 or (total and done == total):
            shown["last"] = done
            of = f" of {total / 1e6:,.1f}" if total else ""
            click.echo(f"  downloaded {done / 1e6:,.1f}{of} MB", err=True)

    yield progress


@data_group.command("list")
@_store_option
@json_option
def data_list_command(store, as_json):
    """List the datasets in the store.

    \b
    Examples:
      forecast data list
      forecast data list --store team.duckdb
    """
    from crimecast.data.store import list_datasets, store_path
    from crimecast.report.data import datasets_json, datasets_text

    frame = list_datasets(store)
    if as_json:
        _echo_json(datasets_json(frame))
    else:
        _show(datasets_text(frame, store=str(store_path(store))))


@data_group.command("show")
@click.argument("name")
@_store_option
@click.option("--gaps", "list_gaps", is_flag=True,
              help="List every series with periods missing inside it (most missing first), not the summary.")
@json_option
def data_show_command(name, store, list_gaps, as_json):
    """Show one dataset: its series, periods, gaps, zeros, totals and provenance.

    \b
    Examples:
      forecast data show merseyside
      forecast data show merseyside --gaps
    """
    from crimecast.data.imports import describe_dataset
    from crimecast.report.data import describe_json, describe_text, gaps_text

    description = describe_dataset(name, store=store)
    if as_json:
        _echo_json(describe_json(description))
    elif list_gaps:
        _show(gaps_text(description))
    else:
        _show(describe_text(description))


@data_group.command("drop")
@click.argument("name")
@_store_option
def data_drop_command(name, store):
    """Remove dataset NAME (its counts and provenance) from the store.

    \b
    Examples:
      forecast data drop merseyside
    """
    from crimecast.data.store import drop_dataset
    from crimecast.report.data import dropped_text

    _show(dropped_text(name, drop_dataset(name, store=store)))


# ---------------------------------------------------------------- scenarios

@cli.group("scenario")
def scenario_group() -> None:
    """What-if scenarios: drivers applied to the forecast's sample paths.

    A scenario file (YAML) names a base forecast and drivers such as a
    reporting uplift; `forecast scenario new NAME` writes a commented
    template. Shipped examples can be named without a path.

    \b
    Examples:
      forecast scenario run domestic-abuse-uplift
      forecast scenario compare domestic-abuse-uplift shoplifting-national-rise
      forecast scenario new my-plan
      forecast scenario check my-plan.yaml
    """


class _ForecastingBar:
    """The progress of the series a command forecasts, on stderr as `forecast run`'s: a bar labelled
    "Forecasting", started when the library says how many series there are (``start``), none for one series."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, total: int) -> None:
        self.close()
        if total > 1:
            self._bar = click.progressbar(length=total, label="Forecasting", show_pos=True, file=sys.stderr)
            self._bar.__enter__()

    def __call__(self, _label: str) -> None:
        if self._bar is not None:
            self._bar.update(1)
            if self._bar.pos >= self._bar.length:
                self.close()

    def close(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)


@contextlib.contextmanager
def _forecasting(*, quiet: bool = False):
    """A :class:`_ForecastingBar` for the library's ``progress`` (``None`` when ``quiet``), ended with the block."""
    bar = None if quiet else _ForecastingBar()
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


@scenario_group.command("run")
@click.argument("scenario_file", metavar="FILE")
@out_option("Folder; files go in OUT/scenario-<name>/.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: cores, at most 4).")
@scheduler_option
@no_chart_option()
@json_option
@saved_forecast_option
@data_source_options
def scenario_run_command(scenario_file, out_dir, jobs, no_chart, as_json, saved_name, data_source):
    """Apply the scenario in FILE to its base forecast, path by path.

    Prints each driver with its arithmetic, baseline vs scenario totals per
    financial year with 80% intervals and the difference, each driver's
    contribution, and (where the data already has it) the actual outcome;
    writes CSVs and a PNG per series.

    \b
    Examples:
      forecast scenario run domestic-abuse-uplift
      forecast scenario run my-plan.yaml --out reports/
      forecast scenario run planning-2014-15 --json
      forecast scenario run planning-2014-15 --forecast wm-2014
    """
    from crimecast.data.sources import open_counts
    from crimecast.report import scenarios as render
    from crimecast.report.charts import save_figure, scenario_chart
    from crimecast.scenarios.run import run_scenario
    from crimecast.scenarios.spec import load_scenario

    scenario = load_scenario(scenario_file)
    counts = open_counts(data_source.naming(scenario.base.data, where=scenario.data_where).inside(scenario.base.area))
    _say_provenance(counts)  # first, as every command says it
    with _forecasting(quiet=as_json) as progress:
        result = run_scenario(scenario, counts=counts, saved=_saved(saved_name, counts, data_source.store),
                              jobs=jobs or default_jobs(), progress=progress)
    label = f"{result.data.get('source')}{' (illustrative)' if result.data.get('illustrative') else ''}"
    with staged_output(out_dir) as stage:
        staged = render.output_dir(stage.dir, scenario.name)
        written = render.write_scenario_tables(result, staged, data_label=label)
        if not no_chart:
            for key in result.reported:
                fig = scenario_chart(result, key, notice=result.data.get("notice") or "")
                written.append(save_figure(fig, staged / render.chart_name(result, key)))
        stage.publish()
    folder = render.output_dir(out_dir, scenario.name)
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.scenario_json(result, files=written))
    else:
        _show(render.scenario_text(result, data_label=label, folder=folder, files=written))


@scenario_group.command("compare")
@click.argument("scenario_files", metavar="FILE...", nargs=-1, required=True)
@out_option("Folder for scenario-comparison.csv.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: cores, at most 4).")
@scheduler_option
@json_option
@saved_forecast_option
@data_source_options
def scenario_compare_command(scenario_files, out_dir, jobs, as_json, saved_name, data_source):
    """Compare several scenarios side by side on one baseline forecast.

    The scenarios must share their base settings (data, as_of, horizon,
    model, paths, seed).

    \b
    Examples:
      forecast scenario compare domestic-abuse-uplift shoplifting-national-rise
      forecast scenario compare low.yaml central.yaml high.yaml --out reports/
    """
    from crimecast.data.sources import open_counts
    from crimecast.report.scenarios import comparison_frame, comparison_json, comparison_text, write_comparison_csv
    from crimecast.scenarios.run import compare_scenarios
    from crimecast.scenarios.spec import load_scenario

    scenarios = [load_scenario(f) for f in scenario_files]
    first = scenarios[0]
    counts = open_counts(data_source.naming(first.base.data, where=first.data_where).inside(first.base.area))
    _say_provenance(counts)  # first, as every command says it
    with _forecasting(quiet=as_json) as progress:
        comparison = compare_scenarios(scenarios, counts=counts, saved=_saved(saved_name, counts, data_source.store),
                                       jobs=jobs or default_jobs(), progress=progress)
    table = comparison_frame(comparison)
    path = write_comparison_csv(table, out_dir, data_label=comparison.results[0].data.get("source"))
    if as_json:
        _echo_json(comparison_json(comparison, table=table, file=path))
    else:
        _show(comparison_text(comparison, file=path))


@scenario_group.command("new")
@click.argument("name")
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None, callback=_checked_out_file,
              help="File to write (default: NAME.yaml in the current folder).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def scenario_new_command(name, out_file, force):
    """Write a commented scenario template called NAME.

    \b
    Examples:
      forecast scenario new my-plan
      forecast scenario new "Walsall funding cut" --out scenarios/walsall.yaml
    """
    from crimecast.data.slugs import slugify
    from crimecast.io import write_atomic
    from crimecast.report.scenarios import template_written_text
    from crimecast.scenarios.template import template_text

    path = check_output_file(out_file or Path(f"{slugify(name)}.yaml"))
    if path.exists() and not force:
        raise UsageError(f"{path} already exists. Choose another NAME or --out, or add --force to overwrite it.")
    text = template_text(name, file_name=str(path))
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _show(template_written_text(path))


@scenario_group.command("check")
@click.argument("scenario_file", metavar="FILE")
@json_option
@data_source_options
def scenario_check_command(scenario_file, as_json, data_source):
    """Validate the scenario in FILE against its data, without forecasting.

    Checks the schema, every key, value and distribution, `extends`, and
    that categories, areas and months exist in the data and forecast.

    \b
    Examples:
      forecast scenario check my-plan.yaml
      forecast scenario check planning-2014-15
    """
    from crimecast.data.sources import open_counts
    from crimecast.report.scenarios import check_json, check_text
    from crimecast.scenarios.run import check_scenario
    from crimecast.scenarios.spec import load_scenario

    scenario = load_scenario(scenario_file)
    data = data_source.naming(scenario.base.data, where=scenario.data_where).inside(scenario.base.area)
    resolved = check_scenario(scenario, open_counts(data))
    if as_json:
        _echo_json(check_json(resolved))
    else:
        _show(check_text(resolved))


# ---------------------------------------------------------------- milestones

def _target_option(target: str, *, count: float | None, plan_file: str | None) -> str | None:
    """``--target``: a change such as -8% or -0.08, checked here and passed on as written (``None`` when not used).

    Refused when given beside ``--count`` or ``--plan``, which would otherwise leave it unused without a word.
    """
    from click.core import ParameterSource

    from crimecast.scenarios.plan import parse_change

    given = click.get_current_context().get_parameter_source("target") is not ParameterSource.DEFAULT
    if given and (count is not None or plan_file):
        raise UsageError("give --target or --count, not both." if count is not None else
                         "--target is for CATEGORY (or every category); a --plan's milestones carry their own targets.")
    if count is not None or plan_file:
        return None
    try:
        parse_change(target)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--target") from None
    return target


@cli.command("milestones")
@click.argument("category", required=False)
@click.option("--target", default="0%", show_default=True,
              help="Change on the year before for CATEGORY (or every category), e.g. -8% or -0.08.")
@click.option("--count", "count_target", type=float, default=None, help="A count target for the year instead of --target.")
@click.option("--direction", type=click.Choice(["at_most", "at_least"]), default="at_most", show_default=True,
              help="at_most for reductions; at_least for targets to raise a count (e.g. reporting).")
@click.option("--area", default=None,
              help="Area of CATEGORY: a district slug, force, 'all' (one row per area) or a comma-separated list "
                   "(default: force-wide, as for `forecast run`).")
@click.option("--plan", "plan_file", default=None, help="A YAML or CSV plan of milestones, or a shipped plan (plan-2013-14).")
@click.option("--year", default=None,
              help="Financial year, e.g. 2014/15 (default: the plan's, else the year after the data's last month or --as-of).")
@click.option("--as-of", "as_of", default=None,
              help="Last month of actuals to use, e.g. 2014-09, for in-year assurance (a quarter end for quarterly data).")
@click.option("--scenario", "scenario_file", default=None, help="Scenario file (or shipped example) applied to the same paths.")
@forecast_spec_options
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: cores, at most 4).")
@scheduler_option
@out_option("Folder; files go in OUT/milestones-<plan>/.")
@no_chart_option()
@json_option
@saved_forecast_option
@click.option("--against", "against_name", default=None,
              help="Also set the year so far against the forecast saved at the start of the year as NAME "
                   "(`forecast run ... --as-of 2013-03 --save NAME`): expected, 80% interval, percentile, P(meet) from it.")
@data_source_options
def milestones_command(category, target, count_target, direction, area, plan_file, year, as_of, scenario_file,
                       spec_options, jobs, out_dir, no_chart, as_json, saved_name, against_name, data_source):
    """Chance of meeting milestones, achievable targets and in-year assurance.

    For each milestone: last year's actual, the expected total with its 80%
    interval, P(meet) from the sample paths, a verdict (likely met, at
    risk, unlikely) and the change that would be met with probability
    50%, 70% and 90%. With --as-of inside the year, the forecast is
    refitted to the months observed and year to date is set against the
    target's seasonal trajectory; with --against NAME, the year so far is
    also set against the forecast saved at the start of the year (read,
    not refitted). Without CATEGORY or --plan, every category is shown (a
    planner's table of achievable targets).

    \b
    Examples:
      forecast milestones burglary --target -8%
      forecast milestones --year 2014/15
      forecast milestones --plan plan-2013-14 --year 2013/14 --scenario domestic-abuse-uplift
      forecast milestones --plan plan-2013-14 --as-of 2013-09
      forecast milestones --plan my-plan.csv --data force.csv
      forecast milestones burglary --target -8% --area all
      forecast milestones burglary --target -8% --forecast wm-2014
      forecast milestones burglary --target -8% --as-of 2013-09 --against start-2013
    """
    from crimecast.forecast.spec import refuse_unused, refuse_unused_switches
    from crimecast.report import milestones as render
    from crimecast.report.charts import milestone_chart, save_figure
    from crimecast.report.rates import rate_milestone_chart
    from crimecast.data.sources import notice_for
    from crimecast.scenarios.assess import assess_milestones, check_milestones, milestone_spec
    from crimecast.scenarios.plan import open_plan_counts
    from crimecast.scenarios.rate_assess import count_part
    from crimecast.scenarios.spec import load_scenario

    month = _month_option(as_of, "--as-of")
    change = _target_option(target, count=count_target, plan_file=plan_file)
    # the forecast's gaps as the data stood at --as-of; the outcome after it as the data stands
    scenario = load_scenario(scenario_file) if scenario_file else None  # on separate forces: the force it names
    data = open_plan_counts(data_source, plan_file=plan_file, category=category, area=area, year=year, as_of=month,
                            scenario=scenario)
    counts = data.counts
    plan = data.milestones(target=change, count=count_target, direction=direction)
    if saved_name is not None and count_part(plan).milestones:  # (a plan of rates only forecasts them afresh)
        refuse_unused(spec_options, where=f"with --forecast {saved_name}", why="the saved forecast's settings are used",
                      instead="forecast afresh without --forecast")
    spec = milestone_spec(plan, scenario, **spec_options, as_of=None if month is None else f"{month:%Y-%m}")
    refuse_unused_switches(spec, spec_options)
    # a milestone on what the data does not hold, or an as-of month (--as-of, the plan's as_of:) it cannot serve:
    # the error alone, before any note
    check_milestones(counts, plan, spec=spec)
    _say_provenance(counts, area=data.noted, category=category, categories=[m.category for m in plan.milestones])
    with _forecasting(quiet=as_json) as progress:
        report = assess_milestones(counts, plan, spec=spec, scenario=scenario,
                                   saved=_saved(saved_name, counts, data_source.store),
                                   against=_saved(against_name, counts, data_source.store), jobs=jobs or default_jobs(),
                                   progress=progress)
    with staged_output(out_dir) as stage:
        staged = render.output_dir(stage.dir, report)
        written = render.write_milestone_tables(report, staged, data_label=_data_label(counts))
        if not no_chart:
            for index, assessment in enumerate(report.assessments):
                chart = rate_milestone_chart if assessment.unit == "rate" else milestone_chart
                fig = chart(assessment, as_of=report.as_of, notice=notice_for(counts, category=assessment.category))
                written.append(save_figure(fig, staged / render.chart_name(index, assessment)))
        stage.publish()
    folder = render.output_dir(out_dir, report)
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.milestones_json(report, data=counts.attrs, files=written))
    else:
        _show(render.milestones_text(report, data_label=_data_label(counts), folder=folder, files=written))


# ---------------------------------------------------------------- optimisation

@cli.group("optimise")
def optimise_group() -> None:
    """Optimise spending against outcomes with a proven-optimal solver.

    \b
    Examples:
      forecast optimise csf
      forecast optimise csf --budget 7319000 --objective cost
      forecast optimise fleet fleet-2013
    """


@optimise_group.command("csf")
@click.option("--assumptions", "assumptions_file", default="csf-2013-14", show_default=True,
              help="Assumptions file (YAML) or the shipped csf-2013-14.")
@click.option("--budget", type=click.FloatRange(min=1.0), default=None, help="Fund to allocate in £ (default: the file's).")
@click.option("--objective", type=click.Choice(["crimes", "harm", "cost"]), default=None,
              help="Outcome currency (default: the file's): crimes prevented, harm-weighted, or £ social cost.")
@click.option("--scenario", "scenario_file", default=None, help="Scenario applied to the baseline crime forecasts.")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True, help="MILP solver.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for the forecasts.")
@scheduler_option
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds allowed for each solve; a solve that does not finish is named, never reported.")
@out_option("Folder; files go in OUT/optimise-csf/.")
@no_chart_option()
@json_option
@saved_forecast_option
@data_source_options
def optimise_csf_command(assumptions_file, budget, objective, scenario_file, solver, jobs, time_limit, out_dir, no_chart,
                         as_json, saved_name, data_source):
    """Allocate the Community Safety Fund across districts and the force.

    Baseline crime is each recipient's forecast for the next financial
    year; response curves from the assumptions file say what spend buys.
    Prints the allocation against last year's with what the next £10,000 buys,
    the binding constraints and their price, the invest-to-save schemes
    chosen, and how stable each share is under uncertainty; writes CSVs, an
    Excel workbook and PNG charts.

    \b
    Examples:
      forecast optimise csf
      forecast optimise csf --budget 7319000 --objective cost
      forecast optimise csf --assumptions my-csf.yaml --scenario planning-2014-15 --json
      forecast optimise csf --forecast wm-2014
    """
    from crimecast.data.sources import open_counts
    from crimecast.optimise.assumptions import load_assumptions
    from crimecast.optimise.csf import optimise_csf
    from crimecast.report import optimise as render
    from crimecast.report.charts import allocation_chart, budget_curve_chart, save_figure
    from crimecast.scenarios.spec import load_scenario

    assumptions, source = load_assumptions(assumptions_file)
    # the force-wide area every command defaults to (peers of one force: that force; a saved forecast reads the same)
    counts = open_counts(data_source.naming(assumptions.forecast.data, where=f"{source}: forecast.data").inside(None))
    scenario = load_scenario(scenario_file) if scenario_file else None
    _say_provenance(counts)  # first, as every command says it
    with _forecasting(quiet=as_json) as progress:
        result = optimise_csf(counts, assumptions, source=source, budget=budget, currency=objective, scenario=scenario,
                              saved=_saved(saved_name, counts, data_source.store), solver=solver,
                              jobs=jobs or default_jobs(), progress=progress, time_limit=time_limit)
    with staged_output(out_dir) as stage:
        staged = render.output_dir(stage.dir)
        written = render.write_tables(result, staged)
        written.append(render.write_workbook(result, staged / "csf.xlsx", notes=render.summary_sentences(result)))
        if not no_chart:
            notice = counts.attrs.get("notice", "")
            written.append(save_figure(allocation_chart(result, notice=notice), staged / "allocation.png"))
            written.append(save_figure(budget_curve_chart(result, notice=notice), staged / "budget_curve.png"))
        stage.publish()
    folder = render.output_dir(out_dir)
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.csf_json(result, source=source, data=counts.attrs, files=written))
    else:
        _show(render.csf_text(result, source=source, folder=folder, files=written))


@optimise_group.command("fleet")
@click.argument("fleet_file", metavar="FILE")
@click.option("--objective", type=click.Choice(["cost", "co2", "weighted"]), default="cost", show_default=True,
              help="Minimise whole-life cost, CO2 (within --budget), or cost plus the file's carbon price x CO2.")
@click.option("--budget", type=click.FloatRange(min=1.0), default=None, help="Cap on discounted whole-life cost (£).")
@click.option("--co2-cap", type=click.FloatRange(min=0.0), default=None, help="Cap on CO2 over the appraisal (tonnes).")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True, help="MILP solver.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds for the plan's solve; the what-if analyses share as much again and say what they skipped.")
@out_option("Folder; files go in OUT/optimise-fleet/.")
@no_chart_option()
@json_option
def optimise_fleet_command(fleet_file, objective, budget, co2_cap, solver, time_limit, out_dir, no_chart, as_json):
    """Decide which renewals in FILE go electric and where charge points go.

    FILE is a fleet YAML (options, prices, charge points, rules) naming a
    vehicles CSV, or the shipped example fleet-2013. Prints the plan against
    like-for-like renewals, charge points per site, switching values (the
    electricity price and grant at which electric stops being cheapest),
    the cost-CO2 trade-off and a sensitivity tornado; writes CSVs, an Excel
    workbook and PNG charts.

    \b
    Examples:
      forecast optimise fleet fleet-2013
      forecast optimise fleet my-fleet.yaml --objective co2 --budget 800000
      forecast optimise fleet fleet-2013 --co2-cap 140 --json
    """
    from crimecast.optimise.fleet import FROM_FILE, fleet_report
    from crimecast.optimise.fleet_spec import load_fleet
    from crimecast.report import fleet as render
    from crimecast.report.charts import save_figure, tornado_chart, tradeoff_chart

    fleet = load_fleet(fleet_file)
    report = fleet_report(fleet, objective=objective, budget=FROM_FILE if budget is None else budget,
                          co2_cap=FROM_FILE if co2_cap is None else co2_cap, solver=solver, time_limit=time_limit)
    plan = report.plan
    sentences = render.fleet_sentences(fleet, report)
    switching = report.switching_frame()
    with staged_output(out_dir) as stage:
        staged = render.output_dir(stage.dir)
        written = render.write_tables(plan, report.tradeoff, report.tornado, switching, staged)
        written.append(render.write_workbook(fleet, report, switching, staged / "fleet.xlsx", notes=sentences))
        if not no_chart:
            written.append(save_figure(tradeoff_chart(report.tradeoff, baseline_cost=plan.baseline_cost,
                                                      baseline_co2=plan.baseline_co2), staged / "tradeoff.png"))
            written.append(save_figure(tornado_chart(report.tornado, base_cost=plan.cost), staged / "tornado.png"))
        stage.publish()
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.fleet_json(fleet, report, objective=objective, files=written))
    else:
        _show(render.fleet_text(fleet, report, objective=objective, sentences=sentences,
                                folder=render.output_dir(out_dir), files=written))


# ---------------------------------------------------------------- saved forecasts

@cli.command("forecasts")
@click.option("--store", default=None, envvar=STORE_ENV, show_envvar=True,
              help="The store file (default: crimecast.duckdb here).")
@click.option("--drop", "drop_name", default=None, help="Remove the saved forecast NAME.")
@json_option
def forecasts_command(store, drop_name, as_json):
    """List the saved forecasts (`forecast run ... --save NAME`), or drop one.

    A saved forecast keeps a run's sample paths, its settings and a
    fingerprint of the data it was made from; `--forecast NAME` on
    `scenario run|compare`, `milestones`, `optimise csf` and `report` reads
    it instead of forecasting again, and `--against NAME` on `milestones`
    and `report` sets the year so far against a forecast saved at the start
    of the year.

    \b
    Examples:
      forecast forecasts
      forecast forecasts --drop wm-2014
    """
    from crimecast.forecast.saved import drop_saved, saved_forecasts
    from crimecast.report import forecast as render

    if drop_name is not None:
        drop_saved(drop_name, store=store)
        if as_json:
            _echo_json(render.dropped_json(drop_name))
        else:
            _show(render.dropped_text(drop_name))
        return
    table = saved_forecasts(store)
    if as_json:
        _echo_json(render.saved_json(table))
    else:
        _show(render.saved_text(table))


# ---------------------------------------------------------------- the Board pack

@cli.command("report")
@click.option("--plan", "plan_file", required=True, help="A YAML or CSV plan of milestones, or a shipped plan (plan-2013-14).")
@click.option("--as-of", "as_of", default=None,
              help="The pack's date, e.g. 2014-03 (default: the data's last month, or the plan year's end when the data "
                   "runs past it). At the plan year's end: a year-end pack.")
@click.option("--scenario", "scenario_file", default=None, help="Scenario file (or shipped example) for the scenarios section.")
@click.option("--csf", "csf_file", default=None, help="Community Safety Fund assumptions (or csf-2013-14) for the money section.")
@click.option("--fleet", "fleet_file", default=None, help="Fleet file (or fleet-2013) for the money section.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT / "board-pack", show_default=True,
              callback=_checked_out_dir, help="Folder for report.html and report.pdf (checked before any work).")
@click.option("--no-pdf", is_flag=True, help="Write report.html only (no Chromium needed).")
@click.option("--model", type=click.Choice(list(MODEL_NAMES)), default=None,
              help=f"Forecasting model (default: {DEFAULT_MODEL}, or the scenario's).")
@click.option("--paths", "n_paths", type=click.IntRange(100, 100_000), default=None,
              help=f"Simulated paths (default: {DEFAULT_PATHS}, or the scenario's and fund's own); fewer is quicker.")
@click.option("--seed", type=int, default=None, help=f"Random seed (default: {DEFAULT_SEED}).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: cores, at most 4).")
@scheduler_option
@saved_forecast_option
@click.option("--against", "against_name", default=None,
              help="In-year pack: also set the year so far against the forecast saved at the start of the year as NAME.")
@data_source_options
def report_command(plan_file, as_of, scenario_file, csf_file, fleet_file, out_dir, no_pdf, model, n_paths, seed, jobs,
                   saved_name, against_name, data_source):
    """Write the Board pack: one self-contained HTML page (report.html) and its PDF.

    A summary table first (target, year to date against last year with the
    Poisson E-test, the year's forecast with its 80% interval, P(meet), and
    variation and assurance icons), then one section per milestone (SPC
    chart, fan chart with the target's trajectory, sentences), the scenario
    and the money when given, and where every number comes from. The page
    fetches nothing from the internet; the PDF (A4) is printed from it by
    headless Chromium. --forecast NAME reads a saved forecast instead of
    forecasting; --against NAME (an in-year pack) sets each milestone's
    year so far against the forecast saved at the start of the year.

    \b
    Examples:
      forecast report --plan plan-2013-14
      forecast report --plan plan-2013-14 --as-of 2014-03 --scenario domestic-abuse-uplift --csf csf-2013-14 --fleet fleet-2013
      forecast report --plan plan-2013-14 --as-of 2013-09 --no-pdf --out papers/september
      forecast report --plan plan-2013-14 --as-of 2014-03 --forecast start-2013 --no-pdf
      forecast report --plan plan-2013-14 --as-of 2013-09 --against start-2013 --no-pdf
    """
    import time

    from crimecast.forecast.spec import refuse_unused
    from crimecast.optimise.assumptions import load_assumptions
    from crimecast.optimise.fleet_spec import load_fleet
    from crimecast.report.board import build_board_pack, open_pack_counts
    from crimecast.report.board_html import write_board_pack, written_text
    from crimecast.scenarios.assess import check_milestones
    from crimecast.scenarios.rate_assess import count_part
    from crimecast.scenarios.spec import load_scenario

    started = time.perf_counter()
    month = _month_option(as_of, "--as-of")  # the data (its gaps) as it stood at the pack's date
    # the plan's `data:` unless --data or --dataset is given, to the last period every force its milestones name has
    scenario = load_scenario(scenario_file) if scenario_file else None  # on separate forces: the force it names
    # without --as-of, a year-end pack on data that runs past the plan's year: dated at the year's end
    pack_counts = open_pack_counts(data_source, plan_file=plan_file, as_of=month, scenario=scenario)
    data, month = pack_counts.data, pack_counts.as_of
    plan, counts = data.plan, data.counts
    if saved_name is not None and count_part(plan).milestones:  # (a plan of rates only forecasts them afresh)
        # the milestones read the saved forecast, and the fund forecasts with its own file's model and seed (only
        # --paths reaches it, when the saved forecast does not serve it): what would be left unused is refused
        refuse_unused({"model": model, "seed": seed, "paths": None if csf_file else n_paths},
                      where=f"with --forecast {saved_name}", why="the saved forecast's settings are used"
                      + ("; the fund forecasts with its own file's model and seed" if csf_file else ""),
                      instead="forecast afresh without --forecast")
    check_milestones(counts, plan)  # a milestone on what the data does not hold: its error alone, before any note
    _say_provenance(counts, area=data.noted,  # the gaps of the areas its milestones name, not other forces'
                    categories=[m.category for m in plan.milestones])  # the notice over its counts and rates
    if pack_counts.note:
        click.echo(f"Note: {pack_counts.note}", err=True)
    folder = out_dir
    csf = load_assumptions(csf_file) if csf_file else None
    fleet = load_fleet(fleet_file) if fleet_file else None
    with _forecasting() as bar:
        pack = build_board_pack(counts, plan, as_of=month, scenario=scenario, csf=csf,
                                fleet=fleet, model=model, paths=n_paths, seed=seed,
                                saved=_saved(saved_name, counts, data_source.store),
                                against=_saved(against_name, counts, data_source.store), jobs=jobs or default_jobs(),
                                progress=bar, store=data_source.store, rates=pack_counts.rates)
    written = write_board_pack(pack, folder, pdf=not no_pdf)
    _show(written_text(pack, written, seconds=time.perf_counter() - started))
    if written.pdf_problem:
        sys.exit(1)


# ---------------------------------------------------------------- rate series (satisfied / surveyed)

def _run_rate(rates, *, category, area, horizon, n_paths, seed, backtest, chart, out_dir, as_json, counts) -> None:
    """``forecast run`` on a rate series: percentages with 80%/95% intervals, rolling 12 months, backtest coverage."""
    from crimecast.forecast.rates import run_rate
    from crimecast.report import rates as render

    if area == "all":
        raise UsageError("--area all is not available for a rate series yet; name one area (e.g. force or birmingham).")
    report = run_rate(rates, category=category, area=area or "force", horizon=horizon or DEFAULT_HORIZON,
                      n_paths=n_paths, seed=seed, backtest=backtest)
    with staged_output(out_dir) as stage:
        written = render.write_rate_run_files(report, stage.dir, data_label=_data_label(counts),
                                              notice=rates.attrs.get("notice", ""), chart=chart)
        stage.publish()
    written = [stage.final_path(p) for p in written]
    if as_json:
        _echo_json(render.rate_run_json(report, data=counts.attrs, rates=rates.attrs, files=written))
    else:
        _show(render.rate_run_text(report, data_label=_data_label(counts), folder=out_dir, files=written))


def _spc_rate(rates, *, category, area, start, run_length, out_dir, drawn, as_json, counts) -> None:
    """``forecast spc`` on a rate series: the p-chart, or Laney's p' chart when the months are overdispersed."""
    import pandas as pd

    from crimecast.data.rates import rate_series
    from crimecast.forecast.pchart import describe_p_chart, p_chart
    from crimecast.report import rates as render

    series = rate_series(rates, category=category, area=area or "force")
    chosen = start if start is not None else series.index[-1] - pd.DateOffset(months=35)
    chart = p_chart(series, start=chosen, run_length=run_length)
    cat, ar = series.attrs["category"], series.attrs["area"]
    with staged_output(out_dir) as stage:
        written = render.write_p_chart_files(chart, stage.dir, category=cat, area=ar, notice=rates.attrs.get("notice", ""),
                                             drawn=drawn)
        stage.publish()
    written = [stage.final_path(p) for p in written]
    summary = describe_p_chart(chart)
    if as_json:
        _echo_json(render.p_chart_json(chart, category=cat, area=ar, rates=rates.attrs, summary=summary, files=written))
    else:
        _show(render.p_chart_text(chart, category=cat, area=ar, summary=summary, folder=out_dir, files=written))


def main() -> None:
    """The ``forecast`` console command: ``cli`` with Ctrl-C during start-up ending cleanly too.

    The command's work is finished (files closed, worker processes joined)
    when ``cli`` returns, so the process ends at once after the exit handlers
    and a flush of the output: tearing down the interpreter's modules
    (pandas, numpy, matplotlib) took a further 0.3-0.6 s of every command.
    """
    try:
        code = cli(prog_name="forecast", standalone_mode=False)
        code = code if isinstance(code, int) else 0
    except KeyboardInterrupt:
        click.secho("\nInterrupted.", fg="red", err=True)
        code = INTERRUPTED_EXIT
    except click.exceptions.Exit as stop:
        code = stop.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BrokenPipeError:  # `forecast ... | head` closed the pipe: as click does, end quietly
        code = 1
    _exit_now(code)


def _exit_now(code: int) -> None:
    """Run the exit handlers, flush stdout and stderr, and end the process without tearing it down."""
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`forecast ... | head`)
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
