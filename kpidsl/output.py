"""Writing outputs safely: every file is written to a temporary file beside it and renamed into
place, so that a failed run leaves the old file whole; never over a file this run read (the
scheme, its data), never into a directory or a device, never through a symbolic link unless
asked (--force)."""
from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import KpiError, diagnostic


def refusal(path: str, zh: str, en: str, lang: str) -> KpiError:
    return KpiError([diagnostic("E401", lang, path=path, reason=zh if lang == "zh" else en)])


def check_target(name: str, read: Iterable[Path] = (), force: bool = False, lang: str = "zh") -> Path:
    """The file to write for `--out name`, or a clear error saying why not."""
    path = Path(name)
    if path.is_symlink():
        if not force:
            raise refusal(name, f"是符号链接（指向 {os.readlink(path)}）；确要写入其指向的文件，请加 --force",
                          f"it is a symbolic link (to {os.readlink(path)}); add --force to write to its target",
                          lang)
        path = path.resolve()
    if path.is_dir():
        raise refusal(name, "这是一个文件夹，请给出文件名", "it is a folder; give a file name", lang)
    if not path.parent.is_dir():
        raise refusal(name, f"文件夹 {path.parent} 不存在", f"the folder {path.parent} does not exist", lang)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise refusal(name, "不是普通文件（设备、管道等）", "it is not a regular file (a device, a pipe…)", lang)
    resolved = path.resolve()
    if any(resolved == Path(p).resolve() for p in read):
        raise refusal(name, "这是本次读取的方案或数据文件，不会被覆盖", "it is the scheme or a data file this run reads; "
                      "it is never overwritten", lang)
    return path


def folder(name: str, lang: str = "zh") -> Path:
    """The folder `--per-unit name` writes its files into, made if its parent exists."""
    path = Path(name)
    if path.exists() and not path.is_dir():
        raise refusal(name, "不是文件夹", "it is not a folder", lang)
    if not path.parent.is_dir():
        raise refusal(name, f"文件夹 {path.parent} 不存在", f"the folder {path.parent} does not exist", lang)
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def replacing(path: Path, name: str, lang: str = "zh", mode: str = "wb") -> Iterator:
    """A file to write that replaces `path` only once it is complete."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as e:
        raise refusal(name, e.strerror or str(e), e.strerror or str(e), lang) from None
    try:
        with os.fdopen(handle, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as an ordinary new file (mkstemp makes it private)
        os.replace(temporary, path)
    except OSError as e:
        raise refusal(name, e.strerror or str(e), e.strerror or str(e), lang) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
