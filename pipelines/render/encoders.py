"""Pick the H.264 encoder: a hardware one when it actually works here, else libx264."""

from __future__ import annotations

import functools
import glob
import os
import subprocess

from pipelines.media import FFMPEG, ULTRAFAST_HIGH

VAAPI_DEVICE = "/dev/dri/renderD128"
# tried in this order by "auto": NVIDIA, then Intel Quick Sync, then any VA-API driver (AMD, older Intel)
HARDWARE_ENCODERS = ("h264_nvenc", "h264_qsv", "h264_vaapi")


def probe_command(name: str) -> list[str] | None:
    """A tiny real encode with the options a render would use; None when the device is plainly absent."""
    pre, vf = [], []
    if name == "h264_vaapi":
        if not os.path.exists(VAAPI_DEVICE):
            return None
        pre, vf = ["-vaapi_device", VAAPI_DEVICE], ["-vf", "format=nv12,hwupload"]
    elif name == "h264_qsv":
        # Quick Sync on Linux goes through a DRM render node (the media driver opens it itself)
        if not glob.glob("/dev/dri/renderD*"):
            return None
        vf = ["-vf", "format=nv12"]
    args = encoder_args(name, preset="veryfast", crf=23, maxrate_k=2000, fps=30)
    return [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", *pre, "-f", "lavfi",
            "-i", "color=s=256x256:r=30:d=0.2", *vf, *args, "-f", "null", "-"]


@functools.lru_cache(maxsize=8)
def encoder_works(name: str) -> bool:
    """Listed is not enough (Debian's ffmpeg lists NVENC and QSV everywhere): try a tiny encode."""
    cmd = probe_command(name)
    if cmd is None:
        return False
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose_encoder(requested: str = "auto") -> str:
    if requested and requested != "auto":
        return requested
    for name in HARDWARE_ENCODERS:
        if encoder_works(name):
            return name
    return "libx264"


def encoder_args(name: str, *, preset: str, crf: int, maxrate_k: int, fps: float, threads: int = 0) -> list[str]:
    """Output options for H.264 High yuv420p at a quality target capped by the platform bitrate."""
    gop = str(round(fps * 2))
    cap = ["-maxrate", f"{maxrate_k}k", "-bufsize", f"{maxrate_k * 2}k"]
    if name == "h264_nvenc":
        nv_preset = {"ultrafast": "p1", "superfast": "p2", "veryfast": "p3", "faster": "p3", "fast": "p4",
                     "medium": "p5", "slow": "p6", "slower": "p7", "veryslow": "p7"}.get(preset, "p5")
        return ["-c:v", "h264_nvenc", "-preset", nv_preset, "-profile:v", "high", "-rc", "vbr",
                "-cq", str(crf + 2), "-b:v", "0", *cap, "-g", gop, "-pix_fmt", "yuv420p"]
    if name == "h264_qsv":
        # QSV has no presets faster than veryfast; -global_quality with a maxrate that differs from
        # -b:v selects QVBR: a quality target under the platform's bitrate cap, like the others
        qsv_preset = {"ultrafast": "veryfast", "superfast": "veryfast"}.get(preset, preset)
        if qsv_preset not in ("veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"):
            qsv_preset = "medium"
        return ["-c:v", "h264_qsv", "-preset", qsv_preset, "-profile:v", "high", "-global_quality", str(crf + 2),
                "-b:v", f"{maxrate_k // 2}k", *cap, "-g", gop, "-pix_fmt", "nv12"]
    if name == "h264_vaapi":
        return ["-c:v", "h264_vaapi", "-profile:v", "high", "-qp", str(crf + 2), "-g", gop]
    args = ["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-crf", str(crf), *cap,
            "-g", gop, "-pix_fmt", "yuv420p"]
    if preset == "ultrafast":
        args += ["-x264-params", ULTRAFAST_HIGH]
    if threads:
        args += ["-threads", str(threads)]
    return args
