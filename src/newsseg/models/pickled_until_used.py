"""A part of a saved model kept as pickled bytes until something first asks for it."""

from __future__ import annotations

import pickle
from typing import Any, Optional


class PickledUntilUsed:
    """Holds ``value``; pickled with the model, it comes back as bytes and is unpickled on first ``.value``.

    Why: a layout_gbt model predicts from arrays of its own (``CompiledTrees``, ``FusedTfidf``), and its
    scikit-learn estimators are needed only without the compiled kernels. Unpickling them imports
    scikit-learn and scipy.stats, 1.5 s of the 4 s a one-page ``newsseg predict`` took."""

    def __init__(self, value: Any) -> None:
        self._value: Any = value
        self._pickled: Optional[bytes] = None

    @property
    def value(self) -> Any:
        if self._pickled is not None:
            self._value, self._pickled = pickle.loads(self._pickled), None
        return self._value

    def __getstate__(self) -> dict:
        return {"pickled": self._pickled if self._pickled is not None
                else pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)}

    def __setstate__(self, state: dict) -> None:
        self._value, self._pickled = None, state["pickled"]
