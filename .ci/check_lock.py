"""requirements.lock pins every package pyproject.toml asks for, at a version it allows.

`make` installs the lock and then the project with --no-deps, so a dependency added to
pyproject.toml without `make lock` would simply be missing. Run by `make lint`; reads
files only (no index is asked).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "postgres", "dev")  # the extras `make lock` compiles (Makefile)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def problems(pyproject: str, lock: str) -> list[str]:
    project = tomllib.loads(pyproject)["project"]
    wanted = list(project["dependencies"])
    for extra in EXTRAS:
        wanted += project["optional-dependencies"][extra]
    pins = {canonicalize_name(name): Version(version) for name, version in PIN.findall(lock)}
    found = []
    for line in wanted:
        req = Requirement(line)
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            found.append(f"{req.name}: not in requirements.lock")
        elif not req.specifier.contains(pinned, prereleases=True):
            found.append(f"{req.name}: the lock pins {pinned}, pyproject.toml asks for {req.specifier}")
    return found


def main() -> int:
    found = problems((ROOT / "pyproject.toml").read_text("utf-8"), (ROOT / "requirements.lock").read_text("utf-8"))
    if found:
        print("requirements.lock is behind pyproject.toml (run `make lock`):", *found, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
