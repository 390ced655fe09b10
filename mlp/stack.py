"""K networks of one family, and the one forward and backward pass of this package.

A *family* shares the input size, the number of layers, the activations, the loss and the bias flag;
widths may differ. `mlp.MLP` is a stack of one, so these passes serve a single network and K
networks trained together alike.

Layout. Networks of equal layer sizes form a *segment*. Parameters are one flat vector, layer-major:
W_1 of every segment, then b_1 of every segment, then W_2 … For one network this is simply
W1, b1, W2, b2, … Each segment's weights are a (K_s, fan_in, fan_out) view, or a (fan_in, fan_out)
view when the segment holds one network. ``owner`` says which net each scalar belongs to.

Passes. ``z = a @ W + b`` runs per segment: ``np.dot`` for a segment of one network, a batched
``np.matmul`` of (K_s, n, fan_in) by (K_s, fan_in, fan_out) otherwise, which makes one BLAS call per
network, the very call ``np.dot`` makes, so every net gets bit-for-bit the numbers it would get alone
(checked with numpy's OpenBLAS in tests/mlp/test_batched.py). Everything elementwise (bias, activation,
its derivative, the loss, the optimizer step) runs once over all K networks. Each layer's activations
(and deltas, and scratch) live in one buffer, segment after segment, each segment's block contiguous;
the output layer has one unit, so its buffer is (K, n, 1), one slot per network.

Slots are ordered by segment; per-net results (``losses``, ``accuracies``, ``grad_norms``) come back in
the order the networks were given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Activation
from .losses import Loss

# The environment of a process of its own that runs these passes (a server's training worker, the checker's
# child): one BLAS thread. The products are small, and a second thread spinning on a busy machine makes them
# many times slower; the processes are the parallelism.
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def count_params(layer_sizes: Sequence[int]) -> int:
    """The scalars of one network of these layer sizes (input first): a weight per pair of units of adjacent
    layers and a bias per unit past the input, Σ_l (fan_in·fan_out + fan_out)."""
    return sum(fi * fo + fo for fi, fo in zip(layer_sizes[:-1], layer_sizes[1:]))


def _matmul_for(k: int):
    """The product for a segment of k networks: np.dot on 2-D views (one net), np.matmul on stacks."""
    return np.dot if k == 1 else np.matmul


class Workspace:
    """Buffers for batches of n rows: per layer, activations, deltas and scratch of every network.

    ``a``, ``dz``, ``tmp``: whole-layer buffers, flat (n·G_l,) for hidden layers (G_l = Σ K_s·units_s)
    and (K, n, 1) for the output; ``a_seg``, ``dz_seg``: per layer, per segment, the contiguous blocks
    of them, (K_s, n, units), or (n, units) for a segment of one network.
    """

    def __init__(self, n: int, stack: Stack) -> None:
        L = stack.n_layers
        self.n = n
        self.a, self.dz, self.tmp, self.a_seg, self.dz_seg = [], [], [], [], []
        for l in range(L):
            shape = (stack.K, n, 1) if l == L - 1 else (n * stack.columns[l],)
            a, dz = np.empty(shape), np.empty(shape)
            self.a.append(a)
            self.dz.append(dz)
            self.tmp.append(np.empty(shape))
            self.a_seg.append([stack.segment_view(a, l, s) for s in range(len(stack.segments))])
            self.dz_seg.append([stack.segment_view(dz, l, s) for s in range(len(stack.segments))])
        # transposes for dW = a_prevᵀ dz: (units, n) or (K_s, units, n)
        self.a_t = [[v.T if v.ndim == 2 else v.transpose(0, 2, 1) for v in views] for views in self.a_seg]
        self.ones = np.ones(n)  # db = 1ᵀ dz, a BLAS call cheaper than a reduction
        self.plan = _Plan(self, stack)


class _Plan:
    """The passes' calls for one workspace, laid out once: per layer, per segment, the product and the
    arrays it reads and writes (None stands for the input X, which each call brings). An epoch of a small
    network is mostly Python call overhead, so the passes only walk these tuples."""

    def __init__(self, ws: Workspace, st: Stack) -> None:
        L, last, S = st.n_layers, st.n_layers - 1, range(len(st.segments))
        self.forward = []  # per layer: ((mul, a_prev, W, z, b) per segment, z of the whole layer, f, output bias)
        for l in range(L):
            hidden_bias = st.bias and l != last
            segs = tuple((st._mul[s], ws.a_seg[l - 1][s] if l else None, st.weights[l][s], ws.a_seg[l][s],
                          st._bias_rows[l][s] if hidden_bias else None) for s in S)
            out_bias = st.biases[l].reshape(-1, 1, 1) if st.bias and l == last else None  # (K, 1, 1)
            f = (st.output_activation if l == last else st.activation).forward
            self.forward.append((segs, ws.a[l], f, out_bias))
        self.backward = []  # per layer, last first: ((mul, a_prevᵀ, dz, dW, db, dz_prev, Wᵀ, outer) per segment,
        for l in range(L - 1, -1, -1):  # then (dz_prev, a_prev, scratch) to multiply by f'(z_prev), or None)
            segs = []
            for s in S:
                d = ws.dz_seg[l][s]
                segs.append((st._mul[s], ws.a_t[l - 1][s] if l else None, d, st.weight_grads[l][s],
                             st._bias_seg[l][s] if st.bias else None, ws.dz_seg[l - 1][s] if l else None,
                             st._weights_t[l][s], d.shape[-1] == 1))
            prev = (ws.dz[l - 1], ws.a[l - 1], ws.tmp[l - 1]) if l and not st.activation.identity else None
            self.backward.append((tuple(segs), prev))


class Stack:
    """K networks of one family in segments of equal layer sizes.

    Args:
        layer_sizes: each network's units per layer, input first, output (1 unit) last.
        activation, output_activation, loss, bias: the family's, shared by every network.

    Attributes:
        K: number of networks. segments: (layer sizes, net indices) per segment, in slot order.
        slots: (K,) the net in each slot. params, grad: flat vectors; ``weights[l][s]`` and
            ``biases[l]`` (every net's biases of layer l, segment by segment, (G_l,)) are views of
            ``params``, ``weight_grads``/``bias_grads`` of ``grad``.
        owner: (size,) the net each scalar belongs to. weight_mask: 1.0 on weights, 0.0 on biases.
    """

    _VIEWS = ("weights", "biases", "weight_grads", "bias_grads", "_bias_rows", "_weights_t", "_bias_seg")

    def __init__(
        self,
        layer_sizes: Sequence[tuple[int, ...]],
        activation: Activation,
        output_activation: Activation,
        loss: Loss,
        bias: bool,
    ) -> None:
        self.K = K = len(layer_sizes)
        self.activation, self.output_activation, self.loss, self.bias = activation, output_activation, loss, bias
        # the loss's shortcut ∂Σloss/∂z = p − y, when it holds for this output activation
        self.fused = output_activation.name in loss.fused_dz
        self.n_layers = L = len(layer_sizes[0]) - 1
        groups: dict[tuple[int, ...], list[int]] = {}
        for k, sizes in enumerate(layer_sizes):
            groups.setdefault(tuple(sizes), []).append(k)
        self.segments = list(groups.items())
        self.slots = np.array([k for _, ks in self.segments for k in ks])
        # per-net results come out in slot order; None when that is already the nets' order
        self._to_nets = None if (self.slots == np.arange(K)).all() else np.argsort(self.slots)
        self.columns = [sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments) for l in range(L)]
        self.size = sum(len(ks) * count_params(sizes) for sizes, ks in self.segments)
        self._mul = [_matmul_for(len(ks)) for _, ks in self.segments]
        self.params, self.grad = np.zeros(self.size), np.zeros(self.size)
        self._bind()
        self.owner, self.weight_mask = self._owners()
        self._members = [np.flatnonzero(self.owner == k) for k in range(K)]
        self._index = self._net_layouts()
        self._norm_starts, self._norm_rows = self._norm_blocks()
        self._workspaces: dict[tuple[str, int], Workspace] = {}

    def _owners(self) -> tuple[np.ndarray, np.ndarray]:
        """(size,) the net each scalar belongs to, and (size,) 1.0 on weights, 0.0 on biases."""
        owner, mask = np.zeros(self.size, dtype=np.intp), np.zeros(self.size)
        owner_W, owner_b = self._views(owner, keep_3d=True)
        mask_W, _ = self._views(mask, keep_3d=True)
        for l in range(self.n_layers):
            for s, (_, ks) in enumerate(self.segments):
                owner_W[l][s][...] = np.array(ks)[:, None, None]
                mask_W[l][s].fill(1.0)
            owner_b[l][...] = np.concatenate([np.repeat(ks, sizes[l + 1]) for sizes, ks in self.segments])
        return owner, mask

    def _net_layouts(self) -> list[np.ndarray]:
        """Per net, where its own parameters (its MLP layout: W_1, b_1, W_2 …) sit in ``params``."""
        at_W, at_b = self._views(np.arange(self.size), keep_3d=True)
        index: list[np.ndarray] = [np.empty(0, dtype=np.intp)] * self.K
        for s, (_, ks) in enumerate(self.segments):
            for j, k in enumerate(ks):
                parts = []
                for l in range(self.n_layers):
                    parts.append(at_W[l][s][j].ravel())
                    parts.append(self._bias_block(at_b[l], l, s)[j])
                index[k] = np.concatenate(parts)
        return index

    def _norm_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Where ‖dW_l‖² of every net is summed: one np.add.reduceat over g², with a block per (layer, slot) of
        weights and one per layer's biases; the second array says which blocks are weights (biases are dropped)."""
        starts, rows, o = [], [], 0
        for l in range(self.n_layers):
            for sizes, ks in self.segments:
                block = sizes[l] * sizes[l + 1]
                starts += [o + j * block for j in range(len(ks))]
                rows += [True] * len(ks)
                o += len(ks) * block
            starts.append(o)
            rows.append(False)
            o += self.columns[l]
        return np.array(starts), np.array(rows)

    # ----- layout -------------------------------------------------------------------------------
    def _bias_block(self, b: np.ndarray, l: int, s: int) -> np.ndarray:
        """Segment s's (K_s, fan_out) block of layer l's biases b (G_l,)."""
        o = sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments[:s])
        sizes, ks = self.segments[s]
        return b[o : o + len(ks) * sizes[l + 1]].reshape(len(ks), sizes[l + 1])

    def segment_view(self, buf: np.ndarray, l: int, s: int) -> np.ndarray:
        """Segment s's contiguous block of layer l's buffer: (K_s, n, units), or (n, units) for one net."""
        n = buf.size // self.columns[l]
        o = n * sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments[:s])
        sizes, ks = self.segments[s]
        view = buf.reshape(-1)[o : o + len(ks) * n * sizes[l + 1]].reshape(len(ks), n, sizes[l + 1])
        return view[0] if len(ks) == 1 else view

    def _views(self, flat: np.ndarray, keep_3d: bool = False) -> tuple[list[list[np.ndarray]], list[np.ndarray]]:
        """Per layer, per segment weight views (2-D for a segment of one net, unless ``keep_3d``) and per
        layer (G_l,) bias views of a flat vector in this stack's layout."""
        weights, biases, o = [], [], 0
        for l in range(self.n_layers):
            layer = []
            for sizes, ks in self.segments:
                fi, fo = sizes[l], sizes[l + 1]
                W = flat[o : o + len(ks) * fi * fo].reshape(len(ks), fi, fo)
                layer.append(W[0] if len(ks) == 1 and not keep_3d else W)
                o += len(ks) * fi * fo
            weights.append(layer)
            biases.append(flat[o : o + self.columns[l]])
            o += self.columns[l]
        return weights, biases

    def _bind(self) -> None:
        """Make the per-layer views of ``params`` and ``grad`` (once: the passes reuse them)."""
        self.weights, self.biases = self._views(self.params)
        self.weight_grads, self.bias_grads = self._views(self.grad)
        one = [len(ks) == 1 for _, ks in self.segments]
        # per layer, per segment: biases broadcasting over the segment's rows, (fo,) or (K_s, 1, fo)
        self._bias_rows = [
            [self._bias_block(b, l, s)[0] if one[s] else self._bias_block(b, l, s)[:, None, :]
             for s in range(len(self.segments))]
            for l, b in enumerate(self.biases)
        ]
        self._weights_t = [[W.T if W.ndim == 2 else W.transpose(0, 2, 1) for W in layer] for layer in self.weights]
        self._bias_seg = [
            [self._bias_block(g, l, s)[0] if one[s] else self._bias_block(g, l, s) for s in range(len(self.segments))]
            for l, g in enumerate(self.bias_grads)
        ]

    def __getstate__(self) -> dict:
        # the per-layer arrays are views of params/grad: pickle the flat vectors only
        state = {k: v for k, v in self.__dict__.items() if k not in self._VIEWS}
        state["_workspaces"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    # ----- moving one network's parameters in and out -----------------------------------------
    def index(self, k: int) -> np.ndarray:
        """Where net k's parameters, in its own flat layout (``MLP.params``), sit in ``params``."""
        return self._index[k]

    def members(self, k: int) -> np.ndarray:
        """Indices into ``params`` of net k's scalars, in this stack's order."""
        return self._members[k]

    def load(self, k: int, params: np.ndarray) -> None:
        """Copy a net's flat parameters (its own layout) into slot k."""
        self.params[self._index[k]] = params

    def store(self, k: int, out: np.ndarray) -> None:
        """Copy net k's parameters into ``out`` (its own layout), in place."""
        np.take(self.params, self._index[k], out=out)

    def net_params(self, k: int) -> np.ndarray:
        """A copy of net k's parameters in its own flat layout."""
        return self.params[self._index[k]]

    def workspace(self, n: int, role: str = "eval") -> Workspace:
        """Buffers for n rows. Training ("train") and everything else ("eval") never share buffers, so
        evaluating a test set of the training set's size between two updates cannot overwrite what the
        next update uses."""
        key = (role, n)
        ws = self._workspaces.get(key)
        if ws is None:
            if sum(r == role for r, _ in self._workspaces) >= 8:  # bounded: batch sizes come and go
                for k in [k for k in self._workspaces if k[0] == role]:
                    del self._workspaces[k]
            ws = self._workspaces[key] = Workspace(n, self)
        return ws

    # ----- the passes -----------------------------------------------------------------------
    def forward(self, X: np.ndarray, ws: Workspace) -> np.ndarray:
        """Fill ws.a with every layer's activations of every net; return the output (K, n, 1), slot order.

        X (n, fan_in) is shared by every network. z is computed in place of a: f' is computed from a.
        Per layer and segment: z = a_prev @ W (+ b), then f over the whole layer (see `_Plan`).
        """
        for segs, z, f, out_bias in ws.plan.forward:
            for mul, a, W, out, b in segs:
                mul(X if a is None else a, W, out=out)  # (n, fi) @ (fi, fo), or (K_s, n, fi) @ (K_s, fi, fo)
                if b is not None:
                    out += b
            if out_bias is not None:  # one unit per net: one call over (K, n, 1)
                z += out_bias
            f(z, out=z)
        return ws.a[-1]

    def backward(self, X: np.ndarray, y: np.ndarray, ws: Workspace, scale: float) -> None:
        """Write scale · ∂Σloss/∂params of every net into ``grad`` (scale 1/n: the mean loss's gradient).

        Needs ``forward(X, ws)`` first. Output layer: dz = ∂Σloss/∂p · g'(z), or p − y when ``fused``.
        Then, from the last layer down: dW = a_prevᵀ dz, db = 1ᵀ dz, dz_prev = (dz Wᵀ) · f'(z_prev).
        """
        p, dz = ws.a[-1], ws.dz[-1]
        if self.fused:
            np.subtract(p, y, out=dz)
        else:
            self.loss.dp(p, y, dz)  # elementwise: y (n, 1) broadcasts over K
            if not self.output_activation.identity:
                dz *= self.output_activation.grad(p, ws.tmp[-1])
        if scale != 1.0:
            dz *= scale
        Xt, ones, grad = X.T, ws.ones, self.activation.grad
        for segs, prev in ws.plan.backward:
            for mul, a_t, d, gW, gb, out, Wt, outer in segs:
                mul(Xt if a_t is None else a_t, d, out=gW)  # the first layer's input Xᵀ is every net's
                if gb is not None:
                    mul(ones, d, out=gb)  # (n,) @ (n, fo) or (K_s, n, fo)
                if out is not None:
                    if outer:  # one unit: dz Wᵀ is an outer product, a broadcast multiply
                        np.multiply(d, Wt, out=out)
                    else:
                        mul(d, Wt, out=out)
            if prev is not None:
                dz_prev, a_prev, tmp = prev
                dz_prev *= grad(a_prev, tmp)

    # ----- per-net measurements (in the nets' order) ------------------------------------------
    def _in_net_order(self, values: np.ndarray) -> np.ndarray:
        return values if self._to_nets is None else values[self._to_nets]

    def losses(self, p: np.ndarray, y: np.ndarray, ws: Workspace) -> np.ndarray:
        """Mean loss of each net: (K,), from the outputs p (K, n, 1) in slot order."""
        return self._in_net_order(self.loss.value(p, y, ws.tmp[-1]))

    def accuracies(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Accuracy of each net, (K,): the output thresholded at 0.5 against the labels y (n, 1)."""
        return self._in_net_order(((p >= 0.5) == (y >= 0.5)).sum(axis=(1, 2)) / p.shape[1])

    def grad_norms(self) -> np.ndarray:
        """‖dW_l‖ of each net and layer, (K, n_layers), from the last backward pass."""
        sums = np.add.reduceat(self.grad * self.grad, self._norm_starts)[self._norm_rows]
        return self._in_net_order(np.sqrt(sums.reshape(self.n_layers, self.K).T))

    def finite(self) -> np.ndarray:
        """(K,) bool: every parameter of the net is finite."""
        bad = ~np.isfinite(self.params)
        if not bad.any():  # the usual case: two calls
            return np.ones(self.K, dtype=bool)
        return np.bincount(self.owner[bad], minlength=self.K) == 0
