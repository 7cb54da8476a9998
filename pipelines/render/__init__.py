"""Render: Timeline -> per-aspect MP4 with captions, music, logo and end card (see compose.py)."""

from pipelines.render.brand import load_brand_kit
from pipelines.render.compose import RenderOptions, cover_crop, output_size, presenter_framing, render
from pipelines.render.platforms import PLATFORMS, Platform, platform_preset
from pipelines.render.timeline import LAYOUTS, build_timeline, format_price

__all__ = ["LAYOUTS", "PLATFORMS", "Platform", "RenderOptions", "build_timeline", "cover_crop", "format_price",
           "load_brand_kit", "output_size", "platform_preset", "presenter_framing", "render"]
