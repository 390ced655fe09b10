"""K networks of one family as one: stacked, zero-padded parameters and batched passes.

Networks of one *family* share the input size, the number of hidden layers, the activations, the
loss and the bias flag; their widths may differ. A `Stack` pads every layer to the widest net's
width and stores layer l's weights of all K nets as one (K, fan_in, fan_out) array, so a forward or
backward pass over all K nets takes the same number of numpy calls as one net: ``z = a @ W + b``
becomes a batched matmul of (K, n, fan_in) by (K, fan_in, fan_out), and every elementwise rule runs
once over (K, n, units).

Padding stays inert. A padded unit j of net k has zero incoming weights and bias, so z_j = 0, but its
activation f(0) need not be 0 (σ(0) = 0.5): what keeps it out of the output is that its *outgoing*
weights (row j of the next layer's W) are zero. Backward, its δ_j = Σ_m δ_m W[j, m] · f'(a_j) = 0, so
its incoming weights get no gradient; but the gradient of its outgoing row, a_jᵀ δ, is 0.5·Σδ ≠ 0 for
sigmoid. So `Stack.backward` zeroes every padded entry of the gradient, and with a zero gradient
every optimizer (its state starting at zero) leaves the padding at exactly zero.

Same numbers: numpy's batched matmul makes one BLAS call per net, the call ``MLP`` makes, so nets
of equal widths get bit-for-bit the parameters of separate runs (checked with numpy's OpenBLAS).
A padded net's products go through a larger BLAS kernel that may sum in another order: equal to
rounding, and rounding differences grow wherever training is chaotic (see ``mlp.sweep``).

Like `MLP`, all parameters live in one flat vector, ordered layer by layer (W_1 of all nets, b_1 of
all nets, W_2 …), so each layer's stack is a contiguous view and one optimizer steps every net;
``owner`` says which net each scalar belongs to (for per-net learning rates).
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
    """Buffers for batches of n rows: per layer, activations, deltas and scratch, each (K, n, units)."""

    def __init__(self, K: int, n: int, layer_sizes: Sequence[int]) -> None:
        units = layer_sizes[1:]
        self.a = [np.empty((K, n, u)) for u in units]
        self.a_t = [a.transpose(0, 2, 1) for a in self.a]  # (K, units, n) views, for dW = aᵀ dz
        self.dz = [np.empty((K, n, u)) for u in units]
        self.tmp = [np.empty((K, n, u)) for u in units]
        self.ones = np.ones(n)  # db = 1ᵀ dz for every net in one matmul


class Stack:
    """K networks of one family (see `family_problem`), padded to common widths.

    Attributes:
        K: number of networks.
        layer_sizes: the padded sizes, the largest width of each layer across nets.
        params, grad: flat vectors, layer-major; ``weights[l]`` (K, fan_in, fan_out) and ``biases[l]``
            (K, fan_out) are views of ``params``, ``weight_grads``/``bias_grads`` of ``grad``.
        owner: (size,) int, the net each scalar belongs to.
        weight_mask: (size,) 1.0 on weights, 0.0 on biases (penalties apply to weights only).
        padding: (size,) bool, True on padded entries (they stay exactly zero).
    """

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
        self.layer_sizes = tuple(int(max(s)) for s in zip(*(net.layer_sizes for net in nets)))
        self.n_layers = len(self.layer_sizes) - 1
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.size = K * sum(fi * fo + fo for fi, fo in pairs)

        self.params, self.grad = np.zeros(self.size), np.zeros(self.size)
        self._bind()
        self.owner = np.zeros(self.size, dtype=np.intp)
        self.weight_mask = np.zeros(self.size)
        self.padding = np.ones(self.size, dtype=bool)
        owner_W, owner_b = self._views(self.owner)
        mask_W, _ = self._views(self.weight_mask)
        pad_W, pad_b = self._views(self.padding)
        for l in range(self.n_layers):
            owner_W[l][...] = np.arange(K)[:, None, None]
            owner_b[l][...] = np.arange(K)[:, None]
            mask_W[l].fill(1.0)
            for k, net in enumerate(nets):
                fi, fo = net.layer_sizes[l], net.layer_sizes[l + 1]
                pad_W[l][k, :fi, :fo] = False
                pad_b[l][k, :fo] = False
        self.padded = bool(self.padding.any())
        self._members = [np.flatnonzero(self.owner == k) for k in range(K)]
        for k, net in enumerate(nets):
            self.load(k, net)
        self._workspaces: dict[int, _Workspace] = {}

    _VIEWS = ("weights", "biases", "weight_grads", "bias_grads", "_bias_rows", "_weights_t")

    def _bind(self) -> None:
        """Make the per-layer views of ``params`` and ``grad`` (once: the passes reuse them)."""
        self.weights, self.biases = self._views(self.params)
        self.weight_grads, self.bias_grads = self._views(self.grad)
        self._bias_rows = [b.reshape(self.K, 1, -1) for b in self.biases]  # (K, 1, fo): broadcasts over n
        self._weights_t = [W.transpose(0, 2, 1) for W in self.weights]  # (K, fo, fi)

    def __getstate__(self) -> dict:
        # the per-layer arrays are views of params/grad: pickle the flat vectors only
        state = {k: v for k, v in self.__dict__.items() if k not in self._VIEWS}
        state["_workspaces"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Split a flat layer-major vector into per-layer (K, fan_in, fan_out) and (K, fan_out) views."""
        weights, biases, o, K = [], [], 0, self.K
        for fi, fo in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            weights.append(flat[o : o + K * fi * fo].reshape(K, fi, fo))
            o += K * fi * fo
            biases.append(flat[o : o + K * fo].reshape(K, fo))
            o += K * fo
        return weights, biases

    # ----- moving parameters between the stack and the networks -------------------------------
    def load(self, k: int, net: MLP) -> None:
        """Copy net's parameters into slot k (its padding stays zero)."""
        for W, b, Wn, bn in zip(self.weights, self.biases, net.weights, net.biases):
            W[k, : Wn.shape[0], : Wn.shape[1]] = Wn
            b[k, : bn.shape[0]] = bn

    def store(self, k: int, net: MLP) -> None:
        """Copy slot k's parameters (without padding) into net, in place (its views stay valid)."""
        for W, b, Wn, bn in zip(self.weights, self.biases, net.weights, net.biases):
            Wn[...] = W[k, : Wn.shape[0], : Wn.shape[1]]
            bn[...] = b[k, : bn.shape[0]]

    def members(self, k: int) -> np.ndarray:
        """Indices into ``params`` of net k's scalars (padding included)."""
        return self._members[k]

    def workspace(self, n: int) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 4:
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(self.K, n, self.layer_sizes)
        return ws

    # ----- the passes -----------------------------------------------------------------------
    def forward(self, X: np.ndarray, ws: _Workspace) -> np.ndarray:
        """Fill ws.a with every layer's activations of every net; return the output (K, n, 1).

        X (n, fan_in) is shared: the first matmul broadcasts it over the K weight stacks.
        """
        a = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.weights, self._bias_rows)):
            z = ws.a[l]
            np.matmul(a, W, out=z)  # (K, n, fi) @ (K, fi, fo) → (K, n, fo)
            if self.bias:
                z += b
            act = self.output_activation if l == last else self.activation
            a = act.forward(z, out=z)  # in place, as MLP does: f' is computed from a
        return a

    def backward(self, X: np.ndarray, y: np.ndarray, ws: _Workspace, scale: float) -> None:
        """Write scale · ∂Σloss/∂params of every net into ``grad``, padding masked to zero.

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
            # (K, fi, n) @ (K, n, fo); the first layer's input X.T (fi, n) is shared by every net
            np.matmul(ws.a_t[l - 1] if l else X.T, dz, out=self.weight_grads[l])
            if self.bias:
                np.matmul(ws.ones, dz, out=self.bias_grads[l])  # (n,) @ (K, n, fo) → (K, fo)
            if l:
                dz_prev, Wt = ws.dz[l - 1], self._weights_t[l]
                if dz.shape[2] == 1:  # one output unit: dz Wᵀ is an outer product, a broadcast multiply
                    np.multiply(dz, Wt, out=dz_prev)  # (K, n, 1) · (K, 1, fi); matmul's loop is slower
                else:
                    np.matmul(dz, Wt, out=dz_prev)
                if not self.activation.identity:
                    dz_prev *= self.activation.grad(ws.a[l - 1], ws.tmp[l - 1])
                dz = dz_prev
        if self.padded:
            # a padded unit's output (σ(0) = 0.5) would pull on its zero outgoing weights
            np.copyto(self.grad, 0.0, where=self.padding)

    # ----- per-net measurements -------------------------------------------------------------
    def losses(self, p: np.ndarray, y: np.ndarray, ws: _Workspace) -> np.ndarray:
        """Mean loss of each net: (K,), from the outputs p (K, n, 1)."""
        return self._loss_values(p, y, ws.tmp[-1])

    @staticmethod
    def accuracies(p: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Accuracy of each net, (K,): the output thresholded at 0.5 against the labels y (n, 1)."""
        return np.count_nonzero((p >= 0.5) == (y >= 0.5), axis=(1, 2)) / p.shape[1]

    def grad_norms(self) -> np.ndarray:
        """‖dW_l‖ of each net and layer, (K, n_layers), from the last backward pass."""
        return np.sqrt(np.stack([(g * g).sum(axis=(1, 2)) for g in self.weight_grads], axis=1))

    def finite(self) -> np.ndarray:
        """(K,) bool: every parameter of the net is finite."""
        ok = np.ones(self.K, dtype=bool)
        for W, b in zip(self.weights, self.biases):
            ok &= np.isfinite(W).all(axis=(1, 2)) & np.isfinite(b).all(axis=1)
        return ok
