"""One registry for every swappable part: built-ins imported lazily by name, plugins by entry point."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from batchrag.domain.errors import UnknownComponent

T = TypeVar("T")
# factory(part, **context) -> T for an exact name; factory(part, arg, **context) for "prefix:arg". `part` is the
# settings part of the factory's kind (docs/ARCHITECTURE.md, "Adding a part").
Factory = Callable[..., Any]


def _taken(factory: Factory, context: dict[str, Any]) -> dict[str, Any]:
    """The context a factory takes: a name it does not declare is not passed (unless it takes **kwargs), so a
    plugin written before a kind gained some context keeps working."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: hand it everything
        return context
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return context
    names = {p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    return {k: v for k, v in context.items() if k in names}


class Registry(Generic[T]):
    """Names → factories of one kind of part (docs/ARCHITECTURE.md, "Adding a part").

    A name is exact (`ollama`) or a prefix ending in ":" (`st:` serves `st:<model>`). Built-ins are given as
    "module:attribute" strings and imported on first use, so the module that defines a registry never imports
    its implementations (as simonw/llm lists its default plugins). Third-party packages add names through the
    entry-point group (`[project.entry-points."batchrag.backends"] mine = "pkg.module:factory"`).
    `none` (when allowed) means "no part" and creates None; `auto` (when given) picks a part at run time.
    """

    def __init__(
        self,
        kind: str,
        builtins: dict[str, str],
        *,
        group: str,
        none: bool = False,
        auto: Callable[[Registry[T], Any], T | None] | None = None,
        cache: bool = False,
    ) -> None:
        self.kind = kind
        self.group = group
        self._specs: dict[str, str] = dict(builtins)
        self._factories: dict[str, Factory] = {}
        self._none = none
        self._auto = auto
        self._cache: dict[str, T] | None = {} if cache else None
        self._plugins_loaded = False

    # -- registration ---------------------------------------------------------------
    def register(self, name: str) -> Callable[[Factory], Factory]:
        """Decorator: register a factory under `name` (a prefix when it ends with ":")."""

        def deco(factory: Factory) -> Factory:
            self._factories[name] = factory
            if self._cache is not None:  # a re-registered name must not keep serving the old part
                self._cache.pop(name, None)
            return factory

        return deco

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self.group):
            self._specs.setdefault(ep.name, ep.value)

    # -- lookup ---------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every name a user may give, in order: none/auto first, then built-ins, then plugins."""
        self._load_plugins()
        special = (["none"] if self._none else []) + (["auto"] if self._auto else [])
        known = list(dict.fromkeys([*self._specs, *self._factories]))
        return special + [n + "<…>" if n.endswith(":") else n for n in known]

    def _factory(self, name: str) -> tuple[Factory, tuple[str, ...]]:
        self._load_plugins()
        head, sep, arg = name.partition(":")
        for key in (name, head + ":" if sep else None):
            if key is None:
                continue
            if key not in self._factories and key in self._specs:
                module, _, attr = self._specs[key].partition(":")
                self._factories[key] = getattr(importlib.import_module(module), attr)
            if key in self._factories:
                return self._factories[key], (arg,) if key != name else ()
        raise UnknownComponent(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}")

    def check(self, name: str) -> str:
        """The name as given when a part answers to it (none/auto included); UnknownComponent, listing the names,
        when none does. Nothing is built: a reader's choice is checked when it is made."""
        name = name.strip()
        if not ((self._none and name == "none") or (self._auto and name == "auto")):
            self._factory(name)
        return name

    def create(self, name: str | None, settings: Any, **context: Any) -> T | None:
        """The part called `name`, built from `settings`, its kind's settings part (None for `none`); the context
        a factory takes goes to it (`_taken`)."""
        name = (name or ("auto" if self._auto else "none")).strip()
        if self._none and name == "none":
            return None
        if self._auto and name == "auto":
            return self._auto(self, settings, **context)
        if self._cache is not None and name in self._cache:
            return self._cache[name]
        factory, args = self._factory(name)
        part = factory(settings, *args, **_taken(factory, context))
        try:
            part.name = name  # what the user asked for ("st:<model>"), shown in status lines and --json
        except AttributeError:
            pass
        if self._cache is not None:
            self._cache[name] = part
        return part
