"""The app's key map read from the code: which bindings each screen reaches (docs/keys.md).

Used by the help screen and by the key-map test, which fails when two bindings reachable from
one screen share a key or a screen rebinds an area key.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import TypeVar

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

import screens

T = TypeVar("T")


def bindings_of(cls: type) -> list[Binding]:
    """A class's bindings with those it inherits from the app's own classes (as Textual merges them
    along the MRO; Textual's defaults, copy and focus moves, are the same on every screen)."""
    out: list[Binding] = []
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("textual."):
            continue
        for item in base.__dict__.get("BINDINGS", ()):
            out.append(item if isinstance(item, Binding) else Binding(*item))
    return out


def keys_of(binding: Binding) -> list[str]:
    return [key.strip() for key in binding.key.split(",") if key.strip()]


def classes_of(kind: type[T]) -> list[type[T]]:
    """Every subclass of `kind` the app defines (each module of the screens package, imported)."""
    found: dict[str, type[T]] = {}
    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, kind) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def screen_classes() -> list[type[Screen]]:
    return classes_of(Screen)


def widget_classes() -> list[type[Widget]]:
    """The app's own widgets (lists, grids, fields): their keys work inside every screen they are on."""
    return [cls for cls in classes_of(Widget) if not issubclass(cls, Screen)]


def reachable(screen: type[Screen], app: type[App]) -> list[tuple[str, Binding]]:
    """(owner, binding) for each binding a key can reach while `screen` is on top: its own, then the
    app's (behind a modal screen only the app's priority ones)."""
    out = [(screen.__qualname__, b) for b in bindings_of(screen)]
    modal = issubclass(screen, ModalScreen)
    out += [(app.__qualname__, b) for b in bindings_of(app) if b.priority or not modal]
    return out


def clashes(screen: type[Screen], app: type[App], area_keys: set[str]) -> list[str]:
    """What is wrong with a screen's keys, one line each (empty: nothing)."""
    problems: list[str] = []
    seen: dict[str, tuple[str, str]] = {}
    for owner, binding in reachable(screen, app):
        for key in keys_of(binding):
            if owner != app.__qualname__ and key in area_keys:
                problems.append(f"{screen.__qualname__}: {key!r} is an area key, rebound to {binding.action}")
            if key in seen and seen[key] != (owner, binding.action):
                was_owner, was = seen[key]
                problems.append(
                    f"{screen.__qualname__}: {key!r} means {was} ({was_owner}) and {binding.action} ({owner})"
                )
            seen.setdefault(key, (owner, binding.action))
    return problems
