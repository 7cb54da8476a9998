"""Product images are shown from the scrape's own copy (a tenant-scoped view), not the shop's
address: a shop on plain http (refused by the site's CSP) or one that has since removed the picture
still shows it in review and on the storyboard."""

from __future__ import annotations

import pytest

from adgen.ads.models import Product
from adgen.ops.selectors import artifact_store

pytestmark = pytest.mark.django_db
KEY = "a" * 64
SHOP_IMAGE = "http://shop.example.com/images/bed.jpg"


@pytest.fixture
def product(make_user, settings, tmp_path):
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ARTIFACT_STORE_URL = ""
    store = artifact_store()
    workdir = store.new_workdir()
    (workdir / "images").mkdir()
    (workdir / "images" / "0.jpg").write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    store.commit(workdir, KEY, {})
    owner = make_user()
    made = Product.objects.create(
        workspace=owner.workspace, url="http://shop.example.com/bed", status="ready", title="Cloud Nest Cat Bed",
        artifact_key=KEY, data={"url": "http://shop.example.com/bed", "title": "Cloud Nest Cat Bed"},
        images=[{"url": SHOP_IMAGE, "file": "images/0.jpg", "width": 8, "height": 8},
                {"url": "http://shop.example.com/images/escape.jpg", "file": "../../etc/passwd", "width": 8,
                 "height": 8}])
    made.owner = owner
    return made


def test_review_shows_our_copy_and_it_is_served_only_to_the_workspace(product, make_user):
    owner = product.owner
    page = owner.client.get(f"{owner.base}/products/{product.pk}/").content.decode()
    ours = f"{owner.base}/products/{product.pk}/images/0/"
    assert f'src="{ours}"' in page and SHOP_IMAGE not in page
    image = owner.client.get(ours)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == b"\xff\xd8\xff\xe0 a jpeg"
    assert owner.client.get(f"{owner.base}/products/{product.pk}/images/1/").status_code == 404  # outside the artifact
    assert owner.client.get(f"{owner.base}/products/{product.pk}/images/2/").status_code == 404
    stranger = make_user()
    assert stranger.client.get(f"{stranger.base}/products/{product.pk}/images/0/").status_code == 404
    assert stranger.client.get(ours).status_code == 404
