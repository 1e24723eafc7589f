"""Named registries: the single list of the names a config may use. A reader, segmenter, model, decoder or
labelling function is added by one decorated function or class in its module (``@READERS.register("csv")``);
configs validate against these registries, so nothing else lists the names.

Each registry knows the modules whose import registers its built-in entries (``home``) and imports it on
first lookup, so that a config can be checked without the caller importing every implementation first."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, home: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.home = home
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(item: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = item
            return item

        return add

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a plugin withdrawn; a test's temporary entry)."""
        self._load_builtins()
        if name not in self._items:
            raise KeyError(f"unknown {self.kind} {name!r}")
        del self._items[name]

    def _load_builtins(self) -> None:
        for module in self.home:
            importlib.import_module(module)  # its decorators register the built-in entries

    def get(self, name: str) -> T:
        self._load_builtins()
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}") from None

    def names(self) -> list[str]:
        self._load_builtins()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self._load_builtins()
        return name in self._items

    def check(self, name: Any) -> Any:
        """``name`` if it is registered, else a ValueError listing the known names (a pydantic validator)."""
        if name not in self:
            raise ValueError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}")
        return name


READERS: Registry = Registry("reader", ("newsseg.io.readers",))
SEGMENTERS: Registry = Registry("segmenter", ("newsseg.text.segmentation",))
# The model families' modules load no optional extra (torch, transformers) on import.
MODELS: Registry = Registry("model", ("newsseg.models.sklearn_models", "newsseg.models.transformer_models"))
DECODERS: Registry = Registry("decoder", ("newsseg.models.decoders",))
LABELLING_FUNCTIONS: Registry = Registry("labelling function", ("newsseg.data.weak_labels",))
