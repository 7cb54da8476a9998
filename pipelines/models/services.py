"""Installing catalogue models: pull from a Hugging Face hub, import a folder, verify, status.

Where models go: `$ADGEN_MODELS_DIR` (default `~/.cache/adgen/models`), one folder per model
(`<root>/musetalk-1.5/`), except Piper voices, which go flat into the folder the piper engine
reads (`$ADGEN_PIPER_VOICES`, default `<root>/piper-voices/`). `--dir` overrides either.

Every install writes `<folder>/.adgen/<name>.json`: the repository, the commit it came from and
the sha256 and size of every file, so `verify` can tell a damaged or swapped file later.

`pull` uses huggingface_hub: `snapshot_download` at the entry's revision (a branch is resolved to
its commit first and the commit recorded) with the entry's allow_patterns into a staging folder;
a dropped connection is resumed with a Range request by huggingface_hub, files already installed
and intact are not fetched again, and every file is hashed before it is moved into place (the
catalogue's sha256 when it has one, else the hash the hub publishes for the file).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.models.catalog import CATALOG, HubSource, ModelEntry, ModelError, catalog_entry

MANIFEST_DIR = ".adgen"


def models_root() -> Path:
    configured = os.environ.get("ADGEN_MODELS_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adgen" / "models"


def install_dir(entry: ModelEntry, override: str | Path | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    if entry.folder == "piper-voices":
        return Path(os.environ.get("ADGEN_PIPER_VOICES") or models_root() / "piper-voices").expanduser()
    return models_root() / entry.name


def manifest_path(entry: ModelEntry, folder: Path) -> Path:
    return folder / MANIFEST_DIR / f"{entry.name}.json"


def hub_endpoint() -> str | None:
    """$HF_ENDPOINT read at call time (huggingface_hub reads it once, at import)."""
    return os.environ.get("HF_ENDPOINT") or None


# --------------------------------------------------------------------------- hashing


def file_hashes(path: Path) -> tuple[str, str, int]:
    """(sha256, git blob sha1, size) in one pass."""
    size = path.stat().st_size
    sha256, blob = hashlib.sha256(), hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha256.update(chunk)
            blob.update(chunk)
    return sha256.hexdigest(), blob.hexdigest(), size


@dataclass(frozen=True)
class Expected:
    algorithm: str  # "sha256" or "git-blob"
    digest: str
    size: int | None
    source: str  # "catalogue" or "hub"

    def check(self, path: Path) -> tuple[bool, str, int]:
        sha256, blob, size = file_hashes(path)
        got = sha256 if self.algorithm == "sha256" else blob
        ok = got == self.digest and (self.size is None or self.size == size)
        return ok, sha256, size


def _expected(source: HubSource, repo_file) -> Expected:
    known = source.known(repo_file.path)
    if known and known.sha256:
        return Expected("sha256", known.sha256, known.size, "catalogue")
    if repo_file.lfs is not None:
        return Expected("sha256", repo_file.lfs.sha256, repo_file.lfs.size, "hub")
    return Expected("git-blob", repo_file.blob_id, repo_file.size, "hub")


# --------------------------------------------------------------------------- pull


def _hub_error(exc: Exception, source: HubSource) -> ModelError:
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    where = f"{source.repo_id}@{source.revision}"
    if isinstance(exc, RevisionNotFoundError):
        return ModelError(f"The hub has no revision {source.revision!r} of {source.repo_id}.", code="revision_not_found")
    if isinstance(exc, RepositoryNotFoundError):
        return ModelError(f"The hub has no repository {source.repo_id} (or it is gated: log in with `hf auth login`).",
                          code="repo_not_found")
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return ModelError(f"Could not download {where}: {detail}. Run the same command again to resume.",
                      code="download_failed", retryable=True)


def _pull_source(source: HubSource, target: Path, endpoint: str | None, progress: bool) -> dict[str, dict]:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.hf_api import RepoFile
    from huggingface_hub.utils import filter_repo_objects

    # the hub client raises its HTTP library's errors, its own, OSError...: all of them mean the
    # download did not happen, and the user gets one line with the cause
    failures = Exception
    api = HfApi(endpoint=endpoint)
    try:
        commit = source.revision if source.pinned else api.repo_info(
            source.repo_id, repo_type=source.repo_type, revision=source.revision).sha
        tree = {f.path: f for f in api.list_repo_tree(source.repo_id, revision=commit, recursive=True,
                                                      repo_type=source.repo_type) if isinstance(f, RepoFile)}
    except failures as exc:
        raise _hub_error(exc, source) from exc
    wanted = sorted(filter_repo_objects(tree, allow_patterns=list(source.allow_patterns)))
    if not wanted:
        raise ModelError(f"{source.repo_id}@{commit[:12]} has no files matching {', '.join(source.allow_patterns)}.",
                         code="no_files")
    expected = {path: _expected(source, tree[path]) for path in wanted}
    records: dict[str, dict] = {}
    todo = []
    for path in wanted:  # files installed by an earlier (interrupted) pull and intact stay
        dest = target / source.destination(path)
        if dest.is_file() and dest.stat().st_size == tree[path].size:
            ok, sha256, size = expected[path].check(dest)
            if ok:
                records[source.destination(path)] = _record(source, path, commit, sha256, size, expected[path])
                continue
        todo.append(path)
    if not todo:
        return records
    staging = target / MANIFEST_DIR / "download" / source.repo_id.replace("/", "--")
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    (enable_progress_bars if progress else disable_progress_bars)()
    try:
        snapshot_download(source.repo_id, repo_type=source.repo_type, revision=commit, allow_patterns=todo,
                          local_dir=staging, endpoint=endpoint, max_workers=4)
    except failures as exc:
        raise _hub_error(exc, source) from exc
    for path in todo:
        staged = staging / path
        if not staged.is_file():
            raise ModelError(f"{source.repo_id}: {path} did not arrive. Run the same command again to resume.",
                             code="download_failed", retryable=True)
        ok, sha256, size = expected[path].check(staged)
        if not ok:
            staged.unlink()
            want = expected[path]
            raise ModelError(f"{source.repo_id}/{path} arrived damaged: its {want.algorithm} is not the "
                             f"{want.source}'s {want.digest[:16]}... (size {size}, expected {want.size}). The file "
                             "was removed; run the same command again to fetch it anew.", code="hash_mismatch",
                             retryable=True)
        dest = target / source.destination(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, dest)
        records[source.destination(path)] = _record(source, path, commit, sha256, size, expected[path])
    shutil.rmtree(staging, ignore_errors=True)
    return records


def _record(source: HubSource, path: str, commit: str, sha256: str, size: int, expected: Expected) -> dict:
    return {"repo": source.repo_id, "path": path, "revision": commit, "sha256": sha256, "size": size,
            "verified_against": expected.source}


def pull(name: str, folder: str | Path | None = None, *, accept_licence: bool = False, endpoint: str | None = None,
         progress: bool = True) -> Path:
    entry = catalog_entry(name)
    if entry.restricted and not accept_licence:
        raise ModelError(f"{entry.name} is under {entry.licence.name}: {entry.licence.summary} "
                         "Re-run with --accept-licence once you have read it.", code="licence_not_accepted")
    target = install_dir(entry, folder)
    target.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    for source in entry.sources:
        files.update(_pull_source(source, target, endpoint or hub_endpoint(), progress))
    _write_manifest(entry, target, files, how="pull")
    return target


def _write_manifest(entry: ModelEntry, target: Path, files: dict[str, dict], how: str) -> None:
    path = manifest_path(entry, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"name": entry.name, "kind": entry.kind, "engine": entry.engine, "licence": entry.licence.name,
            "installed_by": how, "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": dict(sorted(files.items()))}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=2))
    os.replace(tmp, path)


# --------------------------------------------------------------------------- import


def import_folder(name: str, source_dir: str | Path, folder: str | Path | None = None) -> Path:
    """Install a folder the user fetched themselves: the installed layout, the repositories' own
    layout, or (voices) the bare files. Hashes the catalogue knows are checked."""
    from huggingface_hub.utils import filter_repo_objects

    entry = catalog_entry(name)
    src = Path(source_dir).expanduser()
    if not src.is_dir():
        raise ModelError(f"{src} is not a folder.", code="import_missing")
    target = install_dir(entry, folder)
    present = [p.relative_to(src).as_posix() for p in src.rglob("*")
               if p.is_file() and MANIFEST_DIR not in p.relative_to(src).parts]
    files: dict[str, dict] = {}
    for source in entry.sources:
        candidates: dict[str, Path] = {}  # repo path -> file found
        prefix = f"{source.install_to}/" if source.install_to else ""
        for rel in present:
            repo_path = rel[len(prefix):] if prefix and rel.startswith(prefix) else rel
            candidates.setdefault(repo_path, src / rel)
        if source.flatten:  # bare voice files: match the repository path by file name
            by_name = {Path(rel).name: src / rel for rel in present}
            for pattern in source.allow_patterns:
                if Path(pattern).name in by_name:
                    candidates.setdefault(pattern, by_name[Path(pattern).name])
        matched = sorted(filter_repo_objects(candidates, allow_patterns=list(source.allow_patterns)))
        literal = [p for p in source.allow_patterns if not any(ch in p for ch in "*?[")]
        missing = [p for p in literal if p not in matched]
        if missing or not matched:
            raise ModelError(f"{src} lacks {', '.join(missing or source.allow_patterns)} of {source.repo_id} "
                             f"(expected under {prefix or 'the folder root'}).", code="import_incomplete")
        for repo_path in matched:
            found = candidates[repo_path]
            sha256, _, size = file_hashes(found)
            known = source.known(repo_path)
            if known and known.sha256 and known.sha256 != sha256:
                raise ModelError(f"{found} is not {source.repo_id}'s {repo_path}: its sha256 differs from the "
                                 "published one.", code="hash_mismatch")
            dest = target / source.destination(repo_path)
            if found.resolve() != dest.resolve():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(found, dest)
            files[source.destination(repo_path)] = {
                "repo": source.repo_id, "path": repo_path, "revision": None, "sha256": sha256, "size": size,
                "verified_against": "catalogue" if known and known.sha256 else "none (no published hash known here)"}
    _write_manifest(entry, target, files, how=f"import from {src}")
    return target


# --------------------------------------------------------------------------- status, verify


@dataclass
class Installed:
    entry: ModelEntry
    folder: Path
    state: str  # installed | damaged | missing
    size: int
    problems: list[str]


def status(entry: ModelEntry, folder: str | Path | None = None, *, deep: bool = False) -> Installed:
    """Where the entry is and whether its files are all there (deep: re-hash every file)."""
    target = install_dir(entry, folder)
    path = manifest_path(entry, target)
    if not path.is_file():
        return Installed(entry, target, "missing", 0, [])
    try:
        files = json.loads(path.read_text())["files"]
    except (ValueError, KeyError):
        return Installed(entry, target, "damaged", 0, [f"{path} is unreadable"])
    problems, total = [], 0
    for rel, record in files.items():
        file = target / rel
        if not file.is_file():
            problems.append(f"{rel}: missing")
            continue
        size = file.stat().st_size
        total += size
        if size != record["size"]:
            problems.append(f"{rel}: {size} bytes, installed with {record['size']}")
        elif deep:
            sha256, _, _ = file_hashes(file)
            if sha256 != record["sha256"]:
                problems.append(f"{rel}: sha256 changed since it was installed")
            source = next((s for s in entry.sources if s.repo_id == record["repo"]), None)
            known = source.known(record["path"]) if source else None
            if known and known.sha256 and known.sha256 != sha256:
                problems.append(f"{rel}: not the published file (sha256 differs from the catalogue)")
    return Installed(entry, target, "damaged" if problems else "installed", total, problems)


def verify(name: str | None = None, folder: str | Path | None = None) -> list[Installed]:
    entries = [catalog_entry(name)] if name else list(CATALOG)
    results = [status(entry, folder if name else None, deep=True) for entry in entries]
    if name and results[0].state == "missing":
        raise ModelError(f"{name} is not installed in {results[0].folder}.", code="model_not_installed")
    return [r for r in results if r.state != "missing"]


def listing() -> list[Installed]:
    return [status(entry) for entry in CATALOG]


# --------------------------------------------------------------------------- what the CLI prints


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit in ("B", "KB") else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} GB"


def describe(row: Installed) -> dict:
    entry = row.entry
    return {"name": entry.name, "kind": entry.kind, "engine": entry.engine, "label": entry.label,
            "state": row.state, "folder": str(row.folder), "size_bytes": row.size,
            "download_gb": entry.size_gb, "vram_gb": entry.vram_gb,
            "licence": {"name": entry.licence.name, "commercial": entry.licence.commercial,
                        "summary": entry.licence.summary, "url": entry.licence.url},
            "components": {name: lic.name for name, lic in entry.component_licences},
            "sources": [{"repo": s.repo_id, "revision": s.revision, "pinned": s.pinned,
                         "revision_source": s.revision_source, "allow_patterns": list(s.allow_patterns)}
                        for s in entry.sources],
            "notes": entry.notes, "problems": row.problems}


def format_listing(rows: list[Installed]) -> str:
    lines = [f"{'model':<27} {'state':<9} {'size':>9} {'VRAM':>6}  {'engine':<15} licence"]
    for row in rows:
        entry = row.entry
        size = _size(row.size) if row.size else f"~{entry.size_gb:.1f} GB" if entry.size_gb >= 1 \
            else f"~{entry.size_gb * 1024:.0f} MB"
        vram = f"{entry.vram_gb:.0f} GB" if entry.vram_gb else "CPU"
        licence = f"{entry.licence.name} [commercial: {entry.licence.commercial}]"
        lines.append(f"{entry.name:<27} {row.state:<9} {size:>9} {vram:>6}  {entry.engine or '-':<15} {licence}")
        if entry.licence.commercial != "yes":
            lines.append(f"{'':<29}licence: {entry.licence.summary}")
        if entry.kind == "piper" and "g2pW" in entry.notes:
            lines.append(f"{'':<29}needs g2pW at run time (fetched by piper from the hub): not offline-ready")
    lines.append("")
    lines.append(f"models folder: {models_root()} ($ADGEN_MODELS_DIR); voices: "
                 f"{os.environ.get('ADGEN_PIPER_VOICES') or models_root() / 'piper-voices'} ($ADGEN_PIPER_VOICES)")
    return "\n".join(lines)


_ENGINE_FLAGS = {"avatar/lipsync": ("avatar=lipsync", "ADGEN_LIPSYNC_MODEL_DIR"),
                 "broll/dit": ("broll=dit", "ADGEN_DIT_MODEL_DIR"),
                 "voice/piper": ("voice=piper", "ADGEN_PIPER_VOICES"),
                 "script/transformers": ("script=transformers", "ADGEN_SCRIPT_MODEL_DIR")}


def usage_hint(entry: ModelEntry, folder: Path) -> str:
    if entry.engine not in _ENGINE_FLAGS:
        return "no adgen engine runs this model yet"
    engine, env = _ENGINE_FLAGS[entry.engine]
    if entry.engine == "voice/piper":
        return f"use it: export {env}={folder}; adgen make URL --engine {engine}"
    return f"use it: adgen make URL --engine {engine} --model-dir {folder}   (or export {env}={folder})"


def usage_hint_for_kind(kind: str, folder: Path) -> str:
    engine = {"musetalk": "avatar/lipsync", "piper": "voice/piper", "qwen2": "script/transformers"}.get(kind, "broll/dit")
    return usage_hint(ModelEntry(kind, kind, engine, "", CATALOG[0].licence, (), 0, None), folder)
