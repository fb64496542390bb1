"""Helpers for the bad-input and process tests (shared by test_cli, test_sweep, test_sweep_processes)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from experiments.cli import main


def exits_2_with_one_line(capsys, argv: list[str], *needles: str) -> str:
    """Run the CLI in-process: exit status 2, stderr exactly one line ``computebubble: error: ...``
    holding every needle, no traceback anywhere. Returns the line."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert status == 2, (status, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("computebubble: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    assert "Traceback" not in out + err
    return lines[0]


@contextlib.contextmanager
def unwritable_dir(tmp_path: Path):
    """A folder this process cannot create files in: mode 0500, or /sys when we are root
    (root writes through permissions; sysfs refuses new files even to root)."""
    d = tmp_path / "read-only"
    d.mkdir()
    d.chmod(0o500)
    try:
        yield Path("/sys") if os.access(d, os.W_OK) else d
    finally:
        d.chmod(0o700)


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) of every process (Linux /proc)."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            table[int(name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    """Live (not zombie) descendants of ``pid``."""
    table = process_table()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return {p for p in found if table[p][1] != "Z"}


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (zombies count as ended)."""
    table = process_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}
