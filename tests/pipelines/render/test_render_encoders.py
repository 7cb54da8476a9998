"""Encoder choice: hardware H.264 (NVENC, Quick Sync, VA-API) only when a real encode works, with
the same High-profile, quality-under-a-cap settings as libx264; libx264 otherwise."""

from __future__ import annotations

import glob
import subprocess

import pytest

from pipelines.render import encoders
from pipelines.render.encoders import choose_encoder, encoder_args, encoder_works, probe_command


def _opt(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


@pytest.mark.parametrize("preset,expected", [("ultrafast", "veryfast"), ("superfast", "veryfast"),
                                             ("veryfast", "veryfast"), ("medium", "medium"), ("slow", "slow"),
                                             ("placebo", "medium")])
def test_qsv_arguments(preset, expected):
    args = encoder_args("h264_qsv", preset=preset, crf=20, maxrate_k=8000, fps=30)
    assert _opt(args, "-c:v") == "h264_qsv" and _opt(args, "-preset") == expected
    assert _opt(args, "-profile:v") == "high" and _opt(args, "-pix_fmt") == "nv12"
    assert _opt(args, "-global_quality") == "22" and _opt(args, "-g") == "60"  # 2 s GOP at 30 fps
    # a -b:v unlike -maxrate makes ffmpeg pick QVBR (quality target under the cap), not CBR
    assert _opt(args, "-maxrate") == "8000k" and _opt(args, "-bufsize") == "16000k"
    assert _opt(args, "-b:v") != _opt(args, "-maxrate")


def test_every_encoder_is_high_profile_with_a_two_second_gop():
    for name in ("libx264", "h264_nvenc", "h264_qsv", "h264_vaapi"):
        args = encoder_args(name, preset="veryfast", crf=20, maxrate_k=8000, fps=25)
        assert _opt(args, "-c:v") == name and _opt(args, "-profile:v") == "high" and _opt(args, "-g") == "50"


def test_auto_tries_nvenc_then_qsv_then_vaapi(monkeypatch):
    tried = []

    def works(name):
        tried.append(name)
        return name == "h264_vaapi"

    monkeypatch.setattr(encoders, "encoder_works", works)
    assert choose_encoder("auto") == "h264_vaapi" and tried == ["h264_nvenc", "h264_qsv", "h264_vaapi"]
    monkeypatch.setattr(encoders, "encoder_works", lambda name: name in ("h264_qsv", "h264_vaapi"))
    assert choose_encoder("auto") == "h264_qsv"
    monkeypatch.setattr(encoders, "encoder_works", lambda name: False)
    assert choose_encoder("auto") == "libx264"
    assert choose_encoder("h264_qsv") == "h264_qsv"  # asked for by name: no probing


def test_probes_are_real_encodes_and_auto_falls_back_here():
    """On a machine without the hardware the probes fail (quickly) and auto picks libx264."""
    encoder_works.cache_clear()
    for name in encoders.HARDWARE_ENCODERS:
        cmd = probe_command(name)
        assert cmd is None or ("-c:v" in cmd and name in cmd and "null" in cmd)
    chosen = choose_encoder("auto")
    assert chosen == "libx264" or encoder_works(chosen)
    if not glob.glob("/dev/dri/renderD*"):
        assert probe_command("h264_qsv") is None and not encoder_works("h264_qsv")
        assert not encoder_works("h264_vaapi")


def test_qsv_options_are_ones_this_ffmpeg_accepts():
    """Without Intel hardware the encode cannot open a session, but ffmpeg must get that far:
    every option parsed, the failure is the device's, not ours."""
    listed = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    if " h264_qsv " not in listed:
        pytest.skip("this ffmpeg has no QSV encoder")
    args = encoder_args("h264_qsv", preset="veryfast", crf=20, maxrate_k=2000, fps=30)
    run = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                          "color=s=256x256:r=30:d=0.2", "-vf", "format=nv12", *args, "-f", "null", "-"],
                         capture_output=True, text=True, timeout=30)
    if run.returncode == 0:
        return  # an Intel GPU here: it simply worked
    for complaint in ("Unrecognized option", "Option not found", "Error setting option"):
        assert complaint not in run.stderr, run.stderr
