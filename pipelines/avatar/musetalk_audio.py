"""MuseTalk 1.5's audio conditioning, step for step as published (TMElyralab/MuseTalk,
`musetalk/utils/audio_processor.py` and `musetalk/models/unet.py` at 0a89dec):

1. the voice at 16 kHz mono, cut into 30 s segments, each turned into log-mel input features
   by the whisper-tiny `WhisperFeatureExtractor`;
2. every segment through the whisper encoder with `output_hidden_states=True`: the embeddings
   plus one state per layer (whisper-tiny: 1 + 4 = 5), stacked -> (1, 1500, 5, 384) per segment,
   concatenated in time (50 positions per second of audio) and trimmed to the audio's length;
3. zero padding of 2 x 2 positions in front and 2 x 3 x 2 behind; for video frame i (at 25 fps)
   the 2 x (2 + 1 + 2) = 10 positions from floor(i * 50 / 25) -> (10, 5, 384), flattened
   position-major to 50 tokens x 384;
4. a sinusoidal positional encoding (d_model = the encoder width, 384) added to the 50 tokens
   right before the UNet's cross-attention.

Differences from the published code, both deliberate: resampling to 16 kHz uses scipy's
polyphase filter where MuseTalk calls librosa (soxr); and nothing here calls `exit()` on a short
clip: frames past the audio see the zero padding, as the published padding intends.
"""

from __future__ import annotations

import math

import numpy as np

WHISPER_RATE = 16000
AUDIO_FPS = 50  # whisper encoder positions per second
SEGMENT_S = 30  # whisper's fixed input length
VIDEO_FPS = 25  # MuseTalk works at 25 frames per second
PAD_LEFT = 2
PAD_RIGHT = 2


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    samples = np.asarray(samples, dtype=np.float32)
    if rate == WHISPER_RATE:
        return samples
    g = math.gcd(int(rate), WHISPER_RATE)
    return resample_poly(samples, WHISPER_RATE // g, int(rate) // g).astype(np.float32)


def input_features(feature_extractor, audio_16k: np.ndarray) -> list:
    """Whisper log-mel features per 30 s segment (`AudioProcessor.get_audio_feature`)."""
    segment = SEGMENT_S * WHISPER_RATE
    pieces = [audio_16k[i:i + segment] for i in range(0, len(audio_16k), segment)] or [audio_16k[:0]]
    return [feature_extractor(piece, return_tensors="pt", sampling_rate=WHISPER_RATE).input_features
            for piece in pieces]


def frame_count(n_samples: int, fps: int = VIDEO_FPS) -> int:
    return math.floor(n_samples / WHISPER_RATE * fps)


def whisper_chunks(encoder, features: list, n_samples: int, *, device, dtype, fps: int = VIDEO_FPS,
                   pad_left: int = PAD_LEFT, pad_right: int = PAD_RIGHT):
    """(frames, 10 * n_states, d_model) audio prompts (`AudioProcessor.get_whisper_chunk`)."""
    import torch

    per_frame = 2 * (pad_left + pad_right + 1)
    states = []
    with torch.inference_mode():
        for feature in features:
            hidden = encoder(feature.to(device=device, dtype=dtype), output_hidden_states=True).hidden_states
            states.append(torch.stack(hidden, dim=2))  # (1, 1500, n_states, d_model)
    whisper_feature = torch.cat(states, dim=1)
    multiplier = AUDIO_FPS / fps
    num_frames = frame_count(n_samples, fps)
    actual_length = math.floor(n_samples / WHISPER_RATE * AUDIO_FPS)
    whisper_feature = whisper_feature[:, :actual_length]
    padding = math.ceil(multiplier)
    whisper_feature = torch.cat([torch.zeros_like(whisper_feature[:, :padding * pad_left]), whisper_feature,
                                 torch.zeros_like(whisper_feature[:, :padding * 3 * pad_right])], 1)
    prompts = []
    for frame in range(num_frames):
        start = math.floor(frame * multiplier)
        clip = whisper_feature[:, start:start + per_frame]
        if clip.shape[1] < per_frame:  # only for a clip shorter than the padding: pad with silence
            clip = torch.cat([clip, torch.zeros_like(whisper_feature[:, :per_frame - clip.shape[1]])], 1)
        prompts.append(clip)
    if not prompts:
        return whisper_feature.new_zeros((0, per_frame * whisper_feature.shape[2], whisper_feature.shape[3]))
    prompts = torch.cat(prompts, dim=0)  # (frames, 10, n_states, d_model)
    return prompts.reshape(prompts.shape[0], -1, prompts.shape[-1])  # 'b c h w -> b (c h) w'


def positional_encoding(seq_len: int, d_model: int, max_len: int = 5000):
    """MuseTalk's `PositionalEncoding` table, (1, seq_len, d_model)."""
    import torch

    position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe[None, :seq_len]


def add_positional_encoding(prompts):
    """`pe(whisper_batch)`: the encoding added to every frame's tokens."""
    pe = positional_encoding(prompts.shape[1], prompts.shape[2]).to(device=prompts.device, dtype=prompts.dtype)
    return prompts + pe
