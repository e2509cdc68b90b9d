"""The settings object: its parts, read from BATCHRAG_<PART>__<FIELD> and every flat name from before the parts."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from batchrag.domain.errors import BatchragError
from batchrag.settings.parts import (
    AnswerSettings,
    CaptionSettings,
    CrawlSettings,
    HttpSettings,
    IndexSettings,
    LLMSettings,
    ModelsSettings,
    RetrieveSettings,
    ServeSettings,
    StoreSettings,
)


class Settings(BaseSettings):
    """All tunables, one part per concern, each stage reading its own; from BATCHRAG_<PART>__<FIELD> and every
    flat name from before the parts (BATCHRAG_TOP_K, DATABASE_URL, OLLAMA_HOST, …): docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="BATCHRAG_", env_nested_delimiter="__", extra="forbid")

    store: StoreSettings = Field(default_factory=StoreSettings, description=StoreSettings.__doc__)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings, description=CrawlSettings.__doc__)
    http: HttpSettings = Field(default_factory=HttpSettings, description=HttpSettings.__doc__)
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    retrieve: RetrieveSettings = Field(default_factory=RetrieveSettings, description=RetrieveSettings.__doc__)
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description=AnswerSettings.__doc__)
    llm: LLMSettings = Field(default_factory=LLMSettings, description=LLMSettings.__doc__)
    models: ModelsSettings = Field(default_factory=ModelsSettings, description=ModelsSettings.__doc__)
    captions: CaptionSettings = Field(default_factory=CaptionSettings, description=CaptionSettings.__doc__)
    serve: ServeSettings = Field(default_factory=ServeSettings, description=ServeSettings.__doc__)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        # The grouped names win over the flat ones when both are set.
        return init_settings, env_settings, _FlatEnv(settings_cls), dotenv_settings, file_secret_settings

    @model_validator(mode="before")
    @classmethod
    def _flat_names(cls, data: Any) -> Any:
        """Settings(top_k=3): a flat name from before the parts lands in its part (and wins over the environment)."""
        if not isinstance(data, dict):
            return data
        data = _moved_here(data)
        places = flat_names()
        out = {k: v for k, v in data.items() if k not in places}
        for old in data.keys() & places.keys():
            for part, name in places[old]:
                group = out.get(part) or {}
                group = group.model_dump() if isinstance(group, BaseModel) else dict(group)
                group[name] = data[old]
                out[part] = group
        return out

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed, by their flat names (`top_k=3`) or whole parts (`retrieve=…`)."""
        return type(self).model_validate({**self.model_dump(), **changes})


# Fields that moved to another part: their old grouped names (BATCHRAG_CRAWL__MAX_RETRIES, crawl={…}) still work.
MOVED = {("crawl", name): "http" for name in HttpSettings.model_fields}


def _moved_here(data: dict) -> dict:
    """The old part's value of a moved field, placed in its new part (where the new part does not set it)."""
    out = dict(data)
    for (old, name), new in MOVED.items():
        group = out.get(old)
        if isinstance(group, BaseModel) or not isinstance(group, dict) or name not in group:
            continue
        group = dict(group)
        value = group.pop(name)
        out[old] = group
        target = out.get(new) or {}
        target = target.model_dump() if isinstance(target, BaseModel) else dict(target)
        target.setdefault(name, value)
        out[new] = target
    return out


# The fields whose flat name was not their name in their part (docs/settings.md).
_RENAMED = {
    ("llm", "backend"): "llm_backend", ("llm", "ctx"): "llm_ctx", ("llm", "timeout_s"): "ollama_timeout_s",
    ("llm", "max_tokens"): "llm_max_tokens", ("llm", "temperature"): "llm_temperature",
    ("captions", "model"): "caption_model", ("captions", "timeout_s"): "caption_timeout_s",
    ("captions", "max_px"): "caption_max_px",
}
# Variables without the BATCHRAG_ prefix, shared with other tools (psql, the ollama CLI, huggingface_hub).
FOREIGN_ENV = {
    "DATABASE_URL": ("store", "database_url"), "OLLAMA_HOST": ("llm", "ollama_host"),
    "HF_ENDPOINT": ("models", "hf_endpoint"), "HF_TOKEN": ("models", "hf_token"),
}


@lru_cache(maxsize=1)
def flat_names() -> dict[str, list[tuple[str, str]]]:
    """Each flat name from before the parts → the (part, field) places it sets (`threads` sets two)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for part, info in Settings.model_fields.items():
        for name in info.annotation.model_fields:
            out.setdefault(_RENAMED.get((part, name), name), []).append((part, name))
    return out


def _decode(part: str, name: str, raw: str) -> Any:
    # Lists and dicts come as JSON, as pydantic-settings reads them for the grouped names.
    field = Settings.model_fields[part].annotation.model_fields[name]
    return json.loads(raw) if isinstance(field.get_default(call_default_factory=True), list | dict) else raw


class _FlatEnv(PydanticBaseSettingsSource):
    """BATCHRAG_<FLAT_NAME> and the shared variables (FOREIGN_ENV), placed in their parts."""

    def get_field_value(self, field, field_name):  # every value comes from __call__
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env = {k.upper(): v for k, v in os.environ.items()}
        places = [(f"BATCHRAG_{old.upper()}", place) for old, ps in flat_names().items() for place in ps]
        out: dict[str, dict[str, Any]] = {}
        for var, (part, name) in [*places, *FOREIGN_ENV.items()]:
            if var in env:
                out.setdefault(part, {})[name] = _decode(part, name, env[var])
        return out


class SettingsError(BatchragError):
    """A setting from the environment is unknown or has a value its field cannot take."""


def _explain(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    names = [f"BATCHRAG_{'__'.join(loc).upper()}"]
    if len(loc) == 2:
        names += [f"BATCHRAG_{old.upper()}" for old, ps in flat_names().items() if tuple(loc) in ps]
    what = "unknown setting" if err["type"] == "extra_forbidden" else f"bad value {err.get('input')!r} for"
    return f"{what} {'.'.join(loc)} ({' / '.join(names)}): {err['msg']} — the settings: docs/settings.md"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read by the front ends only (tests clear the cache after changing the environment)."""
    try:
        return Settings()
    except ValidationError as exc:  # one line for the reader, naming the variable to fix
        raise SettingsError(_explain(exc)) from None
