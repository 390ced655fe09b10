"""K networks of one family as one: stacked parameters and batched passes, without padding.

Networks of one *family* share the input size, the number of hidden layers, the activations, the
loss and the bias flag; their widths may differ. A `Stack` sorts them into *segments* of equal layer
sizes. Matrix products run per segment: ``z = a @ W + b`` becomes a batched matmul of
(K_s, n, fan_in) by (K_s, fan_in, fan_out), which makes one BLAS call per net, the very call ``MLP``
makes (only the leading dimensions differ), so every net gets bit-for-bit the numbers of a separate
run (checked with numpy's OpenBLAS). Everything elementwise — bias, activation, its derivative, the
loss, the optimizer step — runs once over all K nets of every width.

Each layer's activations (and deltas, and scratch) of all K nets live in one buffer, segment after
segment, each segment's block a contiguous (K_s, n, units) array — the layout the matmuls need to
make MLP's very calls (strided operands can take other BLAS code paths, so the blocks are never
interleaved) — and the elementwise rules run over the whole buffer. The output layer has one unit,
so its buffer is simply (K, n, 1), one slot per net. Parameters are one flat vector, layer-major (W_1
of every segment, then b_1 of every segment, W_2 …), so one optimizer call steps every net; ``owner``
says which net each scalar belongs to (for per-net learning rates). Slots are ordered by segment;
per-net results (``losses``, ``accuracies``, ``grad_norms``) come back in the order the nets were
given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .losses import BCE_EPS
from .network import MLP


def _mse_values(p: np.ndarray, y: np.ndarray, work: np.ndarray) -> np.ndarray:
    # mean over samples of (p − y)², per net: p and work (K, n, 1), y (n, 1) → (K,). The batched
    # (1, n) @ (n, 1) products are the dot products mlp.losses takes, so the values agree bit for bit.
    np.subtract(p, y, out=work)
    return np.matmul(work.transpose(0, 2, 1), work).reshape(-1) / p.shape[1]


def _bce_values(p: np.ndarray, y: np.ndarray, work: np.ndarray) -> np.ndarray:
    # −mean log(1 − |y − p|), per net, clipped as mlp.losses does (see its _bce_value)
    np.subtract(y, p, out=work)
    np.abs(work, out=work)
    np.subtract(1.0, work, out=work)
    np.clip(work, BCE_EPS, 1.0, out=work)
    np.log(work, out=work)
    return -work.sum(axis=(1, 2)) / p.shape[1]


# Per-net mean loss for each key of mlp.LOSSES (their ``value`` reduces over every net at once).
# Their ``dp`` rules are elementwise and serve the stack as they are.
LOSS_VALUES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "mse": _mse_values,
    "bce": _bce_values,
}


def family_problem(nets: Sequence[MLP]) -> str:
    """'' when the networks can share a stack, else what differs, in plain words."""
    if not nets:
        return "nets: give at least one network"
    first = nets[0]
    if first.loss.name not in LOSS_VALUES:
        return f"loss {first.loss.name!r} has no batched form"
    for net in nets[1:]:
        for what, a, b in (
            ("input size", net.layer_sizes[0], first.layer_sizes[0]),
            ("number of hidden layers", net.n_layers, first.n_layers),
            ("activation", net.activation.name, first.activation.name),
            ("output activation", net.output_activation.name, first.output_activation.name),
            ("loss", net.loss.name, first.loss.name),
            ("bias", net.bias, first.bias),
        ):
            if a != b:
                return f"nets: every network needs the same {what}; got {b!r} and {a!r}"
    return ""


class _Workspace:
    """Buffers for batches of n rows: per layer, activations, deltas and scratch of every net.

    ``a``, ``dz``, ``tmp``: whole-layer buffers, flat (n·G_l,) for hidden layers (G_l = Σ K_s·units_s)
    and (K, n, 1) for the output; ``a_seg``, ``dz_seg``: per layer, per segment, the contiguous
    (K_s, n, units) blocks of them, and ``a_t`` the (K_s, units, n) transposes (for dW = aᵀ dz).
    """

    def __init__(self, n: int, stack: Stack) -> None:
        L = stack.n_layers
        self.a, self.dz, self.tmp, self.a_seg, self.dz_seg = [], [], [], [], []
        for l in range(L):
            # the output layer's buffer is (K, n, 1); a hidden layer's is flat, its segments' widths differ
            shape = (stack.K, n, 1) if l == L - 1 else (n * stack.columns[l],)
            a, dz = np.empty(shape), np.empty(shape)
            self.a.append(a)
            self.dz.append(dz)
            self.tmp.append(np.empty(shape))
            self.a_seg.append([stack.segment_view(a, l, s) for s in range(len(stack.segments))])
            self.dz_seg.append([stack.segment_view(dz, l, s) for s in range(len(stack.segments))])
        self.a_t = [[v.transpose(0, 2, 1) for v in views] for views in self.a_seg]
        self.ones = np.ones(n)  # db = 1ᵀ dz, a BLAS call per net as MLP makes


class Stack:
    """K networks of one family (see `family_problem`), in segments of equal layer sizes.

    Attributes:
        K: number of networks.
        segments: (layer sizes, net indices) per segment, in slot order.
        slots: (K,) the net in each slot; per-net results are returned in net order.
        params, grad: flat vectors; ``weights[l][s]`` (K_s, fan_in, fan_out) and ``biases[l]`` (G_l,)
            (every net's biases of layer l, segment by segment) are views of ``params``,
            ``weight_grads``/``bias_grads`` of ``grad``.
        owner: (size,) int, the net each scalar belongs to.
        weight_mask: (size,) 1.0 on weights, 0.0 on biases (penalties apply to weights only).
    """

    _VIEWS = ("weights", "biases", "weight_grads", "bias_grads", "_bias_rows", "_weights_t", "_bias_seg")

    def __init__(self, nets: Sequence[MLP]) -> None:
        problem = family_problem(nets)
        if problem:
            raise ValueError(problem)
        first = nets[0]
        self.K = K = len(nets)
        self.activation, self.output_activation = first.activation, first.output_activation
        self.loss, self.bias = first.loss, first.bias
        self._loss_values = LOSS_VALUES[self.loss.name]
        self._fused = self.output_activation.name in self.loss.fused_dz
        self.n_layers = L = first.n_layers
        groups: dict[tuple[int, ...], list[int]] = {}
        for k, net in enumerate(nets):
            groups.setdefault(net.layer_sizes, []).append(k)
        self.segments = list(groups.items())
        self.slots = np.array([k for _, ks in self.segments for k in ks])
        # per-net results come out in slot order; None when that is already the nets' order
        self._to_nets = None if (self.slots == np.arange(K)).all() else np.argsort(self.slots)
        # G_l: the units of layer l summed over every net (the output layer's is K)
        self.columns = [sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments) for l in range(L)]
        self.size = sum(
            len(ks) * (sizes[l] * sizes[l + 1] + sizes[l + 1]) for l in range(L) for sizes, ks in self.segments
        )

        self.params, self.grad = np.zeros(self.size), np.zeros(self.size)
        self._bind()
        self.owner = np.zeros(self.size, dtype=np.intp)
        self.weight_mask = np.zeros(self.size)
        owner_W, owner_b = self._views(self.owner)
        mask_W, _ = self._views(self.weight_mask)
        for l in range(L):
            for s, (_, ks) in enumerate(self.segments):
                owner_W[l][s][...] = np.array(ks)[:, None, None]
                mask_W[l][s].fill(1.0)
            owner_b[l][...] = np.concatenate([np.repeat(ks, sizes[l + 1]) for sizes, ks in self.segments])
        self._members = [np.flatnonzero(self.owner == k) for k in range(K)]
        # where each net's own params (MLP layout: W_1, b_1, W_2 …) sit in ``params``: one gather or
        # scatter moves a whole net in or out
        at_W, at_b = self._views(np.arange(self.size))
        self._index: list[np.ndarray] = [np.empty(0, dtype=np.intp)] * K
        for s, (_, ks) in enumerate(self.segments):
            for j, k in enumerate(ks):
                parts = []
                for l in range(L):
                    parts.append(at_W[l][s][j].ravel())
                    parts.append(self._bias_block(at_b[l], l, s)[j])
                self._index[k] = np.concatenate(parts)
        # ‖dW_l‖² of every net: one np.add.reduceat over g², with a segment per (layer, slot) weight
        # block and one per layer's biases (dropped); _norm_rows picks the weight segments
        starts, rows, o = [], [], 0
        for l in range(L):
            for sizes, ks in self.segments:
                block = sizes[l] * sizes[l + 1]
                starts += [o + j * block for j in range(len(ks))]
                rows += [True] * len(ks)
                o += len(ks) * block
            starts.append(o)
            rows.append(False)
            o += self.columns[l]
        self._norm_starts, self._norm_rows = np.array(starts), np.array(rows)
        for k, net in enumerate(nets):
            self.load(k, net)
        self._workspaces: dict[int, _Workspace] = {}

    # ----- layout -------------------------------------------------------------------------------
    def _bias_block(self, b: np.ndarray, l: int, s: int) -> np.ndarray:
        """Segment s's (K_s, fan_out) block of layer l's biases b (G_l,)."""
        o = sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments[:s])
        sizes, ks = self.segments[s]
        return b[o : o + len(ks) * sizes[l + 1]].reshape(len(ks), sizes[l + 1])

    def segment_view(self, buf: np.ndarray, l: int, s: int) -> np.ndarray:
        """Segment s's contiguous (K_s, n, units) block of layer l's flat buffer (n·G_l,)."""
        n = buf.size // self.columns[l]
        o = n * sum(len(ks) * sizes[l + 1] for sizes, ks in self.segments[:s])
        sizes, ks = self.segments[s]
        return buf.reshape(-1)[o : o + len(ks) * n * sizes[l + 1]].reshape(len(ks), n, sizes[l + 1])

    def _views(self, flat: np.ndarray) -> tuple[list[list[np.ndarray]], list[np.ndarray]]:
        """Split a flat vector into per layer, per segment (K_s, fan_in, fan_out) and per layer (G_l,)."""
        weights, biases, o = [], [], 0
        for l in range(self.n_layers):
            layer = []
            for sizes, ks in self.segments:
                fi, fo = sizes[l], sizes[l + 1]
                layer.append(flat[o : o + len(ks) * fi * fo].reshape(len(ks), fi, fo))
                o += len(ks) * fi * fo
            weights.append(layer)
            biases.append(flat[o : o + self.columns[l]])
            o += self.columns[l]
        return weights, biases

    def _bind(self) -> None:
        """Make the per-layer views of ``params`` and ``grad`` (once: the passes reuse them)."""
        self.weights, self.biases = self._views(self.params)
        self.weight_grads, self.bias_grads = self._views(self.grad)
        # per layer, per segment (K_s, 1, fo): each broadcasts over its segment's n rows
        self._bias_rows = [
            [self._bias_block(b, l, s)[:, None, :] for s in range(len(self.segments))]
            for l, b in enumerate(self.biases)
        ]
        self._weights_t = [[W.transpose(0, 2, 1) for W in layer] for layer in self.weights]  # (K_s, fo, fi)
        self._bias_seg = [
            [self._bias_block(g, l, s) for s in range(len(self.segments))] for l, g in enumerate(self.bias_grads)
        ]

    def __getstate__(self) -> dict:
        # the per-layer arrays are views of params/grad: pickle the flat vectors only
        state = {k: v for k, v in self.__dict__.items() if k not in self._VIEWS}
        state["_workspaces"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    # ----- moving parameters between the stack and the networks -------------------------------
    def load(self, k: int, net: MLP) -> None:
        """Copy net's parameters into net k's slot."""
        self.params[self._index[k]] = net.params

    def store(self, k: int, net: MLP) -> None:
        """Copy net k's parameters into net, in place (its views stay valid)."""
        np.take(self.params, self._index[k], out=net.params)

    def net_params(self, k: int) -> np.ndarray:
        """A copy of net k's parameters in its own flat layout (``MLP.params``)."""
        return self.params[self._index[k]]

    def members(self, k: int) -> np.ndarray:
        """Indices into ``params`` of net k's scalars."""
        return self._members[k]

    def workspace(self, n: int) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 4:
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(n, self)
        return ws

    # ----- the passes -----------------------------------------------------------------------
    def forward(self, X: np.ndarray, ws: _Workspace) -> np.ndarray:
        """Fill ws.a with every layer's activations of every net; return the output (K, n, 1), slot order.

        X (n, fan_in) is shared: the first matmuls broadcast it over each segment's weight stacks.
        """
        prev: list[np.ndarray] = [X] * len(self.segments)
        last = self.n_layers - 1
        for l in range(self.n_layers):
            for a, W, z in zip(prev, self.weights[l], ws.a_seg[l]):
                np.matmul(a, W, out=z)  # (K_s, n, fi) @ (K_s, fi, fo) → (K_s, n, fo)
            if self.bias:
                if l == last:  # one unit per net: one call over (K, n, 1)
                    ws.a[l] += self.biases[l].reshape(-1, 1, 1)
                else:
                    for z, b in zip(ws.a_seg[l], self._bias_rows[l]):
                        z += b
            z = ws.a[l]
            act = self.output_activation if l == last else self.activation
            act.forward(z, out=z)  # in place, as MLP does: f' is computed from a
            prev = ws.a_seg[l]
        return ws.a[-1]

    def backward(self, X: np.ndarray, y: np.ndarray, ws: _Workspace, scale: float) -> None:
        """Write scale · ∂Σloss/∂params of every net into ``grad``.

        The rules of `MLP._backward`, with a leading K axis: dW = a_prevᵀ dz (batched), db = 1ᵀ dz,
        dz_prev = (dz Wᵀ) · f'(z_prev). Needs ``forward(X, ws)`` first.
        """
        p, dz = ws.a[-1], ws.dz[-1]
        if self._fused:
            np.subtract(p, y, out=dz)
        else:
            self.loss.dp(p, y, dz)  # elementwise: y (n, 1) broadcasts over K
            if not self.output_activation.identity:
                dz *= self.output_activation.grad(p, ws.tmp[-1])
        if scale != 1.0:
            dz *= scale
        for l in range(self.n_layers - 1, -1, -1):
            for s, d in enumerate(ws.dz_seg[l]):
                # (K_s, fi, n) @ (K_s, n, fo); the first layer's input X.T (fi, n) is shared by every net
                np.matmul(ws.a_t[l - 1][s] if l else X.T, d, out=self.weight_grads[l][s])
                if self.bias:
                    np.matmul(ws.ones, d, out=self._bias_seg[l][s])  # (n,) @ (K_s, n, fo) → (K_s, fo)
                if l:
                    out, Wt = ws.dz_seg[l - 1][s], self._weights_t[l][s]
                    if d.shape[2] == 1:  # one unit: dz Wᵀ is an outer product, a broadcast multiply
                        np.multiply(d, Wt, out=out)  # (K_s, n, 1) · (K_s, 1, fi); matmul's loop is slower
                    else:
                        np.matmul(d, Wt, out=out)
            if l and not self.activation.identity:
                ws.dz[l - 1] *= self.activation.grad(ws.a[l - 1], ws.tmp[l - 1])

    # ----- per-net measurements (in the nets' order) ------------------------------------------
    def _in_net_order(self, values: np.ndarray) -> np.ndarray:
        return values if self._to_nets is None else values[self._to_nets]

    def losses(self, p: np.ndarray, y: np.ndarray, ws: _Workspace) -> np.ndarray:
        """Mean loss of each net: (K,), from the outputs p (K, n, 1) in slot order."""
        return self._in_net_order(self._loss_values(p, y, ws.tmp[-1]))

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
