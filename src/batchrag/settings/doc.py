"""docs/settings.md, written from the settings model: `python -m batchrag.settings.doc > docs/settings.md`."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

from pydantic.fields import FieldInfo

from batchrag.settings import FOREIGN_ENV, Settings, flat_names

HEAD = """# Settings

<!-- Generated from src/batchrag/settings/ by `python -m batchrag.settings.doc > docs/settings.md`;
tests/test_settings.py fails when this file is stale. -->

The settings are one pydantic model with a part per concern; each stage reads its own part (the crawler
`settings.crawl`, the index `settings.index`, …). Every field can be set from the environment by its part and name,
`BATCHRAG_<PART>__<FIELD>` (`BATCHRAG_RETRIEVE__TOP_K=8`), or by the flat name it had before the parts,
`BATCHRAG_<NAME>` (`BATCHRAG_TOP_K=8`: every name the README gives keeps working). When both are set, the part's
name wins. Lists and tables are given as JSON (`BATCHRAG_CRAWL__IMAGE_HOSTS='["example.com"]'`). A few variables that
other tools read too work without the prefix: {foreign}.

In Python, `Settings(top_k=8)` and `settings.with_changes(top_k=8)` take the flat names as well.
"""


def _default(info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True)
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Path):
        value = str(value)
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return f"`{text}`" if text else "`\"\"`"


def _type(info: FieldInfo) -> str:
    return str(info.annotation).replace("typing.", "").replace("pathlib.", "").replace("<class '", "").replace("'>", "").replace("|", "\\|")


def settings_markdown() -> str:
    """The whole page: how settings are read, then one table per part."""
    old = {place: name for name, places in flat_names().items() for place in places}
    foreign = {place: var for var, place in FOREIGN_ENV.items()}
    lines = [HEAD.format(foreign=", ".join(f"`{v}`" for v in FOREIGN_ENV))]
    for part, info in Settings.model_fields.items():
        model = info.annotation
        lines += [f"## `{part}`: {model.__doc__.strip()}", "",
                  "| field | environment | type | default | what it does |", "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            env = [f"`BATCHRAG_{part.upper()}__{name.upper()}`", f"`BATCHRAG_{old[(part, name)].upper()}`"]
            if (part, name) in foreign:
                env.append(f"`{foreign[(part, name)]}`")
            desc = (field.description or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{name}` | {'<br>'.join(env)} | `{_type(field)}` | {_default(field)} | {desc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_markdown(), end="")
