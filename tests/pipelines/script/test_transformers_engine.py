"""The transformers engine on a tiny randomly initialised model, loaded by the real loader."""

from __future__ import annotations

import pytest

from pipelines.errors import ScriptError
from pipelines.script import ScriptOptions, write_scripts
from pipelines.script.guards import check_variants

from .products import bottle


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer GPT-2 with a byte-level BPE tokenizer trained in memory, saved like a real model."""
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    from pipelines.script.llm import build_messages

    # trained on the prompts it will see, so they stay a few hundred tokens long (fast on CPU)
    corpus = [m["content"] for lang in ("en", "zh") for m in build_messages(
        bottle(), ScriptOptions(language=lang), "pas", "problem", ["a hook"], ["the answer is not valid JSON"])]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=3000, special_tokens=["<unk>", "<eos>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="<unk>", eos_token="<eos>",
                                        pad_token="<eos>")
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=tokenizer.vocab_size, n_positions=2048, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    directory = tmp_path_factory.mktemp("tiny-gpt2")
    GPT2LMHeadModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return str(directory)


def test_nonsense_output_is_rejected_with_a_clear_error(tiny_model_dir):
    options = ScriptOptions(variants=1, duration_s=15)
    with pytest.raises(ScriptError) as err:
        write_scripts(bottle(), options, engine="transformers",
                      settings={"model_dir": tiny_model_dir, "max_new_tokens": 24, "max_attempts": 2, "device": "cpu"})
    assert err.value.code == "llm_invalid_output"
    assert "after 2 attempt" in err.value.message
    assert "JSON" in err.value.message or "schema" in err.value.message


def test_nonsense_output_falls_back_to_the_template_writer(tiny_model_dir):
    product = bottle()
    options = ScriptOptions(variants=2, duration_s=15, language="zh")
    scripts = write_scripts(product, options, engine="transformers",
                            settings={"model_dir": tiny_model_dir, "max_new_tokens": 16, "max_attempts": 1,
                                      "fallback": "template", "device": "cpu"})
    assert check_variants(scripts, product, options) == []
    assert [s.hook for s in scripts] == [s.hook for s in write_scripts(product, options)]


def test_the_engine_really_generates_from_the_prompt(tiny_model_dir):
    from pipelines.script import script_engines
    from pipelines.script.llm import build_messages

    engine = script_engines.get("transformers", {"model_dir": tiny_model_dir, "max_new_tokens": 12, "device": "cpu"})
    messages = build_messages(bottle(), ScriptOptions(), "pas", "problem", [])
    first = engine.complete(messages, seed=1)
    assert first.startswith("{") and len(first) > 1
    assert engine.complete(messages, seed=1) == first  # seeded sampling repeats


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ScriptError) as err:
        write_scripts(bottle(), ScriptOptions(variants=1), engine="transformers",
                      settings={"model_dir": str(tmp_path / "nope")})
    assert err.value.code == "model_not_found"
