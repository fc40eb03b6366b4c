"""Keras 3 on scikit-learn's digits: a Keras-Tuner-like search with pruning, then
Population Based Training of the best architecture's learning rate. Runs on CPU.

    python examples/keras_digits.py            # about a minute (TensorFlow backend)
    python examples/keras_digits.py --quick    # a smoke test
    KERAS_BACKEND=torch python examples/keras_digits.py   # the same on the torch backend
"""

from __future__ import annotations

import argparse
from typing import Any

import keras
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from fastune.integration.keras import KerasSearch, KerasTrainable
from fastune.pbt import PopulationBasedTraining

features, labels = load_digits(return_X_y=True)
features = (features / 16.0).astype("float32")
train_x, rest_x, train_y, rest_y = train_test_split(
    features, labels, train_size=800, stratify=labels, random_state=0
)
valid_x, test_x, valid_y, test_y = train_test_split(
    rest_x, rest_y, train_size=400, stratify=rest_y, random_state=0
)


def network(units: int, dropout: float, learning_rate: float) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build(trial: Any) -> keras.Model:
    """The Keras Tuner way: the model function asks the trial for its hyperparameters."""
    return network(
        units=trial.suggest_int("units", 8, 128, log=True),
        dropout=trial.suggest_float("dropout", 0.0, 0.5),
        learning_rate=trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny budget: a smoke test")
    arguments = parser.parse_args()
    epochs = 3 if arguments.quick else 10

    # 1. Search: TPE proposes, the median pruner stops weak trials after each epoch.
    search = KerasSearch(
        build, objective="val_accuracy", n_trials=3 if arguments.quick else 10, seed=0
    )
    search.search(train_x, train_y, epochs=epochs, validation_data=(valid_x, valid_y))
    best_params = search.get_best_hyperparameters()[0]
    best_model = search.get_best_models(1)[0]
    test_accuracy = best_model.evaluate(test_x, test_y, verbose=0)[1]
    print(f"Keras {keras.__version__} on {keras.backend.backend()}")
    print(f"search: best {best_params}, best epoch {search.best_epoch_}, "
          f"test accuracy {test_accuracy:.3f}")  # fmt: skip

    # 2. PBT on that architecture: the learning rate changes in place during training.
    def build_for_pbt(params: dict[str, Any]) -> keras.Model:
        return network(best_params["units"], best_params["dropout"], params["learning_rate"])

    trainable = KerasTrainable(
        build_for_pbt, train_x, train_y, validation_data=(valid_x, valid_y), monitor="val_accuracy"
    )
    pbt = PopulationBasedTraining(
        trainable,
        {"learning_rate": loguniform(1e-4, 1e-1)},
        population_size=3 if arguments.quick else 5,
        generations=epochs,
        random_state=0,
    ).run()
    best = max(pbt.members_, key=lambda member: member.score)
    model = trainable.restore(pbt.checkpoints.load(best.index), best.params)
    schedule = [f"{entry['params']['learning_rate']:.2g}" for entry in pbt.schedule()]
    print(f"PBT: validation accuracy {best.score:.3f}, "
          f"test accuracy {model.evaluate(test_x, test_y, verbose=0)[1]:.3f}")  # fmt: skip
    print(f"PBT: learning-rate schedule of the best segment: {' -> '.join(schedule)}")


if __name__ == "__main__":
    main()
