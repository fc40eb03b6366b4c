"""Population Based Training benchmark: fastune's PBTSearchCV against Optuna TPE and
scikit-learn's RandomizedSearchCV on incremental estimators, with compute counted in
epochs x folds. Run it with ``python -m benchmarks.pbt_bench [--quick]``.
"""
