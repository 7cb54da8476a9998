"""Platform presets: where text may go (safe zones) and what the upload accepts.

Safe zones are insets from the frame edges, as fractions of the frame, measured from each
platform's published overlay guides (the like/comment column on the right, the caption bar and
buttons at the bottom, the account/search bar at the top). Captions, logo, price and CTA are
placed inside the zone; visuals may run full bleed.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.errors import RenderError


@dataclass(frozen=True)
class Insets:
    top: float
    bottom: float
    left: float
    right: float

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the safe area in pixels."""
        return (round(self.left * width), round(self.top * height),
                round(width - self.right * width), round(height - self.bottom * height))


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    max_duration_s: float
    fps: float
    video_bitrate_k: int  # cap for the final render (VBV maxrate) at 1080p
    max_file_mb: int
    # safe-zone insets per aspect; "*" is the fallback for aspects the platform rarely uses
    safe: dict[str, Insets]

    def insets(self, aspect: str) -> Insets:
        return self.safe.get(aspect) or self.safe["*"]


GENERIC_INSETS = Insets(0.05, 0.05, 0.05, 0.05)  # classic 90 % title-safe area

PLATFORMS: dict[str | None, Platform] = {
    None: Platform("generic", "Any platform", 600, 30, 8000, 4000, {
        "9:16": Insets(0.08, 0.14, 0.06, 0.06), "*": GENERIC_INSETS,
    }),
    # TikTok: top bar ~130 px, right column ~140 px, bottom caption + buttons ~ 480 px of 1920
    "tiktok": Platform("tiktok", "TikTok", 60, 30, 8000, 500, {
        "9:16": Insets(0.07, 0.25, 0.06, 0.13), "*": Insets(0.06, 0.14, 0.05, 0.12),
    }),
    # Instagram Reels: top 14 % (profile/audio), bottom 35 % for caption + buttons, right column
    "reels": Platform("reels", "Instagram Reels", 90, 30, 8000, 4000, {
        "9:16": Insets(0.14, 0.22, 0.06, 0.12), "*": Insets(0.08, 0.14, 0.05, 0.10),
    }),
    # YouTube Shorts: title + channel bar at the bottom, action column on the right
    "shorts": Platform("shorts", "YouTube Shorts", 60, 30, 8000, 4000, {
        "9:16": Insets(0.08, 0.22, 0.06, 0.17), "*": Insets(0.06, 0.14, 0.05, 0.14),
    }),
    # Facebook / Instagram feed: square or 4:5 mostly; keep clear of the 9:16 story UI too
    "feed": Platform("feed", "Facebook/Instagram feed", 240, 30, 8000, 4000, {
        "1:1": Insets(0.05, 0.07, 0.05, 0.05), "4:5": Insets(0.05, 0.07, 0.05, 0.05),
        "9:16": Insets(0.14, 0.20, 0.06, 0.06), "*": GENERIC_INSETS,
    }),
    # YouTube (in-stream): progress bar + controls at the bottom, skip button bottom right
    "youtube": Platform("youtube", "YouTube", 600, 30, 10000, 4000, {
        "16:9": Insets(0.06, 0.14, 0.05, 0.05), "*": Insets(0.06, 0.12, 0.05, 0.05),
    }),
}


def platform_preset(name: str | None) -> Platform:
    key = (name or None) and name.lower()
    if key not in PLATFORMS:
        raise RenderError(f"Unknown platform {name!r}; choose one of: "
                          f"{', '.join(p for p in PLATFORMS if p)}", code="unknown_platform")
    return PLATFORMS[key]
