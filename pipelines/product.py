"""Data that crosses stages. Plain pydantic: JSON in, JSON out, no Django.

Every model here is part of a contract (manifest.json, the API, the artifact cache), so
fields are only ever added, never renamed. Media never travels inside a model: a stage's
files live in its artifact directory and models name them relative to it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ASPECTS: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "16:9": (1920, 1080),
}
ASPECT_NAMES = {"9:16": "Vertical", "1:1": "Square", "4:5": "Portrait", "16:9": "Landscape"}  # as people say them


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# --------------------------------------------------------------------------- product


class Rating(Model):
    value: float
    count: int | None = None
    best: float = 5.0


class Review(Model):
    author: str | None = None
    rating: float | None = None
    text: str


class Product(Model):
    """What the scraper found on a product page. Keys are part of manifest.json."""

    url: str
    canonical_url: str | None = None
    title: str
    brand: str | None = None
    description: str = ""
    price: float | None = None
    list_price: float | None = None  # the crossed-out price when the page shows a sale
    currency: str | None = None  # ISO 4217
    availability: str | None = None  # in_stock | out_of_stock | preorder | unknown
    images: list[str] = Field(default_factory=list)  # absolute URLs, best first
    features: list[str] = Field(default_factory=list)
    rating: Rating | None = None
    reviews: list[Review] = Field(default_factory=list)
    language: str = "en"
    logo: str | None = None
    category: list[str] = Field(default_factory=list)  # breadcrumb, outermost first
    # adgen's taxonomy key (pipelines.scrape.category): food_drink | beauty | apparel | home | furniture |
    # pets | toys_hobbies | electronics | sports_outdoors | tools | baby; None when the page does not say
    taxonomy: str | None = None
    sku: str | None = None
    # which extractor gave each field: {"title": "json-ld", "price": "microdata", ...}
    sources: dict[str, str] = Field(default_factory=dict)

    @property
    def on_sale(self) -> bool:
        return bool(self.price and self.list_price and self.list_price > self.price)


class ProductImage(Model):
    """One downloaded product image, re-encoded and stripped of metadata."""

    url: str
    file: str  # relative to the scrape artifact directory
    width: int
    height: int
    # subject box in pixels (x, y, w, h): what must stay in frame when cropping
    subject_box: tuple[int, int, int, int] | None = None


class ScrapeResult(Model):
    product: Product
    images: list[ProductImage] = Field(default_factory=list)
    fetch_path: Literal["static", "browser"] = "static"
    elapsed_s: float = 0.0


# --------------------------------------------------------------------------- script

Framework = Literal["pas", "aida", "ugc", "listicle", "offer", "demo"]


class Claim(Model):
    text: str  # the factual statement as it appears in the script
    field: str  # the Product field that supports it ("price", "rating.value", "features[2]", ...)


class Scene(Model):
    voiceover: str
    on_screen_text: str = ""
    # "avatar" | "product_image:<index>" | "broll:<prompt>"
    visual: str = "avatar"
    camera: str = "push_in"  # push_in | pull_out | pan_left | pan_right | tilt_up | tilt_down | static | orbit
    duration_s: float = 3.0  # estimate from words per second; the voice decides the real length
    role: str = ""  # one of pipelines.script.roles.SCENE_ROLES: hook | problem | ... | cta


class AdScript(Model):
    variant_id: str
    framework: str
    angle: str = ""
    language: str = "en"
    tone: str = "friendly"
    target_duration_s: float = 20.0
    hook: str
    scenes: list[Scene]
    cta: str
    caption: str = ""  # post copy
    hashtags: list[str] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    # what a marketer should know before posting it ("the product's facts are in zh, the ad in en")
    warnings: list[str] = Field(default_factory=list)

    @property
    def voiceover(self) -> str:
        return " ".join(s.voiceover.strip() for s in self.scenes if s.voiceover.strip())


# --------------------------------------------------------------------------- voice


class WordTiming(Model):
    word: str
    start: float  # seconds from the start of the audio
    end: float
    scene: int | None = None  # index of the scene the word belongs to


class PhonemeTiming(Model):
    phoneme: str
    viseme: str  # rest | aa | ee | oo | mbp | fv | l | th | ... (see pipelines.voice.visemes)
    start: float
    end: float


class VoiceTrack(Model):
    audio: str  # relative to the voice artifact directory; 48 kHz mono WAV
    sample_rate: int = 48000
    duration_s: float
    words: list[WordTiming] = Field(default_factory=list)
    phonemes: list[PhonemeTiming] = Field(default_factory=list)
    # where each scene starts and ends in the audio, for cutting visuals to the voice
    scene_spans: list[tuple[float, float]] = Field(default_factory=list)
    engine: str = "espeak"
    voice: str = ""
    loudness_lufs: float | None = None
    voice_engine: str = ""  # the engine that spoke the voice (hibari, piper, espeak) under `engine`
    voice_label: str = ""  # "Heart (American English, female, natural)"
    natural: bool | None = None  # a neural voice; False: espeak-ng's basic voice
    notice: str | None = None  # said to the user: a basic fallback voice, a setting the voice ignored


# --------------------------------------------------------------------------- avatar


class PresenterClip(Model):
    video: str  # relative to the avatar artifact directory
    has_alpha: bool = False  # True: video carries alpha (e.g. qtrle/png mov); else key_color applies
    key_color: str | None = None  # "#00ff00" when keyed
    width: int
    height: int
    fps: float
    duration_s: float
    face_box: tuple[int, int, int, int]  # x, y, w, h in clip pixels
    engine: str = "puppet"


# --------------------------------------------------------------------------- broll


class BrollClip(Model):
    video: str | None = None  # relative to the broll artifact directory
    plan: str | None = None  # or a motion plan the renderer draws live (no intermediate video)
    width: int
    height: int
    fps: float
    duration_s: float
    subject_box: tuple[int, int, int, int] | None = None
    engine: str = "motion"
    seed: int | None = None
    prompt: str | None = None


# --------------------------------------------------------------------------- render


class BrandKit(Model):
    name: str = ""
    primary_color: str = "#111111"
    secondary_color: str = "#ffffff"
    accent_color: str = "#ff3d57"
    font: str | None = None  # path to a TTF/OTF, or a fontconfig family name
    logo: str | None = None  # path to an image file
    music: str | None = None  # path to an audio file; None means adgen's generated bed
    cta: str | None = None  # overrides the script's CTA on the end card
    voice: str | None = None
    # voice direction: pace (1.0 = the voice's own), pitch in semitones where the engine can, and
    # respellings of names the voice should say a certain way ({"Xiaomi": "show me"})
    voice_rate: float | None = Field(None, ge=0.5, le=2.0)
    voice_pitch: float | None = Field(None, ge=-12.0, le=12.0)
    pronunciations: dict[str, str] = Field(default_factory=dict)
    presenter: str | None = None  # puppet look name or portrait path
    intro: str | None = None
    outro: str | None = None
    watermark: bool = False
    # words this brand never wants in its ads (added to the default brand-safety list)
    banned_words: list[str] = Field(default_factory=list)

    def voice_settings(self) -> dict:
        """The voice stage's settings this kit asks for (the job's own voice settings win)."""
        settings: dict = {}
        if self.voice:
            settings["voice"] = self.voice
        if self.voice_rate:
            settings["rate"] = self.voice_rate
        if self.voice_pitch:
            settings["pitch_semitones"] = self.voice_pitch
        if self.pronunciations:
            settings["lexicon"] = dict(self.pronunciations)
        return settings


class TimelineSegment(Model):
    start: float
    end: float
    kind: Literal["avatar", "product_image", "broll", "end_card"]
    source: str | None = None  # absolute path to the clip/image used for this segment
    subject_box: tuple[int, int, int, int] | None = None
    source_size: tuple[int, int] | None = None  # width, height of a video source, when known (saves a probe)
    on_screen_text: str = ""
    scene: int | None = None


class Timeline(Model):
    """Everything the renderer needs for one variant, independent of aspect ratio."""

    duration_s: float
    fps: float = 30.0
    language: str = "en"
    voice_audio: str  # absolute path
    words: list[WordTiming] = Field(default_factory=list)
    presenter: PresenterClip | None = None
    presenter_path: str | None = None  # absolute path of the presenter video
    segments: list[TimelineSegment]
    product_title: str = ""
    price_text: str | None = None  # formatted, e.g. "$29.99"
    list_price_text: str | None = None
    cta: str = "Shop now"
    brand: BrandKit = Field(default_factory=BrandKit)
    layout: str = "fullbleed"  # fullbleed | split | pip | showcase
    end_card_s: float = 2.5
    # The brand kit's intro/outro clips (brand.intro / brand.outro) as they play, in whole frames.
    # The MP4 is: intro, the ad body, the end card, outro; duration_s counts all four. Segments and
    # words keep their times from the voice's start: body time t plays at intro_s + t in the file.
    intro_s: float = 0.0
    outro_s: float = 0.0


class RenderOutput(Model):
    aspect: str
    width: int
    height: int
    duration_s: float
    file: str  # relative to the render artifact directory
    captions: str | None = None  # .srt
    captions_vtt: str | None = None
    thumbnail: str | None = None
    platform: str | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    size_bytes: int | None = None
