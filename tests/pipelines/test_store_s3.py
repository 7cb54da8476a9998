"""The artifact store on an S3-compatible bucket (moto's server on loopback: the real wire
protocol), each "worker" with its own local cache folder."""

from __future__ import annotations

import logging
import os
import threading
import time

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from pipelines import store as store_module
from pipelines.store import ArtifactMissing, ArtifactStore, open_store
from pipelines.store import S3ArtifactStore

BUCKET = "adgen-artifacts"


@pytest.fixture(autouse=True)
def only_this_tests_references(monkeypatch):
    """The store alone: no reference source another app (the service's database) registered."""
    monkeypatch.setattr(store_module, "_reference_sources", [])


@pytest.fixture
def moto_s3(monkeypatch):
    """A loopback S3 endpoint with an empty bucket; the environment points boto3 at it."""
    for name, value in {"AWS_ACCESS_KEY_ID": "adgen-test", "AWS_SECRET_ACCESS_KEY": "adgen-test-secret",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("S3_ENDPOINT_URL", endpoint)
    httpx.post(f"{endpoint}/moto-api/reset", timeout=30)  # moto keeps buckets per process: start empty
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    client.endpoint = endpoint
    yield client
    server.stop()


URL = f"s3://{BUCKET}/prod/artifacts"


def key(n: int) -> str:
    return f"{n:02x}" + "cd" * 31


def build(store, k: str, payload: bytes, **meta):
    work = store.new_workdir()
    (work / "clip.bin").write_bytes(payload)
    (work / "parts").mkdir()
    (work / "parts" / "words.json").write_text('{"words": []}')
    return store.commit(work, k, {"size": len(payload), **meta})


def test_the_url_selects_the_bucket_and_the_folder_becomes_its_cache(moto_s3, tmp_path, monkeypatch):
    monkeypatch.setenv("ARTIFACT_STORE_URL", URL)
    store = ArtifactStore(tmp_path / "cache")  # what every caller writes, unchanged
    assert isinstance(store, S3ArtifactStore) and (store.bucket, store.prefix) == (BUCKET, "prod/artifacts")
    assert open_store(tmp_path / "other").backend == "s3"
    assert open_store(tmp_path / "local", "").backend == "local"


def test_another_worker_reads_what_one_published(moto_s3, tmp_path):
    io_worker = S3ArtifactStore(tmp_path / "io", URL)
    cpu_worker = S3ArtifactStore(tmp_path / "cpu", URL)
    payload = os.urandom(300_000)
    build(io_worker, key(1), payload, stage="scrape")
    assert cpu_worker.has(key(1)) and not cpu_worker.has_local(key(1))
    assert cpu_worker.meta(key(1)) == {"size": 300_000, "stage": "scrape"}  # from the ref: no download
    assert not cpu_worker.has_local(key(1))
    path = cpu_worker.path(key(1))  # fetched into this worker's cache on demand
    assert path.is_relative_to(cpu_worker.root) and (path / "clip.bin").read_bytes() == payload
    assert (path / "parts" / "words.json").read_text() == '{"words": []}'
    assert cpu_worker.has_local(key(1))
    names = [o["Key"] for o in moto_s3.list_objects_v2(Bucket=BUCKET, Prefix="prod/artifacts/")["Contents"]]
    assert f"prod/artifacts/refs/{key(1)[:2]}/{key(1)}.json" in names
    assert sum("/data/" in n for n in names) == 3  # clip, words, meta


def test_an_unfinished_publish_is_invisible(moto_s3, tmp_path, monkeypatch):
    writer = S3ArtifactStore(tmp_path / "w", URL)
    reader = S3ArtifactStore(tmp_path / "r", URL)
    work = writer.new_workdir()
    for n in range(3):
        (work / f"part{n}.bin").write_bytes(os.urandom(1000))
    calls = {"n": 0}
    real_upload = writer.client.upload_file

    def dies_on_the_second_file(*args, **kwargs):  # the worker is killed mid-upload
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return real_upload(*args, **kwargs)

    monkeypatch.setattr(writer.client, "upload_file", dies_on_the_second_file)  # the client is shared
    with pytest.raises(KeyboardInterrupt):
        writer.commit(work, key(2), {})
    assert calls["n"] == 2
    assert not reader.has(key(2))
    with pytest.raises(ArtifactMissing):
        reader.path(key(2))


def test_workers_racing_on_one_key_keep_one(moto_s3, tmp_path):
    workers = [S3ArtifactStore(tmp_path / f"w{n}", URL) for n in range(4)]
    barrier = threading.Barrier(len(workers))
    paths = {}

    def publish(n):
        store = workers[n]
        work = store.new_workdir()
        (work / "clip.bin").write_bytes(f"take {n}".encode() * 1000)
        barrier.wait()
        paths[n] = store.commit(work, key(3), {"take": n})

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    takes = {workers[n].meta(key(3))["take"] for n in range(len(workers))}
    assert len(takes) == 1  # every worker now holds the winner's artifact
    [winner] = takes
    for n, store in enumerate(workers):
        assert (paths[n] / "clip.bin").read_bytes() == f"take {winner}".encode() * 1000
    data = moto_s3.list_objects_v2(Bucket=BUCKET, Prefix=f"prod/artifacts/data/{key(3)[:2]}/{key(3)}/")["Contents"]
    assert len({o["Key"].split("/")[5] for o in data}) == 1  # the losers deleted their uploads


def test_deleted_from_the_bucket_is_missing_for_workers_without_a_copy(moto_s3, tmp_path):
    writer = S3ArtifactStore(tmp_path / "w", URL)
    build(writer, key(4), b"abc")
    S3ArtifactStore(tmp_path / "admin", URL).delete(key(4))
    other = S3ArtifactStore(tmp_path / "o", URL)
    assert not other.has(key(4))
    with pytest.raises(ArtifactMissing):
        other.path(key(4))
    with pytest.raises(ArtifactMissing):
        other.meta(key(4))


def test_soak_keeps_each_cache_under_its_cap(moto_s3, tmp_path):
    """60 small jobs of 3 artifacts each, published by one worker and read by another, both
    with a 2 MB cache; the active job's artifacts are referenced and never evicted."""
    cap = 2_000_000
    producer = S3ArtifactStore(tmp_path / "producer", URL, cache_max_bytes=cap, grace_s=0)
    consumer = S3ArtifactStore(tmp_path / "consumer", URL, cache_max_bytes=cap, grace_s=0)
    active: set[str] = set()
    store_module.register_reference_source(lambda: set(active))
    peaks = {"producer": 0, "consumer": 0}
    jobs, per_job, size = 60, 3, 150_000
    started = time.perf_counter()
    for job in range(jobs):
        keys = [f"{job:04x}{n:02x}" + "ef" * 29 for n in range(per_job)]
        active.clear()
        active.update(keys)
        for k in keys:
            build(producer, k, os.urandom(size), job=job)
            peaks["producer"] = max(peaks["producer"], producer.stats().bytes)
        for k in keys:  # the next stage runs elsewhere: it reads them through its cache
            assert (consumer.path(k) / "clip.bin").stat().st_size == size
            peaks["consumer"] = max(peaks["consumer"], consumer.stats().bytes)
        for k in keys:
            assert consumer.has_local(k)  # the active job's inputs are never evicted
    elapsed = time.perf_counter() - started
    final = {"producer": producer.stats(), "consumer": consumer.stats()}
    bucket_bytes = sum(o["Size"] for page in moto_s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
                       for o in page.get("Contents", []))
    print(f"\nsoak: {jobs} jobs x {per_job} artifacts x {size} B, cap {cap} B per cache, {elapsed:.1f} s")
    for name in ("producer", "consumer"):
        s = final[name]
        print(f"  {name}: peak {peaks[name]} B, final {s.bytes} B in {s.artifacts} artifacts")
    print(f"  bucket: {bucket_bytes} B")
    assert peaks["producer"] <= cap and peaks["consumer"] <= cap
    assert bucket_bytes >= jobs * per_job * size  # the bucket keeps everything; caches only the recent
    assert all(S3ArtifactStore(tmp_path / "late", URL).has(f"{0:04x}{n:02x}" + "ef" * 29) for n in range(per_job))
