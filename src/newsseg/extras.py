"""The optional extras of the package (pyproject.toml): a one-line error, naming the extra to install, when
code needs a package that the base install leaves out."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.util import find_spec


class MissingExtra(ImportError):
    """Something needs an optional extra that is not installed."""


def require_extra(extra: str, modules: Sequence[str], needed_by: str) -> None:
    """Raise ``MissingExtra`` unless every one of ``modules`` (top-level names) can be imported; imports none."""
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        raise MissingExtra(f"{needed_by} needs the optional '{extra}' extra ({', '.join(missing)} not installed): "
                           f"pip install 'newsseg[{extra}]'")
