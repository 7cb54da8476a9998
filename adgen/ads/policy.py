"""Which engines a workspace may use: only those the operator configured.

An engine that needs an LLM API (`needs={"llm_api"}`) is offered only when OPENAI_BASE_URL is
set; one that needs local weights (`model_dir`) only when its folder is configured. Without this
any tenant could pick an unpriced engine that calls a public API nobody configured.
`adgen.ads.services.job_submit` (every API, dashboard and campaign job) calls `engines_check` on
the built spec before any credit is held; the CLI runs on the operator's own machine and keeps all."""

from __future__ import annotations

from django.conf import settings

from pipelines.engines import REGISTRY, EngineSpec
from tenants.errors import ApiError
from tenants.models import Workspace


def _configured(spec: EngineSpec) -> bool:
    if "llm_api" in spec.needs and not settings.OPENAI_BASE_URL:
        return False
    if "model_dir" in spec.needs:
        folders = settings.ADGEN_MODEL_DIRS
        if not (spec.model_dir() or folders.get(spec.name) or folders.get(spec.stage)):
            return False
    return True


def engines_allowed(workspace: Workspace | None = None) -> set[tuple[str, str]]:
    """(stage, name) of every engine this workspace may choose (today: what the operator configured)."""
    return {spec.key for spec in REGISTRY if spec.default or _configured(spec)}


def engines_check(workspace: Workspace | None, engines: dict[str, str] | None) -> None:
    """ApiError 400 `engine_not_available` naming the first engine this workspace may not use."""
    allowed = engines_allowed(workspace)
    for stage, name in (engines or {}).items():
        if name and (stage, name) not in allowed:
            offered = ", ".join(sorted(n for s, n in allowed if s == stage)) or "none"
            raise ApiError(f"The {stage} engine {name!r} is not available on this service; choose one of: "
                           f"{offered}.", code="engine_not_available", status_code=400)
