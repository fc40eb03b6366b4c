"""Studies: create, load and run them."""

from fastune._study_direction import StudyDirection
from fastune.study._callbacks import MaxTrialsCallback
from fastune.study._summary import StudySummary, copy_study, get_all_study_summaries
from fastune.study.study import (
    Study,
    create_study,
    delete_study,
    get_all_study_names,
    load_study,
)

__all__ = [
    "MaxTrialsCallback",
    "Study",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]
