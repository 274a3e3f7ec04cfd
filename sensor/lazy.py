"""A package's public names imported from their modules when first used (PEP 562), so that importing
the package, or one small module of it, does not import all of it.

``__getattr__, __dir__ = lazy.exports(__name__, {"module": ("Name", ...), ...})`` in a package's
``__init__``: ``from package import Name`` then imports ``package.module`` (and what it imports) and
keeps ``Name`` on the package. The table is held equal to ``__all__`` by the packages' tests.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, names_of: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` for the names each of its modules defines."""
    module_of = {name: module for module, names in names_of.items() for name in names}

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562's name)
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*vars(sys.modules[package]), *module_of})

    return __getattr__, __dir__
