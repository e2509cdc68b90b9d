"""GET /feed.xml: the library's issues as an Atom feed for a feed reader (which may send its key as `?key=`)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from functools import lru_cache

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from batchrag.api.common import ApiState, only, state
from batchrag.domain.errors import BatchragError
from batchrag.service.feed import Feed
from batchrag.settings import ServeSettings

ATOM_TYPE = "application/atom+xml; charset=utf-8"


@lru_cache(maxsize=4)
def gzipped(doc: bytes) -> bytes:
    """The document compressed once per version (polling readers get the same bytes)."""
    return gzip.compress(doc, compresslevel=6, mtime=0)


def public_base(serve: ServeSettings) -> str:
    """The address readers reach the API at: serve.public_url, never the request's Host (a client chooses that)."""
    return (serve.public_url or f"http://{serve.api_host}:{serve.api_port}").rstrip("/")


def install_feed(app: FastAPI) -> None:
    """The feed route; its Feed (and the document it keeps) is made on the first request, one per process."""
    made: list[Feed] = []
    lock = threading.Lock()

    def feed_of(api: ApiState) -> Feed:
        with lock:
            if not made:
                try:  # the assistant's model: its kept summaries are the ones shown; none is asked here
                    backend = api.assistant.backend
                except BatchragError:  # no model can run: the feed still serves the leads
                    backend = None
                made.append(Feed(api.settings, backend=backend, library=api.library))
            return made[0]

    @app.get("/feed.xml", dependencies=[only()], response_class=Response)
    def feed(request: Request, api: ApiState = Depends(state)) -> Response:
        """An Atom feed, one entry per issue, newest first: its stories linked, each with its Ukrainian summary
        where a capable model already wrote one, else its English lead."""
        doc = feed_of(api).document(public_base(api.settings.serve) + "/feed.xml")
        tag = '"' + hashlib.sha256(doc).hexdigest()[:32] + '"'
        if tag in request.headers.get("if-none-match", ""):  # a polling reader with the same feed gets no body
            return Response(status_code=304, headers={"ETag": tag})
        headers = {"ETag": tag, "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            # The whole archive's feed is ~1.6 MB of XML, ~5× smaller gzipped; only here: a gzip middleware would
            # buffer the answers' Server-Sent Events.
            return Response(gzipped(doc), media_type=ATOM_TYPE, headers={**headers, "Content-Encoding": "gzip"})
        return Response(doc, media_type=ATOM_TYPE, headers=headers)
