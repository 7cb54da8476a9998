"""The `photo` presenter: MediaPipe landmarks, a mesh-warped mouth that follows the visemes, a mouth
interior with no painted patches, blinks, and the person cut onto the brand backdrop."""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipelines.avatar import landmarks as lm
from pipelines.avatar import render_presenter
from pipelines.avatar.face import DEMO_PORTRAIT, DEMO_PORTRAIT_CLOSED, load_portrait
from pipelines.avatar.motion import viseme_shape
from pipelines.avatar.photo import BLINK_LEVELS, PortraitRig, pose_levels, portrait_rig
from pipelines.errors import AvatarError
from pipelines.media import media_info

from .lipcheck import (EDGE_RATIO_LIMIT, FLAT_LIMIT, audio_energy, decode_gray, lip_gap, mouth_artifacts,
                       mouth_openness)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
PORTRAITS = {"open smile": DEMO_PORTRAIT, "closed mouth": DEMO_PORTRAIT_CLOSED}
VISEMES = ("rest", "mbp", "ih", "ee", "aa", "oh", "oo", "fv", "l")


def _rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_landmarks_land_on_the_face():
    image, _ = load_portrait(DEMO_PORTRAIT)
    points = lm.face_mesh(image)
    assert points.shape == (468, 3)
    (lx, ly), (rx, ry) = points[33, :2], points[263, :2]  # outer eye corners, image left first
    assert 160 < lx < 215 and 215 < rx < 270 and abs(ly - ry) < 15 and 90 < ly < 130
    mouth_l, mouth_r = points[61, :2], points[291, :2]
    assert lx - 10 < mouth_l[0] < mouth_r[0] < rx + 10 and 125 < mouth_l[1] < 160
    assert points[13, 1] < points[14, 1]  # the astronaut smiles with parted lips
    assert points[lm.CHIN, 1] > mouth_l[1] + 20

    closed, _ = load_portrait(DEMO_PORTRAIT_CLOSED)
    hopper = lm.face_mesh(closed)
    gap = hopper[14, 1] - hopper[13, 1]
    assert gap < 0.05 * np.linalg.norm(hopper[291, :2] - hopper[61, :2])  # Grace Hopper: lips together


def test_detector_anchors_and_no_face():
    from pipelines.avatar.landmarks import _anchors

    anchors = _anchors()
    assert anchors.shape == (896, 2)  # 16x16 cells x 2 + 8x8 cells x 6, MediaPipe's order
    assert np.allclose(anchors[0], [1 / 32, 1 / 32]) and np.allclose(anchors[512], [1 / 16, 1 / 16])
    gradient = np.tile(np.linspace(40, 220, 300, dtype=np.uint8), (300, 1))
    assert lm.detect_face(np.dstack([gradient] * 3)) is None


def test_person_is_segmented_onto_the_brand_backdrop(tmp_path):
    image, _ = load_portrait(DEMO_PORTRAIT)
    red = portrait_rig(str(DEMO_PORTRAIT), 240, 300, str(tmp_path), "#e01010")
    blue = portrait_rig(str(DEMO_PORTRAIT), 240, 300, str(tmp_path), "#1030e0")
    x, y, w, h = red.face_box
    face = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.abs(red.canvas[face].astype(int) - blue.canvas[face].astype(int)).max() <= 1  # the person stays
    corner = (slice(0, 30), slice(0, 30))  # the astronaut photo's flag/backdrop corner is replaced
    assert red.canvas[corner][..., 0].mean() > red.canvas[corner][..., 2].mean() + 10
    assert blue.canvas[corner][..., 2].mean() > blue.canvas[corner][..., 0].mean() + 10
    assert red.alpha[face].min() > 0.99 and red.alpha[corner].max() < 0.2


def _viseme_frame(rig: PortraitRig, label: str) -> np.ndarray:
    shape = viseme_shape(label)[None]
    opened, rounded, teeth = (int(v[0]) for v in pose_levels(shape))
    return rig.frame(0, 0, opened, rounded, 0, teeth)


@pytest.mark.parametrize("kind", list(PORTRAITS))
def test_frame_strip_across_visemes(kind, tmp_path):
    """Each viseme's frame, measured by MediaPipe on the rendered frame: the lips part in the
    right order, rounded visemes narrow the mouth, the bilabials close it, and no frame has a
    painted patch or a cut-out edge in the mouth."""
    rig = portrait_rig(str(PORTRAITS[kind]), 432, 540, str(tmp_path), "#ff3d57")
    frames = {label: _viseme_frame(rig, label) for label in VISEMES}
    measures = {label: mouth_artifacts(frame, rig.canvas) for label, frame in frames.items()}
    x, y, w, h = rig.face_box
    strip = np.hstack([f[max(0, y - h // 4):y + h + h // 4, max(0, x - w // 8):x + w + w // 8] for f in frames.values()])
    cv2.imwrite(str(tmp_path / "strip.png"), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
    print(kind, {k: {m: round(v, 3) for m, v in d.items()} for k, d in measures.items()})

    opening = {label: measures[label]["opening"] for label in VISEMES}
    photographed = mouth_artifacts(rig.canvas, rig.canvas)["opening"]
    # the lips meet on m/b/p and at rest (an open smile closes to a closed smile)
    assert opening["mbp"] < 0.1 and opening["rest"] < 0.1
    assert opening["mbp"] < 0.6 * photographed or photographed < 0.05
    assert opening["aa"] > 0.2 and opening["aa"] > opening["oh"] > opening["ee"] > opening["fv"]
    assert opening["aa"] > opening["ih"] + 0.05
    assert measures["oo"]["width"] < 0.93 * measures["ee"]["width"]  # rounded lips draw in
    for label, measure in measures.items():
        assert measure["flat"] < FLAT_LIMIT, (label, measure)
        assert measure["edge_ratio"] < EDGE_RATIO_LIMIT, (label, measure)


def test_artifact_measure_catches_the_old_mouth():
    """The painted mouth the engine drew before issue 19 (flat dark band, white rectangle for
    teeth, flat tongue) fails the same measure the frame-strip test applies."""
    rest = _rgb(DATA / "photo-before-issue19-rest.png")
    for name in ("open", "half"):
        measure = mouth_artifacts(_rgb(DATA / f"photo-before-issue19-{name}.png"), rest)
        print(name, measure)
        assert measure["flat"] >= FLAT_LIMIT or measure["edge_ratio"] >= EDGE_RATIO_LIMIT
    assert mouth_artifacts(_rgb(DATA / "photo-before-issue19-open.png"), rest)["edge_ratio"] >= EDGE_RATIO_LIMIT


@pytest.mark.parametrize("kind", list(PORTRAITS))
def test_blink_covers_the_eyes(kind, tmp_path):
    """At the blink's peak lid skin covers the iris: the pixels that were the darkest fifth of
    each eye's outline (iris and pupil) turn much brighter; brows and forehead stay."""
    rig = portrait_rig(str(PORTRAITS[kind]), 432, 540, str(tmp_path), "#ff3d57")
    opened = cv2.cvtColor(rig.frame(0, 0, 0, 0, 0), cv2.COLOR_RGB2GRAY).astype(np.float32)
    closed = cv2.cvtColor(rig.frame(0, 0, 0, 0, BLINK_LEVELS - 1), cv2.COLOR_RGB2GRAY).astype(np.float32)
    for upper, lower in ((lm.RIGHT_EYE_UPPER, lm.RIGHT_EYE_LOWER), (lm.LEFT_EYE_UPPER, lm.LEFT_EYE_LOWER)):
        outline = np.concatenate([rig.points[list(upper)], rig.points[list(lower)][::-1]])
        mask = np.zeros(opened.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(outline).astype(np.int32)], 1)
        eye = mask.astype(bool)
        iris = eye & (opened <= np.percentile(opened[eye], 20))
        print(kind, f"iris luminance open {opened[iris].mean():.1f} -> closed {closed[iris].mean():.1f}")
        assert closed[iris].mean() > opened[iris].mean() + 25
    brow = rig.points[[70, 63, 105, 66, 107, 336, 296, 334, 293, 300]]
    top = int(brow[:, 1].min()) - 3
    assert np.abs(closed[:top] - opened[:top]).mean() < 0.5  # the brows and forehead stay


@pytest.mark.parametrize("kind", list(PORTRAITS))
def test_photo_clip_is_frame_accurate_and_lip_synced(kind, voice, tmp_path, avatar_cache):
    track, voice_dir = voice
    clip = render_presenter(track, voice_dir, tmp_path / "out", engine="photo",
                            settings={"presenter": str(PORTRAITS[kind]), "height": 400, "cache_dir": avatar_cache})
    video = tmp_path / "out" / clip.video
    info = media_info(video)
    assert (info.width, info.height) == (clip.width, clip.height) == (320, 400)
    assert clip.engine == "photo" and not clip.has_alpha
    frames = decode_gray(video, clip.width, clip.height)
    assert len(frames) == round(track.duration_s * clip.fps)
    x, y, w, h = clip.face_box
    assert 0 <= x and x + w <= clip.width and 0 <= y and y + h <= clip.height

    energy = audio_energy(track, voice_dir, len(frames), clip.fps)
    dark = float(np.corrcoef(mouth_openness(frames, clip.face_box), energy)[0, 1])
    gap = float(np.corrcoef(lip_gap(video, clip.width, clip.height), energy)[0, 1])
    print(f"photo ({kind}) lip-sync correlation with audio RMS: lips' gap {gap:.3f}, dark share {dark:.3f}")
    assert gap >= 0.6
    assert dark > 0.2  # the shadowed opening shows too (an open smile shows teeth more than shadow)
    # landmarks and mask were cached for the next variant
    assert list(Path(avatar_cache).glob("face-*.npz"))


def test_decoded_clip_mouth_has_no_painted_patch(voice, tmp_path, avatar_cache):
    """What a viewer gets: the widest-open frames of the encoded clip, at phone-preview size."""
    track, voice_dir = voice
    settings = {"presenter": str(DEMO_PORTRAIT_CLOSED), "height": 540, "cache_dir": avatar_cache}
    clip = render_presenter(track, voice_dir, tmp_path / "out", engine="photo", settings=settings)
    import subprocess

    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / "out" / clip.video), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, clip.height, clip.width, 3)
    rig = portrait_rig(str(DEMO_PORTRAIT_CLOSED), clip.width, clip.height, avatar_cache, "#111111")
    openness = mouth_openness(frames.mean(axis=3), clip.face_box)
    for i in np.argsort(openness)[-3:]:
        measure = mouth_artifacts(frames[i], rig.canvas)
        print(i, measure)
        assert measure["opening"] > 0.08  # these frames do show an open mouth
        assert measure["flat"] < FLAT_LIMIT and measure["edge_ratio"] < EDGE_RATIO_LIMIT


def test_photo_errors_are_clear(voice, tmp_path, avatar_cache):
    track, voice_dir = voice
    blank = tmp_path / "wall.png"
    gradient = np.tile(np.linspace(40, 220, 300, dtype=np.uint8), (300, 1))
    cv2.imwrite(str(blank), cv2.merge([gradient, gradient, gradient]))
    cases = {
        str(blank): "no_face_found",
        str(tmp_path / "missing.jpg"): "portrait_missing",
        "ava": "portrait_required",
    }
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not a picture")
    cases[str(not_image)] = "portrait_unreadable"
    for presenter, code in cases.items():
        with pytest.raises(AvatarError) as err:
            render_presenter(track, voice_dir, tmp_path / code, engine="photo",
                             settings={"presenter": presenter, "height": 200, "cache_dir": avatar_cache})
        assert err.value.code == code, presenter
        assert err.value.message


def test_missing_models_are_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ADGEN_FACE_MODEL_DIR", str(tmp_path / "empty"))
    lm._model.cache_clear()
    try:
        with pytest.raises(AvatarError) as err:
            lm.face_mesh(load_portrait(DEMO_PORTRAIT)[0])
        assert err.value.code == "face_model_missing" and "fetch_face_models" in err.value.message
    finally:
        lm._model.cache_clear()


def _fetch_script():
    spec = importlib.util.spec_from_file_location("fetch_face_models", ROOT / "scripts" / "fetch_face_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_fetch_checks_hashes(tmp_path):
    """The install step refuses a wheel or a model file that does not match its pinned sha256."""
    fetch = _fetch_script()
    fake = tmp_path / fetch.WHEEL
    with zipfile.ZipFile(fake, "w") as archive:
        for member, _ in fetch.FILES.values():
            archive.writestr(member, b"not the model")
    with pytest.raises(SystemExit, match="sha256"):
        fetch.install(tmp_path / "models", fake)
    assert not list((tmp_path / "models").glob("*.tflite"))
    # the installed models pass the same check
    installed = lm.model_dir()
    for name, (_, digest) in fetch.FILES.items():
        assert hashlib.sha256((installed / name).read_bytes()).hexdigest() == digest, name
    assert fetch.missing(installed) == []
