"""The scene roles and ad frameworks the script writers use, with the plain words a marketer reads
for each: the dashboard shows these names, never the codes ("problem", "pas")."""

from __future__ import annotations

# role code -> scene name; the writers give every scene one of these roles (the offline writer's
# drafts in pipelines.script.template; the LLM writer's schema lists them from here)
SCENE_ROLES: dict[str, str] = {
    "hook": "Opening hook",
    "problem": "The problem",
    "agitate": "Why it bothers you",
    "solution": "The fix",
    "interest": "Meet the product",
    "demo": "First look",
    "feature": "Why it helps",
    "proof": "Proof",
    "offer": "The offer",
    "urgency": "Why now",
    "cta": "Call to action",
}
UNNAMED_SCENE = "Scene"

# framework code (every one of pipelines.jobs.FRAMEWORKS) -> what the ad does, in a few words
FRAMEWORK_NAMES: dict[str, str] = {
    "pas": "Problem → fix",
    "ugc": "Personal review",
    "listicle": "Reasons to buy",
    "aida": "Product introduction",
    "offer": "Sale offer",
    "demo": "Product demo",
}


def scene_name(role: str | None) -> str:
    return SCENE_ROLES.get((role or "").strip().lower(), UNNAMED_SCENE)


def framework_name(framework: str | None) -> str:
    """The framework's plain name; "" for one a writer made up (better no caption than a code)."""
    return FRAMEWORK_NAMES.get((framework or "").strip().lower(), "")


__all__ = ["SCENE_ROLES", "FRAMEWORK_NAMES", "UNNAMED_SCENE", "scene_name", "framework_name"]
