"""``import fastune`` must not import any optional dependency."""

from __future__ import annotations

import subprocess
import sys

OPTIONAL = (
    "torch",
    "keras",
    "tensorflow",
    "matplotlib",
    "dask",
    "distributed",
    "psycopg",
    "psycopg2",
    "redis",
    "grpc",
    "mlflow",
    "catboost",
    "ignite",
    "tensorboard",
    "wandb",
    "botorch",
    "shap",
    "gpytorch",
    "pandas",
    "tqdm",
    "optuna",
    "cocoex",
    "lightning",
    "pytorch_lightning",
    "skorch",
    "openpyxl",
    "cmaes",
    "lightgbm",
    "xgboost",
    "boto3",
    "botocore",
    "google.cloud.storage",
    "moto",
)


def test_import_fastune_imports_no_optional_dependency() -> None:
    code = (
        "import sys, fastune, fastune.samplers, fastune.pruners, fastune.storages\n"
        "import fastune.terminator\n"
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_integration_is_reached_from_fastune_and_imports_no_optional_dependency() -> None:
    # As optuna.integration: `import fastune as optuna` then optuna.integration.<name>.
    code = (
        "import sys, fastune as optuna\n"
        "names = dir(optuna.integration)\n"
        "import fastune.integration\n"
        "assert optuna.integration is fastune.integration\n"
        "for name in ('KerasPruningCallback', 'TFKerasPruningCallback',\n"
        "             'PyTorchLightningPruningCallback', 'LightGBMPruningCallback',\n"
        "             'XGBoostPruningCallback', 'SkorchPruningCallback'):\n"
        "    assert name in names and name in optuna.integration.__all__, name\n"
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


def test_terminator_is_reached_from_fastune() -> None:
    # As after `import optuna.terminator`: `import fastune as optuna` then
    # optuna.terminator.<name>, without importing the submodule by hand.
    code = (
        "import fastune as optuna\n"
        "callback = optuna.terminator.TerminatorCallback()\n"
        "print(type(callback).__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "fastune.terminator.callback"


def test_an_integration_name_without_its_library_names_the_extra() -> None:
    code = (
        "import sys\n"
        "for blocked in ('keras', 'lightning', 'pytorch_lightning', 'lightgbm', 'xgboost',\n"
        "                'skorch'):\n"
        "    sys.modules[blocked] = None  # as if not installed\n"
        "import fastune as optuna\n"
        "for name in ('KerasPruningCallback', 'TFKerasPruningCallback',\n"
        "             'PyTorchLightningPruningCallback', 'LightGBMPruningCallback',\n"
        "             'XGBoostPruningCallback', 'SkorchPruningCallback'):\n"
        "    try:\n"
        "        getattr(optuna.integration, name)\n"
        "    except ImportError as error:\n"
        "        print(name, type(error).__name__, error)\n"
        "try:\n"
        "    optuna.integration.NoSuchCallback\n"
        "except AttributeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 7, result.stdout
    extras = ["keras", "keras", "lightning", "lightgbm", "xgboost", "skorch"]
    for line, extra in zip(lines[:6], extras, strict=True):
        assert "MissingDependencyError" in line
        assert f"pip install 'fastune[{extra}]'" in line
    assert "has no attribute 'NoSuchCallback'" in lines[6]


def test_every_plot_without_matplotlib_names_the_extra() -> None:
    code = """
import inspect, sys
sys.modules["matplotlib"] = None  # as if not installed
import fastune
from fastune.visualization import matplotlib as plots
study = fastune.create_study(directions=["minimize", "minimize"])
study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=3)
for name in sorted(n for n in dir(plots) if n.startswith("plot_")):
    plot = getattr(plots, name)
    options = {}
    accepted = inspect.signature(plot).parameters
    if "reference_point" in accepted:
        options["reference_point"] = [2.0, 2.0]
    if "target" in accepted and name != "plot_pareto_front":
        options["target"] = lambda t: t.values[0]
    try:
        plot(study, **options)
    except Exception as error:
        print(name, type(error).__name__, error)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 11, result.stdout
    for line in lines:
        assert "MissingDependencyError" in line and "pip install 'fastune[viz]'" in line, line


def test_public_names_resolve() -> None:
    import fastune

    for name in fastune.__all__:
        assert hasattr(fastune, name), name


def test_import_fastune_leaves_slow_scipy_modules_for_first_use() -> None:
    # Each costs 0.1-0.3 s to import, paid by every worker process and CLI call.
    slow = ("scipy.special", "scipy.stats", "scipy.optimize", "scipy.linalg", "sklearn")
    code = f"import sys, fastune\nprint(','.join(m for m in {slow!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
