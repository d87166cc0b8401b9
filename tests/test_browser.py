"""The DevTools driver (crimecast.report.browser): screenshots of the first screen or of the whole page."""

from __future__ import annotations

import struct

import pytest

from crimecast.report.browser import Browser, BrowserError
from conftest import chromium_or_none, needs_chromium

PAGE = """<!doctype html><meta name="viewport" content="width=device-width"><style>body{margin:0}</style>
<div style="height:2000px;background:#0072B2"></div><script>console.error("seen")</script>"""


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_first_screen_and_full_page_screenshots(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    with Browser(chromium_or_none()) as browser:
        first = browser.open(page.as_uri(), width=390, height=844, full_page=False,
                             measure="{tall: document.querySelector('div').getBoundingClientRect().bottom}")
        whole = browser.open(page.as_uri(), width=390, height=844)
        with pytest.raises(BrowserError, match="Chromium refused No.such"):  # a project error, not a RuntimeError
            browser.send("No.such")
        with pytest.raises(BrowserError, match="could not evaluate.*no_such_name is not defined"):
            browser.open(page.as_uri(), width=390, measure="no_such_name")
    assert _png_size(first.screenshot) == (390, 844)
    assert _png_size(whole.screenshot) == (390, 2000) and whole.height == 2000
    assert first.console_errors == ["seen"] and first.broken_images == 0 and first.images == 0
    assert first.measured == {"tall": 2000} and whole.measured is None
