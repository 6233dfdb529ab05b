"""Practice for person-centred thinking sessions: exercises as data files, feedback as pure functions.

* :mod:`.content` declares the format of the exercise files in ``content/`` (one YAML file
  per kind, described in this folder's README.md) and checks every file as it is loaded.
* :mod:`.feedback` judges one answer of each kind and says why.

A trainer adds exercises by editing the YAML files; no code changes.
"""

from pcp_widgets.practice.content import KINDS, ExerciseSet, all_exercises, load_exercises, load_file

# feedback is imported where it is used (``from pcp_widgets.practice import feedback``): it brings
# the plan-language check and pandas, which the page registry, reading only titles, does not need.
__all__ = ["KINDS", "ExerciseSet", "all_exercises", "load_exercises", "load_file"]
