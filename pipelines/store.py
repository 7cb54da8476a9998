"""The content-addressed artifact store.

Each node's output is a directory addressed by a hash of (stage, stage version, engine +
settings, params, upstream artifact keys). A node whose key exists is not run again, so a
retry resumes at the failed stage and a re-run of the same job is free.

Two backends behind one interface (`has / meta / path / new_workdir / commit`, `root`):

- `ArtifactStore(root)`: a local folder (the CLI, the demo, one-machine services). The default.
- `S3ArtifactStore` (pipelines.store_s3): an S3-compatible bucket (AWS, MinIO, R2, moto) with
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
        from pipelines.store_s3 import S3ArtifactStore

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
                from pipelines.store_s3 import S3ArtifactStore

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
