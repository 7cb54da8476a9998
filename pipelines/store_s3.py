"""The artifact store on an S3-compatible bucket, with a bounded local read-through cache.

Selected by `ARTIFACT_STORE_URL=s3://bucket/prefix`; the endpoint and credentials are boto3's
usual ones (`S3_ENDPOINT_URL` for MinIO, R2, moto...; `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION` or a profile/role).

Layout under the prefix:

    data/ab/<key>/<upload id>/<files...>   one folder per publish attempt, never overwritten
    refs/ab/<key>.json                     {"upload", "files": [{name, size, sha256}], "meta"}

A publish uploads its files under a fresh upload id, then writes the ref with
`If-None-Match: *`, so the artifact becomes visible only when complete and, when two workers
race on one key, the first ref wins; the loser deletes its upload and uses the winner's. An
endpoint that ignores the condition still never mixes two uploads: a ref names one upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from pipelines.store import META, ArtifactMissing, ArtifactStore, canonical_json

S3_ENDPOINT_ENV = "S3_ENDPOINT_URL"
REFS_REMEMBERED = 4096


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url!r}")
    return bucket, prefix.strip("/")


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(endpoint_url: str | None = None):
    """One boto3 client per process and endpoint (clients are thread-safe; building one costs
    tens of milliseconds, and the executor opens a store for every message)."""
    import boto3
    from botocore.config import Config

    endpoint = endpoint_url or os.environ.get(S3_ENDPOINT_ENV) or None
    key = (os.getpid(), endpoint, os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_PROFILE"))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = boto3.client(
                "s3", endpoint_url=endpoint, config=Config(retries={"max_attempts": 5, "mode": "standard"}))
    return client


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class S3ArtifactStore(ArtifactStore):
    backend = "s3"

    def __init__(self, root: str | os.PathLike, url: str | None = None, *, cache_max_bytes: int | None = None,
                 grace_s: float | None = None, client=None):
        super().__init__(root, cache_max_bytes=cache_max_bytes, grace_s=grace_s)
        self.url = url or os.environ.get("ARTIFACT_STORE_URL", "")
        self.bucket, self.prefix = parse_s3_url(self.url)
        self.client = client or s3_client()
        self._refs: OrderedDict[str, dict] = OrderedDict()  # refs never change once written: remember some
        self._fetching: dict[str, threading.Lock] = {}
        self._fetching_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3ArtifactStore({self.url!r}, cache={str(self.root)!r})"

    # ---------------------------------------------------------------- object names

    def _name(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def ref_name(self, key: str) -> str:
        return self._name("refs", key[:2], f"{key}.json")

    def data_prefix(self, key: str, upload: str) -> str:
        return self._name("data", key[:2], key, upload) + "/"

    # ---------------------------------------------------------------- the interface

    def has(self, key: str) -> bool:
        # a cached copy is valid content for its key even if the bucket lost it since
        return self.has_local(key) or self._ref(key) is not None

    def meta(self, key: str) -> dict:
        if self.has_local(key):
            return super().meta(key)
        ref = self._ref(key)
        if ref is None:
            raise ArtifactMissing(key)
        return ref["meta"]

    def path(self, key: str) -> Path:
        """The artifact's local folder, fetched into the cache first when it is not there."""
        if not self.has_local(key):
            self._fetch(key)
        return super().path(key)

    def commit(self, workdir: Path, key: str, meta: dict) -> Path:
        (workdir / META).write_text(canonical_json(meta))
        upload = uuid.uuid4().hex
        files = sorted(p for p in workdir.rglob("*") if p.is_file())
        listing = []
        for file in files:
            name = file.relative_to(workdir).as_posix()
            self.client.upload_file(str(file), self.bucket, self.data_prefix(key, upload) + name)
            listing.append({"name": name, "size": file.stat().st_size, "sha256": _sha256_file(file)})
        ref = {"upload": upload, "files": listing, "meta": meta}
        if self._publish_ref(key, ref):
            self._remember(key, ref)
            final = self._install(workdir, key, replace=True)  # this cache now holds what the bucket has
        else:  # another worker published first: theirs is the artifact, ours goes
            self._delete_upload(key, upload)
            shutil.rmtree(workdir, ignore_errors=True)
            if self.has_local(key) and self._local_upload(key) != (self._ref(key) or {}).get("upload"):
                self._evict_local(key)
            final = self.path(key)
        self._added(final)
        return final

    def delete(self, key: str) -> bool:
        """Remove the artifact from the bucket and this cache (other workers' caches keep theirs)."""
        ref = self._ref(key)
        self._refs.pop(key, None)
        if ref is not None:
            self.client.delete_object(Bucket=self.bucket, Key=self.ref_name(key))
            self._delete_upload(key, ref["upload"])
        return bool(super().delete(key)) or ref is not None

    # ---------------------------------------------------------------- bucket I/O

    def _ref(self, key: str) -> dict | None:
        try:
            return self._refs[key]
        except KeyError:
            pass
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.ref_name(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None
        ref = json.loads(body)
        self._remember(key, ref)
        return ref

    def _remember(self, key: str, ref: dict) -> None:
        self._refs[key] = ref
        while len(self._refs) > REFS_REMEMBERED:
            self._refs.popitem(last=False)

    def _publish_ref(self, key: str, ref: dict) -> bool:
        """Write the ref only if none exists. True when this one is now the artifact."""
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self.ref_name(key), Body=canonical_json(ref).encode(),
                                   ContentType="application/json", IfNoneMatch="*")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412):
                self._refs.pop(key, None)
                return False
            raise
        # an endpoint that ignores If-None-Match: the ref read back decides
        self._refs.pop(key, None)
        current = self._ref(key)
        return current is not None and current.get("upload") == ref["upload"]

    def _delete_upload(self, key: str, upload: str) -> None:
        prefix = self.data_prefix(key, upload)
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if objects:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

    def _local_upload(self, key: str) -> str | None:
        marker = self.local_path(key) / ".upload"
        return marker.read_text() if marker.is_file() else None

    def _install(self, folder: Path, key: str, *, replace: bool = False) -> Path:
        ref = self._refs.get(key)
        if ref is not None:
            (folder / ".upload").write_text(ref["upload"])
        return super()._install(folder, key, replace=replace)

    def _fetch(self, key: str) -> None:
        with self._fetching_lock:
            lock = self._fetching.setdefault(key, threading.Lock())
        with lock:  # one download per key in this process; other processes race harmlessly
            if self.has_local(key):
                return
            ref = self._ref(key)
            if ref is None:
                raise ArtifactMissing(key)
            folder = Path(tempfile.mkdtemp(prefix="fetch-", dir=self._tmp()))
            try:
                for item in ref["files"]:
                    target = folder / item["name"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        body = self.client.get_object(Bucket=self.bucket,
                                                      Key=self.data_prefix(key, ref["upload"]) + item["name"])["Body"]
                        with open(target, "wb") as out:
                            shutil.copyfileobj(body, out, 1 << 20)
                    except Exception as exc:
                        if _is_missing(exc):  # deleted under us: the artifact is gone
                            self._refs.pop(key, None)
                            raise ArtifactMissing(key) from exc
                        raise
                    if target.stat().st_size != item["size"] or _sha256_file(target) != item["sha256"]:
                        raise OSError(f"artifact {key}: {item['name']} does not match its ref")
                final = self._install(folder, key)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._added(final)


def _is_missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")
