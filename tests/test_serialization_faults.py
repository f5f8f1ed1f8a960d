"""save/load under faults: format checked first, streaming, bomb guard, atomic and concurrent saves,
permissions and symlinks kept, no orphan temp files, errors naming the user's path, aliasing kept."""

import errno
import io
import os
import stat
import subprocess
import sys
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, serialization
from tinygrad_np.nn import Parameter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMP_TAG = ".tmp-tinygrad_np-"


def _saved_bytes(obj):
    buf = io.BytesIO()
    tg.save(obj, buf)
    return buf.getvalue()


def _temps(folder):
    return sorted(name for name in os.listdir(folder) if TEMP_TAG in name or ".tmp-" in name)


# ---- 15: the magic bytes are checked before reading; loading streams -----------------------
class _Endless(io.RawIOBase):
    """A stream of zero bytes that never ends (like /dev/zero), counting what is read."""

    def __init__(self, first=b""):
        self.first, self.read_bytes = first, 0

    def readable(self):
        return True

    def readinto(self, b):
        if self.read_bytes > 50 * 2**20:
            raise AssertionError("load kept reading an endless stream")
        n = len(b)
        b[:n] = (self.first + bytes(n))[:n] if self.read_bytes == 0 else bytes(n)
        self.read_bytes += n
        return n


def test_endless_stream_is_refused_after_its_first_bytes():
    stream = _Endless()
    with pytest.raises(RuntimeError, match="not a tinygrad_np.save file"):
        tg.load(stream)
    assert stream.read_bytes <= 64


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_at_once():
    # in a child with 1 GiB of address space: reading /dev/zero whole would die there, not here
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "import tinygrad_np as tg\n"
        "try:\n    tg.load('/dev/zero')\nexcept RuntimeError as e:\n    print('refused:', e)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert "refused: tinygrad_np.load: '/dev/zero' is not a tinygrad_np.save file" in proc.stdout, proc.stderr


def test_load_peak_memory_stays_close_to_the_tensors(tmp_path):
    """A ~100 MB checkpoint loads with a peak of about its own size (it was twice that)."""
    rng = np.random.default_rng(0)
    arrays = {f"w{i}": rng.standard_normal(6_250_000).astype(np.float32) for i in range(4)}  # 4 x 25 MB
    path = tmp_path / "big.pt"
    tg.save({k: tg.from_numpy(v) for k, v in arrays.items()}, path)
    total = sum(a.nbytes for a in arrays.values())
    tracemalloc.start()
    try:
        out = tg.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.2 * total, f"peak {peak / 1e6:.0f} MB for {total / 1e6:.0f} MB of tensors"
    for k, v in arrays.items():
        np.testing.assert_array_equal(out[k].numpy(), v)


def test_unseekable_stream_still_loads():
    data = _saved_bytes({"w": tg.arange(4)})
    r, w = os.pipe()
    with os.fdopen(w, "wb") as out:
        out.write(data)
    with os.fdopen(r, "rb", buffering=0) as pipe:
        np.testing.assert_array_equal(tg.load(pipe)["w"].numpy(), np.arange(4))


def test_file_object_at_an_offset_loads():
    buf = io.BytesIO(b"header!" + _saved_bytes({"w": tg.ones(3)}))
    buf.seek(7)
    np.testing.assert_array_equal(tg.load(buf)["w"].numpy(), np.ones(3, np.float32))


# ---- 16: the decompression-bomb guard ------------------------------------------------------
def _zeros_bomb(path, nbytes):
    """A plain np.savez_compressed-style archive of ``nbytes`` zero bytes, written in chunks."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (nbytes,)})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("z.npy", "w", force_zip64=True) as m:
        m.write(header.getvalue())
        chunk = bytes(2**20)
        for _ in range(nbytes // 2**20):
            m.write(chunk)


def test_decompression_bomb_is_refused_with_the_way_out(tmp_path, monkeypatch):
    path = tmp_path / "bomb.npz"
    _zeros_bomb(path, 64 * 2**20)  # 64 MiB of zeros in about 64 KB
    assert os.path.getsize(path) < 2**20
    with pytest.raises(
        RuntimeError, match=r"bomb\.npz' declares \d+ bytes .*decompression bomb.*max_expansion"
    ):
        tg.load(path)
    out = tg.load(path, max_expansion=float("inf"))  # the documented way to load a file you trust
    assert out["z"].shape == (64 * 2**20,) and not out["z"].numpy().any()
    monkeypatch.setattr(serialization, "MAX_EXPANSION", 10_000.0)  # the module setting
    assert tg.load(path)["z"].shape == (64 * 2**20,)


def test_compressed_archives_of_real_data_pass(tmp_path):
    rng = np.random.default_rng(0)
    np.savez_compressed(tmp_path / "c.npz", w=rng.standard_normal((300, 300)), b=np.zeros(1000))
    out = tg.load(tmp_path / "c.npz")
    assert out["w"].shape == (300, 300) and out["b"].dtype == tg.float64


def test_lying_central_directory_size_is_refused(tmp_path):
    data = bytearray(_saved_bytes({"w": tg.ones(10)}))
    cd = data.rfind(b"PK\x01\x02")  # the last central-directory entry: patch its uncompressed size
    data[cd + 24 : cd + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    (tmp_path / "lie.pt").write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=r"lie\.pt"):
        tg.load(tmp_path / "lie.pt")


# ---- 17: unique temp file, fsync, atomic replace; concurrent saves -------------------------
def test_concurrent_saves_to_one_path_each_leave_a_complete_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    values = [np.full(50_000, i, np.float32) for i in range(8)]
    tg.save({"w": tg.from_numpy(values[0]), "i": 0}, path)
    errors, seen = [], []
    stop = threading.Event()

    def writer(i):
        try:
            for _ in range(6):
                tg.save({"w": tg.from_numpy(values[i]), "i": i}, path)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    def reader():
        while not stop.is_set():
            try:
                out = tg.load(path)
                seen.append(bool((out["w"].numpy() == out["i"]).all()))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert errors == []
    assert all(seen)  # every load saw one whole save, never a mix
    out = tg.load(path)
    np.testing.assert_array_equal(out["w"].numpy(), values[out["i"]])
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_save_syncs_the_file_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    tg.save(tg.ones(2), tmp_path / "x.pt")
    assert events[:2] == ["fsync", "replace"]


# ---- 18: permissions kept, symlinks written through, umask for new files -------------------
@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_saving_over_a_file_keeps_its_permissions(tmp_path, mode):
    path = tmp_path / "ckpt.pt"
    tg.save(tg.ones(2), path)
    os.chmod(path, mode)
    tg.save(tg.zeros(2), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    np.testing.assert_array_equal(tg.load(path).numpy(), np.zeros(2, np.float32))


@pytest.mark.skipif(os.name != "posix", reason="POSIX umask")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_umask_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        tg.save(tg.ones(2), tmp_path / "new.pt")
        with open(tmp_path / "plain", "wb"):
            pass  # what open(path, "wb"), and so torch.save, gives
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.pt").st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(tmp_path / "new.pt").st_mode) == stat.S_IMODE(
        os.stat(tmp_path / "plain").st_mode
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_saving_to_a_symlink_writes_through_it(tmp_path):
    real_dir = tmp_path / "store"
    real_dir.mkdir()
    target = real_dir / "weights.pt"
    tg.save(tg.ones(2), target)
    os.chmod(target, 0o600)
    link = tmp_path / "latest.pt"
    os.symlink(os.path.relpath(target, tmp_path), link)
    tg.save(tg.full((2,), 5.0), link)
    assert os.path.islink(link) and os.path.realpath(link) == str(target)
    np.testing.assert_array_equal(tg.load(target).numpy(), [5.0, 5.0])
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["latest.pt", "store"] and os.listdir(real_dir) == ["weights.pt"]
    dangling = tmp_path / "dangling.pt"
    os.symlink(real_dir / "not-yet.pt", dangling)
    tg.save(tg.ones(1), dangling)  # creates the file the link points to, as open(..., "wb") does
    assert os.path.islink(dangling) and tg.load(real_dir / "not-yet.pt").shape == (1,)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_saving_to_a_pipe_writes_into_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()), daemon=True)  # noqa: SIM115
    reader.start()
    tg.save({"w": tg.ones(3)}, fifo)
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a pipe, not replaced by a regular file
    np.testing.assert_array_equal(tg.load(io.BytesIO(received[0]))["w"].numpy(), np.ones(3, np.float32))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write read-only files")
def test_read_only_file_is_refused_as_torch_save_does(tmp_path):
    path = tmp_path / "frozen.pt"
    tg.save(tg.ones(2), path)
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"frozen\.pt"):
        tg.save(tg.zeros(2), path)
    np.testing.assert_array_equal(tg.load(path).numpy(), np.ones(2, np.float32))


# ---- 19: no orphan temp files; errors name the user's path --------------------------------
def test_error_in_a_missing_folder_names_the_users_path(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "ckpt.pt"
    with pytest.raises(FileNotFoundError) as info:
        tg.save(tg.ones(2), path)
    assert str(path) in str(info.value) and ".tmp-" not in str(info.value)
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        tg.save(tg.ones(2), tmp_path)


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_fault_mid_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, fault):
    path = tmp_path / "ckpt.pt"
    tg.save({"w": tg.ones(3)}, path)
    before = path.read_bytes()

    def failing_savez(out, **members):
        out.write(b"PK\x03\x04 half a checkpoint")
        raise fault

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(type(fault)) as info:
        tg.save({"w": tg.zeros(3)}, path)
    if isinstance(fault, OSError):
        assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
        assert ".tmp-" not in str(info.value)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]


@pytest.mark.skipif(os.name != "posix", reason="orphans are recognised by process id on POSIX")
def test_a_killed_save_leaves_a_named_temp_that_the_next_save_removes(tmp_path):
    path = tmp_path / "ckpt.pt"
    tg.save({"w": tg.ones(3)}, path)
    before = path.read_bytes()
    code = (
        "import os, signal, sys\nimport tinygrad_np as tg\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"  # die after writing, before the rename
        "tg.save({'w': tg.zeros(3)}, sys.argv[1])\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env, timeout=120)
    assert proc.returncode == -9
    assert path.read_bytes() == before  # the old checkpoint is intact
    (orphan,) = _temps(tmp_path)
    assert orphan.startswith("ckpt.pt" + TEMP_TAG)
    # a temp of this process (a save in progress in another thread) and one of a live process stay
    host = orphan[len("ckpt.pt" + TEMP_TAG) :].split("-")[0]
    live = [f"ckpt.pt{TEMP_TAG}{host}-{os.getpid()}-aaaa", f"ckpt.pt{TEMP_TAG}{host}-1-bbbb"]
    for name in live:
        (tmp_path / name).write_bytes(b"in progress")
    other = tmp_path / "other.pt"
    tg.save(tg.ones(1), other)
    assert orphan in _temps(tmp_path)  # a save to another path leaves it alone
    tg.save({"w": tg.full((3,), 2.0)}, path)
    assert _temps(tmp_path) == sorted(live)
    np.testing.assert_array_equal(tg.load(path)["w"].numpy(), [2.0, 2.0, 2.0])


def test_unsaveable_object_leaves_the_old_file_untouched(tmp_path):
    path = tmp_path / "ckpt.pt"
    tg.save({"w": tg.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        tg.save({"w": tg.zeros(3), "model": object()}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.pt"]


# ---- 21: aliasing is kept: one stored array, one object after load -------------------------
def _members(data):
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_the_same_tensor_under_two_keys_is_stored_once_and_loads_as_one_object():
    t = tg.randn(1000)
    data = _saved_bytes({"a": t, "b": t, "c": [t, (t,)]})
    assert len(_members(data)) == 2  # the structure record and one array
    assert len(data) < len(_saved_bytes({"a": t})) + 200
    out = tg.load(io.BytesIO(data))
    assert out["a"] is out["b"] is out["c"][0] is out["c"][1][0]
    p = Parameter(tg.randn(3))
    out = tg.load(io.BytesIO(_saved_bytes([p, p])))
    assert out[0] is out[1] and isinstance(out[0], Parameter)
    a = np.arange(5)
    out = tg.load(io.BytesIO(_saved_bytes({"x": a, "y": a})))
    assert out["x"] is out["y"]


def test_tied_weights_share_memory_and_version_after_load():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4))
    model[2].weight = model[0].weight  # tied: one Parameter under two names
    sd = model.state_dict()
    assert sd["0.weight"] is not sd["2.weight"] and sd["0.weight"]._data is sd["2.weight"]._data
    data = _saved_bytes(sd)
    assert len(_members(data)) == 1 + 5  # 6 entries, 5 distinct arrays
    out = tg.load(io.BytesIO(data))
    first, second = out["0.weight"], out["2.weight"]
    assert first is not second and np.shares_memory(first.numpy(), second.numpy())
    first.add_(1.0)  # an in-place change is seen through the other, and bumps its version
    np.testing.assert_array_equal(second.numpy(), first.numpy())
    assert second._version == first._version == 1
    fresh = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4))
    fresh.load_state_dict(out)


def test_distinct_tensors_with_equal_values_stay_distinct():
    a, b = tg.zeros(3), tg.zeros(3)
    out = tg.load(io.BytesIO(_saved_bytes([a, b, tg.zeros(0), tg.zeros(0)])))
    assert out[0] is not out[1] and not np.shares_memory(out[0].numpy(), out[1].numpy())
    out[0].add_(1.0)
    assert out[1].numpy().tolist() == [0.0, 0.0, 0.0]
