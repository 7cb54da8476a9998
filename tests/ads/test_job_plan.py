"""The job plan where an API user meets it: what is quoted is what is held is what is rendered,
impossible jobs are refused before credits move, and a job that cannot go on ends with a code."""

from __future__ import annotations

import pytest

from adgen.ads import services
from adgen.ads.models import AdJob, StageRun
from adgen.ads.lifecycle import job_advance, stage_run_execute

pytestmark = pytest.mark.django_db

URL = "https://shop.test/p/1"
PLATFORMS = ["tiktok", "reels", "shorts", "feed", "youtube"]


def _balance(organization):
    from adgen.billing.selectors import account_balance

    return account_balance(organization=organization)


def _render_nodes(job: AdJob) -> list[str]:
    from pathlib import Path

    from pipelines.jobs import JobSpec, plan
    from pipelines.product import AdScript, Scene
    from pipelines.stages import NodeResult

    spec = JobSpec.model_validate(job.spec)
    script = AdScript(variant_id="v", framework="pas", hook="Hi.", cta="Buy",
                      scenes=[Scene(voiceover="Hi.", visual="avatar")]).model_dump(mode="json")
    done = {"scrape": NodeResult("scrape", "scrape", "k", {}, Path(".")),
            "script": NodeResult("script", "script", "k", {"scripts": [script] * spec.variants}, Path("."))}
    return [n.id for n in plan(spec, done) if n.stage == "render"]


def test_quote_equals_hold_equals_renders_for_a_multi_platform_job(make_tenant):
    a = make_tenant()
    options = {"variants": 1, "aspects": ["9:16"], "platforms": PLATFORMS, "duration": 10}
    quote = a.client.post(f"{a.base}/ads/quote/", options, format="json")
    assert quote.status_code == 200, quote.content
    assert quote.json()["credits"] == 5 * 10  # five videos of 10 s at 1 credit a second
    before = _balance(a.organization)
    response = a.client.post(f"{a.base}/ads/", {"url": URL, **options}, format="json")
    assert response.status_code == 202, response.content
    job = AdJob.objects.for_workspace(a.workspace).get(pk=response.json()["id"])
    assert job.quoted_credits == quote.json()["credits"]
    assert _balance(a.organization).held == before.held + job.quoted_credits
    assert len(_render_nodes(job)) == 5


def test_a_quote_without_duration_prices_the_jobs_own_default(make_tenant):
    a = make_tenant()
    quote = a.client.post(f"{a.base}/ads/quote/", {"variants": 1, "aspects": ["9:16"]}, format="json").json()
    job = a.client.post(f"{a.base}/ads/", {"url": URL, "variants": 1, "aspects": ["9:16"]}, format="json").json()
    assert AdJob.objects.for_workspace(a.workspace).get(pk=job["id"]).quoted_credits == quote["credits"]


def test_fifty_copies_of_one_aspect_make_one_render(make_tenant):
    a = make_tenant()
    response = a.client.post(f"{a.base}/ads/", {"url": URL, "variants": 1, "aspects": ["9:16"] * 50,
                                                "duration": 8}, format="json")
    assert response.status_code == 202, response.content
    job = AdJob.objects.for_workspace(a.workspace).get(pk=response.json()["id"])
    assert job.spec["aspects"] == ["9:16"] and _render_nodes(job) == ["render:0:9x16"]
    assert job.quoted_credits == 8


def test_an_unknown_engine_is_a_400_that_lists_the_valid_ones(make_tenant):
    a = make_tenant()
    response = a.client.post(f"{a.base}/ads/", {"url": URL, "engines": {"render": "nope"}}, format="json")
    assert response.status_code == 400 and "ffmpeg" in response.content.decode()
    response = a.client.post(f"{a.base}/ads/", {"url": URL, "engines": {"avatar": "hologram"}}, format="json")
    assert response.status_code == 400 and "puppet" in response.content.decode()
    assert not AdJob.objects.for_workspace(a.workspace).exists()


def test_without_a_hold_function_jobs_are_refused_not_run_free(make_tenant, monkeypatch):
    from adgen.billing import services as billing_services

    a = make_tenant()
    monkeypatch.delattr(billing_services, "credits_hold")
    with pytest.raises(AttributeError):
        services.job_submit(workspace=a.workspace, options={"variants": 1, "aspects": ["9:16"]}, url=URL)
    assert not AdJob.objects.for_workspace(a.workspace).exists()


def test_an_uploaded_portrait_drives_the_photo_presenter(make_tenant, tmp_path, settings):
    from django.core.files.base import ContentFile
    from PIL import Image
    import io

    from adgen.ads.models import BrandKit

    settings.MEDIA_ROOT = str(tmp_path)
    a = make_tenant()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "tan").save(buffer, "JPEG")
    kit = BrandKit.objects.create(workspace=a.workspace, name="Kit")
    kit.presenter_image.save("me.jpg", ContentFile(buffer.getvalue()))
    response = a.client.post(f"{a.base}/ads/", {"url": URL, "variants": 1, "aspects": ["9:16"],
                                                "brand_kit": str(kit.pk)}, format="json")
    assert response.status_code == 202, response.content
    job = AdJob.objects.for_workspace(a.workspace).get(pk=response.json()["id"])
    assert job.spec["engines"]["avatar"] == "photo"
    assert job.spec["brand"]["presenter"].endswith(".jpg")


def test_a_plan_that_cannot_go_on_fails_with_a_code_and_releases_its_hold(make_tenant):
    a = make_tenant()
    before = _balance(a.organization)
    job = services.job_submit(workspace=a.workspace, options={"variants": 1, "aspects": ["9:16"]}, url=URL)
    # a run whose dependency will never exist (as a corrupted or hand-edited plan would have)
    StageRun.objects.for_workspace(a.workspace).filter(job=job).update(status=StageRun.Status.PENDING)
    StageRun.objects.for_workspace(a.workspace).filter(job=job, node_id="scrape").update(deps=["nowhere"])
    job = job_advance(job.pk)
    assert job.status == AdJob.Status.FAILED and job.error_code == "plan_stalled"
    assert _balance(a.organization) == before


def test_inputs_that_keep_vanishing_fail_the_job_within_its_attempts(make_tenant, settings):
    a = make_tenant()
    before = _balance(a.organization)
    job = services.job_submit(workspace=a.workspace, options={"variants": 1, "aspects": ["9:16"]}, url=URL)
    StageRun.objects.for_workspace(a.workspace).filter(job=job, node_id="scrape").update(status=StageRun.Status.DONE,
                                                              artifact_key="0" * 64)
    script = StageRun.objects.for_workspace(a.workspace).get(job=job, node_id="script")
    script.status, script.attempt = StageRun.Status.QUEUED, settings.ADGEN_STAGE_MAX_ATTEMPTS - 1
    script.save(update_fields=["status", "attempt"])
    assert stage_run_execute(script.pk) == "failed"
    job.refresh_from_db()
    assert job.status == AdJob.Status.FAILED and job.error_code == "input_missing"
    assert _balance(a.organization) == before


def test_warnings_of_the_scripts_and_voices_reach_the_api(make_tenant):
    from adgen.ads.models import Variant

    a = make_tenant()
    job = services.job_submit(workspace=a.workspace, options={"variants": 1, "aspects": ["9:16"]}, url=URL)
    Variant.objects.create(workspace=a.workspace, job=job, index=0, script={
        "hook": "Hi", "scenes": [], "warnings": ["The page is in Chinese; this ad is in English."]})
    StageRun.objects.for_workspace(a.workspace).create(
        workspace=a.workspace, job=job, node_id="voice:0", stage="voice", queue="cpu", status=StageRun.Status.DONE,
        artifacts={"notice": "Basic voice: download a natural voice with adgen models pull."})
    body = a.client.get(f"{a.base}/ads/{job.pk}/").json()
    assert body["warnings"] == ["The page is in Chinese; this ad is in English.",
                                "Basic voice: download a natural voice with adgen models pull."]


def test_a_kits_voice_direction_reaches_the_voice_stage(make_tenant):
    from adgen.ads.models import BrandKit

    a = make_tenant()
    bad = a.client.post(f"{a.base}/brand-kits/", {"name": "K", "pronunciations": {"Xiaomi": 3}}, format="json")
    assert bad.status_code == 400 and "pronunciations" in bad.content.decode()
    kit = a.client.post(f"{a.base}/brand-kits/", {"name": "K", "voice_rate": 1.1, "voice_pitch": -2,
                                                  "pronunciations": {"Xiaomi": "show me"}}, format="json")
    assert kit.status_code == 201, kit.content
    job = services.job_submit(workspace=a.workspace, options={"variants": 1, "aspects": ["9:16"]}, url=URL,
                              brand_kit=BrandKit.objects.for_workspace(a.workspace).get())
    from pipelines.jobs import JobSpec

    assert JobSpec.model_validate(job.spec).voice_settings() == {
        "rate": 1.1, "pitch_semitones": -2.0, "lexicon": {"Xiaomi": "show me"}}
