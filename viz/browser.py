"""A real `computebubble app` server and Debian's Chromium, for the browser tests and scripts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

#: Launch flags verified on these machines (../shared/RECIPES.md): no sandbox as root, no
#: GPU, and no background networking (the machines have no internet).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("browser tests need Chromium: apt-get install -y chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedURL(str):
    """The app's URL, with what the server has printed so far (``output()``)."""

    lines: list[str]

    def output(self) -> str:
        return "".join(self.lines)


def _drain(stream, lines: list[str]) -> None:
    """Keep the server's output (and never let its pipe fill, which would block the server)."""
    for raw in iter(stream.readline, b""):
        lines.append(raw.decode(errors="replace"))


@contextmanager
def app_server(env_extra: dict | None = None, timeout_s: float = 90.0, args: list[str] | None = None):
    """Start `computebubble app [args]` on a free 127.0.0.1 port; yield its URL (a
    :class:`ServedURL`, whose ``output()`` is the server's log so far); stop it."""
    port = free_port()
    env = {**os.environ, **(env_extra or {})}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "app", "--port", str(port), *(args or [])],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = ServedURL(f"http://127.0.0.1:{port}/")
    url.lines = []
    reader = threading.Thread(target=_drain, args=(proc.stdout, url.lines), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                reader.join(timeout=5)
                raise RuntimeError(f"the app did not start on {url}:\n{url.output()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
