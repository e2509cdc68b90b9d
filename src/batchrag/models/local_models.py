"""The GGUFs `batchrag model pull` downloaded into data/models/, and which one serves each role."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from batchrag.domain.errors import BatchragError
from batchrag.models.presets import Role

MANIFEST = "models.json"


class OutsideModels(BatchragError):
    """A model file whose path would leave data/models/: refused before anything is written or registered."""


def within(models_dir: Path, file: str) -> Path:
    """models_dir / file, checked to stay inside models_dir once resolved (symlinks and ".." followed). The parser
    already refuses such names: this is the second lock, where the path is made."""
    root = models_dir.resolve()
    target = (root / file).resolve()
    if "\\" in file or Path(file).is_absolute() or target == root or not target.is_relative_to(root):
        raise OutsideModels(f"refused: the model file {file!r} would be written outside {models_dir}")
    return models_dir / file


@dataclass
class LocalModel:
    """A verified download: its file (relative to models_dir), where it came from, and its checked sha256."""

    role: Role
    file: str
    source: str  # preset name or hf:<repo>/<file>
    sha256: str
    size: int

    def path(self, models_dir: Path) -> Path:
        return within(models_dir, self.file)


def _manifest(models_dir: Path) -> Path:
    return models_dir / MANIFEST


def load(models_dir: Path) -> dict[str, LocalModel]:
    """role -> the model downloaded for it (entries whose file went missing are left out)."""
    try:
        raw = json.loads(_manifest(models_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for role, entry in raw.items():
        try:
            m = LocalModel(**entry)
            present = m.path(models_dir).is_file()
        except (TypeError, OutsideModels):  # an entry written by hand that points out of models/ serves nothing
            continue
        if present:
            out[role] = m
    return out


def for_role(models_dir: Path, role: Role) -> Path | None:
    """The downloaded GGUF serving `role`, if any."""
    m = load(models_dir).get(role)
    return m.path(models_dir) if m else None


def record(models_dir: Path, model: LocalModel) -> None:
    """Make `model` the one serving its role (written atomically: a killed process leaves the old manifest)."""
    current = {role: asdict(m) for role, m in load(models_dir).items()}
    current[model.role] = asdict(model)
    path = _manifest(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
