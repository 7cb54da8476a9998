"""Errors every stage may raise. A user sees `code` and `message`; nothing else leaks."""

from __future__ import annotations


class PipelineError(Exception):
    """A failure with a stable machine code and a human message.

    `code` is part of the API and CLI contract (e.g. `not_a_product`, `unreachable`,
    `ssrf_blocked`); `message` says what happened in words a marketer understands.
    `retryable` tells executors whether another attempt could succeed.
    """

    code = "pipeline_error"
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, stage: str | None = None,
                 retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.stage = stage

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "stage": self.stage}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ScrapeError(PipelineError):
    code = "scrape_failed"


class ScriptError(PipelineError):
    code = "script_failed"


class VoiceError(PipelineError):
    code = "voice_failed"


class AvatarError(PipelineError):
    code = "avatar_failed"


class BrollError(PipelineError):
    code = "broll_failed"


class RenderError(PipelineError):
    code = "render_failed"


class ExportError(PipelineError):
    code = "export_failed"


class EngineNotFound(PipelineError):
    code = "unknown_engine"


class InvalidJob(PipelineError):
    """The options describe a job that cannot be made; raised before any credit is held."""

    code = "invalid_job"


class Cancelled(PipelineError):
    code = "cancelled"
