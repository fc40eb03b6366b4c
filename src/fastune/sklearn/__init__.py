"""scikit-learn estimators: PBTSearchCV and FastuneSearchCV."""

from fastune.sklearn._pbt_search import PBTSearchCV

__all__ = ["PBTSearchCV"]
