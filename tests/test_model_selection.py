"""dlcore.model_selection: the logistic model, searches, learning curves and group data behave as claimed."""

import numpy as np
import sklearn.linear_model

from dlcore import model_selection as M

RNG = np.random.default_rng(5)
X = RNG.normal(size=(300, 3))
Y = (RNG.random(300) < 1 / (1 + np.exp(-(X @ np.array([2.0, -1.0, 0.0]))))).astype(np.int64)
DATA = (X[:200], Y[:200], X[200:], Y[200:])


def test_fit_logistic_converges_to_scikit_learns_penalised_solution():
    lam = 0.1
    ours = M.fit_logistic(X, Y, lr=1.0, lam=lam, steps=3000)
    # scikit-learn minimises C * sum of losses + ||w||^2 / 2, i.e. our objective with C = 1 / (N lam)
    sk = sklearn.linear_model.LogisticRegression(C=1 / (len(X) * lam), tol=1e-10, max_iter=10_000).fit(X, Y)
    assert np.allclose(ours.w, sk.coef_[0], atol=1e-4) and np.isclose(ours.b, sk.intercept_[0], atol=1e-4)


def test_a_diverging_learning_rate_scores_worse_than_a_sensible_one():
    assert M.validation_loss(M.fit_logistic(*DATA[:2], lr=1e4), *DATA[2:]) > M.validation_loss(
        M.fit_logistic(*DATA[:2], lr=0.5), *DATA[2:]
    )


def test_grid_uses_three_learning_rates_and_random_search_nine():
    grid, rand = M.grid_search(DATA, 3), M.random_search(DATA, 9, rng=0)
    assert grid.shape == (9, 3) and len(np.unique(grid[:, 0])) == 3 and len(np.unique(rand[:, 0])) == 9
    assert np.all((rand[:, 0] >= M.LR_RANGE[0]) & (rand[:, 0] <= M.LR_RANGE[1]))


def test_learning_curve_gap_shrinks_with_more_data():
    train, val = M.learning_curve(DATA, [10, 200], repeats=3)
    assert val[0] - train[0] > val[1] - train[1]


def test_make_groups_gives_a_minority_with_another_rule():
    X_g, y_g, g = M.make_groups(5000, 0.1, rng=0)
    assert 0.08 < g.mean() < 0.12
    model = M.fit_logistic(X_g, y_g, lr=0.5, steps=300)
    wrong = (model.proba(X_g) >= 0.5) != y_g
    assert wrong[g == 1].mean() > 2 * wrong[g == 0].mean()
