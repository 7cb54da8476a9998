"""The CLI, the API, the dashboard and campaigns describe the same job the same way.

Each entry point turns its own input (flags, a JSON body, a form, a campaign matrix) into a
JobSpec through pipelines.jobs.job_spec_build; given equivalent options the four plans are
identical, node for node, parameters and dependencies included.
"""

from pathlib import Path

import pytest

from pipelines.jobs import plan
from pipelines.product import AdScript, Scene
from pipelines.stages import NodeResult

URL = "https://shop.example/products/mug"

CASES = [
    {"variants": 2, "aspects": ["9:16", "1:1"], "platforms": [], "duration": 20, "language": "en"},
    {"variants": 1, "aspects": ["9:16"], "platforms": ["tiktok", "reels", "shorts"], "duration": 15,
     "language": "en"},
    {"variants": 3, "aspects": ["4:5", "16:9", "1:1"], "platforms": ["feed"], "duration": 30, "language": "zh"},
]


def _done(variants: int) -> dict[str, NodeResult]:
    scripts = [AdScript(variant_id=f"v{v}", framework="pas", hook="One.", cta="Buy", scenes=[
        Scene(voiceover="One.", visual="avatar"), Scene(voiceover="Two.", visual="product_image:0"),
        Scene(voiceover="Three.", visual="broll:steam")]).model_dump(mode="json") for v in range(variants)]
    return {"scrape": NodeResult("scrape", "scrape", "k0", {}, Path(".")),
            "script": NodeResult("script", "script", "k1", {"scripts": scripts}, Path("."))}


def _cli(case):
    from adgen.cli import build_parser, build_spec

    argv = ["make", URL, "--variants", str(case["variants"]), "--aspects", ",".join(case["aspects"]),
            "--duration", str(case["duration"]), "--language", case["language"], "--out", "unused"]
    if case["platforms"]:
        argv += ["--platform", ",".join(case["platforms"])]
    return build_spec(URL, build_parser().parse_args(argv))


def _api(case):
    from adgen.ads import services
    from adgen.ads.serializers import AdCreateSerializer

    body = {"url": URL, **{k: v for k, v in case.items() if v != []}}
    serializer = AdCreateSerializer(data=body, context={"workspace": None})
    assert serializer.is_valid(), serializer.errors
    options = {k: v for k, v in serializer.validated_data.items() if k not in ("url", "product", "brand_kit")}
    return services.job_spec_build(options=options, url=URL, product=None, brand_kit=None)


def _dashboard(case):
    from adgen.ads import services
    from adgen.dashboard.forms import ReviewForm

    form = ReviewForm(data={"title": "Mug", "variants": case["variants"], "aspects": case["aspects"],
                            "platforms": case["platforms"], "duration": case["duration"],
                            "language": case["language"], "tone": "friendly"})
    assert form.is_valid(), form.errors
    return services.job_spec_build(options=form.options(), url=URL, product=None, brand_kit=None)


def _campaign(case):
    from adgen.ads import services
    from adgen.campaigns.models import Campaign
    from adgen.campaigns.services import matrix_combinations

    matrix = {"variants": case["variants"], "aspects": case["aspects"], "duration": case["duration"],
              "languages": [case["language"]], **({"platforms": case["platforms"]} if case["platforms"] else {})}
    (options,) = matrix_combinations(Campaign(matrix=matrix, preview=False))
    return services.job_spec_build(options=options, url=URL, product=None, brand_kit=None)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=["two-aspects", "platforms", "zh-three-variants"])
def test_the_four_entry_points_plan_the_same_job(case, settings):
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = False
    specs = {name: build(case) for name, build in
             (("cli", _cli), ("api", _api), ("dashboard", _dashboard), ("campaign", _campaign))}
    # the CLI reads the private-hosts switch from its environment, the service from its settings
    specs = {name: spec.model_copy(update={"allow_private_hosts": False}) for name, spec in specs.items()}
    done = _done(case["variants"])
    plans = {name: [(n.id, n.stage, n.params_json(), n.deps, n.queue) for n in plan(spec, done)]
             for name, spec in specs.items()}
    assert plans["api"] == plans["cli"]
    assert plans["dashboard"] == plans["cli"]
    assert plans["campaign"] == plans["cli"]
    renders = [n for n in plans["cli"] if n[1] == "render"]
    assert len(renders) == case["variants"] * len(case["aspects"]) * max(1, len(case["platforms"]))
