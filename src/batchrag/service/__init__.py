"""The application layer: what the CLI, the Streamlit app and an HTTP API call (docs/ARCHITECTURE.md)."""

from batchrag.answer import EmptyQuestion
from batchrag.index.tables import IndexMissingError
from batchrag.service.asking import Asked, AskRequest, BadChoice, ChatTurn, Questions, ask_request
from batchrag.service.assistant import PICTURE_QUESTION_UK, Assistant, Filters, PictureNotFound
from batchrag.service.demo import build_demo_library, host_answers, network_available
from batchrag.service.library import Library, LibraryStatus
from batchrag.service.updater import LibraryUpdater, UpdateState

__all__ = [
    "PICTURE_QUESTION_UK", "AskRequest", "Asked", "Assistant", "BadChoice", "ChatTurn", "EmptyQuestion", "Filters",
    "IndexMissingError", "Library", "LibraryStatus", "LibraryUpdater", "PictureNotFound", "Questions", "UpdateState",
    "ask_request", "build_demo_library", "host_answers", "network_available",
]
