"""The files a front end writes for a reader (exports of the library, a conversation, a digest): 0600, their owner's
alone, like the data directory they come from (store/files.py; docs/security.md)."""

from batchrag.store.files import copy_private, open_private, private_dir, write_private_text

__all__ = ["copy_private", "open_private", "private_dir", "write_private_text"]
