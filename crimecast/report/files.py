"""Output files: forecast CSVs and charts, written atomically."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from crimecast.forecast.paths import ForecastResult
from crimecast.io import write_atomic, write_csv_atomic

DECIMALS = 1


FILLED_KIND = "filled"  # a period missing from the data and filled in (by interpolation): not a recorded count


def forecast_frame(result: ForecastResult, *, data_label: str = "", filled=()) -> pd.DataFrame:
    """History and forecast in one table: ``kind`` is ``actual``, ``filled`` or ``forecast``.

    ``filled`` are the periods missing from the data and filled in: their
    rows are ``filled``, not ``actual``, so nobody reads them as recorded.

    ``data_label`` (e.g. ``"west-midlands (illustrative)"``) is written in a
    ``data`` column so the file says where its numbers come from. Quarterly
    forecasts keep ``month`` (the quarter's first month, as in the data
    contract) and add a ``quarter`` label such as ``2013/14 Q1`` after it.
    """
    actual = pd.DataFrame({"month": result.history.index, "kind": "actual", "count": result.history.to_numpy()})
    actual.loc[actual["month"].isin(pd.DatetimeIndex(list(filled))), "kind"] = FILLED_KIND
    forecast = result.monthly_table().assign(kind="forecast")
    frame = pd.concat([actual, forecast], ignore_index=True)
    frame.insert(0, "area", result.area)
    frame.insert(0, "category", result.category)
    frequency = result.frequency
    if frequency.months_per_period > 1:
        frame.insert(frame.columns.get_loc("month") + 1, frequency.noun, frame["month"].map(frequency.label))
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    from crimecast.report.tables import model_label

    frame["model"] = model_label(result, filled=filled)
    frame["data"] = data_label
    return frame.round(DECIMALS)


def output_names(category: str, area: str) -> tuple[str, str]:
    """The files ``forecast run`` writes for one series: its CSV and its fan chart."""
    return f"{category}_{area}_forecast.csv", f"{category}_{area}_fan.png"


def write_forecast_csv(result: ForecastResult, out_dir: Path, *, data_label: str = "", filled=()) -> Path:
    """``<out>/<category>_<area>_forecast.csv`` (``filled``: the periods filled in, marked ``filled``)."""
    csv_name, _ = output_names(result.category, result.area)
    return write_csv_atomic(forecast_frame(result, data_label=data_label, filled=filled), Path(out_dir) / csv_name)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """``data`` written to ``path`` atomically."""
    return write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))


def _fan_chart_png(item: tuple[ForecastResult, str, tuple]) -> bytes:
    """One fan chart as PNG bytes (drawn in a worker, possibly on another machine; written here)."""
    from crimecast.report.charts import fan_chart, png_bytes

    result, notice, filled = item
    return png_bytes(fan_chart(result, notice=notice, filled=filled))


def _ready_to_draw() -> None:
    """A chart worker's start: leave Ctrl-C to the parent, import the plotting code and load the font once.

    Warming up is only a head start: if it fails, the chart drawn later
    meets the same error and hands it to the parent (an initializer that
    raised would make the pool start new workers for ever).
    """
    from crimecast.forecast.parallel import ignore_interrupt

    ignore_interrupt()
    try:
        from crimecast.report.charts import subplots, png_bytes

        fig, ax = subplots(figsize=(1, 1), dpi=10)
        ax.set_title("0")
        png_bytes(fig)
    except BaseException:  # noqa: BLE001, S110 - see above
        pass


def _outcome(work, item) -> tuple[bool, object]:
    """``(True, work(item))``, or ``(False, the exception)``: a worker never dies of one (Ctrl-C included)."""
    try:
        return True, work(item)
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
        return False, error


class ChartWorkers:
    """Processes that draw charts, started before the forecasts so that their plotting imports overlap the fitting.

    Drawing a chart needs matplotlib, whose import (about 0.7 s) and first
    font load cost more than the chart itself; started at the beginning of a
    command, ``processes`` workers do both while the models fit, then draw
    the charts (in order) when asked. Use as a context manager: leaving it
    on an error (or Ctrl-C) stops them at once.
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, processes)
        self._pool = None

    def __enter__(self) -> "ChartWorkers":
        import multiprocessing

        self._pool = multiprocessing.get_context().Pool(self.processes, initializer=_ready_to_draw)
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()

    def draw(self, work, items: list):
        """``work(item)`` for every item on the workers, yielded in order as each is done; a worker's exception is
        raised here."""
        for done, value in self._pool.imap(partial(_outcome, work), items):
            if not done:
                raise value
            yield value


def write_forecast_files(results: list[ForecastResult], out_dir: Path, *, data_label: str = "", notice: str = "",
                         filled: dict[tuple[str, str], tuple] | None = None, chart: bool = True,
                         workers: ChartWorkers | None = None, progress=None) -> list[Path]:
    """Each forecast's CSV and, with ``chart``, its fan chart PNG, in ``out_dir``; the paths, in order.

    Charts take most of the time of a batch's files (a quarter to half a
    second each, mostly laying out text), so they are drawn on ``workers``
    started earlier when given, else in this process. ``filled`` gives, per
    (category, area), the periods that were missing and filled in (marked on
    the chart, and ``filled`` rather than ``actual`` in the CSV). ``progress`` is
    called with ``"category / area"`` as each chart is written.
    """
    out_dir = Path(out_dir)
    filled = filled or {}
    csvs = [write_forecast_csv(result, out_dir, data_label=data_label,
                               filled=filled.get((result.category, result.area), ())) for result in results]
    if not chart:
        return csvs
    items = [(result, notice, tuple(filled.get((result.category, result.area), ()))) for result in results]
    pngs = workers.draw(_fan_chart_png, items) if workers is not None else map(_fan_chart_png, items)
    charts = []
    for result, png in zip(results, pngs):
        charts.append(write_bytes_atomic(out_dir / output_names(result.category, result.area)[1], png))
        if progress:
            progress(f"{result.category} / {result.area}")
    return [path for pair in zip(csvs, charts) for path in pair]
