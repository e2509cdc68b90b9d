"""The API's Prometheus metrics, written as the text exposition format by hand (one process, no extra package)."""

from __future__ import annotations

import threading
from collections import defaultdict

# Seconds: a search takes milliseconds, an answer from a local model up to a minute.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """Counters and latency histograms by endpoint; thread-safe (sync endpoints run in a thread pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.errors: dict[tuple[str, str], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.tokens: dict[str, int] = defaultdict(int)
        self.keys: dict[tuple[str, int], int] = defaultdict(int)  # (key name, status): never key material

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(endpoint, method, status)] += 1
            if status >= 400:
                self.errors[(endpoint, "client" if status < 500 else "server")] += 1
            b = self.buckets[endpoint]
            for i, le in enumerate(BUCKETS):
                if seconds <= le:
                    b[i] += 1
            self.sums[endpoint] += seconds
            self.counts[endpoint] += 1

    def by_key(self, name: str, status: int) -> None:
        """A request made with the API key named `name` (docs/contracts.md#api-keys)."""
        with self._lock:
            self.keys[(name, status)] += 1

    def error(self, endpoint: str, kind: str) -> None:
        """An error that is not a status code: a stream that failed or a reader who went away mid-answer."""
        with self._lock:
            self.errors[(endpoint, kind)] += 1

    def llm_tokens(self, backend: str, pieces: int) -> None:
        with self._lock:
            self.tokens[backend] += pieces

    def render(self) -> str:
        with self._lock:
            out = ["# HELP batchrag_requests_total HTTP requests by endpoint, method and status.",
                   "# TYPE batchrag_requests_total counter"]
            out += [f'batchrag_requests_total{{endpoint="{e}",method="{m}",status="{s}"}} {n}'
                    for (e, m, s), n in sorted(self.requests.items())]
            out += ["# HELP batchrag_request_seconds Request latency (a stream: until its last event).",
                    "# TYPE batchrag_request_seconds histogram"]
            for e in sorted(self.counts):
                out += [f'batchrag_request_seconds_bucket{{endpoint="{e}",le="{le}"}} {n}'
                        for le, n in zip(BUCKETS, self.buckets[e], strict=True)]
                out.append(f'batchrag_request_seconds_bucket{{endpoint="{e}",le="+Inf"}} {self.counts[e]}')
                out.append(f'batchrag_request_seconds_sum{{endpoint="{e}"}} {self.sums[e]:.6f}')
                out.append(f'batchrag_request_seconds_count{{endpoint="{e}"}} {self.counts[e]}')
            out += ["# HELP batchrag_llm_tokens_total Text pieces streamed by the answering model, by backend.",
                    "# TYPE batchrag_llm_tokens_total counter"]
            out += [f'batchrag_llm_tokens_total{{backend="{b}"}} {n}' for b, n in sorted(self.tokens.items())]
            out += ["# HELP batchrag_key_requests_total Requests by API key name and status.",
                    "# TYPE batchrag_key_requests_total counter"]
            out += [f'batchrag_key_requests_total{{key="{k}",status="{st}"}} {n}' for (k, st), n in sorted(self.keys.items())]
            out += ["# HELP batchrag_errors_total Errors by endpoint and kind (client, server, stream, disconnect).",
                    "# TYPE batchrag_errors_total counter"]
            out += [f'batchrag_errors_total{{endpoint="{e}",kind="{k}"}} {n}' for (e, k), n in sorted(self.errors.items())]
        return "\n".join(out) + "\n"
