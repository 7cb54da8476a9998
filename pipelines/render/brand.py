"""Brand kit as a file (`--brand-kit PATH`): JSON or TOML beside its assets.

Asset paths (logo, music, font, intro, outro, a presenter portrait) are relative to the kit file, so a kit folder can be
zipped and shared. The workspace model on the Django side stores the same fields.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from pipelines.errors import RenderError
from pipelines.product import BrandKit

ASSET_FIELDS = ("logo", "music", "font", "intro", "outro")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


def load_brand_kit(path: str | Path) -> BrandKit:
    path = Path(path)
    if not path.is_file():
        raise RenderError(f"Brand kit {path} does not exist.", code="brand_kit_missing")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise RenderError(f"Brand kit {path.name} is not valid {path.suffix.lstrip('.').upper() or 'JSON'}: {exc}",
                          code="brand_kit_invalid") from None
    data = data.get("brand", data)  # a TOML kit may put its keys under [brand]
    for field in ASSET_FIELDS:
        value = data.get(field)
        if not value:
            continue
        candidate = (path.parent / value).resolve()
        if candidate.is_file():
            data[field] = str(candidate)
        elif field != "font" or Path(value).suffix.lower() in FONT_SUFFIXES:
            # a font may also be a fontconfig family name; any other asset must exist
            raise RenderError(f"Brand kit {path.name}: {field} file {value!r} not found next to the kit.",
                              code="brand_kit_invalid")
    presenter = data.get("presenter")
    if presenter and (path.parent / presenter).is_file():  # a portrait beside the kit; else a look name
        data["presenter"] = str((path.parent / presenter).resolve())
    try:
        return BrandKit.model_validate(data)
    except ValueError as exc:
        raise RenderError(f"Brand kit {path.name} has invalid fields: {exc}", code="brand_kit_invalid") from None
