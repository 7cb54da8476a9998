"""Exit 1 when requirements.lock no longer covers pyproject.toml (a dependency was added or its
range moved past the pinned version): `make lock` regenerates it."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # a new venv has only pip, which carries its own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("ml", "dev", "s3")  # what the Makefile installs


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        wanted += [Requirement(r) for r in project["optional-dependencies"].get(extra, [])]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {canonicalize_name(m[1]): Version(m[2]) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock, re.M)}
    stale = []
    for req in wanted:
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            stale.append(f"{req.name} is not in the lock")
        elif req.specifier and not req.specifier.contains(version, prereleases=True):
            stale.append(f"{req.name}=={version} does not satisfy {req.specifier}")
    if stale:
        print("requirements.lock is out of date with pyproject.toml (run: make lock):\n  " + "\n  ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
