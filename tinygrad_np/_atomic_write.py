"""Replacing a file so that a crash or a concurrent writer never leaves it half written.

:func:`write_atomically` writes to a uniquely named temp file in the target's
own folder, flushes it to disk (``fsync``) and renames it over the target
(``os.replace``, atomic on POSIX and Windows): a reader sees the old file or
the new one, never a mix, and threads saving to one path each leave a complete
file (the last rename wins).

What ``torch.save`` (which writes into the file in place) keeps is kept too: a
symlink stays a link and the file it points to is replaced; an existing file
keeps its permission bits (and, where allowed, owner and group); a new file
gets the usual ``0o666 & ~umask``; a read-only file is refused; a device or a
pipe (``/dev/null``) is written directly. Unlike an in-place write, a hard
link to the old file keeps the old contents.

The temp file is named ``<name>.tmp-tinygrad_np-<host>-<pid>-<random>``. It is
removed on any error; a process killed mid-save leaves it behind, and the next
save to the same path removes it once no process with that id runs on this host.
Every error names the caller's path, never the temp file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable
from typing import IO

_TAG = ".tmp-tinygrad_np-"
_NAME_ROOM = 160  # bytes of the target's name kept in the temp's name (names are limited to 255)


def _host() -> str:
    node = os.uname().nodename if hasattr(os, "uname") else ""
    return hashlib.sha1(node.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _stem(base: str) -> str:
    raw = base.encode("utf-8", "surrogateescape")
    return base if len(raw) <= _NAME_ROOM else hashlib.sha1(raw).hexdigest()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else, or we cannot tell
    return True


def _remove_orphans(folder: str, prefix: str) -> None:
    """Remove temp files that a killed save to this path left behind (POSIX only)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        pid, _, token = entry.name[len(prefix) :].partition("-")
        if not (entry.name.startswith(prefix) and pid.isdigit() and token):
            continue
        if int(pid) == os.getpid() or _alive(int(pid)):
            continue  # a save in progress (in this process or another one)
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.remove(entry.path)


def _with_path(exc: OSError, path: str) -> OSError:
    """The same kind of error, naming the caller's path instead of the temp file."""
    if exc.errno is None:
        return OSError(f"tinygrad_np.save: cannot write {path!r}: {exc}")
    return OSError(exc.errno, f"tinygrad_np.save: {exc.strerror or os.strerror(exc.errno)}", path)


def write_atomically(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write(file)`` on a temp file and move the result to ``path`` (see the module doc)."""
    try:
        _write(path, write)
    except OSError as exc:
        raise _with_path(exc, path) from None


def _write(path: str, write: Callable[[IO[bytes]], None]) -> None:
    target = os.path.realpath(path)  # through symlinks: the link itself stays
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory")
    if old is not None and not stat.S_ISREG(old.st_mode):
        with open(target, "wb") as out:  # a device or a pipe: nothing to replace
            write(out)
        return
    if old is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only")
    folder, base = os.path.split(target)
    prefix = f"{_stem(base)}{_TAG}{_host()}-"
    _remove_orphans(folder or ".", prefix)
    tmp = os.path.join(folder, f"{prefix}{os.getpid()}-{secrets.token_hex(6)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o666)  # a new file: the umask applies, as with open(path, "wb")
    try:
        with os.fdopen(fd, "wb") as out:
            if old is not None:
                _keep_mode_and_owner(out.fileno(), old)
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        tmp = ""
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.remove(tmp)
    _sync_folder(folder or ".")


def _keep_mode_and_owner(fd: int, old: os.stat_result) -> None:
    if not hasattr(os, "fchmod"):
        return
    if hasattr(os, "fchown") and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root may give a file away; the mode is kept regardless
            os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode))  # after fchown, which clears set-id bits


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
