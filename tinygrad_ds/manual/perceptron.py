"""The course's two perceptrons: Rosenblatt's online rule and the batch (Delta) rule.

With ``fit_intercept=True`` each x gets x0 = 1 as its first component, so theta_[0] is the bias
and theta . x = theta_0 + theta_1 x_1 + ... + theta_d x_d. Both start from theta = 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BatchPerceptron", "Perceptron"]


def _check_X(fn: str, X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{fn}: X must be 2-D with at least one row; got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{fn}: X contains non-finite values")
    return X


def _check_labels(fn: str, y, n: int, allowed: tuple[int, int], hint: str) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"{fn}: y must have shape ({n},), one label per row of X; got {y.shape}")
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"{fn}: y must be numeric; got dtype {y.dtype}")
    found = np.unique(y)
    if not np.all(np.isin(found, allowed)):
        raise ValueError(f"{fn}: labels must be in {set(allowed)}; got {found.tolist()}. {hint}")
    return y.astype(np.float64)


def _points(k: int) -> str:
    return "1 point" if k == 1 else f"{k} points"


class _Linear:
    """What both perceptrons share: the design matrix [1 | X] and the fitted-state checks."""

    def __init__(self, lr: float, max_epochs: int, fit_intercept: bool) -> None:
        name = type(self).__name__
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"{name}: lr must be a positive number; got {lr}")
        if int(max_epochs) != max_epochs or max_epochs < 1:
            raise ValueError(f"{name}: max_epochs must be an integer >= 1; got {max_epochs}")
        self.lr = float(lr)
        self.max_epochs = int(max_epochs)
        self.fit_intercept = bool(fit_intercept)

    def _design(self, fn: str, X) -> np.ndarray:
        """Rows x(i) = (1, x_1, ..., x_d) with fit_intercept, else the rows of X unchanged."""
        X = _check_X(fn, X)
        if hasattr(self, "theta_"):
            d = self.theta_.shape[0] - int(self.fit_intercept)
            if X.shape[1] != d:
                raise ValueError(f"{fn}: X has {X.shape[1]} features; the fit used {d}")
        if self.fit_intercept:
            return np.hstack([np.ones((X.shape[0], 1)), X])
        return X

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """theta . x for each row of X (with x0 = 1 prepended if fit_intercept)."""
        if not hasattr(self, "theta_"):
            raise RuntimeError(f"{type(self).__name__}: call fit(X, y) before using the model")
        return self._design(f"{type(self).__name__}.decision_function", X) @ self.theta_


class Perceptron(_Linear):
    """Rosenblatt's online perceptron on labels y in {0, 1}.

    h(x) = 1[theta . x >= 0] (a point exactly on the boundary is predicted 1). For each example in
    turn, theta <- theta + alpha (y - h(x)) x, which changes theta only on a mistake; epochs run
    until one has no mistakes or max_epochs is reached. On separable data with margin gamma and
    radius R (both measured on the x with x0 = 1), at most (R / gamma)^2 updates happen
    (Novikoff), whatever alpha.

    After fit: theta_, n_updates_ (mistakes over all epochs), n_misclassified_ (by the final
    theta_), converged_ (True only if n_misclassified_ == 0), stop_reason_, and history_, one dict
    per epoch: {'epoch', 'errors' (mistakes in the epoch), 'delta_norm' (||theta change||_2)}.
    """

    def __init__(self, lr: float = 1.0, max_epochs: int = 100, fit_intercept: bool = True) -> None:
        super().__init__(lr, max_epochs, fit_intercept)

    def fit(self, X: np.ndarray, y: np.ndarray) -> Perceptron:
        """Run the online rule from theta = 0; returns self."""
        if hasattr(self, "theta_"):  # refitting: forget the previous fit's feature count
            del self.theta_
        Xd = self._design("Perceptron.fit", X)
        y = _check_labels(
            "Perceptron.fit", y, Xd.shape[0], (0, 1), "Map -1/+1 labels with (y + 1) / 2."
        )
        theta = np.zeros(Xd.shape[1])
        self.history_: list[dict] = []
        self.n_updates_ = 0
        clean_epoch = False
        for epoch in range(1, self.max_epochs + 1):
            start = theta.copy()
            errors = 0
            for x_i, y_i in zip(Xd, y, strict=True):
                h = 1.0 if theta @ x_i >= 0 else 0.0  # step activation h(x) = 1[theta . x >= 0]
                if h != y_i:
                    errors += 1
                theta = theta + self.lr * (y_i - h) * x_i  # theta <- theta + alpha (y - h(x)) x
            self.n_updates_ += errors
            delta_norm = float(np.linalg.norm(theta - start))
            self.history_.append({"epoch": epoch, "errors": errors, "delta_norm": delta_norm})
            if errors == 0:
                clean_epoch = True
                break
        self.theta_ = theta
        self.n_misclassified_ = int(np.sum(self.predict(X) != y))
        self.converged_ = self.n_misclassified_ == 0
        if clean_epoch:
            self.stop_reason_ = "separated"
        elif self.converged_:
            self.stop_reason_ = "separated (by the updates of the last allowed epoch)"
        else:
            self.stop_reason_ = (
                f"epoch limit reached with {_points(self.n_misclassified_)} misclassified"
            )
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """h(x) = 1[theta . x >= 0], as integers 0/1."""
        return (self.decision_function(X) >= 0).astype(np.int64)


class BatchPerceptron(_Linear):
    """The batch perceptron on labels y in {-1, +1}.

    theta = 0; each epoch: Delta = 0; for every x(i) with y(i) x(i) . theta <= 0 (misclassified),
    Delta += y(i) x(i); then Delta /= n if ``normalize`` (normalize=False is the fixed-increment
    variant); theta += alpha Delta; stop when ||Delta||_2 < epsilon or after max_epochs.
    A vanishing Delta does not imply separation: on XOR the four y(i) x(i) sum to zero at
    theta = 0, so the rule stops at once with every point misclassified, and this is reported.
    (On separable data it cannot happen early: theta* . Delta >= k gamma / n > 0 while k > 0
    points are misclassified, for a separator theta* of margin gamma.)

    After fit: theta_, n_misclassified_ (points with y x . theta_ <= 0), converged_ (True only if
    that is 0), stop_reason_, and history_, one dict per epoch:
    {'epoch', 'errors' (misclassified at the start of the epoch), 'delta_norm' (||Delta||_2)}.
    """

    def __init__(
        self,
        lr: float = 1.0,
        epsilon: float = 1e-6,
        max_epochs: int = 1000,
        normalize: bool = True,
        fit_intercept: bool = True,
    ) -> None:
        super().__init__(lr, max_epochs, fit_intercept)
        if not (np.isfinite(epsilon) and epsilon >= 0):
            raise ValueError(f"BatchPerceptron: epsilon must be a number >= 0; got {epsilon}")
        self.epsilon = float(epsilon)
        self.normalize = bool(normalize)

    def fit(self, X: np.ndarray, y: np.ndarray) -> BatchPerceptron:
        """Run the batch rule from theta = 0; returns self."""
        if hasattr(self, "theta_"):
            del self.theta_
        Xd = self._design("BatchPerceptron.fit", X)
        n = Xd.shape[0]
        y = _check_labels("BatchPerceptron.fit", y, n, (-1, 1), "Map 0/1 labels with 2 y - 1.")
        theta = np.zeros(Xd.shape[1])
        self.history_: list[dict] = []
        vanished = False
        delta_norm = np.inf
        for epoch in range(1, self.max_epochs + 1):
            Delta = np.zeros_like(theta)
            errors = 0
            for x_i, y_i in zip(Xd, y, strict=True):
                if y_i * (x_i @ theta) <= 0:  # misclassified (or on the boundary)
                    Delta += y_i * x_i
                    errors += 1
            if self.normalize:
                Delta /= n
            theta = theta + self.lr * Delta
            delta_norm = float(np.linalg.norm(Delta))
            self.history_.append({"epoch": epoch, "errors": errors, "delta_norm": delta_norm})
            if delta_norm < self.epsilon:
                vanished = True
                break
        self.theta_ = theta
        self.n_misclassified_ = int(np.sum(y * (Xd @ theta) <= 0))
        self.converged_ = self.n_misclassified_ == 0
        k = _points(self.n_misclassified_)
        if self.converged_:
            self.stop_reason_ = "separated"
        elif vanished:
            self.stop_reason_ = (
                f"Delta vanished (||Delta|| = {delta_norm:.3g} < epsilon = {self.epsilon:g}) "
                f"with {k} still misclassified"
            )
        else:
            self.stop_reason_ = f"epoch limit reached with {k} misclassified"
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """+1 where theta . x >= 0, else -1, as integers."""
        return np.where(self.decision_function(X) >= 0, 1, -1).astype(np.int64)
