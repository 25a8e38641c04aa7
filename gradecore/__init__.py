"""The grading core, shared by the instructor's autograder and the student's self-check.

One module per job, so that what student code can touch is plain to see:

- ``results``: the values (``Settings``, ``Limits``, ``Result``, ``TestResult``, ``Outcome``, ``Status``);
- ``config``: a course's settings from its ``nbgrader_config.py``;
- ``rebuild``: the cells to grade, from the source notebook and the submission;
- ``scan``: the static scan of the student's code for tampering;
- ``score``: nbgrader's scoring rule, the messages a student reads, redaction of hidden tests;
- ``grade``: ``grade(source, submission, settings) -> Result``, a pure function;
- ``client``: the grader's side of the kernels (zygotes, kernels, CPU-time limits);
- ``wire``: the messages between the grader and its kernels;
- ``sandbox``: the kernel side (the zygote, the forked kernel, its limits and output capture);
- ``isolation``: Landlock and the audit hook (what a kernel cannot reach);
- ``guard``: the tamper guard (what the tests rely on stays intact).

It imports neither nbgrader nor the instructor's tools: a student's kit has neither.
"""
