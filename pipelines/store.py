"""The content-addressed artifact store.

Each node's output is a directory addressed by a hash of (stage, stage version, engine +
settings, params, upstream artifact keys). A node whose key exists is not run again, so a
retry resumes at the failed stage and a re-run of the same job is free.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

META = "meta.json"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ArtifactStore:
    """Local folder of immutable artifact directories: `root/ab/abcdef.../meta.json + files`.

    An artifact appears atomically (built in a temp dir, then renamed), so a crash mid-stage
    leaves nothing that looks finished.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def has(self, key: str) -> bool:
        return (self.path(key) / META).is_file()

    def meta(self, key: str) -> dict:
        return json.loads((self.path(key) / META).read_text())

    def new_workdir(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=tmp))

    def commit(self, workdir: Path, key: str, meta: dict) -> Path:
        """Publish a finished workdir under `key`. If another worker won the race, keep theirs."""
        (workdir / META).write_text(canonical_json(meta))
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(workdir, final)
        except OSError:
            if not self.has(key):
                shutil.rmtree(final, ignore_errors=True)
                os.rename(workdir, final)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        return final
