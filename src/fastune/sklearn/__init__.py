"""scikit-learn estimators: PBTSearchCV and FastuneSearchCV."""

from fastune.sklearn._pbt_search import PBTSearchCV
from fastune.sklearn._search import FastuneSearchCV

__all__ = ["FastuneSearchCV", "PBTSearchCV"]
