"""What a render must satisfy, checked before any work (the platform's length limit) and on the
file that came out (size, audio, the platform's file size limit)."""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import RenderError
from pipelines.media import MediaInfo, media_info
from pipelines.product import Timeline
from pipelines.render.platforms import Platform


def check_length(timeline: Timeline, platform: Platform) -> None:
    if timeline.duration_s > platform.max_duration_s + 0.01:
        stings = " and ".join(f"the brand {name} ({d:.1f} s)" for name, d in
                              (("intro", timeline.intro_s), ("outro", timeline.outro_s)) if d > 0)
        raise RenderError(f"The ad is {timeline.duration_s:.1f} s long{' with ' + stings if stings else ''}; "
                          f"{platform.label} accepts at most {platform.max_duration_s:.0f} s.", code="too_long")


def check_output(video: Path, aspect: str, width: int, height: int, platform: Platform) -> MediaInfo:
    """The probed file, when it is what was asked for and the platform takes it."""
    info = media_info(video)
    if (info.width, info.height) != (width, height) or not info.audio_codec:
        raise RenderError(f"The {aspect} render came out wrong ({info.width}x{info.height}, "
                          f"audio={info.audio_codec}).", code="bad_output")
    if info.size_bytes > platform.max_file_mb * 1024 * 1024:
        raise RenderError(f"The {aspect} video is {info.size_bytes / 1e6:.0f} MB; {platform.label} accepts "
                          f"at most {platform.max_file_mb} MB.", code="too_large")
    return info
