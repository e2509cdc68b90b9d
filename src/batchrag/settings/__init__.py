"""The settings, one part per concern (docs/settings.md); `get_settings()` is for the front ends only."""

from batchrag.settings.model import FOREIGN_ENV, Settings, SettingsError, flat_names, get_settings
from batchrag.settings.parts import (
    AnswerSettings,
    CaptionSettings,
    CrawlSettings,
    HttpSettings,
    IndexSettings,
    LLMSettings,
    ModelsSettings,
    RetrieveSettings,
    SearchMode,
    ServeSettings,
    StoreSettings,
)

__all__ = [
    "FOREIGN_ENV", "AnswerSettings", "CaptionSettings", "CrawlSettings", "HttpSettings", "IndexSettings", "LLMSettings",
    "ModelsSettings", "RetrieveSettings", "SearchMode", "ServeSettings", "Settings", "SettingsError", "StoreSettings",
    "flat_names", "get_settings",
]
