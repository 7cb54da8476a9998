"""The model catalogue: every set of weights adgen can fetch, where it comes from, what it may be
used for, and where it goes. One entry per installable model; `adgen models list` prints it.

Revisions and hashes: this catalogue was written on a machine that cannot reach the Hugging Face
hub. A revision given as a 40-hex commit was recorded from public code that pins it (noted in
`revision_source`), not checked here; where no commit could be found the entry tracks a branch or
tag and says so. No sha256 below is invented: where the published hash is unknown here, `sha256`
is None and `pull` verifies every file against the hash the hub itself publishes for it (the LFS
sha256, or the git blob id of small files) and records what it verified in the install manifest,
which `verify` re-checks later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.errors import PipelineError

COMMIT = re.compile(r"^[0-9a-f]{40}$")


class ModelError(PipelineError):
    code = "model_failed"


@dataclass(frozen=True)
class HubFile:
    path: str  # in the repository
    sha256: str | None = None  # the published LFS sha256 when known here
    size: int | None = None  # bytes, when known


@dataclass(frozen=True)
class HubSource:
    repo_id: str
    revision: str  # a commit when known; else the branch or tag the entry tracks
    allow_patterns: tuple[str, ...]
    install_to: str = ""  # subfolder of the model's folder ("" = its root)
    flatten: bool = False  # files land as install_to/<file name> (piper's flat voices folder)
    repo_type: str = "model"
    files: tuple[HubFile, ...] = ()  # hashes known here, by repo path
    revision_source: str = ""

    @property
    def pinned(self) -> bool:
        return bool(COMMIT.match(self.revision))

    def destination(self, repo_path: str) -> str:
        name = repo_path.rsplit("/", 1)[-1] if self.flatten else repo_path
        return f"{self.install_to}/{name}" if self.install_to else name

    def known(self, repo_path: str) -> HubFile | None:
        return next((f for f in self.files if f.path == repo_path), None)


@dataclass(frozen=True)
class Licence:
    name: str  # SPDX id or the licence's own name
    commercial: str  # "yes" | "conditional" | "no" | "unverified"
    summary: str  # what a brand must know, in one line
    url: str = ""


@dataclass(frozen=True)
class ModelEntry:
    name: str
    kind: str  # what `make-tiny --kind` builds: musetalk, wan, ltx, cogvideox, piper, qwen2 (hunyuanvideo: none)
    engine: str | None  # "stage/engine" that runs it; None: recorded for its licence, no engine yet
    label: str
    licence: Licence
    sources: tuple[HubSource, ...]
    size_gb: float  # download size, approximate
    vram_gb: float | None  # GPU memory to run it (approximate; None: CPU model)
    folder: str = "own"  # "own": its own folder under the models root; "piper-voices": the voices folder
    notes: str = ""
    component_licences: tuple[tuple[str, Licence], ...] = field(default_factory=tuple)

    @property
    def restricted(self) -> bool:
        """Pulling needs --accept-licence: the licence limits commercial use or where it may be used."""
        return self.licence.commercial != "yes"


MIT = Licence("MIT", "yes", "any use, commercial included, keep the notice")
APACHE = Licence("Apache-2.0", "yes", "any use, commercial included, keep the notice and NOTICE file")
OPENRAIL_M = Licence("OpenRAIL-M", "conditional", "commercial use allowed with use-based restrictions")

MUSETALK = ModelEntry(
    name="musetalk-1.5", kind="musetalk", engine="avatar/lipsync",
    label="MuseTalk 1.5 lip-sync (UNet + sd-vae-ft-mse + whisper-tiny), 256 px faces, real time on a GPU",
    licence=Licence("MIT", "yes", "code and weights: 'no limitation for both academic and commercial usage'",
                    "https://github.com/TMElyralab/MuseTalk/blob/main/LICENSE"),
    component_licences=(("sd-vae-ft-mse", MIT), ("whisper-tiny", APACHE)),
    sources=(
        HubSource("TMElyralab/MuseTalk", "main", ("musetalkV15/musetalk.json", "musetalkV15/unet.pth"),
                  revision_source="no published commit found here: tracks main"),
        HubSource("stabilityai/sd-vae-ft-mse", "31f26fdeee1355a5c34592e401dd41e45d25a493",
                  ("config.json", "diffusion_pytorch_model.safetensors"), install_to="sd-vae",
                  revision_source="as pinned by public code (a 'SD-VAE provenance' note); not checked here"),
        HubSource("openai/whisper-tiny", "169d4a4341b33bc18d8881c4b69c2e104e1cc0af",
                  ("config.json", "model.safetensors", "preprocessor_config.json"), install_to="whisper",
                  revision_source="as pinned by public code (a model-spec table); not checked here"),
    ),
    size_gb=3.9, vram_gb=4.0,
    notes="MuseTalk's face-parsing (BiSeNet) and DWPose weights are not needed: adgen takes landmarks "
          "from MediaPipe's face mesh and blends through the jaw contour.",
)

WAN_T2V = ModelEntry(
    name="wan2.1-t2v-1.3b", kind="wan", engine="broll/dit",
    label="Wan 2.1 text-to-video 1.3B (diffusers), 480p, the default DiT b-roll model",
    licence=Licence("Apache-2.0", "yes", "commercial use allowed; you are responsible for what you generate",
                    "https://huggingface.co/Wan-AI/Wan2.1-T2V-1.3B-Diffusers"),
    sources=(HubSource("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "0fad780a534b6463e45facd96134c9f345acfa5b",
                       ("model_index.json", "scheduler/*", "text_encoder/*", "tokenizer/*", "transformer/*",
                        "vae/*"),
                       revision_source="as pinned by public code; not checked here"),),
    size_gb=29.0, vram_gb=8.2,
    notes="8.19 GB VRAM at 480p with model offload (Wan's own figure); ~4 min per 5 s clip on an RTX 4090.",
)

WAN_I2V = ModelEntry(
    name="wan2.1-i2v-14b-480p", kind="wan", engine="broll/dit",
    label="Wan 2.1 image-to-video 14B (diffusers), 480p: animates the product photo",
    licence=WAN_T2V.licence,
    sources=(HubSource("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "main",
                       ("model_index.json", "scheduler/*", "text_encoder/*", "tokenizer/*", "transformer/*",
                        "vae/*", "image_encoder/*", "image_processor/*"),
                       revision_source="no published commit found here: tracks main"),),
    size_gb=82.0, vram_gb=40.0,
)

LTX = ModelEntry(
    name="ltx-video", kind="ltx", engine="broll/dit",
    label="LTX-Video (Lightricks, diffusers), fast text/image-to-video",
    licence=Licence("LTX community licence", "conditional",
                    "LTX-2.x: free below $10M annual revenue, a paid licence above; may not be used to build "
                    "competing products. Read the model card's licence before commercial use.",
                    "https://huggingface.co/Lightricks/LTX-Video"),
    sources=(HubSource("Lightricks/LTX-Video", "main",
                       ("model_index.json", "scheduler/*", "text_encoder/*", "tokenizer/*", "transformer/*",
                        "vae/*"), revision_source="no published commit found here: tracks main"),),
    size_gb=28.0, vram_gb=12.0,
    notes="Licence terms differ between LTX-Video 0.9.x (OpenRAIL-M variants) and LTX-2.x; the entry records "
          "the stricter LTX-2 terms.",
)

COGVIDEOX = ModelEntry(
    name="cogvideox-2b", kind="cogvideox", engine="broll/dit",
    label="CogVideoX 2B (THUDM, diffusers) text-to-video, 720x480",
    licence=Licence("Apache-2.0", "yes", "the 2B model is Apache-2.0 (the 5B models are not)",
                    "https://huggingface.co/THUDM/CogVideoX-2b"),
    sources=(HubSource("THUDM/CogVideoX-2b", "main",
                       ("model_index.json", "scheduler/*", "text_encoder/*", "tokenizer/*", "transformer/*",
                        "vae/*"), revision_source="no published commit found here: tracks main"),),
    size_gb=13.0, vram_gb=4.0,
)

HUNYUAN = ModelEntry(
    name="hunyuanvideo-1.5", kind="hunyuanvideo", engine=None,
    label="HunyuanVideo 1.5 (Tencent): recorded for its licence; no adgen engine runs it yet",
    licence=Licence("Tencent Hunyuan Community License", "conditional",
                    "not licensed in the European Union, the United Kingdom or South Korea; extra terms for "
                    "services above 100M monthly users", "https://huggingface.co/tencent/HunyuanVideo-1.5"),
    sources=(HubSource("tencent/HunyuanVideo-1.5", "main", ("*",),
                       revision_source="no published commit found here: tracks main"),),
    size_gb=60.0, vram_gb=14.0,
)

QWEN = ModelEntry(
    name="qwen2.5-1.5b-instruct", kind="qwen2", engine="script/transformers",
    label="Qwen2.5 1.5B Instruct: a local script writer (en, zh and 27 more languages)",
    licence=Licence("Apache-2.0", "yes", "the 0.5B/1.5B/7B/14B/32B Qwen2.5 models are Apache-2.0 (3B and 72B are not)",
                    "https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct"),
    sources=(HubSource("Qwen/Qwen2.5-1.5B-Instruct", "main",
                       ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                        "tokenizer_config.json", "vocab.json", "merges.txt"),
                       revision_source="no published commit found here: tracks main"),),
    size_gb=3.1, vram_gb=4.0,
)

_PIPER_REPO = "rhasspy/piper-voices"
_PIPER_REV = "v1.0.0"  # the voices repository's release tag (no commit found here)
_UNVERIFIED = "unverified"


def _piper(voice: str, path: str, licence: Licence, label: str, size_mb: float, notes: str = "") -> ModelEntry:
    return ModelEntry(
        name=f"piper-{voice}", kind="piper", engine="voice/piper", label=label, licence=licence,
        sources=(HubSource(_PIPER_REPO, "main" if "xiao_ya" in voice or "chaowen" in voice else _PIPER_REV,
                           (f"{path}/{voice}.onnx", f"{path}/{voice}.onnx.json"), flatten=True,
                           revision_source="the repository's v1.0.0 tag" if "xiao_ya" not in voice
                           and "chaowen" not in voice else "newer than v1.0.0: tracks main"),),
        size_gb=size_mb / 1024, vram_gb=None, folder="piper-voices", notes=notes)


_G2PW_NOTE = ("Phonemised with g2pW (phoneme_type pinyin): piper downloads g2pw.onnx from "
              "rhasspy/piper-checkpoints at first use into ./g2pW and needs the g2pw package's lookup tables, "
              "so it does NOT run offline until both are in place; huayan (espeak cmn) does.")

PIPER_VOICES = (
    _piper("zh_CN-huayan-medium", "zh/zh_CN/huayan/medium",
           Licence("see MODEL_CARD", _UNVERIFIED, "dataset licence not verified here: read the voice's MODEL_CARD"),
           "Mandarin, female (Huayan), espeak-ng cmn phonemes: runs offline", 60),
    _piper("zh_CN-xiao_ya-medium", "zh/zh_CN/xiao_ya/medium",
           Licence("see MODEL_CARD", _UNVERIFIED, "dataset licence not verified here: read the voice's MODEL_CARD"),
           "Mandarin, female (Xiao Ya), g2pW pinyin front-end", 60, _G2PW_NOTE),
    _piper("zh_CN-chaowen-medium", "zh/zh_CN/chaowen/medium",
           Licence("see MODEL_CARD", _UNVERIFIED, "dataset licence not verified here: read the voice's MODEL_CARD"),
           "Mandarin, male (Chaowen), g2pW pinyin front-end", 60, _G2PW_NOTE),
    _piper("de_DE-thorsten-medium", "de/de_DE/thorsten/medium",
           Licence("CC0-1.0", "yes", "Thorsten Müller's dataset, public domain dedication"),
           "German, male (Thorsten)", 60),
    _piper("es_ES-davefx-medium", "es/es_ES/davefx/medium",
           Licence("CC0-1.0", "yes", "davefx dataset, public domain dedication (per its MODEL_CARD)"),
           "Spanish (Spain), male (davefx)", 60),
    _piper("fr_FR-siwis-medium", "fr/fr_FR/siwis/medium",
           Licence("CC-BY-4.0", "yes", "SIWIS French speech corpus: credit the authors"),
           "French, female (SIWIS)", 60),
    _piper("en_US-ljspeech-medium", "en/en_US/ljspeech/medium",
           Licence("Public domain", "yes", "LJ Speech dataset, public domain"),
           "English (US), female (LJ Speech)", 60),
)

CATALOG: tuple[ModelEntry, ...] = (MUSETALK, WAN_T2V, WAN_I2V, LTX, COGVIDEOX, HUNYUAN, QWEN, *PIPER_VOICES)
_BY_NAME = {entry.name: entry for entry in CATALOG}
assert len(_BY_NAME) == len(CATALOG)

# every neural engine's kind, for make-tiny (catalogue kinds plus the DiT families)
KINDS = ("musetalk", "ltx", "wan", "cogvideox", "piper", "qwen2", "hunyuanvideo")


def catalog_entry(name: str) -> ModelEntry:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ModelError(f"No model named {name!r} in the catalogue; `adgen models list` shows them all.",
                         code="unknown_model") from None
