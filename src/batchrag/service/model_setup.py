"""Getting models, as the front ends see it: the presets, the offers a page shows, a pull, the background pull."""

from batchrag.models.presets import UnknownModel, check_name
from batchrag.models.pull import Offer, offers, presets, pull_model
from batchrag.models.puller import ModelPuller

__all__ = ["ModelPuller", "Offer", "UnknownModel", "check_name", "offers", "presets", "pull_model"]
