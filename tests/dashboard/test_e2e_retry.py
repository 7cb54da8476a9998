"""A failed job is not a dead end, in a real browser with a real worker: an ad for a product link
whose page does not answer (a loopback port nobody listens on) fails; its page says what happened
and what to do (the raw error folded under "Technical details"); "Edit the link and retry" opens the
create page with that link filled in; the working store link goes through review (the failed
job's options filled in) and scripts, and the new job succeeds. Screenshots of the failed job page
at 390 and 1280 px go to out/screenshots/ (job-failed-*.png)."""

from __future__ import annotations

import re
import socket

import pytest

from tests.ads.test_workers import broker_url, redis_actors  # noqa: F401  (fixtures)
from tests.dashboard.test_e2e import PRODUCT, browser, shoot, sign_up, workers  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def dead_link() -> str:
    """A loopback port that was free a moment ago: nothing answers there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/products/gone.html"


def test_a_failed_job_says_what_to_do_and_a_different_link_succeeds(workers, browser, live_server,  # noqa: F811
                                                                    store_url):
    from adgen.ads import services
    from adgen.ads.models import AdJob
    from tenants.models import Workspace

    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    sign_up(page, base, "retry@example.com", "Retry Brand")
    workspace_url = page.url
    workspace = Workspace.objects.get(pk=re.search(r"/workspaces/([0-9a-f-]{36})/", workspace_url).group(1))

    # an ad submitted for a link whose page does not answer (as an API client would submit it)
    link = dead_link()
    job = services.job_submit(workspace=workspace, url=link, options={
        "variants": 1, "aspects": ["9:16"], "duration": 8, "preview": True})
    page.goto(f"{workspace_url}jobs/{job.pk}/")
    page.wait_for_selector("#job-status:has-text('failed')", timeout=120_000)
    job.refresh_from_db()
    assert job.status == AdJob.Status.FAILED and job.error_code == "unreachable", (job.error_code, job.error_message)

    # the page says what happened and what to do, in words; the raw error is for support
    assert page.inner_text("#failure-title") == "The product page did not answer"
    assert "Check the link opens in your browser" in page.inner_text("#failure-next")
    assert "Reading the product page" in page.inner_text("#failure")
    assert not page.is_visible("details.tech code")
    shoot(page, "job-failed")
    page.click("details.tech summary")
    assert page.inner_text("details.tech code") == "unreachable"

    # Edit the link and retry: the create page with the link filled in, then the working store link
    page.click("text=Edit the link and retry")
    page.wait_for_url(re.compile(r"/create/\?url="))
    assert page.input_value("#id_url") == link
    page.fill("#id_url", f"{store_url}/{PRODUCT}")
    page.click("button:has-text('Read the page')")
    page.wait_for_selector("text=Review the product", timeout=90_000)
    # the failed job's options came along (the review page's defaults are 2 variants, 20 s)
    assert page.input_value("#id_variants") == "1" and page.input_value("#id_duration") == "8"
    page.click("button:has-text('Write scripts')")
    page.wait_for_selector("text=Variant 1")
    page.click("button:has-text('Generate')")
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    assert str(job.pk) not in page.url
    page.wait_for_selector("#job-status:has-text('succeeded'), #job-status:has-text('failed')", timeout=240_000)
    assert page.text_content("#job-status").strip() == "succeeded", (
        page.inner_text("#progress") + "\n" + workers.log.read_text(errors="replace")[-3000:])
    assert page.locator("#failure").count() == 0 and page.locator("#worker-banner").count() == 0
