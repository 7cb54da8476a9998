"""The puppet presenter's looks: who the brand's drawn presenter is."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.errors import AvatarError


@dataclass(frozen=True)
class Look:
    name: str
    label: str
    gender: str  # female | male
    skin: str  # hex
    hair_color: str
    hair_style: str  # long | bob | afro | short | textured | buzz
    outfit: str  # blazer | tee | vneck | hoodie | knit | shirt
    outfit_color: str | None = None  # None: the brand colour
    inner_color: str = "#f4f2ee"  # shirt/top under a blazer
    iris: str = "#5a3a22"
    lips: str | None = None  # None: derived from the skin
    beard: bool = False


LOOKS: dict[str, Look] = {look.name: look for look in (
    Look("ava", "Ava: long dark hair, blazer", "female", "#e6b48f", "#3b2417", "long", "blazer",
         iris="#4a2f1d", lips="#b5535a"),
    Look("leo", "Leo: short brown hair, crew tee", "male", "#f0c6a4", "#6b4226", "short", "tee", iris="#3f6f8f"),
    Look("maya", "Maya: curly hair, v-neck blouse", "female", "#8d5a3b", "#1e1410", "afro", "vneck",
         iris="#2e1a10", lips="#7e3b36"),
    Look("kenji", "Kenji: black textured hair, hoodie", "male", "#e3b48a", "#15120f", "textured", "hoodie",
         iris="#2b1d14"),
    Look("sofia", "Sofia: blonde bob, knit sweater", "female", "#f6d3ba", "#d9b36c", "bob", "knit",
         iris="#4d7a5a", lips="#c4636a"),
    Look("omar", "Omar: buzz cut and beard, collared shirt", "male", "#b47a52", "#1b1411", "buzz", "shirt",
         iris="#2f1d12", beard=True),
)}
DEFAULT_LOOK = "ava"


def get_look(name: str | None) -> Look:
    key = (name or DEFAULT_LOOK).strip().lower()
    if key not in LOOKS:
        raise AvatarError(f"No presenter look named {name!r}; choose one of: {', '.join(LOOKS)}",
                          code="unknown_look", stage="avatar")
    return LOOKS[key]
