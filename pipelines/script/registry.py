"""The script stage's engine registry (its own module so engines can register without cycles)."""

from pipelines.engines import EngineRegistry

script_engines: EngineRegistry = EngineRegistry("script")
