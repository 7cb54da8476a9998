"""A small registry per pluggable stage: engines are chosen by name with a settings dict.

An engine is a class taking one pydantic config object; calling it does the work. Instances
are cached per (name, settings) so a worker process loads a neural model once and reuses it
across jobs.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Generic, TypeVar

from pydantic import BaseModel

from pipelines.errors import EngineNotFound

E = TypeVar("E")


class EngineRegistry(Generic[E]):
    def __init__(self, stage: str):
        self.stage = stage
        self._factories: dict[str, tuple[type[BaseModel], Callable[[Any], E]]] = {}
        self._instances: dict[tuple[str, str], E] = {}
        self._lock = threading.Lock()

    def register(self, name: str, config_cls: type[BaseModel]):
        """Class decorator: `@registry.register("espeak", EspeakConfig)`."""

        def decorate(factory):
            self._factories[name] = (config_cls, factory)
            return factory

        return decorate

    def names(self) -> list[str]:
        return sorted(self._factories)

    def config(self, name: str, settings: dict | None = None) -> BaseModel:
        config_cls, _ = self._lookup(name)
        return config_cls.model_validate(settings or {})

    def get(self, name: str, settings: dict | None = None) -> E:
        config_cls, factory = self._lookup(name)
        config = config_cls.model_validate(settings or {})
        cache_key = (name, json.dumps(config.model_dump(mode="json"), sort_keys=True))
        with self._lock:
            if cache_key not in self._instances:
                self._instances[cache_key] = factory(config)
            return self._instances[cache_key]

    def _lookup(self, name: str):
        try:
            return self._factories[name]
        except KeyError:
            raise EngineNotFound(
                f"No {self.stage} engine named {name!r}; choose one of: {', '.join(self.names()) or 'none'}",
                stage=self.stage,
            ) from None
