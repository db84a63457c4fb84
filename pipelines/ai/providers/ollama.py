"""A local (or remote) Ollama server through the ``ollama`` SDK, ``format=<json schema>``.

``ollama.ResponseError`` keeps only the body and status, dropping Retry-After, so a response
hook raises our own error first, headers included. The SDK has no default timeout. The SDK's
client class takes its HTTP client class as a parameter; we give it ``httpx2``'s, whose
connection pool does not scan every connection per request event (httpx cost ~20 ms of CPU per
call at 256 in flight here).
"""

from __future__ import annotations

import httpx
import httpx2
import ollama

from pipelines.ai.providers.base import (
    PermanentError,
    Provider,
    ProviderReply,
    ProviderRequest,
    Sharded,
    TransientError,
    http_error,
)
from shared.config import Settings


async def _raise_for_status(response: httpx2.Response) -> None:
    if response.status_code >= 400:
        await response.aread()
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        raise http_error(
            response.status_code, str(message), headers=response.headers, raw=response.text
        )


class _Httpx2AsyncClient(ollama.AsyncClient):
    def __init__(self, host: str | None = None, **kwargs) -> None:
        # Skip AsyncClient.__init__ (which passes httpx.AsyncClient) for its base's.
        super(ollama.AsyncClient, self).__init__(httpx2.AsyncClient, host, **kwargs)


class OllamaProvider(Provider):
    name = "ollama"
    price_provider = None  # runs on your own hardware: no price table, so cost is "unknown"

    def __init__(self, settings: Settings) -> None:
        if not settings.ollama_host:
            raise PermanentError("ollama is not configured: set STUDYFORGE_OLLAMA_HOST")

        def build(connections: int) -> _Httpx2AsyncClient:
            return _Httpx2AsyncClient(
                host=settings.ollama_host,
                timeout=httpx2.Timeout(settings.ollama_timeout_seconds, connect=5.0),
                limits=httpx2.Limits(max_connections=connections,
                                     max_keepalive_connections=connections),
                event_hooks={"response": [_raise_for_status]},
            )

        self.clients = Sharded(settings, build)

    async def generate(self, request: ProviderRequest) -> ProviderReply:
        params = request.params
        options = {key: params[key] for key in ("temperature", "top_p", "seed") if key in params}
        if "max_tokens" in params:
            options["num_predict"] = params["max_tokens"]
        messages = [{"role": "user", "content": request.prompt}]
        if request.system:
            messages.insert(0, {"role": "system", "content": request.system})
        try:
            # The client's timeout is the process-wide bound; the chain also caps each attempt.
            response = await self.clients.next().chat(
                model=request.model,
                messages=messages,
                format=request.schema,
                options=options or None,
                stream=False,
            )
        except ollama.ResponseError as exc:  # only if the hook above did not see the status
            raise http_error(exc.status_code, str(exc.error)) from exc
        except (httpx2.TimeoutException, httpx.TimeoutException) as exc:
            raise TransientError(f"timed out after {request.timeout:.1f}s") from exc
        except (ConnectionError, httpx2.TransportError, httpx.TransportError) as exc:
            raise TransientError(f"connection failed: {exc}"[:300]) from exc
        except ValueError as exc:
            raise TransientError(f"unreadable response: {exc}"[:300]) from exc
        return ProviderReply(
            text=response.message.content or "",
            input_tokens=response.prompt_eval_count,
            output_tokens=response.eval_count,
        )

    async def aclose(self) -> None:
        for client in self.clients.clients:
            await client.close()
