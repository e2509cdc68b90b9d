"""What a test's temporary folder holds: to assert that a refused request wrote nothing anywhere."""

from __future__ import annotations

from pathlib import Path


def files_outside(root: Path, inside: Path) -> list[str]:
    """Every file and folder under `root` that is not `inside` or under it (relative to root, sorted)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p != inside and inside not in p.parents and p not in inside.parents)
