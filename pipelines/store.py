"""The content-addressed artifact store.

Each node's output is a directory addressed by a hash of (stage, stage version, engine +
settings, params, upstream artifact keys). A node whose key exists is not run again, so a
retry resumes at the failed stage and a re-run of the same job is free.

Two backends behind one interface (`has / meta / path / new_workdir / commit`, `root`):

- `ArtifactStore(root)`: a local folder (the CLI, the demo, one-machine services). The default.
- `S3ArtifactStore` (below): an S3-compatible bucket (AWS, MinIO, R2, moto) with
  this folder as its bounded read-through cache, selected by `ARTIFACT_STORE_URL=s3://bucket/prefix`.
  `ArtifactStore(root)` returns one when that variable is set, as `pathlib.Path()` returns a
  PosixPath, so every caller stays unchanged; `open_store(root, url)` says it explicitly.

Either way `path(key)` is a local directory, and the folder is capped (`ARTIFACT_CACHE_MAX_MB`):
least recently used artifacts are evicted once it is over, except those an active job
references (`register_reference_source`) or that were used in the last `ARTIFACT_CACHE_GRACE_S`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

log = logging.getLogger(__name__)

META = "meta.json"
STORE_URL_ENV = "ARTIFACT_STORE_URL"
CACHE_MAX_ENV = "ARTIFACT_CACHE_MAX_MB"
CACHE_GRACE_ENV = "ARTIFACT_CACHE_GRACE_S"
DEFAULT_CACHE_MAX_MB = 20 * 1024
DEFAULT_GRACE_S = 600.0
STALE_BUILD_S = 24 * 3600  # a build/fetch folder this old belongs to a process that died
RESCAN_S = 60.0  # other processes fill the same folder: recount at least this often


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class ArtifactMissing(KeyError):
    """The key is in no backend: never published, or deleted from the bucket."""


# --------------------------------------------------------------------------- references

_reference_sources: list[Callable[[], Iterable[str]]] = []


def register_reference_source(source: Callable[[], Iterable[str]]) -> None:
    """Add a callable giving the artifact keys active jobs still need; eviction keeps them.
    (The service registers one that reads the stage runs of unfinished jobs from PostgreSQL.)"""
    if source not in _reference_sources:
        _reference_sources.append(source)


def unregister_reference_source(source: Callable[[], Iterable[str]]) -> None:
    with contextlib.suppress(ValueError):
        _reference_sources.remove(source)


def referenced_keys() -> set[str]:
    keys: set[str] = set()
    for source in list(_reference_sources):
        keys.update(source())
    return keys


# --------------------------------------------------------------------------- configuration


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def cache_max_bytes_from_env() -> int:
    return int(_env_float(CACHE_MAX_ENV, DEFAULT_CACHE_MAX_MB) * 1024 * 1024)


def open_store(root: str | os.PathLike, url: str | None = None, *, cache_max_bytes: int | None = None,
               grace_s: float | None = None) -> "ArtifactStore":
    """The store for `url` (`s3://bucket/prefix`, or empty for the local folder) cached in `root`.
    `url=None` reads ARTIFACT_STORE_URL."""
    url = os.environ.get(STORE_URL_ENV, "") if url is None else url
    if url.startswith("s3://"):
        return S3ArtifactStore(root, url, cache_max_bytes=cache_max_bytes, grace_s=grace_s)
    if url and not url.startswith("file://"):
        raise ValueError(f"{STORE_URL_ENV} must be s3://bucket/prefix (or empty for a local folder), not {url!r}")
    return ArtifactStore(root, url="", cache_max_bytes=cache_max_bytes, grace_s=grace_s)


@dataclass
class CacheStats:
    root: str
    backend: str
    artifacts: int
    bytes: int
    cap_bytes: int  # 0 = no cap
    builds: int  # build/fetch folders in progress (or left by a crash)
    build_bytes: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class PruneResult:
    evicted: int
    evicted_bytes: int
    kept_referenced: int
    stale_builds_removed: int
    bytes_before: int
    bytes_after: int
    cap_bytes: int

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- local folder


class ArtifactStore:
    """Local folder of immutable artifact directories: `root/ab/abcdef.../meta.json + files`.

    An artifact appears atomically (built in a temp dir, then renamed), so a crash mid-stage
    leaves nothing that looks finished. A directory's mtime records its last use (LRU eviction).
    """

    backend = "local"

    def __new__(cls, root=None, *args, url: str | None = None, **kwargs):
        if cls is ArtifactStore:
            url = os.environ.get(STORE_URL_ENV, "") if url is None else url
            if url.startswith("s3://"):
                cls = S3ArtifactStore
        return super().__new__(cls)

    def __init__(self, root: str | os.PathLike, *, url: str | None = None, cache_max_bytes: int | None = None,
                 grace_s: float | None = None):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.cache_max_bytes = cache_max_bytes_from_env() if cache_max_bytes is None else int(cache_max_bytes)
        self.grace_s = _env_float(CACHE_GRACE_ENV, DEFAULT_GRACE_S) if grace_s is None else float(grace_s)
        self._approx_bytes: int | None = None
        self._scanned_at = 0.0
        self._size_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    # ---------------------------------------------------------------- the interface

    def path(self, key: str) -> Path:
        final = self.local_path(key)
        self._touch(final)
        return final

    def has(self, key: str) -> bool:
        return self.has_local(key)

    def meta(self, key: str) -> dict:
        try:
            return json.loads((self.local_path(key) / META).read_text())
        except FileNotFoundError:
            raise ArtifactMissing(key) from None

    def new_workdir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="build-", dir=self._tmp()))

    def commit(self, workdir: Path, key: str, meta: dict) -> Path:
        """Publish a finished workdir under `key`. If another worker won the race, keep theirs."""
        (workdir / META).write_text(canonical_json(meta))
        final = self._install(workdir, key)
        self._added(final)
        return final

    # ---------------------------------------------------------------- the local folder

    def local_path(self, key: str) -> Path:
        if len(key) < 3 or "/" in key or key.startswith("."):
            raise ValueError(f"not an artifact key: {key!r}")
        return self.root / key[:2] / key

    def has_local(self, key: str) -> bool:
        return (self.local_path(key) / META).is_file()

    def delete(self, key: str) -> bool:
        """Remove the artifact (an operator's tool; the walker rebuilds what a job still needs)."""
        return self._evict_local(key)

    def _tmp(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(exist_ok=True)
        return tmp

    def _install(self, folder: Path, key: str, *, replace: bool = False) -> Path:
        """Rename a complete folder into place; the first one there wins unless `replace`."""
        final = self.local_path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        if replace and final.exists():
            self._evict_local(key)
        try:
            os.rename(folder, final)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            if not self.has_local(key):  # a half-removed leftover, not a finished artifact
                self._evict_local(key)
                try:
                    os.rename(folder, final)
                    return final
                except OSError:
                    pass
            shutil.rmtree(folder, ignore_errors=True)
        return final

    def _evict_local(self, key: str) -> bool:
        final = self.local_path(key)
        if not final.exists():
            return False
        # rename first so no reader ever sees a half-deleted artifact
        doomed = self._tmp() / f"evict-{uuid.uuid4().hex}"
        try:
            os.rename(final, doomed)
        except FileNotFoundError:
            return False
        shutil.rmtree(doomed, ignore_errors=True)
        return True

    @staticmethod
    def _touch(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.utime(path)

    # ---------------------------------------------------------------- the cap

    def _artifacts(self) -> Iterator[tuple[str, Path]]:
        for shard in os.scandir(self.root):
            if len(shard.name) != 2 or not shard.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(shard.path):
                if entry.is_dir(follow_symlinks=False) and entry.name.startswith(shard.name):
                    yield entry.name, Path(entry.path)

    @staticmethod
    def _folder_bytes(folder: Path) -> int:
        total = 0
        for dirpath, _, files in os.walk(folder):
            for name in files:
                with contextlib.suppress(FileNotFoundError):
                    total += os.lstat(os.path.join(dirpath, name)).st_size
        return total

    def _inventory(self) -> list[tuple[str, Path, int, float]]:
        """(key, folder, bytes, last used) of every finished artifact here."""
        rows = []
        for key, folder in self._artifacts():
            try:
                used = folder.stat().st_mtime
            except FileNotFoundError:
                continue
            rows.append((key, folder, self._folder_bytes(folder), used))
        return rows

    def stats(self) -> CacheStats:
        rows = self._inventory()
        builds = [Path(e.path) for e in os.scandir(self._tmp())]
        return CacheStats(root=str(self.root), backend=self.backend, artifacts=len(rows),
                          bytes=sum(r[2] for r in rows), cap_bytes=self.cache_max_bytes, builds=len(builds),
                          build_bytes=sum(self._folder_bytes(b) if b.is_dir() else b.stat().st_size for b in builds))

    def _added(self, folder: Path) -> None:
        """Account for a new artifact here; prune when the folder may be over its cap."""
        if not self.cache_max_bytes:
            return
        size = self._folder_bytes(folder)
        with self._size_lock:
            stale = self._approx_bytes is None or time.monotonic() - self._scanned_at > RESCAN_S
            if not stale:
                self._approx_bytes += size
            over = stale or self._approx_bytes > self.cache_max_bytes
        if over:
            try:
                self.prune()
            except Exception:  # a cache that cannot shrink now must not fail the stage that filled it
                log.warning("pruning the artifact cache at %s failed", self.root, exc_info=True)

    def prune(self, *, max_bytes: int | None = None, protect: Iterable[str] = (), grace_s: float | None = None,
              dry_run: bool = False) -> PruneResult:
        """Evict least recently used artifacts until the folder is under `max_bytes` (its cap by
        default), keeping those active jobs reference, `protect`, and those used within the grace
        period. Also removes build folders left by crashed processes. One pruner per folder at once."""
        cap = self.cache_max_bytes if max_bytes is None else int(max_bytes)
        grace = self.grace_s if grace_s is None else float(grace_s)
        lock_path = self.root / ".prune.lock"
        with open(lock_path, "a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process is pruning this folder right now
                return PruneResult(0, 0, 0, 0, -1, -1, cap)
            try:
                return self._prune_locked(cap, set(protect), grace, dry_run)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _prune_locked(self, cap: int, protect: set[str], grace: float, dry_run: bool) -> PruneResult:
        now = time.time()
        stale_builds = 0
        for entry in os.scandir(self._tmp()):
            with contextlib.suppress(FileNotFoundError):
                if entry.name.startswith("evict-") or now - entry.stat(follow_symlinks=False).st_mtime > STALE_BUILD_S:
                    stale_builds += 1
                    if not dry_run:
                        shutil.rmtree(entry.path, ignore_errors=True) if entry.is_dir() else os.unlink(entry.path)
        rows = self._inventory()
        total = before = sum(r[2] for r in rows)
        evicted = evicted_bytes = kept = 0
        if cap and total > cap:
            try:
                protect |= referenced_keys()
            except Exception:  # unknown references: evicting could break a running job
                log.warning("cannot read the artifacts active jobs reference; nothing evicted", exc_info=True)
                rows = []
            for key, folder, size, used in sorted(rows, key=lambda r: r[3]):
                if total <= cap:
                    break
                if key in protect or now - used < grace:
                    kept += 1
                    continue
                if dry_run or self._evict_local(key):
                    total -= size
                    evicted += 1
                    evicted_bytes += size
        with self._size_lock:
            self._approx_bytes, self._scanned_at = total, time.monotonic()
        if evicted:
            log.info("artifact cache %s: evicted %d artifacts (%d bytes), %d bytes left (cap %d)",
                     self.root, evicted, evicted_bytes, total, cap)
        return PruneResult(evicted, evicted_bytes, kept, stale_builds, before, total, cap)


# --------------------------------------------------------------------------- S3-compatible bucket
# The artifact store on an S3-compatible bucket, with a bounded local read-through cache.
#
# Selected by `ARTIFACT_STORE_URL=s3://bucket/prefix`; the endpoint and credentials are boto3's
# usual ones (`S3_ENDPOINT_URL` for MinIO, R2, moto...; `AWS_ACCESS_KEY_ID`,
# `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION` or a profile/role).
#
# Layout under the prefix:
#
#     data/ab/<key>/<upload id>/<files...>   one folder per publish attempt, never overwritten
#     refs/ab/<key>.json                     {"upload", "files": [{name, size, sha256}], "meta"}
#
# A publish uploads its files under a fresh upload id, then writes the ref with
# `If-None-Match: *`, so the artifact becomes visible only when complete and, when two workers
# race on one key, the first ref wins; the loser deletes its upload and uses the winner's. An
# endpoint that ignores the condition still never mixes two uploads: a ref names one upload.

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
            listing.append({"name": name, "size": file.stat().st_size, "sha256": file_sha256(file)})
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
                    if target.stat().st_size != item["size"] or file_sha256(target) != item["sha256"]:
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
