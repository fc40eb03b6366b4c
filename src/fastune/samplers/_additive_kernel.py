"""An additive Matern 5/2 kernel for scikit-learn's Gaussian processes: the mean of one
one-dimensional kernel per input column, each with its own length scale.

Imported on first use by GPSampler (it subclasses scikit-learn's kernels, and
``import fastune`` imports no scikit-learn)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.gaussian_process.kernels import (
    Hyperparameter,
    Kernel,
    NormalizedKernelMixin,
    StationaryKernelMixin,
)

__all__ = ["AdditiveMatern"]

_ROOT_5 = np.sqrt(5.0)


class AdditiveMatern(StationaryKernelMixin, NormalizedKernelMixin, Kernel):
    """``k(x, y) = mean over columns c of m(|x_c - y_c| / length_scale_c)``, ``m`` the
    Matern 5/2 correlation: a function that is a sum of one function per parameter
    (separable) is learnt from the projections of every point on each axis, which needs
    far fewer points than a kernel over the whole space. ``k(x, x) = 1``.

    Args:
        length_scale: One length scale per column (an array), or one for all.
        length_scale_bounds: The bounds the fit keeps each length scale in.
    """

    def __init__(
        self,
        length_scale: float | np.ndarray = 1.0,
        length_scale_bounds: tuple[float, float] = (1e-5, 1e5),
    ) -> None:
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds

    @property
    def hyperparameter_length_scale(self) -> Hyperparameter:
        return Hyperparameter(
            "length_scale",
            "numeric",
            self.length_scale_bounds,
            len(np.atleast_1d(self.length_scale)),
        )

    def __call__(self, X: Any, Y: Any = None, eval_gradient: bool = False) -> Any:
        X = np.atleast_2d(X)
        if eval_gradient and Y is not None:
            raise ValueError("Gradient can only be evaluated when Y is None.")
        other = X if Y is None else np.atleast_2d(Y)
        n_columns = X.shape[1]
        scale = _ROOT_5 / np.asarray(self.length_scale)
        # r, the scaled distance on each column, and m(r) = (1 + r + r^2 / 3) exp(-r),
        # computed in place: these arrays hold (rows x rows x columns) numbers.
        distance = np.abs((X * scale)[:, None, :] - (other * scale)[None, :, :])
        decay = np.exp(-distance)
        matern = distance / 3.0
        matern += 1.0
        matern *= distance
        matern += 1.0
        matern *= decay
        kernel = matern.sum(axis=2) / n_columns
        if not eval_gradient:
            return kernel
        # d m / d log(length scale) = r^2 (1 + r) exp(-r) / 3.
        gradient = distance + 1.0
        gradient *= distance**2
        gradient *= decay / (3.0 * n_columns)
        return kernel, gradient

    def __repr__(self) -> str:
        scales = ", ".join(f"{s:.3g}" for s in np.atleast_1d(self.length_scale))
        return f"AdditiveMatern(length_scale=[{scales}])"
