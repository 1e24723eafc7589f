"""The MLflow pyfunc wrapper of a Pipeline. Its own module so that prediction workers, which only need
the Pipeline, do not import MLflow (about 80 MB of resident memory per process)."""

from __future__ import annotations

from typing import Optional

import mlflow.pyfunc
import pandas as pd

from newsseg.pipeline import Pipeline, predict_dataframe


class NewssegPyfunc(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc: input DataFrame ``id, text``; output DataFrame ``id, segments, error`` (``predict_dataframe``):
    served, each row is a JSON object whose ``segments`` is a list of objects."""

    def load_context(self, context) -> None:
        self.pipeline = Pipeline.load(context.artifacts["pipeline"])

    def predict(self, context, model_input: pd.DataFrame, params: Optional[dict] = None) -> pd.DataFrame:
        return predict_dataframe(self.pipeline, model_input)
