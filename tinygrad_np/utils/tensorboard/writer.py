"""``SummaryWriter``: log scalars, histograms, images and text for TensorBoard, as
``torch.utils.tensorboard.SummaryWriter``, by delegating to ``tensorboardX.SummaryWriter``
(a maintained writer of TensorBoard event files). Tensors are turned into NumPy arrays
(a one-element tensor into a Python number) before they are handed over.

``tensorboardX`` is imported when a writer is made, not when this module is imported, so
``from tinygrad_np.utils.tensorboard import SummaryWriter`` at the top of a program works
without it; making a writer without it raises an ``ImportError`` naming the extra.
"""

from __future__ import annotations

import importlib
from typing import Any

from ...tensor import Tensor

__all__ = ["SummaryWriter"]

_MISSING = (
    "SummaryWriter needs the optional package tensorboardX, which writes TensorBoard's event files; "
    'install it with: pip install "tinygrad-np[tensorboard]" (or: pip install tensorboardX)'
)


def _plain(value: Any) -> Any:
    """A Tensor as a NumPy array (detached); lists, tuples and dicts converted inside; anything
    else unchanged."""
    if isinstance(value, Tensor):
        return value._data.copy()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        return type(value)(_plain(v) for v in value)
    return value


def _scalar(value: Any) -> Any:
    """A number from a Python number, a NumPy scalar or a one-element Tensor."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"add_scalar: scalar_value must be a number or a one-element tensor, got shape {tuple(value.shape)}"
            )
        return value.item()
    return value


class SummaryWriter:
    """Writes TensorBoard event files under ``log_dir`` (default ``runs/<date>_<host><comment>``).

    >>> from tinygrad_np.utils.tensorboard import SummaryWriter  # works without tensorboardX

    The ``add_*`` methods take Tensors wherever PyTorch's do; any other ``tensorboardX``
    writer method is reachable too (its Tensor arguments are converted the same way).
    ``add_graph`` is not available: it traces a model with PyTorch's JIT.
    """

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
        **kwargs: Any,
    ) -> None:
        try:
            tensorboardX = importlib.import_module("tensorboardX")
        except ImportError as e:
            raise ImportError(_MISSING) from e
        self._writer = tensorboardX.SummaryWriter(
            log_dir,
            comment=comment,
            purge_step=purge_step,
            max_queue=max_queue,
            flush_secs=flush_secs,
            filename_suffix=filename_suffix,
            **kwargs,
        )
        self.log_dir = self._writer.logdir

    def get_logdir(self) -> str:
        """The directory the event files are written to."""
        return self.log_dir

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """One value of the curve ``tag`` at ``global_step`` (a number or a one-element Tensor)."""
        self._writer.add_scalar(tag, _scalar(scalar_value), _scalar(global_step), walltime)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Several curves in one chart: ``{"train": loss, "val": val_loss}``."""
        values = {k: _scalar(v) for k, v in tag_scalar_dict.items()}
        self._writer.add_scalars(main_tag, values, _scalar(global_step), walltime)

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: str = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """The distribution of ``values`` (e.g. a layer's weights or gradients)."""
        self._writer.add_histogram(tag, _plain(values), _scalar(global_step), bins, walltime, max_bins)

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """One image, (3, H, W) by default (``dataformats`` says otherwise), values in [0, 1] or uint8."""
        self._writer.add_image(tag, _plain(img_tensor), _scalar(global_step), walltime, dataformats)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """A batch of images, (N, 3, H, W) by default."""
        self._writer.add_images(tag, _plain(img_tensor), _scalar(global_step), walltime, dataformats)

    def add_text(
        self, tag: str, text_string: str, global_step: int | None = None, walltime: float | None = None
    ) -> None:
        self._writer.add_text(tag, text_string, _scalar(global_step), walltime)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """A matplotlib figure, rendered to an image."""
        self._writer.add_figure(tag, figure, _scalar(global_step), close, walltime)

    def add_embedding(
        self,
        mat: Any,
        metadata: Any = None,
        label_img: Any = None,
        global_step: int | None = None,
        tag: str = "default",
        metadata_header: Any = None,
    ) -> None:
        """Points for the projector: ``mat`` (N, D) with optional labels and images."""
        self._writer.add_embedding(
            _plain(mat), _plain(metadata), _plain(label_img), _scalar(global_step), tag, metadata_header
        )

    def add_pr_curve(
        self,
        tag: str,
        labels: Any,
        predictions: Any,
        global_step: int | None = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        self._writer.add_pr_curve(
            tag,
            _plain(labels),
            _plain(predictions),
            _scalar(global_step),
            num_thresholds,
            _plain(weights),
            walltime,
        )

    def add_hparams(
        self,
        hparam_dict: dict[str, Any],
        metric_dict: dict[str, Any],
        hparam_domain_discrete: dict[str, list[Any]] | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
    ) -> None:
        """Hyperparameters and the metrics they reached, for TensorBoard's HParams tab
        (``hparam_domain_discrete`` is accepted and not recorded: tensorboardX has no such field)."""
        metrics = {k: _scalar(v) for k, v in metric_dict.items()}
        hparams = {k: _scalar(v) for k, v in hparam_dict.items()}
        self._writer.add_hparams(hparams, metrics, name=run_name, global_step=_scalar(global_step))

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False, **kwargs: Any) -> None:
        raise NotImplementedError(
            "SummaryWriter.add_graph traces a model with PyTorch's JIT, which tinygrad_np has not; draw the "
            "graph with tinygrad_np.viz instead"
        )

    def flush(self) -> None:
        """Write pending events to disk."""
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # the rest of tensorboardX's writer (add_audio, add_video, add_mesh, ...), Tensors converted
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self.__dict__["_writer"], name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(*(_plain(a) for a in args), **{k: _plain(v) for k, v in kwargs.items()})

        return call
