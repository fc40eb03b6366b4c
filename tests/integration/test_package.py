"""fastune.integration itself: its public names, Optuna's, loaded on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import fastune.integration

# Optuna 5's optuna.integration: each module and the names it holds.
OPTUNAS = {
    "botorch": ["BoTorchSampler"],
    "catboost": ["CatBoostPruningCallback"],
    "dask": ["DaskStorage"],
    "mlflow": ["MLflowCallback"],
    "wandb": ["WeightsAndBiasesCallback"],
    "keras": ["KerasPruningCallback"],
    "lightgbm": ["LightGBMPruningCallback", "LightGBMTuner", "LightGBMTunerCV"],
    "pytorch_distributed": ["TorchDistributedTrial"],
    "pytorch_ignite": ["PyTorchIgnitePruningHandler"],
    "pytorch_lightning": ["PyTorchLightningPruningCallback"],
    "shap": ["ShapleyImportanceEvaluator"],
    "sklearn": ["OptunaSearchCV"],
    "skorch": ["SkorchPruningCallback"],
    "tensorboard": ["TensorBoardCallback"],
    "tfkeras": ["TFKerasPruningCallback"],
    "xgboost": ["XGBoostPruningCallback"],
}
# Optuna's names that fastune does not have (see the README).
MISSING = {"cma", "tensorflow", "fastaiv2"}


def test_the_public_names_load_nothing_on_import() -> None:
    code = (
        "import sys, fastune as optuna\n"
        "names = dir(optuna.integration)\n"
        "print(','.join(m for m in sys.modules if m.startswith('fastune.integration.')))\n"
        "print(','.join(names))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded, names = result.stdout.splitlines()
    assert loaded == ""
    # the public names only, not the module's own imports (importlib, Any, ...)
    expected = {name for names in OPTUNAS.values() for name in names} | set(OPTUNAS)
    assert names.split(",") == sorted(expected | {"ignite", "lightning"})


# Importing some libraries (Ignite, BoTorch) imports torch parts that use torch.jit, which
# torch deprecates.
@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # SHAP's, on matplotlib
@pytest.mark.parametrize("module", sorted(OPTUNAS))
def test_optunas_module_names_hold_optunas_names(module: str) -> None:
    for name in OPTUNAS[module]:
        try:
            loaded = importlib.import_module(f"fastune.integration.{module}")
        except ImportError as error:  # the library behind it is not installed
            pytest.skip(str(error))
        assert getattr(loaded, name) is getattr(fastune.integration, name)


def test_the_list_matches_optunas_own() -> None:
    optuna_integration = pytest.importorskip("optuna.integration")
    assert set(optuna_integration._modules) == set(OPTUNAS) | MISSING
    for name, module in optuna_integration._class_to_module.items():
        assert name in OPTUNAS.get(module, []) or module in MISSING
