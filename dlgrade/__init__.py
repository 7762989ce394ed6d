"""dlgrade: graded exercises for the course, and an autograder a notebook cannot fool.

Learners call ``check("2.3", softmax)`` in their notebook for instant feedback on the
public tests. Instructors use ``python -m dlgrade`` to build the learner release and to
grade submissions with hidden tests in a sandbox (see ``python -m dlgrade --help``).
"""

from dlgrade.checks import check

__all__ = ["check"]
