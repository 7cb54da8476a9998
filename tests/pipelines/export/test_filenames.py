"""render_filename: the one name a delivered file has in the export, the dashboard and the API."""

from __future__ import annotations

from pipelines.export import archive_filename, post_copy_filename, render_filename


def test_name_carries_product_variant_aspect_and_platform():
    assert render_filename("Cloud Nest Calming Cat Bed", 0, "9:16", "tiktok", "mp4") == \
        "cloud-nest-calming-cat-bed_v1_9x16_tiktok.mp4"
    assert render_filename("Cloud Nest Calming Cat Bed", 1, "16:9", None, ".jpg") == \
        "cloud-nest-calming-cat-bed_v2_16x9_generic.jpg"
    assert post_copy_filename("Cloud Nest Calming Cat Bed", 2) == "cloud-nest-calming-cat-bed_v3_post.txt"


def test_name_is_ascii_and_safe_in_any_file_system():
    name = render_filename("Crème Brûlée Torch / 2-in-1 \"Pro\" <Édition> ✨", 0, "4:5", "instagram", "mp4")
    assert name == "creme-brulee-torch-2-in-1-pro-edition_v1_4x5_instagram.mp4"
    assert name.isascii() and not set('/\\:*?"<>| ') & set(name)


def test_a_non_latin_title_falls_back_to_the_page_name():
    name = render_filename("小米智能猫窝 2", 0, "1:1", None, "mp4",
                           product_url="https://shop.example.cn/p/smart-cat-bed.html")
    assert name == "smart-cat-bed_v1_1x1_generic.mp4"
    assert render_filename("", 0, "1:1", None, "mp4") == "item_v1_1x1_generic.mp4"  # never an empty stem


def test_products_sharing_a_title_in_one_export_are_numbered():
    assert render_filename("Mug", 0, "9:16", None, "mp4", same_title_number=2) == "mug-2_v1_9x16_generic.mp4"


def test_the_jobs_zip_carries_the_product_and_the_job():
    assert archive_filename("Cloud Nest Calming Cat Bed", "1a2b3c4d-0000-4000-8000-000000000000") == \
        "cloud-nest-calming-cat-bed_1a2b3c4d.zip"


def test_a_long_name_is_cut_between_words_and_a_usual_one_kept_whole():
    assert render_filename("Falcon Ascent Model Rocket Launch Kit", 0, "9:16", None, "mp4") == \
        "falcon-ascent-model-rocket-launch-kit_v1_9x16_generic.mp4"
    long = render_filename("Stainless Steel Dog Bowls, Set of 2, Non-Slip Rubber Base, Dishwasher Safe", 0,
                           "1:1", None, "mp4")
    assert long == "stainless-steel-dog-bowls-set-of-2-non-slip_v1_1x1_generic.mp4"
