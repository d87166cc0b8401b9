"""The Board pack in a real browser: headless Chromium at desktop and phone widths."""

from __future__ import annotations

import struct

import pytest

from crimecast.report.browser import Browser
from conftest import chromium_or_none, needs_chromium

pytestmark = pytest.mark.xdist_group("board-replay")  # one worker builds the replay once

WIDTHS = {"desktop": 1280, "zoom-200": 640, "phone": 390}  # zoom-200: a 1280-pixel screen at 200%


@pytest.fixture(scope="module")
def pages(board_replay, tmp_path_factory):
    result, folder, _ = board_replay
    assert result.exit_code == 0, result.output
    browser = Browser(chromium_or_none())
    try:
        return {name: browser.open((folder / "report.html").as_uri(), width=width) for name, width in WIDTHS.items()}
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
