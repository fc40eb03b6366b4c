"""Studies: create, load and run them."""

from fastune._study_direction import StudyDirection
from fastune.study._callbacks import MaxTrialsCallback
from fastune.study._study import (
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
    "create_study",
    "delete_study",
    "get_all_study_names",
    "load_study",
]
