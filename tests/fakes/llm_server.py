"""A protocol-level fake LLM server: OpenAI, Gemini and Ollama over real HTTP on 127.0.0.1.

The real SDKs talk to it (no patching of our code). It speaks
- OpenAI Chat Completions: ``POST /v1/chat/completions``  (base URL ``.openai_base_url``)
- Gemini (google-genai REST): ``POST /{version}/models/{model}:generateContent``
  (base URL ``.gemini_base_url``)
- Ollama: ``POST /api/chat``  (host ``.ollama_host``)
- OpenAI moderation: ``POST /v1/moderations`` (the API ``"moderation"``; unflagged unless
  scripted, e.g. ``fake.script("moderation", Behaviour(content={"flagged": True}))``)
and answers each request with the next scripted ``Behaviour`` for that API (and model), else
the API's standing behaviour, else a valid reply built from the JSON schema the request sent.

In a test::

    fake = FakeLLM().start()
    fake.script("gemini", Behaviour(status=503), Behaviour(status=429, retry_after=1))
    fake.always("openai", Behaviour(latency=0.2))
    ... run the code under test against fake.openai_base_url / fake.gemini_base_url ...
    assert fake.calls("gemini") == 3
    fake.stop()

From a benchmark, in another process::

    python -m tests.fakes.llm_server --port 8765 --latency 1.0 [--fail gemini:503]

and steer it over HTTP with ``FakeLLMControl(url)`` (same ``script``/``always``/``stats``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import httpx
import uvicorn

from tests.fakes.llm_protocols import APIS, Behaviour, answer, moderation_inputs, route

__all__ = ["APIS", "Behaviour", "FakeLLM", "FakeLLMControl"]


@dataclass
class _State:
    latency: float = 0.0
    scripts: dict = field(default_factory=dict)  # (api, model|None) -> [Behaviour]
    standing: dict = field(default_factory=dict)  # (api, model|None) -> Behaviour
    calls: Counter = field(default_factory=Counter)  # (api, model) -> n
    requests: list = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


class FakeLLM:
    """The server plus its script; thread-safe, so tests steer it while it serves."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0,
                 keep_requests: bool = True) -> None:
        self.host, self.port = host, port
        self.keep_requests = keep_requests
        self._lock = threading.Lock()
        self._state = _State(latency=latency)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- addresses -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def gemini_base_url(self) -> str:
        return f"{self.url}/"

    @property
    def ollama_host(self) -> str:
        return self.url

    # -- scripting -----------------------------------------------------------------------
    def script(self, api: str, *behaviours: Behaviour, model: str | None = None) -> FakeLLM:
        """Answer the next requests to ``api`` (and ``model``) with these, in order."""
        assert api in APIS, api
        with self._lock:
            self._state.scripts.setdefault((api, model), []).extend(behaviours)
        return self

    def always(self, api: str, behaviour: Behaviour | None, *, model: str | None = None) -> FakeLLM:
        """Answer every unscripted request to ``api`` (and ``model``) this way (None: default)."""
        assert api in APIS, api
        with self._lock:
            if behaviour is None:
                self._state.standing.pop((api, model), None)
            else:
                self._state.standing[(api, model)] = behaviour
        return self

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._state.latency = seconds

    def reset(self) -> None:
        """Forget scripts, standing behaviours, counters and logged requests."""
        with self._lock:
            latency = self._state.latency
            self._state = _State(latency=latency)

    def calls(self, api: str | None = None, model: str | None = None) -> int:
        with self._lock:
            return sum(
                n for (a, m), n in self._state.calls.items()
                if (api is None or a == api) and (model is None or m == model)
            )

    @property
    def requests(self) -> list[dict]:
        """Every request seen: ``{api, model, body, at}`` (body is the parsed JSON)."""
        with self._lock:
            return list(self._state.requests)

    def stats(self) -> dict:
        with self._lock:
            return {
                "calls": {f"{a}/{m}": n for (a, m), n in self._state.calls.items()},
                "in_flight": self._state.in_flight,
                "max_in_flight": self._state.max_in_flight,
            }

    def _next(self, api: str, model: str) -> Behaviour:
        with self._lock:
            state = self._state
            state.calls[(api, model)] += 1
            for key in ((api, model), (api, None)):
                queue = state.scripts.get(key)
                if queue:
                    return queue.pop(0)
            for key in ((api, model), (api, None)):
                if key in state.standing:
                    return state.standing[key]
            return Behaviour(latency=state.latency)

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeLLM:
        """Serve in a background thread; returns once the port is listening."""
        config = uvicorn.Config(
            self.asgi, host=self.host, port=self.port, log_level="warning", access_log=False,
            lifespan="off", interface="asgi3", timeout_graceful_shutdown=1, backlog=4096,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-llm", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- HTTP ----------------------------------------------------------------------------
    async def asgi(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        path, method = scope["path"], scope["method"]
        if path.startswith("/_fake/"):
            status, payload = self._control(method, path, raw)
            await _send(send, status, json.dumps(payload).encode(), {})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            await _send(send, 400, b'{"error": "request body is not JSON"}', {})
            return
        api, model, schema = route(path, body)
        if api is None:
            await _send(send, 404, b'{"error": "no such endpoint on the fake"}', {})
            return
        behaviour = self._next(api, model)
        with self._lock:
            if self.keep_requests:
                self._state.requests.append(
                    {"api": api, "model": model, "body": body, "at": time.time()}
                )
            self._state.in_flight += 1
            self._state.max_in_flight = max(self._state.max_in_flight, self._state.in_flight)
        try:
            if behaviour.latency:
                await asyncio.sleep(behaviour.latency)
            inputs = moderation_inputs(body) if api == "moderation" else None
            status, payload, headers = answer(api, model, schema, behaviour, inputs)
            await _send(send, status, payload, headers)
        finally:
            with self._lock:
                self._state.in_flight -= 1

    def _control(self, method: str, path: str, raw: bytes) -> tuple[int, dict]:
        data = json.loads(raw or b"{}")
        if path == "/_fake/stats":
            return 200, self.stats()
        if path == "/_fake/reset" and method == "POST":
            self.reset()
            return 200, {"ok": True}
        if path == "/_fake/script" and method == "POST":
            behaviours = [Behaviour.from_dict(b) for b in data["behaviours"]]
            self.script(data["api"], *behaviours, model=data.get("model"))
            return 200, {"ok": True}
        if path == "/_fake/always" and method == "POST":
            behaviour = data.get("behaviour")
            self.always(data["api"], Behaviour.from_dict(behaviour) if behaviour else None,
                        model=data.get("model"))
            return 200, {"ok": True}
        if path == "/_fake/latency" and method == "POST":
            self.set_latency(float(data["seconds"]))
            return 200, {"ok": True}
        return 404, {"error": f"unknown control {method} {path}"}


class FakeLLMControl:
    """Steer a fake running in another process (benchmarks) through its ``/_fake`` endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=10)

    def script(self, api: str, *behaviours: Behaviour, model: str | None = None) -> None:
        self._post("/_fake/script", {"api": api, "model": model,
                                     "behaviours": [asdict(b) for b in behaviours]})

    def always(self, api: str, behaviour: Behaviour | None, *, model: str | None = None) -> None:
        self._post("/_fake/always", {"api": api, "model": model,
                                     "behaviour": asdict(behaviour) if behaviour else None})

    def set_latency(self, seconds: float) -> None:
        self._post("/_fake/latency", {"seconds": seconds})

    def reset(self) -> None:
        self._post("/_fake/reset", {})

    def stats(self) -> dict:
        return self._http.get("/_fake/stats").json()

    def _post(self, path: str, payload: dict) -> None:
        self._http.post(path, json=payload).raise_for_status()


async def _send(send, status: int, body: bytes, headers: dict) -> None:
    raw_headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--fail", action="append", default=[], metavar="API:STATUS",
                        help="answer every request to API with STATUS (e.g. gemini:503)")
    args = parser.parse_args()
    fake = FakeLLM(host=args.host, port=args.port, latency=args.latency, keep_requests=False)
    for spec in args.fail:
        api, status = spec.split(":")
        fake.always(api, Behaviour(status=int(status)))
    fake.start()
    print(f"fake LLM server on {fake.url} (latency {args.latency}s)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
