"""The GGUFs `batchrag model pull` downloaded into data/models/, and which one serves each role."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from batchrag.models.presets import Role
from batchrag.settings import Settings

MANIFEST = "models.json"


@dataclass
class LocalModel:
    """A verified download: its file (relative to models_dir), where it came from, and its checked sha256."""

    role: Role
    file: str
    source: str  # preset name or hf:<repo>/<file>
    sha256: str
    size: int

    def path(self, settings: Settings) -> Path:
        return settings.store.models_dir / self.file


def _manifest(settings: Settings) -> Path:
    return settings.store.models_dir / MANIFEST


def load(settings: Settings) -> dict[str, LocalModel]:
    """role -> the model downloaded for it (entries whose file went missing are left out)."""
    try:
        raw = json.loads(_manifest(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for role, entry in raw.items():
        try:
            m = LocalModel(**entry)
        except TypeError:
            continue
        if m.path(settings).is_file():
            out[role] = m
    return out


def for_role(settings: Settings, role: Role) -> Path | None:
    """The downloaded GGUF serving `role`, if any."""
    m = load(settings).get(role)
    return m.path(settings) if m else None


def record(settings: Settings, model: LocalModel) -> None:
    """Make `model` the one serving its role (written atomically: a killed process leaves the old manifest)."""
    current = {role: asdict(m) for role, m in load(settings).items()}
    current[model.role] = asdict(model)
    path = _manifest(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
