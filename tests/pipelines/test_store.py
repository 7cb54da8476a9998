"""The local artifact store: atomic publish, first writer wins, a capped folder that evicts
least recently used artifacts no active job references."""

from __future__ import annotations

import os
import threading
import time

import pytest

from pipelines import store as store_module
from pipelines.store import ArtifactMissing, ArtifactStore, open_store


@pytest.fixture(autouse=True)
def only_this_tests_references(monkeypatch):
    """The store alone: no reference source another app (the service's database) registered."""
    monkeypatch.setattr(store_module, "_reference_sources", [])


def build(store: ArtifactStore, key: str, payload: bytes, **meta) -> None:
    work = store.new_workdir()
    (work / "out.bin").write_bytes(payload)
    (work / "sub").mkdir()
    (work / "sub" / "note.txt").write_text(key)
    store.commit(work, key, {"bytes": len(payload), **meta})


def key(n: int) -> str:
    return f"{n:02x}" + "ab" * 31


def test_commit_publishes_a_complete_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ARTIFACT_STORE_URL", raising=False)
    store = ArtifactStore(tmp_path / "a")
    assert type(store) is ArtifactStore and store.backend == "local"
    work = store.new_workdir()
    (work / "out.bin").write_bytes(b"half")
    assert not store.has(key(1))  # a build in progress is not an artifact
    with pytest.raises(ArtifactMissing):
        store.meta(key(1))
    path = store.commit(work, key(1), {"n": 1})
    assert store.has(key(1)) and store.meta(key(1)) == {"n": 1}
    assert store.path(key(1)) == path and (path / "out.bin").read_bytes() == b"half"
    assert not work.exists() and not any((store.root / "tmp").iterdir())


def test_two_writers_racing_on_one_key_keep_one(tmp_path):
    store = ArtifactStore(tmp_path / "a", url="")
    works = []
    for n in range(8):
        work = store.new_workdir()
        (work / "out.bin").write_bytes(f"writer {n}".encode())
        works.append((n, work))
    barrier = threading.Barrier(len(works))

    def commit(n, work):
        barrier.wait()
        store.commit(work, key(7), {"writer": n})

    threads = [threading.Thread(target=commit, args=item) for item in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winner = store.meta(key(7))["writer"]
    assert (store.path(key(7)) / "out.bin").read_bytes() == f"writer {winner}".encode()
    assert not any((store.root / "tmp").iterdir())  # the losers' folders are gone


def test_capped_folder_evicts_least_recently_used_but_keeps_referenced(tmp_path):
    size = 100_000
    store = ArtifactStore(tmp_path / "a", url="", cache_max_bytes=5 * size + 50_000, grace_s=0)
    active = {key(0)}
    source = lambda: active  # noqa: E731  (what the service reads from unfinished jobs)
    store_module.register_reference_source(source)
    try:
        for n in range(12):
            build(store, key(n), os.urandom(size))
            if n == 3:
                store.path(key(1))  # used again: now among the most recent
            stats = store.stats()
            assert stats.bytes <= stats.cap_bytes, (n, stats)
            time.sleep(0.01)  # distinct mtimes for the LRU order
        present = {n for n in range(12) if store.has(key(n))}
        assert 0 in present  # an active job references it: never evicted
        assert {9, 10, 11} <= present  # the newest stay
        assert 2 not in present and 3 not in present  # old and unused: evicted
        assert store.stats().artifacts == len(present) <= 5
    finally:
        store_module.unregister_reference_source(source)


def test_grace_period_and_explicit_prune(tmp_path):
    store = ArtifactStore(tmp_path / "a", url="", cache_max_bytes=0)  # no cap: nothing automatic
    for n in range(4):
        build(store, key(n), b"x" * 10_000)
    assert store.stats().artifacts == 4
    result = store.prune(max_bytes=15_000, grace_s=3600)  # all used just now: kept
    assert result.evicted == 0 and result.kept_referenced == 4
    result = store.prune(max_bytes=15_000, grace_s=0, protect={key(0)})
    assert result.evicted == 3 and result.bytes_after <= 15_000 and store.has(key(0))
    stale = store.root / "tmp" / "build-crashed"
    stale.mkdir()
    old = time.time() - 2 * store_module.STALE_BUILD_S
    os.utime(stale, (old, old))
    assert store.prune().stale_builds_removed == 1 and not stale.exists()


def test_a_reference_source_that_fails_evicts_nothing(tmp_path):
    store = ArtifactStore(tmp_path / "a", url="", cache_max_bytes=0)
    for n in range(3):
        build(store, key(n), b"x" * 10_000)

    def broken():
        raise ConnectionError("database restarting")

    store_module.register_reference_source(broken)
    try:
        assert store.prune(max_bytes=1, grace_s=0).evicted == 0
    finally:
        store_module.unregister_reference_source(broken)
    assert store.stats().artifacts == 3


def test_open_store_refuses_an_unknown_url(tmp_path):
    with pytest.raises(ValueError, match="s3://"):
        open_store(tmp_path, "gs://bucket/x")
    assert open_store(tmp_path, "").backend == "local"
