"""Module surgery against PyTorch: replacing, deleting and re-adding children,
parameters and buffers in every container keeps each one's slot as PyTorch does, and a
module or parameter registered under several names is listed as PyTorch lists it.

Each case is one small program run once with each library (``lib`` is ``torch`` or
``tinygrad_np``); the names of ``named_parameters``, ``state_dict``, ``named_modules`` and
``named_buffers`` must come out in the same order, a strict ``load_state_dict`` of
PyTorch's weights must work, and then the forward outputs must match.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_np as tg

try:
    import torch
except ImportError:  # the parity tests skip; the plain ones below still run
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch parity tests need torch")


def _lin(lib, i=3, o=3):
    return lib.nn.Linear(i, o)


def seq_replace_first(lib):
    seq = lib.nn.Sequential(_lin(lib), lib.nn.ReLU(), lib.nn.Identity())
    seq[0] = _lin(lib)  # the example: must still run first
    return seq


def seq_replace_last_negative_index(lib):
    seq = lib.nn.Sequential(_lin(lib), lib.nn.Tanh(), _lin(lib))
    seq[-1] = lib.nn.Sequential(_lin(lib), lib.nn.Sigmoid())
    return seq


def seq_replace_middle(lib):
    seq = lib.nn.Sequential(_lin(lib), lib.nn.ReLU(), _lin(lib))
    seq[1] = lib.nn.Tanh()
    return seq


def seq_named_replace_by_attribute(lib):
    seq = lib.nn.Sequential(OrderedDict(fc1=_lin(lib), act=lib.nn.ReLU(), fc2=_lin(lib)))
    seq.fc1 = _lin(lib)
    seq[1] = lib.nn.Tanh()
    return seq


def seq_delete_insert_append_pop(lib):
    seq = lib.nn.Sequential(_lin(lib), lib.nn.ReLU(), _lin(lib), lib.nn.Tanh())
    del seq[1]
    seq.insert(1, lib.nn.Sigmoid())
    seq.append(_lin(lib))
    seq.pop(0)
    seq.pop(-1)
    seq += lib.nn.Sequential(lib.nn.ReLU(), _lin(lib))
    return seq


def seq_set_submodule(lib):
    seq = lib.nn.Sequential(lib.nn.Sequential(_lin(lib), lib.nn.ReLU()), _lin(lib))
    seq.set_submodule("0.0", _lin(lib))
    return seq


class _Net:
    """Built for one library: backbone -> head, plus a buffer and a bare parameter."""

    @staticmethod
    def make(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = lib.nn.Parameter(lib.ones(3))
                self.backbone = lib.nn.Sequential(_lin(lib), lib.nn.ReLU())
                self.register_buffer("shift", lib.zeros(3))
                self.head = _lin(lib)
                self.extra = None

            def forward(self, x):
                y = self.backbone(x * self.scale + self.shift)
                y = self.head(y)
                return y if self.extra is None else self.extra(y)

        return Net()


def module_replace_child(lib):
    net = _Net.make(lib)
    net.backbone = lib.nn.Sequential(_lin(lib), lib.nn.Tanh())
    return net


def module_replace_parameter_and_buffer(lib):
    net = _Net.make(lib)
    net.scale = lib.nn.Parameter(lib.full((3,), 2.0))
    net.shift = lib.ones(3)
    net.head.weight = lib.nn.Parameter(lib.ones(3, 3) * 0.1)
    return net


def module_none_then_module(lib):
    net = _Net.make(lib)
    net.head = None
    net.head = _lin(lib)
    net.extra = lib.nn.Sigmoid()
    return net


def module_bias_none_then_parameter(lib):
    lin = _lin(lib)
    lin.bias = None
    lin.bias = lib.nn.Parameter(lib.zeros(3))
    return lin


def module_delete_and_readd(lib):
    """Deleting and re-adding moves to the end, in both libraries."""
    lin = _lin(lib)
    del lin.weight
    lin.weight = lib.nn.Parameter(lib.ones(3, 3))
    return lin


def module_parameter_becomes_buffer_and_module(lib):
    net = _Net.make(lib)
    del net.shift
    net.register_buffer("shift", lib.ones(3))
    net.scale = lib.nn.Parameter(lib.ones(3) * 3)
    return net


def batchnorm_running_stats_replaced(lib):
    bn = lib.nn.BatchNorm1d(3)
    bn.running_mean = lib.ones(3)
    bn.weight = lib.nn.Parameter(lib.full((3,), 0.5))
    return lib.nn.Sequential(_lin(lib), bn).eval()


class _Listy:
    @staticmethod
    def make(lib, kind):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                if kind == "list":
                    self.layers = lib.nn.ModuleList([_lin(lib), _lin(lib), _lin(lib)])
                else:
                    self.layers = lib.nn.ModuleDict({"a": _lin(lib), "b": _lin(lib), "c": _lin(lib)})

            def forward(self, x):
                for layer in self.layers if kind == "list" else self.layers.values():
                    x = layer(x).tanh()
                return x

        return Net()


def modulelist_surgery(lib):
    net = _Listy.make(lib, "list")
    net.layers[0] = _lin(lib)
    net.layers[-1] = _lin(lib)
    net.layers.insert(1, _lin(lib))
    del net.layers[2]
    net.layers.append(_lin(lib))
    net.layers.pop(0)
    net.layers.extend([_lin(lib)])
    return net


def moduledict_surgery(lib):
    net = _Listy.make(lib, "dict")
    net.layers["a"] = _lin(lib)
    net.layers.update({"c": _lin(lib), "d": _lin(lib)})
    del net.layers["b"]
    net.layers["b"] = _lin(lib)
    return net


class _Params:
    @staticmethod
    def make(lib, kind):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                if kind == "list":
                    self.ps = lib.nn.ParameterList([lib.ones(3), lib.ones(3) * 2, lib.ones(3) * 3])
                else:
                    self.ps = lib.nn.ParameterDict({"a": lib.ones(3), "b": lib.ones(3) * 2})

            def forward(self, x):
                for p in self.ps if kind == "list" else self.ps.values():
                    x = x * p + 1
                return x

        return Net()


def parameterlist_surgery(lib):
    net = _Params.make(lib, "list")
    net.ps[0] = lib.nn.Parameter(lib.full((3,), 0.5))
    net.ps[1] = lib.full((3,), 0.25)  # a plain tensor becomes a Parameter, in its slot
    net.ps.append(lib.ones(3) * 4)
    return net


def parameterdict_surgery(lib):
    net = _Params.make(lib, "dict")
    net.ps["a"] = lib.nn.Parameter(lib.full((3,), 0.5))
    net.ps["c"] = lib.ones(3) * 3
    del net.ps["b"]
    net.ps["b"] = lib.ones(3) * 5
    net.ps.update({"a": lib.ones(3) * 7})
    return net


# ---- a module or parameter registered under several names (issue 10, item 22) ----------------
def shared_in_sequential(lib):
    a = _lin(lib)
    return lib.nn.Sequential(a, lib.nn.ReLU(), a)


def shared_across_parents(lib):
    a = _lin(lib)
    return lib.nn.Sequential(lib.nn.Sequential(a, lib.nn.Tanh()), lib.nn.Sequential(a), a)


def shared_by_multiplying(lib):
    return lib.nn.Sequential(_lin(lib), lib.nn.Tanh()) * 2


def shared_batchnorm(lib):
    bn = lib.nn.BatchNorm1d(3)
    return lib.nn.Sequential(_lin(lib), bn, _lin(lib), bn).eval()


def tied_weights(lib):
    enc, dec = _lin(lib), _lin(lib)
    dec.weight = enc.weight
    return lib.nn.Sequential(enc, lib.nn.Tanh(), dec)


def shared_in_modulelist(lib):
    net = _Listy.make(lib, "list")
    net.layers[2] = net.layers[0]
    return net


CASES = [
    seq_replace_first,
    seq_replace_last_negative_index,
    seq_replace_middle,
    seq_named_replace_by_attribute,
    seq_delete_insert_append_pop,
    seq_set_submodule,
    module_replace_child,
    module_replace_parameter_and_buffer,
    module_none_then_module,
    module_bias_none_then_parameter,
    module_delete_and_readd,
    module_parameter_becomes_buffer_and_module,
    batchnorm_running_stats_replaced,
    modulelist_surgery,
    moduledict_surgery,
    parameterlist_surgery,
    parameterdict_surgery,
    shared_in_sequential,
    shared_across_parents,
    shared_by_multiplying,
    shared_batchnorm,
    tied_weights,
    shared_in_modulelist,
]


def _names(model):
    return {
        "named_parameters": [n for n, _ in model.named_parameters()],
        "named_parameters(remove_duplicate=False)": [
            n for n, _ in model.named_parameters(remove_duplicate=False)
        ],
        "state_dict": list(model.state_dict()),
        "named_modules": [n for n, _ in model.named_modules()],
        "named_modules(remove_duplicate=False)": [n for n, _ in model.named_modules(remove_duplicate=False)],
        "named_children": [n for n, _ in model.named_children()],
        "named_buffers": [n for n, _ in model.named_buffers()],
        "named_buffers(remove_duplicate=False)": [n for n, _ in model.named_buffers(remove_duplicate=False)],
        "parameters (count)": len(list(model.parameters())),
        "modules (count)": len(list(model.modules())),
        "apply (calls)": _count_apply(model),
    }


def _count_apply(model):
    calls = []
    model.apply(lambda m: calls.append(type(m).__name__))
    return calls


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_surgery_matches_pytorch(case):
    torch.manual_seed(0)
    theirs = case(torch)
    ours = case(tg)
    assert _names(ours) == _names(theirs)
    assert repr(ours).replace("tinygrad_np.", "torch.") == repr(theirs)
    # strict load of PyTorch's keys (every name of a shared module included)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(
        ours(tg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_replaced_first_layer_still_runs_first():
    """The issue's example on its own: Linear(3, 2) in front of ReLU must run first."""
    seq = tg.nn.Sequential(tg.nn.Linear(3, 3), tg.nn.ReLU(), tg.nn.Identity())
    seq[0] = tg.nn.Linear(3, 2)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Identity"]
    assert seq(tg.randn(4, 3)).shape == (4, 2)
    assert (seq(tg.randn(4, 3)) >= 0).all()


def test_optimizer_state_survives_replacing_a_parameter():
    """Optimizer state dicts are keyed by position: replacing a weight keeps its position."""
    lin = tg.nn.Linear(2, 2)
    before = [n for n, _ in lin.named_parameters()]
    lin.weight = tg.nn.Parameter(tg.zeros(2, 2))
    assert [n for n, _ in lin.named_parameters()] == before == ["weight", "bias"]
    assert list(lin.parameters())[0] is lin.weight


@needs_torch
def test_shared_module_state_dict_and_strict_load_of_pytorchs_keys():
    torch.manual_seed(0)
    a_t = torch.nn.Linear(2, 2)
    theirs = torch.nn.Sequential(a_t, a_t)
    a = tg.nn.Linear(2, 2)
    ours = tg.nn.Sequential(a, a)
    assert list(ours.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(list(ours.parameters())) == 2
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()}, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    np.testing.assert_array_equal(a.weight.detach().numpy(), a_t.weight.detach().numpy())
    # and the other way round: our state_dict loads strictly into PyTorch
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}, strict=True)


@needs_torch
def test_a_module_that_contains_itself_is_refused_like_pytorch():
    loop_t = torch.nn.Sequential(torch.nn.Linear(2, 2))
    loop_t.add_module("again", loop_t)
    with pytest.raises(RecursionError):
        loop_t.state_dict()
    loop = tg.nn.Sequential(tg.nn.Linear(2, 2))
    loop.add_module("again", loop)
    with pytest.raises(RecursionError, match="contains itself"):
        loop.state_dict()
    # the deduplicating walks stop at the cycle, in both
    assert [n for n, _ in loop.named_modules()] == [n for n, _ in loop_t.named_modules()]
