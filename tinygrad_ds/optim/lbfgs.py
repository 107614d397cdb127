"""L-BFGS, as PyTorch's: a quasi-Newton method that re-evaluates the loss through a closure,
optionally with a line search satisfying the strong Wolfe conditions.

The parameters are handled as one flat vector x (in group order); the search direction d
comes from the two-loop recursion over the last `history_size` pairs
s = x_{k+1} - x_k, y = g_{k+1} - g_k (Nocedal and Wright, Algorithm 7.4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, _number

__all__ = ["LBFGS"]


def _cubic_minimum(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float, bounds: Any = None
) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clipped
    to `bounds` (default [min(x1, x2), max(x1, x2)]); their middle if the cubic has none
    (Nocedal and Wright, eq. 3.59)."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, low), high)


def _strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """A step t along d with f(x + t d) <= f + c1 t gtd and |g(x + t d) . d| <= -c2 gtd
    (Nocedal and Wright, Algorithms 3.5 and 3.6: bracket, then zoom by cubic interpolation).
    Returns (loss, gradient, t, the number of evaluations)."""
    d_norm = float(np.abs(d).max())
    f_new, g_new = evaluate(t)
    evals, gtd_new = 1, float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done, it = False, 0
    while it < max_ls:  # bracketing
        armijo_fails = f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev)
        if not armijo_fails and abs(gtd_new) <= -c2 * gtd:
            bracket, b_f, b_g, done = [t], [f_new], [g_new], True
            break
        if armijo_fails or gtd_new >= 0:  # a minimum lies between t_prev and t
            bracket, b_f = [t_prev, t], [f_prev, f_new]
            b_g, b_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        t_next = _cubic_minimum(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10)
        )
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals, gtd_new, it = evals + 1, float(g_new @ d), it + 1
    if it == max_ls:
        bracket, b_f, b_g = [0.0, t], [f, f_new], [g, g_new]
    insufficient = False
    low, high = (0, 1) if b_f[0] <= b_f[-1] else (1, 0)
    while not done and it < max_ls:  # zoom
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(bracket[0], b_f[0], b_gtd[0], bracket[1], b_f[1], b_gtd[1])
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:  # too close to an end: move it inwards
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = evaluate(t)
        evals, gtd_new, it = evals + 1, float(g_new @ d), it + 1
        if f_new > f + c1 * t * gtd or f_new >= b_f[low]:
            bracket[high], b_f[high], b_g[high], b_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if b_f[0] <= b_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], b_f[high] = bracket[low], b_f[low]
                b_g[high], b_gtd[high] = b_g[low], b_gtd[low]
            bracket[low], b_f[low], b_g[low], b_gtd[low] = t, f_new, g_new, gtd_new
    return b_f[low], b_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """PyTorch's L-BFGS. `step(closure)` runs up to `max_iter` iterations (at most `max_eval`
    loss evaluations, default max_iter * 5 / 4), each x <- x + t d with d = -H g from the
    two-loop recursion (H's initial scale y.s / y.y) and t = lr (the first step ever:
    lr min(1, 1 / |g|_1)), or the step of a strong-Wolfe line search. It stops early when
    max |g| <= tolerance_grad, or a step or the change of the loss is below
    tolerance_change. One parameter group only; the closure must zero the gradients,
    compute the loss, call backward and return it.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: parameter groups are not supported (give one group)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: invalid {key}: {value!r} (expected an int >= 1)")
        for key in ("tolerance_grad", "tolerance_change"):
            self._check_option(group, key)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                "LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                f"{group['line_search_fn']!r}"
            )

    def add_param_group(self, group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS: parameter groups are not supported (give one group)")
        super().add_param_group(group)

    # -- the parameters as one flat vector --------------------------------------------------

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate(
            [np.zeros(p.data.size, p.dtype) if p.grad is None else p.grad.data.ravel()
             for p in self._params]
        )  # fmt: skip

    def _add(self, t: float, d: np.ndarray) -> None:
        """x <- x + t d, in place."""
        start = 0
        for p in self._params:
            n = p.data.size
            p.add_((d[start : start + n] * t).reshape(p.shape).astype(p.dtype, copy=False))
            start += n

    def _set(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values):
            p.copy_(Tensor._make(v, None))

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        keys = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")
        return {"func_evals": 0, "n_iter": 0, **dict.fromkeys(keys)}

    def _restore(self, p: Tensor, name: str, value: Any) -> Any:
        """LBFGS's state holds flat vectors and lists of them: copies of the saved ones."""
        if isinstance(value, (list, tuple)):
            return [self._restore(p, name, v) for v in value]
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, np.ndarray):
            return value.item() if value.ndim == 0 else np.array(value, copy=True)
        return value

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Run up to max_iter iterations; returns the closure's first loss."""
        if closure is None or not callable(closure):
            raise TypeError(
                "LBFGS.step: needs a closure that recomputes the loss with its gradients "
                f"(zero_grad, loss, backward, return loss), got {closure!r:.60}"
            )

        def evaluate() -> tuple[Any, float]:
            with enable_grad():
                value = closure()
            number = _number(value.detach() if isinstance(value, Tensor) else value)
            if number is None:
                raise TypeError(f"LBFGS.step: the closure returned {value!r:.60}, not a loss")
            return value, float(number)

        with no_grad():
            return self._step(evaluate)

    def _step(self, evaluate: Callable[[], tuple[Any, float]]) -> Any:
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state.get(self._params[0])
        if not state:  # (none yet, or an empty one made by reading self.state[p])
            state = self.state[self._params[0]] = self._init_state(self._params[0], group)
        orig_loss, loss = evaluate()
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tol_grad:
            return orig_loss
        d, t, H_diag = state["d"], state["t"], state["H_diag"]
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        prev_flat_grad, prev_loss = state["prev_flat_grad"], state["prev_loss"]
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, H_diag = -flat_grad, [], [], [], 1.0
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only if the curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)
                alpha = [0.0] * len(old_dirs)
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    alpha[i] = float(old_stps[i] @ q) * ro[i]
                    q = q - alpha[i] * old_dirs[i]
                d = q * H_diag
                for i in range(len(old_dirs)):
                    beta = float(old_dirs[i] @ d) * ro[i]
                    d = d + (alpha[i] - beta) * old_stps[i]
            prev_flat_grad, prev_loss = flat_grad.copy(), loss
            t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(flat_grad @ d)
            if gtd > -tol_change:  # not a descent direction
                break
            ls_evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                x0 = [p.data.copy() for p in self._params]

                def along(step: float, d: np.ndarray = d, x0: list = x0) -> tuple:
                    self._add(step, d)
                    value = evaluate()[1]
                    g = self._flat_grad()
                    self._set(x0)
                    return value, g

                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    along, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals
                )
                self._add(t, d)
                converged = np.abs(flat_grad).max() <= tol_grad
            else:
                self._add(t, d)
                converged = False
                if n_iter != max_iter:
                    loss = evaluate()[1]
                    flat_grad = self._flat_grad()
                    converged = np.abs(flat_grad).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)  # fmt: skip
        return orig_loss
