"""The built-in ops, each a :class:`~tinygrad_np.autograd.Function` with forward and
backward side by side: ``elementwise`` (unary), ``binary``, ``reduce``,
``movement`` (shape, indexing, joining) and ``linalg`` (matmul)."""
