"""Output paths, checked before any run: ``--out`` files of ``run`` and ``compare``.

Library code: a bad path raises ``error`` (a ``ValueError``) with a one-line message;
the command line (experiments/cli.py) prints it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

#: Output formats of ``run --out``, by extension.
OUT_FORMATS = (".parquet", ".csv")

def agent_frame_path(out: Path, label: str) -> Path:
    """Where ``run --out X.ext`` writes an agent type's frame: ``X.<label>.ext``."""
    return out.with_name(f"{out.name[: -len(out.suffix)]}.{label}{out.suffix}")


#: Characters a written file's name needs beyond its own: the temporary name it is written under.
_TMP_NAME_EXTRA = len(".") + len(".4194304.tmp")


def check_out(out: str | Path | None, formats: Sequence[str] = OUT_FORMATS,
              error: type[ValueError] = ValueError, siblings: Sequence[str] = ()) -> Path | None:
    """An ``--out`` file path, checked before any run: a known extension, a name the file system
    can hold, an existing folder this process can write in, and neither it nor a sibling file
    written beside it (``siblings``: agent-frame labels, see :func:`agent_frame_path`) an
    existing folder."""
    from experiments.scenario import clip, name_max, os_problem

    if out is None:
        return None
    shown = clip(out)
    path = Path(out).expanduser()
    if path.suffix.lower() not in formats:
        raise error(f"--out {shown!r}: unsupported extension {clip(path.suffix) or '(none)'!r}; "
                    f"allowed: {', '.join(formats)}")
    paths = [path] + [agent_frame_path(path, label) for label in siblings]
    limit = name_max() - _TMP_NAME_EXTRA
    longest = max(paths, key=lambda p: len(p.name.encode()))
    if len(longest.name.encode()) > limit or any(len(part.encode()) > name_max() for part in path.parent.parts):
        extra = len(longest.name) - len(path.name)
        with_frames = f", {len(longest.name)} with an agent frame's suffix" if extra else ""
        raise error(f"--out {shown!r}: the file name is too long ({len(path.name)} characters{with_frames}); "
                    f"allowed: a name of at most {limit - extra} characters")
    try:
        if not path.parent.is_dir():
            raise error(f"--out {shown!r}: folder '{clip(path.parent)}' does not exist")
        for p in paths:
            if p.is_dir():
                raise error(f"--out {shown!r}: '{clip(p)}' is a folder; allowed: a file path (a folder there is "
                            "never replaced)")
        with tempfile.TemporaryFile(dir=path.parent, prefix=".computebubble-probe-"):
            pass
    except OSError as e:
        raise error(f"--out {shown!r}: cannot write in folder '{clip(path.parent)}' ({os_problem(e)}); allowed: a "
                    "path in a folder you can write") from None
    return path


__all__ = ["OUT_FORMATS", "check_out", "agent_frame_path"]
