"""The Board pack in a real browser: headless Chromium at desktop and phone widths."""

from __future__ import annotations

import struct

import pytest

from crimecast.report.browser import Browser
from conftest import chromium_or_none, needs_chromium

pytestmark = pytest.mark.xdist_group("board-replay")  # one worker builds the replay once

WIDTHS = {"desktop": 1280, "zoom-200": 640, "phone": 390}  # zoom-200: a 1280-pixel screen at 200%
HEIGHTS = {"desktop": 800, "zoom-200": 400, "phone": 844}  # a laptop's window, and as docs/make_images.py photographs

# Measured in the page once it has loaded (at the top, so positions are from the top of the page):
# where the summary's milestone rows and the illustrative-data notice end, the smallest text in the
# summary (its card labels included), and every element that reaches past the window's right edge or
# scrolls sideways inside itself (the screen-reader-only caption and the skip link are off-screen on purpose).
LAYOUT = """(() => {
  const bottom = e => e ? e.getBoundingClientRect().bottom : null;
  const shown = e => e.getClientRects().length > 0 && !e.closest('.visually-hidden, .skip');
  const cells = Array.from(document.querySelectorAll('#summary table *')).filter(shown);
  const texts = cells.filter(e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()));
  const labels = cells.filter(e => e.matches('td') && getComputedStyle(e, '::before').content !== 'none');
  const sizes = texts.map(e => getComputedStyle(e).fontSize).concat(labels.map(e => getComputedStyle(e, '::before').fontSize));
  const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : '')
    + ' "' + e.textContent.trim().slice(0, 40) + '"';
  const all = Array.from(document.body.querySelectorAll('*')).filter(shown);
  const wide = all.filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(name);
  const scrolling = all.filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
    && e.scrollWidth > e.clientWidth + 1).map(name);
  const rows = Array.from(document.querySelectorAll('#summary tr.milestone-row'));
  return {rows: rows.length, lastRow: bottom(rows[rows.length - 1]), notice: bottom(document.querySelector('header .notice')),
          smallest: Math.min(...sizes.map(parseFloat)), wide: wide, scrolling: scrolling};
})()"""


@pytest.fixture(scope="module")
def pages(board_replay, tmp_path_factory):
    result, folder, _ = board_replay
    assert result.exit_code == 0, result.output
    browser = Browser(chromium_or_none())
    try:
        return {name: browser.open((folder / "report.html").as_uri(), width=width, height=HEIGHTS[name], measure=LAYOUT)
                for name, width in WIDTHS.items()}
    finally:
        browser.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("name", list(WIDTHS))
def test_the_page_loads_cleanly_at_each_width(pages, name, tmp_path):
    page = pages[name]
    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.images == 14 and page.broken_images == 0  # two charts for each of six milestones, CSF, fleet
    fetched = [url for url in page.requested_urls if not url.startswith(("file:", "data:"))]
    assert fetched == []  # nothing from the network
    assert page.scroll_width <= WIDTHS[name]  # no sideways scrolling, even on a phone
    width, height = _png_size(page.screenshot)
    assert width == WIDTHS[name] and height == page.height > 3 * width  # a full-page screenshot
    (tmp_path / f"board-pack-{name}.png").write_bytes(page.screenshot)


@pytest.mark.slow
@needs_chromium
def test_the_first_screen_of_a_desktop_holds_the_whole_summary(pages):
    """A board member at a 1280 x 800 window sees every milestone's verdict, and the warning, before scrolling."""
    found = pages["desktop"].measured
    assert found["rows"] == 6
    assert found["lastRow"] <= HEIGHTS["desktop"], f"the last milestone row ends {found['lastRow']:.0f} px down"
    assert found["notice"] is not None and found["notice"] < found["lastRow"]  # the data is illustrative: said first
    assert found["smallest"] >= 14  # compact, not small: no text in the summary under 14 px


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("name", ["phone", "zoom-200"])
def test_nothing_reaches_past_the_side_of_a_phone(pages, name):
    """At 390 px (and 1280 px at 200% zoom) no element sticks out sideways or scrolls sideways inside itself."""
    found = pages[name].measured
    assert found["wide"] == [] and found["scrolling"] == []
    assert found["rows"] == 6 and found["smallest"] >= 14  # the summary's cards, labels included
