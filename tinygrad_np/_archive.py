"""Reading ``.npy`` files and ``.npz`` archives without trusting them.

The format is checked from the first bytes before anything else is read (so
``load('/dev/zero')`` is refused at once); an archive's declared sizes are
checked against the file's size before any member is decompressed (the
decompression-bomb guard); each array's header (dtype, shape) is checked before
its data is read, and the data streams in chunks straight into the array's own
memory, so loading needs little more memory than the arrays it returns.

Every failure is a ``RuntimeError`` that starts ``tinygrad_np.load: <file>``.
Nothing here unpickles or imports anything.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
from collections.abc import Callable
from typing import IO, NoReturn

import numpy as np

ZIP_MAGIC = b"PK\x03\x04"
NPY_MAGIC = b"\x93NUMPY"
_PICKLE_PROTOCOLS = tuple(bytes([0x80, v]) for v in range(2, 6))
_CHUNK = 2**21  # bytes read at a time into an array
_EXPANSION_FLOOR = 2**20  # an archive may always declare this many bytes, whatever its size
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}

# what zipfile and NumPy's header parser raise on malformed input
_MALFORMED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    SyntaxError,
    NotImplementedError,
    struct.error,
    KeyError,
    IndexError,
    TypeError,
    OverflowError,
)
DtypeCheck = Callable[[np.dtype], str | None]  # the reason a dtype is refused, or None


def fail(source: str, problem: str) -> NoReturn:
    raise RuntimeError(f"tinygrad_np.load: {source} {problem}")


def open_stream(fh: IO[bytes], source: str) -> tuple[str, IO[bytes], int]:
    """Check the first bytes of ``fh``; returns ``("npy" | "zip", stream, size in bytes)``.

    A stream that cannot seek (a pipe) is read into memory once its first bytes
    have passed the check; the returned stream starts at the file's first byte.
    """
    seekable = bool(getattr(fh, "seekable", lambda: False)())
    start = fh.tell() if seekable else 0
    magic = fh.read(len(NPY_MAGIC))
    if not isinstance(magic, bytes):
        raise TypeError(f"tinygrad_np.load: {source} must be opened in binary mode ('rb')")
    if magic.startswith(ZIP_MAGIC):
        kind = "zip"
    elif magic == NPY_MAGIC:
        kind = "npy"
    elif (magic[:1] == b"\x80" and magic[:2] in _PICKLE_PROTOCOLS) or magic[:1] in (b"(", b"]", b"}", b"c"):
        fail(
            source,
            "holds pickled data, which could run arbitrary code; refusing to load it. "
            "Only files written by tinygrad_np.save (.npz) and plain NumPy .npy/.npz files are read.",
        )
    elif not magic:
        fail(source, "is empty (truncated or corrupt file)")
    else:
        fail(source, "is not a tinygrad_np.save file (a .npz archive): truncated or corrupt")
    if seekable:
        size = fh.seek(0, io.SEEK_END) - start
        fh.seek(start)
        return kind, fh, size
    data = magic + fh.read()
    return kind, io.BytesIO(data), len(data)


def read_npy(
    fh: IO[bytes], source: str, where: str, check: DtypeCheck, nbytes_left: int, exact: bool = False
) -> np.ndarray:
    """One ``.npy`` array from ``fh``: header checked, then the data read in chunks.

    ``nbytes_left`` is how many bytes the file (or archive member) holds from
    here; with ``exact`` the array must fill it exactly (an archive member).
    """
    start = fh.tell()
    try:
        version = np.lib.format.read_magic(fh)
        reader = _HEADER_READERS.get(version)
        if reader is None:
            fail(source, f"is not supported{where}: .npy format version {version[0]}.{version[1]}")
        shape, fortran, dtype = reader(fh)
    except _MALFORMED as exc:
        fail(source, f"is truncated or corrupt{where}: bad .npy header ({exc})")
    if dtype.hasobject:
        member = f"{where.strip()}: " if where else ""
        fail(
            source,
            f"{member}holds pickled data (an object array), which could run arbitrary code; refusing to load it",
        )
    problem = check(dtype)
    if problem is not None:
        fail(source, f"holds an array{where} of unsupported dtype {dtype.str!r} ({dtype}): {problem}")
    if any(n < 0 for n in shape):
        fail(source, f"is corrupt{where}: negative dimension in shape {shape}")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    room = nbytes_left - (fh.tell() - start)
    if nbytes > room or (exact and nbytes != room):
        fail(
            source,
            f"is truncated or corrupt{where}: its header declares shape {shape} of {dtype} "
            f"({nbytes} bytes) but {room} bytes follow",
        )
    flat = np.empty(count, dtype)
    _read_into(fh, memoryview(flat.view(np.uint8)), source, where)
    return flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)


def _read_into(fh: IO[bytes], buf: memoryview, source: str, where: str) -> None:
    pos = 0
    try:
        while pos < len(buf):
            got = fh.readinto(buf[pos : pos + _CHUNK])
            if not got:
                fail(source, f"is truncated{where}: the data ends {len(buf) - pos} bytes early")
            pos += got
    except _MALFORMED as exc:
        fail(source, f"is truncated or corrupt{where} ({exc})")


class Archive:
    """A ``.npz`` archive whose member list and declared sizes have been checked.

    ``names`` are the members without their ``.npy``; :meth:`read` reads one.
    """

    def __init__(self, fh: IO[bytes], size: int, source: str, max_expansion: float) -> None:
        self.source = source
        try:
            self._zip = zipfile.ZipFile(fh)
            infos = self._zip.infolist()
        except _MALFORMED as exc:
            fail(source, f"is truncated or corrupt ({exc})")
        if any(i.filename.endswith(".pkl") for i in infos):
            fail(
                source,
                "holds pickled data (it looks like a torch.save file), which could run arbitrary code; "
                "refusing to load it. Convert it where you trust it, e.g. "
                "tinygrad_np.save({k: v.numpy() for k, v in torch.load(path).items()}, new_path)",
            )
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self._check_member(info)
            self._infos[info.filename[: -len(".npy")]] = info
        self.names = list(self._infos)
        packed = sum(i.compress_size for i in infos)
        declared = sum(i.file_size for i in infos)
        if packed > size:
            fail(source, f"is truncated or corrupt: its members declare {packed} bytes in a {size}-byte file")
        if declared > max(max_expansion * size, _EXPANSION_FLOOR):
            fail(
                source,
                f"declares {declared} bytes of arrays in a {size}-byte archive ({declared / max(size, 1):.0f}x its "
                f"size), more than max_expansion={max_expansion:g} allows; refusing it as a possible decompression "
                "bomb. If you trust the file, pass load(..., max_expansion=...) with a larger ratio (or "
                "float('inf')), or set tinygrad_np.serialization.MAX_EXPANSION.",
            )

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        if not name.endswith(".npy") or name[: -len(".npy")] in self._infos:
            problem = "is not a .npy array" if not name.endswith(".npy") else "appears twice"
            fail(self.source, f"is corrupt: archive member {name!r} {problem}")
        if info.flag_bits & 0x1:
            fail(self.source, f"is not supported: archive member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            fail(
                self.source,
                f"is not supported: archive member {name!r} uses compression method {info.compress_type}",
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            fail(self.source, f"is corrupt: stored member {name!r} declares two different sizes")

    def read(self, name: str, check: DtypeCheck) -> np.ndarray:
        info = self._infos[name]
        where = f" in {name!r}"
        try:
            with self._zip.open(info) as member:
                return read_npy(member, self.source, where, check, info.file_size, exact=True)
        except _MALFORMED as exc:
            fail(self.source, f"is truncated or corrupt{where} ({exc})")

    def close(self) -> None:
        self._zip.close()
