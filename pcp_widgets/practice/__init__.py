"""Practice for person-centred thinking sessions: exercises as data files, feedback as pure functions.

* :mod:`.content` declares the format of the exercise files in ``content/`` (one YAML file
  per kind, described in this folder's README.md) and checks every file as it is loaded.
* :mod:`.feedback` judges one answer of each kind and says why.

A trainer adds exercises by editing the YAML files; no code changes.
"""

from pcp_widgets.practice.content import KINDS, ExerciseSet, all_exercises, load_exercises, load_file
from pcp_widgets.practice.feedback import Feedback

__all__ = ["KINDS", "ExerciseSet", "Feedback", "all_exercises", "load_exercises", "load_file"]
