"""Plain data of a PBT study, read from its segment trials, for the PBT plots."""

from __future__ import annotations

import math
from typing import NamedTuple

from fastune.pbt._scheduler import GENERATION_KEY, MEMBER_KEY, PARENT_KEY
from fastune.study import Study, StudyDirection
from fastune.trial import FrozenTrial

__all__ = [
    "Lineage",
    "PopulationScores",
    "Trajectories",
    "lineage",
    "population_scores",
    "trajectories",
]


def _segments(study: Study) -> list[FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False) if MEMBER_KEY in t.system_attrs]


class PopulationScores(NamedTuple):
    """Scores by generation: every member's, and the best so far."""

    generations: list[int]
    member_scores: list[list[float]]  # one list per generation, NaN for a failed segment
    best_so_far: list[float]


def population_scores(study: Study) -> PopulationScores:
    """Gather the score of every segment, by generation, and the best score so far."""
    by_generation: dict[int, list[float]] = {}
    for trial in _segments(study):
        value = math.nan if trial.value is None else trial.value
        by_generation.setdefault(trial.system_attrs[GENERATION_KEY], []).append(value)
    generations = sorted(by_generation)
    pick = max if study.direction == StudyDirection.MAXIMIZE else min
    best_so_far: list[float] = []
    for generation in generations:
        finite = [v for v in by_generation[generation] if not math.isnan(v)]
        candidates = finite + best_so_far[-1:]
        best_so_far.append(pick(candidates) if candidates else math.nan)
    return PopulationScores(generations, [by_generation[g] for g in generations], best_so_far)


class Trajectories(NamedTuple):
    """Each member's value of each hyperparameter by generation, and where it exploited."""

    params: list[str]
    members: list[int]
    generations: dict[int, list[int]]  # member -> generations
    values: dict[str, dict[int, list[object]]]  # param -> member -> values
    exploits: dict[int, list[int]]  # member -> generations that began with a copy


def trajectories(study: Study) -> Trajectories:
    """Gather each member's hyperparameters over the generations."""
    segments = _segments(study)
    by_number = {t.number: t for t in segments}
    params = list(dict.fromkeys(name for t in segments for name in t.params))
    generations: dict[int, list[int]] = {}
    values: dict[str, dict[int, list[object]]] = {name: {} for name in params}
    exploits: dict[int, list[int]] = {}
    for trial in sorted(segments, key=lambda t: t.system_attrs[GENERATION_KEY]):
        member = trial.system_attrs[MEMBER_KEY]
        generation = trial.system_attrs[GENERATION_KEY]
        generations.setdefault(member, []).append(generation)
        for name in params:
            values[name].setdefault(member, []).append(trial.params.get(name))
        parent = by_number.get(trial.system_attrs[PARENT_KEY])
        if parent is not None and parent.system_attrs[MEMBER_KEY] != member:
            exploits.setdefault(member, []).append(generation)
    return Trajectories(params, sorted(generations), generations, values, exploits)


class Lineage(NamedTuple):
    """Segments as (generation, member, score) nodes and parent -> child edges."""

    nodes: list[tuple[int, int, float]]
    edges: list[tuple[tuple[int, int], tuple[int, int], bool]]  # parent, child, copied?


def lineage(study: Study) -> Lineage:
    """Gather who continued from whose checkpoint, generation by generation."""
    segments = _segments(study)
    by_number = {t.number: t for t in segments}
    nodes, edges = [], []
    for trial in segments:
        member = trial.system_attrs[MEMBER_KEY]
        generation = trial.system_attrs[GENERATION_KEY]
        nodes.append((generation, member, math.nan if trial.value is None else trial.value))
        parent = by_number.get(trial.system_attrs[PARENT_KEY])
        if parent is not None:
            source = (parent.system_attrs[GENERATION_KEY], parent.system_attrs[MEMBER_KEY])
            edges.append((source, (generation, member), source[1] != member))
    return Lineage(nodes, edges)
