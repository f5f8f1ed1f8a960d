"""``python -m tinygrad_np``: the ``tinygrad-np`` command; see :mod:`tinygrad_np.cli`."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
