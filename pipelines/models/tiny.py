"""Tiny random models in the published file layouts, one per neural kind (`adgen models make-tiny
--kind KIND DIR`). They load through the same code as the real weights, so a CPU machine can try
(and CI can test) every neural path; their output is noise.

    musetalk    MuseTalk 1.5's layout: musetalkV15/{musetalk.json, unet.pth}, sd-vae/, whisper/
    ltx|wan|cogvideox   a diffusers text-to-video folder (model_index.json + components)
    piper       a Piper voice: <name>.onnx + <name>.onnx.json (VITS exported as piper does)
    qwen2       a transformers causal LM folder (Qwen2 classes, ChatML template) for the script engine
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.models.catalog import KINDS, ModelError


def make_tiny(kind: str, folder: str | Path) -> Path:
    folder = Path(folder)
    if kind == "musetalk":
        from pipelines.avatar.lipsync import save_random_models

        return save_random_models(folder, "tiny")
    if kind in ("ltx", "wan", "cogvideox"):
        from pipelines.broll.tiny import make_tiny_model_dir

        return make_tiny_model_dir(folder, kind)
    if kind == "piper":
        folder.mkdir(parents=True, exist_ok=True)
        return make_tiny_piper_voice(folder).parent
    if kind == "qwen2":
        return make_tiny_causal_lm(folder)
    if kind in KINDS:
        raise ModelError(f"No adgen engine runs {kind} models yet, so there is no tiny one to make.",
                         code="kind_without_engine")
    raise ModelError(f"Unknown model kind {kind!r}; choose one of: {', '.join(KINDS)}.", code="unknown_kind")


def make_tiny_piper_voice(folder: Path, name: str = "en_US-tiny-x_low", language: str = "en_US",
                          espeak_voice: str = "en-us", seed: int = 0, length_scale: float = 1.0) -> Path:
    """A randomly initialised VITS (piper's own `SynthesizerTrn`) exported to ONNX the way
    `piper.train.export_onnx` does, with its `.onnx.json` config."""
    import torch
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP
    from piper.train.vits.models import SynthesizerTrn

    torch.manual_seed(seed)
    num_symbols = max(i for ids in DEFAULT_PHONEME_ID_MAP.values() for i in ids) + 1
    model = SynthesizerTrn(
        n_vocab=num_symbols, spec_channels=513, segment_size=32, inter_channels=16, hidden_channels=16,
        filter_channels=32, n_heads=2, n_layers=1, kernel_size=3, p_dropout=0.0, resblock="2",
        resblock_kernel_sizes=(3,), resblock_dilation_sizes=((1, 3),), upsample_rates=(8, 8, 4),
        upsample_initial_channel=32, upsample_kernel_sizes=(16, 16, 8), n_speakers=1, gin_channels=0,
        use_sdp=True)
    model.eval()
    with torch.no_grad():
        model.dec.remove_weight_norm()

    def infer_forward(text, text_lengths, scales, sid=None):
        return model.infer(text, text_lengths, noise_scale=scales[0], length_scale=scales[1],
                           noise_scale_w=scales[2], sid=sid)[0].unsqueeze(1)

    model.forward = infer_forward
    onnx_path = Path(folder) / f"{name}.onnx"
    sequences = torch.randint(low=0, high=num_symbols, size=(1, 50), dtype=torch.long)
    torch.onnx.export(
        model=model, args=(sequences, torch.LongTensor([50]), torch.FloatTensor([0.667, 1.0, 0.8]), None),
        f=str(onnx_path), opset_version=15, dynamo=False,
        input_names=["input", "input_lengths", "scales", "sid"], output_names=["output"],
        dynamic_axes={"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
                      "output": {0: "batch_size", 2: "time"}})
    config = {"audio": {"sample_rate": 16000, "quality": "x_low"}, "espeak": {"voice": espeak_voice},
              "language": {"code": language}, "inference": {"noise_scale": 0.667, "length_scale": length_scale, "noise_w": 0.8},
              "phoneme_type": "espeak", "phoneme_id_map": DEFAULT_PHONEME_ID_MAP, "num_symbols": num_symbols,
              "num_speakers": 1, "speaker_id_map": {}, "hop_length": 256, "piper_version": "1.0.0", "dataset": "tiny"}
    (Path(folder) / f"{name}.onnx.json").write_text(json.dumps(config))
    return onnx_path


_CORPUS = ("Write a short video ad script for this product. Reply with JSON only: hook, scenes, cta. "
           "Tired of cold coffee? Meet the mug that keeps it hot. Shop now. Free shipping today. "
           "为这个产品写一个短视频广告脚本。只回复 JSON。喝冷咖啡累了吗？立即购买。")


def make_tiny_causal_lm(folder: Path, seed: int = 0) -> Path:
    """A 2-layer Qwen2ForCausalLM with a byte-level BPE tokenizer and Qwen's ChatML chat template,
    saved with save_pretrained like the published instruct models."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator([_CORPUS], trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.chat_template = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
                               "{{ message['content'] }}<|im_end|>\n{% endfor %}"
                               "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         tie_word_embeddings=True)
    folder = Path(folder)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
