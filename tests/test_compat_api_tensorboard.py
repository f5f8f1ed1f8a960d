"""``tinygrad_np.utils.tensorboard.SummaryWriter``: importable without the optional
tensorboardX (programs import it at the top even when they never log), a clear ImportError
naming the extra when a writer is made without it, and with it real event files that hold
what a training loop logged (Tensors accepted wherever PyTorch accepts them)."""

import glob
import struct
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_np as tg


def test_import_works_without_tensorboardx_and_construction_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # as if it were not installed
    from tinygrad_np.utils.tensorboard import SummaryWriter

    with pytest.raises(ImportError, match=r"tensorboardX.*tinygrad-np\[tensorboard\]"):
        SummaryWriter(str(tmp_path))


def test_import_tinygrad_np_does_not_load_tensorboard():
    code = "import sys, tinygrad_np; print('tensorboardX' in sys.modules, 'tinygrad_np.utils.tensorboard' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]


def read_events(log_dir):
    """Every event in the TFRecord files under ``log_dir`` (length, crc, data, crc records)."""
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")
    events = []
    for path in sorted(glob.glob(f"{log_dir}/**/events.out.tfevents.*", recursive=True)):
        data = open(path, "rb").read()
        pos = 0
        while pos < len(data):
            (n,) = struct.unpack("<Q", data[pos : pos + 8])
            events.append(event_pb2.Event.FromString(data[pos + 12 : pos + 12 + n]))
            pos += 12 + n + 4
    return events


def test_training_loop_logs_scalars_histograms_images_and_text(tmp_path):
    pytest.importorskip("tensorboardX", reason="the SummaryWriter writes through tensorboardX")
    from tinygrad_np.utils.tensorboard import SummaryWriter

    tg.manual_seed(0)
    model = tg.nn.Linear(3, 1)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    x, y = tg.randn(16, 3), tg.randn(16, 1)
    with SummaryWriter(log_dir=str(tmp_path / "run1")) as writer:
        assert writer.get_logdir() == str(tmp_path / "run1")
        losses = []
        for step in range(5):
            opt.zero_grad()
            loss = tg.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            writer.add_scalar("Loss/train", loss, step)  # a 0-d Tensor, as PyTorch programs pass
            writer.add_scalars("run", {"a": loss.item(), "b": tg.tensor(2.0)}, tg.tensor(step))
            losses.append(loss.item())
        writer.add_histogram("weights", model.weight, 4)
        writer.add_image("img", tg.rand(3, 4, 5), 0)
        writer.add_images("imgs", tg.rand(2, 3, 4, 5), 0)
        writer.add_text("note", "hello", 0)
        writer.add_hparams({"lr": 0.1, "bs": 16}, {"hparam/loss": tg.tensor(losses[-1])})
        writer.flush()
        with pytest.raises(NotImplementedError, match="add_graph"):
            writer.add_graph(model, x)
        with pytest.raises(ValueError, match="one-element tensor"):
            writer.add_scalar("bad", tg.zeros(2), 0)
    events = read_events(tmp_path / "run1")
    scalars = [
        (e.step, v.tag, v.simple_value) for e in events for v in e.summary.value if v.HasField("simple_value")
    ]
    train = [(s, val) for s, tag, val in scalars if tag == "Loss/train"]
    assert [s for s, _ in train] == list(range(5))
    np.testing.assert_allclose([v for _, v in train], losses, rtol=1e-6)
    tags = {v.tag for e in events for v in e.summary.value}
    assert {"weights", "img", "imgs", "note/text_summary"} <= tags
    histo = [v.histo for e in events for v in e.summary.value if v.tag == "weights"][0]
    assert histo.num == 3 and histo.min == pytest.approx(float(model.weight.min()))
    run_b = [v.simple_value for e in read_events(tmp_path / "run1" / "run" / "b") for v in e.summary.value]
    assert run_b == [2.0] * 5  # add_scalars: one sub-run per key, Tensor values converted


def test_other_writer_methods_are_reachable(tmp_path):
    pytest.importorskip("tensorboardX", reason="the SummaryWriter writes through tensorboardX")
    from tinygrad_np.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp_path))
    # a tensorboardX method without a wrapper of its own, Tensors converted on the way
    writer.add_histogram_raw(
        "raw",
        0.0,
        2.0,
        3,
        3.0,
        5.0,
        bucket_limits=tg.tensor([1.0, 2.0]),
        bucket_counts=tg.tensor([1, 2]),
        global_step=0,
    )
    writer.close()
    assert any(v.tag == "raw" for e in read_events(tmp_path) for v in e.summary.value)
