"""Tiny randomly initialised DiT video model directories, for trying the `dit` plumbing on a CPU.

`make_tiny_model_dir(DIR, family)` builds the same component classes as the real models
(transformer, VAE, T5-family text encoder, tokenizer built in memory, flow-matching scheduler),
at toy sizes, and saves them with `save_pretrained`: the result loads through the `dit`
engine's real `from_pretrained` path. Its videos are noise; it exists to exercise loading,
prompting, frame/size rounding, encoding and caching. CLI: `adgen models make-tiny --kind ltx|wan|cogvideox DIR`.
"""

from __future__ import annotations

from pathlib import Path

FAMILIES = ("ltx", "wan", "cogvideox")

# enough word pieces that prompts tokenise into more than unknowns
_WORDS = ("a the of and with on in to for product video shot studio light lighting close up camera slow push "
          "pull pan tilt orbit left right up down smooth motion sharp focus detail commercial clean background "
          "coffee cup rocket cat bottle shoe bag watch phone red blue white black gold soft warm").split()


def tiny_tokenizer():
    """A T5 tokenizer built in memory: special tokens, some words, and single letters as fallback."""
    from transformers import T5Tokenizer

    pieces = ["<pad>", "</s>", "<unk>"] + ["\u2581" + w for w in _WORDS] + list("abcdefghijklmnopqrstuvwxyz0123456789")
    pieces += ["\u2581" + c for c in "abcdefghijklmnopqrstuvwxyz"] + list("ABCDEFGHIJKLMNOPQRSTUVWXYZ.,-'!?:;")
    seen: dict[str, float] = {}
    for i, piece in enumerate(pieces):
        seen.setdefault(piece, -float(i) / 10)
    return T5Tokenizer(vocab=list(seen.items()), extra_ids=0)


def _t5_encoder(d_model: int, vocab_size: int, umt5: bool = False):
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    kwargs = dict(vocab_size=vocab_size, d_model=d_model, d_kv=8, d_ff=37, num_layers=1, num_heads=4,
                  relative_attention_num_buckets=8, dropout_rate=0.0)
    if umt5:
        return UMT5EncoderModel(UMT5Config(**kwargs)).eval()
    return T5EncoderModel(T5Config(**kwargs)).eval()


def make_tiny_model_dir(path: Path, family: str = "ltx") -> Path:
    """Write a tiny random `family` text-to-video model directory (model_index.json layout) to `path`."""
    import json

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    random_pipeline(family, "tiny").save_pretrained(path)
    # the dit engine's defaults for this directory: a toy model needs no 40 steps at 768 px
    (path / "adgen.json").write_text(json.dumps({"family": family, "steps": 2, "long_side": 96, "fps": 12}, indent=2))
    return path


def _t5_xxl(vocab_size: int, umt5: bool = False):
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    kwargs = dict(vocab_size=vocab_size, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
                  feed_forward_proj="gated-gelu", relative_attention_num_buckets=32,
                  relative_attention_max_distance=128, dropout_rate=0.0)
    return (UMT5EncoderModel(UMT5Config(**kwargs)) if umt5 else T5EncoderModel(T5Config(**kwargs))).eval()


def random_pipeline(family: str = "ltx", size: str = "tiny"):
    """A text-to-video pipeline of `family` with random weights: `tiny` (tests, CPU) or `full`
    (the released model's architecture, for speed and memory benchmarks; build it under
    `torch.device("cuda")` and a bf16 default dtype to initialise it on the GPU)."""
    import torch

    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    if size not in ("tiny", "full"):
        raise ValueError("size is tiny or full")
    full = size == "full"
    tokenizer = tiny_tokenizer()
    vocab = len(tokenizer)
    torch.manual_seed(0)
    if family == "ltx":
        from diffusers import (AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline,
                               LTXVideoTransformer3DModel)

        if full:  # LTX-Video 0.9 (2B): the classes' defaults are the released configuration
            transformer, vae, encoder = LTXVideoTransformer3DModel(), AutoencoderKLLTXVideo(), _t5_xxl(32128)
        else:
            transformer = LTXVideoTransformer3DModel(
                in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
                attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=32)
            vae = AutoencoderKLLTXVideo(
                latent_channels=8, block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
                spatio_temporal_scaling=(True, True, False, False),
                decoder_spatio_temporal_scaling=(True, True, False, False),
                layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
                patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False)
            encoder = _t5_encoder(32, vocab)
        return LTXPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                           text_encoder=encoder, tokenizer=tokenizer)
    if family == "wan":
        from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanPipeline, WanTransformer3DModel

        if full:  # Wan2.1-T2V-1.3B
            vae = AutoencoderKLWan()
            transformer = WanTransformer3DModel(
                patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16,
                out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", eps=1e-6)
            encoder = _t5_xxl(256384, umt5=True)
        else:
            vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                                   temperal_downsample=[False, True, True])
            transformer = WanTransformer3DModel(
                patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
                out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", rope_max_seq_len=32)
            encoder = _t5_encoder(32, vocab, umt5=True)
        return WanPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
                           text_encoder=encoder, tokenizer=tokenizer)
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXPipeline, CogVideoXTransformer3DModel

    if full:  # CogVideoX-2b
        transformer, vae, encoder = CogVideoXTransformer3DModel(), AutoencoderKLCogVideoX(), _t5_xxl(32128)
    else:
        transformer = CogVideoXTransformer3DModel(
            num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, time_embed_dim=2,
            text_embed_dim=32, num_layers=1, sample_width=8, sample_height=8, sample_frames=9, patch_size=2,
            temporal_compression_ratio=4, max_text_seq_length=16)
        vae = AutoencoderKLCogVideoX(
            in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
            up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
            layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4)
        encoder = _t5_encoder(32, vocab)
    return CogVideoXPipeline(transformer=transformer, vae=vae, scheduler=CogVideoXDDIMScheduler(),
                             text_encoder=encoder, tokenizer=tokenizer)
