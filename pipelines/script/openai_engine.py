"""Script engine for any OpenAI-compatible chat-completions server: OpenAI, vLLM, Ollama, llama.cpp.

Asks for JSON matching the AdScript schema through `response_format` (json_schema where the
server supports it; on a 400 about it, steps down to json_object, then to plain prompting).
"""

from __future__ import annotations

import os
import time

import httpx
from pydantic import Field

from pipelines.errors import ScriptError
from pipelines.script.llm import LLMOptions, LLMWriter, script_schema

_FORMATS = ("json_schema", "json_object", "none")


class OpenAIConfig(LLMOptions):
    base_url: str = Field(default_factory=lambda: os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"))
    api_key: str | None = Field(default_factory=lambda: os.environ.get("OPENAI_API_KEY"), repr=False)
    model: str = Field(default_factory=lambda: os.environ.get("OPENAI_MODEL", "gpt-4o-mini"))
    response_format: str = "json_schema"  # json_schema | json_object | none
    timeout_s: float = 90.0
    max_tokens: int = 2000
    http_retries: int = Field(2, ge=0, le=6)  # extra tries on 429/5xx/connection errors


class OpenAIEngine(LLMWriter):
    name = "openai"

    def __init__(self, config: OpenAIConfig):
        self.options = config
        self.config = config
        self._format = config.response_format if config.response_format in _FORMATS else "json_schema"

    def _body(self, messages: list[dict], seed: int) -> dict:
        body = {"model": self.config.model, "messages": messages, "temperature": self.config.temperature,
                "max_tokens": self.config.max_tokens, "seed": seed}
        if self._format == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "ad_script", "schema": script_schema(), "strict": True}}
        elif self._format == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def complete(self, messages: list[dict], seed: int) -> str:
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        transient = 0
        while True:
            try:
                response = httpx.post(url, json=self._body(messages, seed), headers=headers,
                                      timeout=self.config.timeout_s)
            except httpx.HTTPError as e:
                if transient < self.config.http_retries:
                    transient += 1
                    time.sleep(0.5 * 2 ** transient)
                    continue
                raise ScriptError(f"The language model at {self.config.base_url} could not be reached "
                                  f"({type(e).__name__})", code="llm_unreachable", stage="script",
                                  retryable=True) from None
            if response.status_code == 400 and self._format != "none" and "response_format" in response.text:
                # an older server or a model without structured output: ask for JSON the next way down
                self._format = _FORMATS[_FORMATS.index(self._format) + 1]
                continue
            if response.status_code in (401, 403):
                raise ScriptError(f"The language model at {self.config.base_url} refused the API key "
                                  f"(HTTP {response.status_code}); check OPENAI_API_KEY",
                                  code="llm_auth", stage="script")
            if response.status_code == 429 or response.status_code >= 500:
                if transient < self.config.http_retries:
                    transient += 1
                    time.sleep(min(8.0, float(response.headers.get("retry-after", 0.5 * 2 ** transient))))
                    continue
                raise ScriptError(f"The language model at {self.config.base_url} is unavailable "
                                  f"(HTTP {response.status_code})", code="llm_unavailable", stage="script",
                                  retryable=True)
            if response.status_code >= 400:
                raise ScriptError(f"The language model at {self.config.base_url} rejected the request "
                                  f"(HTTP {response.status_code}): {response.text[:200]}",
                                  code="llm_request_rejected", stage="script")
            try:
                message = response.json()["choices"][0]["message"]
            except (ValueError, KeyError, IndexError, TypeError):
                return ""  # not a chat completion: counts as an invalid answer and is retried
            return message.get("content") or message.get("refusal") or ""
