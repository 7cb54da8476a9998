"""Several jobs' exports side by side in one folder with one manifest (how the CLI packages)."""

import json
import zipfile

from pipelines.export import export_combine, export_files


def _batch(folder, title: str) -> None:
    folder.mkdir(parents=True)
    stem = "mug_v1_9x16_generic"
    for name in (f"{stem}.mp4", f"{stem}.srt", "mug_v1_post.txt"):
        (folder / name).write_text(f"{title} {name}")
    manifest = {"products": [{"url": f"https://shop.test/{title}", "product": {"title": title}, "variants": [
        {"id": "v1", "post_copy": "mug_v1_post.txt",
         "outputs": [{"file": f"{stem}.mp4", "captions": f"{stem}.srt", "captions_vtt": None, "thumbnail": None,
                      "aspect": "9:16"}]}]}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_exports_keep_their_names_and_a_clash_gets_its_own_folder(tmp_path):
    _batch(tmp_path / "a", "Mug")
    _batch(tmp_path / "b", "Mug")  # another shop's product with the same title
    out = tmp_path / "out"
    manifest = export_combine([tmp_path / "a", tmp_path / "b"], out, engines={"voice": "espeak"},
                              timings_s={"total": 1.0}, failed=[], zip=True)
    names = export_files(manifest)
    assert names == ["mug_v1_9x16_generic.mp4", "mug_v1_9x16_generic.srt", "mug_v1_post.txt",
                     "product-2/mug_v1_9x16_generic.mp4", "product-2/mug_v1_9x16_generic.srt",
                     "product-2/mug_v1_post.txt"]
    assert all((out / name).is_file() for name in names)
    assert (out / "product-2/mug_v1_post.txt").read_text() == "Mug mug_v1_post.txt"
    assert json.loads((out / "manifest.json").read_text()) == {k: v for k, v in manifest.items() if k != "zip"}
    assert manifest["failed"] == [] and manifest["engines"] == {"voice": "espeak"}
    with zipfile.ZipFile(tmp_path / manifest["zip"]) as zf:
        assert sorted(zf.namelist()) == sorted([f"out/{n}" for n in names] + ["out/manifest.json"])
