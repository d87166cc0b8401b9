"""A small Chrome DevTools Protocol driver: headless Chromium over a pipe, for screenshots.

Chromium's ``--remote-debugging-pipe`` reads protocol messages (JSON, each
ended by a NUL byte) on file descriptor 3 and writes replies and events on
4, so no port and no extra package is needed. The browser tests use it to
load the Board pack at several widths, and ``docs/make_images.py`` to take
the README's screenshots of it. Chromium is found as for the PDF
(:func:`crimecast.report.pdf.find_chromium`).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from crimecast.errors import CrimecastError
from crimecast.report.pdf import chromium_command

TIMEOUT = 60.0


class BrowserError(CrimecastError):
    """Chromium did not answer, or refused a command, while a page was being looked at."""


@dataclass
class PageReport:
    """What happened while a page loaded at one width."""

    width: int
    screenshot: bytes
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)
    broken_images: int = 0
    images: int = 0
    scroll_width: int = 0
    height: int = 0
    measured: object = None


class Browser:
    """Headless Chromium driven over the DevTools pipe; close it with :meth:`close` (or use ``with``).

    Parameters
    ----------
    executable : str
        The Chromium program, e.g. from :func:`crimecast.report.pdf.find_chromium`.
    """

    def __init__(self, executable: str):
        self._profile = tempfile.TemporaryDirectory(prefix="crimecast-cdp-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        for fd in (to_child_r, from_child_w):
            os.close(fd)

        def wire_pipes():  # runs in the child before exec: the pipes become fds 3 and 4
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        command = chromium_command(executable, Path(self._profile.name), "--remote-debugging-pipe",
                                   "--hide-scrollbars", "about:blank")
        self._process = subprocess.Popen(command, preexec_fn=wire_pipes, pass_fds=(3, 4), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        os.close(high_r)
        os.close(high_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self.events: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message and message["id"] in self._replies:
                    self._replies[message["id"]].put(message)
                else:
                    self.events.put(message)

    def send(self, method: str, params: dict | None = None, *, session: str | None = None) -> dict:
        """Send one command and wait for its reply; raises on a protocol error."""
        self._next_id += 1
        ident = self._next_id
        self._replies[ident] = queue.Queue()
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode("utf-8") + b"\0")
        try:
            reply = self._replies[ident].get(timeout=TIMEOUT)
        except queue.Empty:
            raise BrowserError(f"Chromium did not answer {method} within {TIMEOUT:.0f} s.") from None
        finally:
            self._replies.pop(ident, None)
        if "error" in reply:
            raise BrowserError(f"Chromium refused {method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str, *, session: str, seen: list[dict]) -> None:
        """Collect events into ``seen`` until ``method`` arrives for ``session``."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                break
            if event.get("sessionId") == session:
                seen.append(event)
                if event.get("method") == method:
                    return
        raise BrowserError(f"Chromium did not report {method} within {TIMEOUT:.0f} s.")

    def drain(self, *, session: str, seen: list[dict], settle: float = 0.5) -> None:
        """Collect the events that arrive within ``settle`` seconds."""
        end = time.monotonic() + settle
        while time.monotonic() < end:
            try:
                event = self.events.get(timeout=0.05)
            except queue.Empty:
                continue
            if event.get("sessionId") == session:
                seen.append(event)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self, url: str, *, width: int, height: int = 900, full_page: bool = True,
             measure: str | None = None) -> PageReport:
        """Load ``url`` in a ``width`` x ``height`` CSS-pixel window; a screenshot and what went wrong.

        Parameters
        ----------
        url : str
            The page, e.g. ``Path(...).as_uri()``.
        width, height : int
            The window in CSS pixels (one device pixel each); below 600 wide the page is shown as on a phone.
        full_page : bool
            True: the screenshot holds the whole page, ``width`` by the page's height. False: only the first
            screen, ``width`` by ``height`` (what a reader sees before scrolling).
        measure : str, optional
            A JavaScript expression evaluated once the page has loaded (before the screenshot), e.g. where an
            element ends: ``document.querySelector('h1').getBoundingClientRect().bottom``. Its value (anything
            JSON can hold) is the report's ``measured``.

        Returns
        -------
        PageReport
            The PNG screenshot, the page's console errors, failed and made requests, its images
            (and how many are broken), its scroll width and height, and what ``measure`` found.
        """
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": width < 600}, session=session)
        seen: list[dict] = []
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session=session, seen=seen)
        self.drain(session=session, seen=seen)
        check = ("JSON.stringify({images: document.images.length, broken: Array.from(document.images).filter("
                 "i => !i.complete || i.naturalWidth === 0).length, scroll: document.documentElement.scrollWidth, "
                 "height: document.documentElement.scrollHeight})")
        try:
            found = json.loads(self._evaluate(check, session=session))
            measured = self._evaluate(f"JSON.stringify({measure})", session=session) if measure else None
            measured = None if measured is None else json.loads(measured)  # JSON.stringify(undefined) is undefined
            shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                        "clip": {"x": 0, "y": 0, "width": width, "height": found["height"] if full_page else height,
                                                                 "scale": 1}}, session=session)
        finally:
            self.send("Target.closeTarget", {"targetId": target})
        report = PageReport(width=width, screenshot=base64.b64decode(shot["data"]), broken_images=found["broken"],
                            images=found["images"], scroll_width=found["scroll"], height=found["height"],
                            measured=measured)
        for event in seen:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                report.console_errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                report.console_errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                report.requested_urls.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                report.failed_requests.append(f"{params.get('errorText')} ({params.get('type')})")
        return report

    def _evaluate(self, expression: str, *, session: str):
        """The value of a JavaScript ``expression`` in the page; raises if it throws."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in reply:
            raise BrowserError(f"The page could not evaluate {expression[:80]!r}: "
                               f"{reply['exceptionDetails'].get('exception', {}).get('description', 'an exception')}")
        return reply["result"].get("value")

    def close(self) -> None:
        """Close Chromium and remove its temporary profile."""
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()


__all__ = ["Browser", "BrowserError", "PageReport"]
