"""Reference implementations of every graded function of the course (instructor only).

One module per chapter, each following ``exercise-api.md``: ``perceptron`` (ps01), ``logistic``
(ps02), ``backprop`` (ps03), ``minibatch`` (ps04), ``ewa`` (ps05), ``optim`` (ps06), ``schedules``
(ps07), ``batchnorm`` (ps08).  The book's pages, the tests and the benchmarks use them; the student
kit does not contain them and a grading kernel cannot import them.  The pictures of ``nnopt.viz``
take the algorithms they draw as arguments, so the same picture shows these implementations in the
book and a student's own in an assignment.
"""
