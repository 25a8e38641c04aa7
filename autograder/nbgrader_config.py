"""nbgrader's configuration for this course's layout (read by ``python -m autograder``).

solutions/  -> nbgrader's source (instructor notebooks with solutions and hidden tests)
exercises/  -> nbgrader's release (student notebooks, generated and committed)
autograder/ -> submissions, autograded copies, feedback and the gradebook (all ignored by git)

nbgrader itself only reads ``nbgrader_config.py`` from the working directory; the CLI passes this file
explicitly, so it works from anywhere.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "nnopt"
c.CourseDirectory.root = os.path.dirname(here)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")

# the code a student finds in place of each solution
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# a cell using more CPU seconds than this is interrupted (an infinite loop scores 0 for its tests only)
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# grading (gradecore.config, read by the autograder and by the students' self-check):
# the course's own package, which grading kernels read and the tamper guard keeps as it was
c.Grading.packages = ["nnopt"]
# after every test cell, each of these must still fail a wrong answer (else the test is not trusted)
c.Grading.probes = {"nnopt.checks": ["check_close(0.0, 1.0, token)", "check_float('x', token)",
                                     "checks = Checks(token)\nchecks.close(0.0, 1.0, token)\nchecks.done()"]}
# what no grading kernel may import or read, by any route
c.Grading.forbidden = {"nnref": "the reference implementations", "autograder": "the instructor's tools"}
# nbgrader's "Generate Feedback" (formgrader's button, `nbgrader generate_feedback`) writes this course's
# own feedback page (autograder/formgrade.py), never nbgrader's, which would show every hidden test
c.GenerateFeedback.exporter_class = "autograder.formgrade.FeedbackExporter"
c.GenerateFeedback.preprocessors = []
