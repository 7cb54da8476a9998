"""Script engine on a local causal language model directory (e.g. a Qwen or Llama instruct model).

The model loads once per worker from `model_dir` (never from a hub) and gets the same prompt
and the same validation as the API engine. torch/transformers are imported on first use.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pydantic import Field

from pipelines.errors import ScriptError
from pipelines.script.llm import LLMOptions, LLMWriter


class TransformersConfig(LLMOptions):
    model_dir: str | None = Field(default_factory=lambda: os.environ.get("ADGEN_SCRIPT_MODEL_DIR"))
    device: str = "auto"  # auto | cpu | cuda | cuda:1 ...
    max_new_tokens: int = Field(1200, ge=1, le=8192)
    top_p: float = 0.95


class TransformersEngine(LLMWriter):
    name = "transformers"

    def __init__(self, config: TransformersConfig):
        self.options = config
        self.config = config
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is not None:
            return
        directory = self.config.model_dir
        if not directory or not (Path(directory) / "config.json").is_file():
            raise ScriptError(f"No language model found in {directory!r}: set the transformers engine's model_dir "
                              "(or ADGEN_SCRIPT_MODEL_DIR) to a local Hugging Face model folder",
                              code="model_not_found", stage="script")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = self.config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        try:
            tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as e:
            raise ScriptError(f"Could not load the language model in {directory!r}: {e}",
                              code="model_load_failed", stage="script") from None
        self._tokenizer, self._model, self._device = tokenizer, model.to(device).eval(), device

    def _prompt(self, messages: list[dict]) -> str:
        tokenizer = self._tokenizer
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        turns = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
        return "\n\n".join(turns) + "\n\nAssistant: {"

    def complete(self, messages: list[dict], seed: int) -> str:
        import torch

        with self._lock:
            self._load()
            prompt = self._prompt(messages)
            tokenizer, model = self._tokenizer, self._model
            inputs = tokenizer(prompt, return_tensors="pt").to(self._device)
            torch.manual_seed(seed)
            pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
            with torch.inference_mode():
                output = model.generate(
                    **inputs, max_new_tokens=self.config.max_new_tokens, do_sample=self.config.temperature > 0,
                    temperature=max(self.config.temperature, 1e-3), top_p=self.config.top_p, pad_token_id=pad)
            text = tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        # the plain prompt ends with an opening brace so a base model continues the object
        return text if getattr(tokenizer, "chat_template", None) else "{" + text
