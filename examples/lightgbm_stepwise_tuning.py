"""LightGBM's parameters tuned step by step, as with Optuna's LightGBM tuner: the
fastune module stands in for lightgbm, and ``lgb.train`` tunes feature_fraction,
num_leaves, bagging, feature_fraction again, the L1/L2 penalties and min_child_samples
(each step from the best so far) before it returns the best booster. The test part,
which tuning never sees, compares it with LightGBM's defaults.

    python examples/lightgbm_stepwise_tuning.py            # a few seconds
    python examples/lightgbm_stepwise_tuning.py --quick    # a smoke test
"""

from __future__ import annotations

import argparse

import lightgbm
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

import fastune
import fastune.integration.lightgbm as lgb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small budget")
    rounds = 30 if parser.parse_args().quick else 500
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    X, y = load_breast_cancer(return_X_y=True)
    X_fit, X_test, y_fit, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_fit, y_fit, test_size=0.25, random_state=0
    )
    params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1}
    stop = [lgb.early_stopping(30, verbose=False)]

    def datasets() -> tuple[lgb.Dataset, lgb.Dataset]:
        train = lgb.Dataset(X_train, y_train)
        return train, lgb.Dataset(X_valid, y_valid, reference=train)

    train, valid = datasets()
    tuner = lgb.LightGBMTuner(
        params,
        train,
        rounds,
        valid_sets=[valid],
        callbacks=stop,
        show_progress_bar=False,
        optuna_seed=0,
    )
    tuner.run()
    tuned = tuner.get_best_booster()
    train, valid = datasets()  # LightGBM's own train, for the defaults
    plain = lightgbm.train(params, train, rounds, valid_sets=[valid], callbacks=stop)
    steps = sorted({t.system_attrs["lightgbm_tuner:step_name"] for t in tuner.study.trials})
    print(
        f"{len(tuner.study.trials)} trials in {len(steps)} steps; best validation log loss "
        f"{tuner.best_score:.4f}"
    )
    print(
        "tuned:",
        {
            k: tuner.best_params[k]
            for k in ("num_leaves", "feature_fraction", "bagging_fraction", "lambda_l1")
        },
    )
    for name, booster in (("LightGBM's defaults", plain), ("tuned", tuned)):
        loss = log_loss(y_test, booster.predict(X_test, num_iteration=booster.best_iteration))
        print(f"test log loss, {name}: {loss:.4f}")


if __name__ == "__main__":
    main()
