"""Tiny random models in the published file layouts, one per neural kind (`adgen models make-tiny
--kind KIND DIR`). They load through the same code as the real weights, so a CPU machine can try
(and CI can test) every neural path; their output is noise.

    musetalk    MuseTalk 1.5's layout: musetalkV15/{musetalk.json, unet.pth}, sd-vae/, whisper/
    ltx|wan|cogvideox   a diffusers text-to-video folder (model_index.json + components)
    piper       a Piper voice: <name>.onnx + <name>.onnx.json (VITS exported as piper does)
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
    if kind in KINDS:
        raise ModelError(f"No adgen engine runs {kind} models yet, so there is no tiny one to make.",
                         code="kind_without_engine")
    raise ModelError(f"Unknown model kind {kind!r}; choose one of: {', '.join(KINDS)}.", code="unknown_kind")


def make_tiny_piper_voice(folder: Path, name: str = "en_US-tiny-x_low", language: str = "en_US",
                          espeak_voice: str = "en-us", seed: int = 0) -> Path:
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
              "language": {"code": language}, "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
              "phoneme_type": "espeak", "phoneme_id_map": DEFAULT_PHONEME_ID_MAP, "num_symbols": num_symbols,
              "num_speakers": 1, "speaker_id_map": {}, "hop_length": 256, "piper_version": "1.0.0", "dataset": "tiny"}
    (Path(folder) / f"{name}.onnx.json").write_text(json.dumps(config))
    return onnx_path
