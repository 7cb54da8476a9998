"""One module per layout; `layout_for(canvas)` picks the canvas's."""

from __future__ import annotations

from pipelines.render.canvas import Canvas
from pipelines.render.layouts.base import Layout
from pipelines.render.layouts.fullbleed import Fullbleed
from pipelines.render.layouts.pip import Pip
from pipelines.render.layouts.showcase import Showcase
from pipelines.render.layouts.split import Split

LAYOUT_CLASSES: dict[str, type[Layout]] = {cls.name: cls for cls in (Fullbleed, Split, Pip, Showcase)}


def layout_for(canvas: Canvas) -> Layout:
    return LAYOUT_CLASSES[canvas.layout](canvas)


__all__ = ["LAYOUT_CLASSES", "Fullbleed", "Layout", "Pip", "Showcase", "Split", "layout_for"]
