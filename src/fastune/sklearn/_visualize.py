"""``visualize()`` for PBTSearchCV: the population's scores, lineage and trajectories."""

from __future__ import annotations

from typing import Any

from fastune._validation import invalid_type

__all__ = ["PBTVisualizeMixin"]


class PBTVisualizeMixin:
    """Adds :meth:`visualize` to a search that records PBT segments in ``study_``."""

    study_: Any
    _live: Any

    def visualize(
        self, *, live: bool = False, save: str | None = None, params: list[str] | None = None
    ) -> Any:
        """Draw the population: scores per generation, lineage, hyperparameter trajectories.

        After ``fit``, draws the finished search. With ``live=True`` (before ``fit``), the
        figure is redrawn after every generation of the next ``fit``: as one updating
        output in a notebook, and in a script into ``save`` (a PNG path, rewritten each
        time) and into the window if matplotlib has a GUI backend. When ``fit`` ends,
        the figure shows the finished search, and it is closed unless a window shows it
        (it can still be saved).

        Args:
            live: Redraw while the next ``fit`` runs.
            save: Write the figure to this file (PNG, SVG, PDF by its extension).
            params: Hyperparameters to show (all by default).

        Returns:
            The matplotlib ``Figure``.

        Raises:
            MissingDependencyError: matplotlib is not installed (``fastune[viz]``).
            sklearn.exceptions.NotFittedError: not fitted and not ``live``.
        """
        from sklearn.exceptions import NotFittedError

        from fastune.visualization import LiveFigure, plot_pbt
        from fastune.visualization._matplotlib import pyplot

        if save is not None and not isinstance(save, str):
            raise invalid_type("save", "visualize", "a file path (str) or None", save)
        figure = pyplot().figure(figsize=(12, 8))
        if live:
            study_holder = self

            def draw(fig: Any) -> Any:
                return plot_pbt(study_holder._live_study, params=params, figure=fig)

            self._live = LiveFigure(figure, draw, save)
            return figure
        if not hasattr(self, "study_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit first, or "
                "visualize(live=True) before fit to watch it run."
            )
        plot_pbt(self.study_, params=params, figure=figure)
        if save is not None:
            figure.savefig(save, dpi=100)
        return figure

    def _live_callback(self, pbt: Any, segment: Any) -> None:
        """Redraw the live figure each time as many segments as members have finished."""
        live = getattr(self, "_live", None)
        if live is None:
            return
        self._live_study = pbt.study_
        self._live_pending = len(pbt.segments_) % pbt.population_size != 0
        if not self._live_pending:
            live.update()

    def _finish_live(self) -> None:
        """Draw the segments the last redraw left out (a run that stopped within a
        generation), then hand the live figure over (see :meth:`LiveFigure.finish`) and
        let it go: a later ``fit`` draws nothing, and the fitted search pickles."""
        live = getattr(self, "_live", None)
        if live is None:
            return
        if getattr(self, "_live_pending", False):
            live.update()
        live.finish()
        for name in ("_live", "_live_study", "_live_pending"):
            self.__dict__.pop(name, None)
