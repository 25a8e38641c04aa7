"""What the notebook tests need to know about each assignment, beyond its notebooks.

For each assignment: a wrong version of one function, with the test cells it must fail (and no other),
and a function to make loop forever, with the test cells that must then fail. Every other test cell
of a submission carrying that change must still score.
"""

ASSIGNMENTS = {
    "ps01-perceptron": {
        "wrong": {
            "cell": "gradient_descent",
            # records the cost after each update instead of before it
            "code": '''
def gradient_descent(X, y, w, b, lr, num_iters):
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        dw, db = cost_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
        costs[i] = squared_error_cost(predict(X, w, b), y)
    return w, b, costs
''',
            "fails": ["test_gradient_descent"],
        },
        "loop": {
            "cell": "squared_error_cost",
            "code": '''
def squared_error_cost(y_hat, y):
    while True:
        pass
''',
            # gradient_descent calls squared_error_cost, so its test loops too
            "fails": ["test_squared_error_cost", "test_gradient_descent"],
        },
    },
    "ps05-ewa": {
        "wrong": {
            "cell": "ewa_bias_corrected",
            # counts the steps from 2 instead of 1: divides v_t by 1 - beta**(t + 1)
            "code": '''
def ewa_bias_corrected(theta, beta):
    v = ewa(theta, beta)
    t = np.arange(1, v.shape[0] + 1)
    return v / (1 - beta ** (t + 1))
''',
            "fails": ["test_ewa_bias_corrected"],
        },
        "loop": {
            "cell": "ewa",
            "code": '''
def ewa(theta, beta):
    while True:
        pass
''',
            # ewa_bias_corrected calls ewa, so its test loops too; effective_window does not
            "fails": ["test_ewa", "test_ewa_bias_corrected"],
        },
    },
    "ps07-lr-decay": {
        "wrong": {
            "cell": "time_based_decay",
            # reads "decreases linearly" literally: lr0 * (1 - decay_rate * epoch) instead of the hyperbola
            "code": '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 * (1 - decay_rate * epoch))
''',
            # staircase_decay is written from its own formula, so only time-based decay's test fails
            "fails": ["test_time_based_decay"],
        },
        "loop": {
            "cell": "inverse_sqrt_decay",
            "code": '''
def inverse_sqrt_decay(lr0, k, epoch):
    while True:
        pass
''',
            # the five schedules are independent: only the inverse square root's test loops
            "fails": ["test_inverse_sqrt_decay"],
        },
    },
}
