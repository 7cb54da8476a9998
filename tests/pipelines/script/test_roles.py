"""Plain names for the writers' codes: every scene role and framework a writer uses has one."""

from __future__ import annotations

from pipelines.jobs import FRAMEWORKS
from pipelines.script import ScriptOptions, write_scripts
from pipelines.script.llm import script_schema
from pipelines.script.roles import FRAMEWORK_NAMES, SCENE_ROLES, UNNAMED_SCENE, framework_name, scene_name

from .products import built_products, fixture_products


def test_every_framework_has_a_plain_name():
    assert set(FRAMEWORK_NAMES) == set(FRAMEWORKS)
    assert framework_name("PAS") == "Problem → fix" and framework_name("made-up") == ""


def test_every_role_the_template_writer_gives_has_a_scene_name():
    products = {**built_products(), **fixture_products()}
    seen_roles, seen_frameworks = set(), set()
    for product in products.values():  # the writer's own test's settings (test_template.py)
        for language in ("en", "zh"):
            for duration in (15,):
                for script in write_scripts(product, ScriptOptions(variants=4, duration_s=duration, language=language,
                                                                   seed=1)):
                    seen_frameworks.add(script.framework)
                    seen_roles.update(scene.role for scene in script.scenes)
    assert seen_roles <= set(SCENE_ROLES), seen_roles - set(SCENE_ROLES)
    assert seen_frameworks == set(FRAMEWORKS)
    assert scene_name("cta") == "Call to action" and scene_name("") == UNNAMED_SCENE


def test_the_llm_writer_is_offered_the_same_roles():
    role = script_schema()["properties"]["scenes"]["items"]["properties"]["role"]
    assert role["description"].split(" | ") == list(SCENE_ROLES)
