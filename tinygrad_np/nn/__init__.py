"""Neural-network building blocks: modules, layers, losses, initialisation."""

from .parameter import Parameter

__all__ = ["Parameter"]
