"""The campaign form: the schedule picker writes the cron the campaign stores and shows it again
on edit; the campaign page says the schedule in words; each source kind needs its own field."""

from __future__ import annotations

import re

import pytest

from adgen.campaigns.models import Campaign

pytestmark = pytest.mark.django_db

BASE = {"max_products": "10", "variants": "1", "aspects": ["9:16"], "languages": ["en"], "duration": "8",
        "enabled": "on"}


def test_weekly_picker_is_stored_as_cron_and_shown_again(make_user):
    owner = make_user()
    response = owner.client.post(f"{owner.base}/campaigns/new/", {
        **BASE, "name": "Mondays", "source_kind": "urls", "source_urls": "https://shop.example.com/a",
        "schedule_frequency": "weekly", "schedule_weekday": "mon", "schedule_time": "09:30",
        "time_zone": "Europe/Paris", "schedule": "ignored unless Advanced"})
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.for_workspace(owner.workspace).get()
    assert (campaign.schedule, campaign.time_zone) == ("30 9 * * mon", "Europe/Paris")
    page = owner.client.get(response.url).content.decode()
    assert "Every Monday at 09:30 Europe/Paris" in page and "<code>30 9" not in page
    edit = owner.client.get(f"{owner.base}/campaigns/{campaign.pk}/edit/").content.decode()
    assert '<option value="weekly" selected>' in edit and '<option value="mon" selected>' in edit
    assert 'value="09:30"' in edit and 'value="Europe/Paris"' in edit


def test_manual_and_advanced(make_user):
    owner = make_user()
    data = {**BASE, "name": "By hand", "source_kind": "urls", "source_urls": "https://shop.example.com/a",
            "schedule_frequency": "manual", "schedule_time": "09:00", "time_zone": "UTC"}
    assert owner.client.post(f"{owner.base}/campaigns/new/", data).status_code == 302
    assert Campaign.objects.for_workspace(owner.workspace).get().schedule == ""
    missing = owner.client.post(f"{owner.base}/campaigns/new/", {**data, "name": "Adv", "schedule_frequency": "custom"})
    assert missing.status_code == 200 and "Write the cron expression" in missing.content.decode()
    ok = owner.client.post(f"{owner.base}/campaigns/new/", {**data, "name": "Adv", "schedule_frequency": "custom",
                                                           "schedule": "0 9 1 * *"})
    assert ok.status_code == 302
    campaign = Campaign.objects.for_workspace(owner.workspace).get(name="Adv")
    assert campaign.schedule == "0 9 1 * *"
    edit = owner.client.get(f"{owner.base}/campaigns/{campaign.pk}/edit/").content.decode()
    assert '<option value="custom" selected>' in edit and 'value="0 9 1 * *"' in edit
    bad_zone = owner.client.post(f"{owner.base}/campaigns/new/", {**data, "name": "Zone", "schedule_frequency": "daily",
                                                                 "time_zone": "Mars/Olympus"})
    assert bad_zone.status_code == 200 and "Unknown time zone" in bad_zone.content.decode()


def test_each_source_kind_needs_its_own_field(make_user):
    owner = make_user()
    common = {**BASE, "name": "Feed", "schedule_frequency": "manual", "time_zone": "UTC"}
    # a sitemap with product URLs pasted but no sitemap URL: refused on the sitemap URL field
    # (and a feed URL left over from another kind is not sent, so it cannot block a URL list)
    response = owner.client.post(f"{owner.base}/campaigns/new/", {
        **common, "source_kind": "sitemap", "source_urls": "https://shop.example.com/a"})
    html = response.content.decode()
    assert response.status_code == 200 and "needs the feed" in html
    assert re.search(r'has-error">\s*<label for="id_source_url"', html)
    response = owner.client.post(f"{owner.base}/campaigns/new/", {**common, "source_kind": "urls",
                                                                 "source_url": "https://shop.example.com/feed.xml"})
    html = response.content.decode()
    assert response.status_code == 200 and "at least one product URL" in html, re.findall(r'class="error".*', html)
    assert not Campaign.objects.for_workspace(owner.workspace).exists()
    # the form marks which fields belong to which kind (the JS hides the others; without JS all show)
    form = owner.client.get(f"{owner.base}/campaigns/new/").content.decode()
    assert 'data-show-for="source_kind" data-values="shopify merchant sitemap"' in form
    assert "campaign_form.js" in form and " hidden" not in form.split("<main", 1)[1].split("datalist")[0]
