"""What the fake LLM server says: each API's request routing and reply/error bodies.

Shapes follow the providers' REST APIs as their official SDKs parse them: OpenAI Chat
Completions, Gemini ``generateContent`` (google-genai), Ollama ``/api/chat``, and OpenAI's
``/v1/moderations`` (scripted as the API ``"moderation"``).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass

APIS = ("openai", "gemini", "ollama", "moderation")
# Every category OpenAI's moderation endpoint reports.
MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual",
    "sexual/minors", "violence", "violence/graphic",
)
_GEMINI_PATH = re.compile(r"^/[^/]+/models/(?P<model>[^:/]+):generateContent$")


@dataclass
class Behaviour:
    """How to answer one request. Defaults: a 200 with a schema-valid reply, at once."""

    status: int = 200
    latency: float = 0.0  # seconds before answering (longer than the client's timeout = timeout)
    retry_after: float | None = None  # sent as a Retry-After header
    content: dict | str | None = None  # the model's structured reply (dict) or raw text
    body: str | None = None  # replaces the whole HTTP body (e.g. "<html>" for a broken proxy)
    usage: tuple[int, int] = (120, 80)  # (input, output) tokens reported
    message: str | None = None  # error message for non-200 statuses

    @classmethod
    def from_dict(cls, data: dict) -> Behaviour:
        data = dict(data)
        if "usage" in data:
            data["usage"] = tuple(data["usage"])
        return cls(**data)



def route(path: str, body: dict) -> tuple[str | None, str, dict | None]:
    if path == "/v1/moderations":
        return "moderation", body.get("model", "omni-moderation-latest"), None
    if path == "/v1/chat/completions":
        fmt = body.get("response_format") or {}
        return "openai", body.get("model", ""), (fmt.get("json_schema") or {}).get("schema")
    if path == "/api/chat":
        fmt = body.get("format")
        return "ollama", body.get("model", ""), fmt if isinstance(fmt, dict) else None
    match = _GEMINI_PATH.match(path)
    if match:
        config = body.get("generationConfig") or {}
        return "gemini", match["model"], config.get("responseJsonSchema")
    return None, "", None


_GEMINI_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 408: "DEADLINE_EXCEEDED", 429: "RESOURCE_EXHAUSTED",
                  500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def moderation_inputs(body: dict) -> list[str]:
    raw = body.get("input", "")
    return [raw] if isinstance(raw, str) else [str(item) for item in raw]


def _moderation(model: str, inputs: list[str], content) -> dict:
    """Unflagged by default; ``content={"flagged": True, "categories": ["violence"]}`` flags
    every input, ``{"flagged": [1]}`` only those indexes."""
    content = content if isinstance(content, dict) else {}
    flagged = content.get("flagged", False)
    hits = set(content.get("categories") or ["violence"])
    results = []
    for index, _text in enumerate(inputs):
        on = flagged is True or (isinstance(flagged, list) and index in flagged)
        categories = {name: on and name in hits for name in MODERATION_CATEGORIES}
        results.append({
            "flagged": on, "categories": categories,
            "category_scores": {name: 0.9 if hit else 0.001 for name, hit in categories.items()},
            "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
        })
    return {"id": f"modr-{uuid.uuid4().hex[:12]}", "model": model, "results": results}


def answer(api: str, model: str, schema, b: Behaviour,
           inputs: list[str] | None = None) -> tuple[int, bytes, dict]:
    headers = {}
    if b.retry_after is not None:
        headers["retry-after"] = f"{b.retry_after:g}"
    if b.body is not None:
        return b.status, b.body.encode(), headers
    if b.status >= 400:
        message = b.message or f"fake {api} error {b.status}"
        if api in ("openai", "moderation"):
            kind = "rate_limit_exceeded" if b.status == 429 else (
                "invalid_request_error" if b.status < 500 else "server_error")
            payload = {"error": {"message": message, "type": kind, "code": kind, "param": None}}
        elif api == "gemini":
            payload = {"error": {"code": b.status, "message": message,
                                 "status": _GEMINI_STATUS.get(b.status, "UNKNOWN")}}
        else:
            payload = {"error": message}
        return b.status, json.dumps(payload).encode(), headers
    if api == "moderation":
        return b.status, json.dumps(_moderation(model, inputs or [], b.content)).encode(), headers
    content = b.content if b.content is not None else example(schema or {"type": "object"})
    text = content if isinstance(content, str) else json.dumps(content)
    tokens_in, tokens_out = b.usage
    if api == "openai":
        payload = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text, "refusal": None}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                      "total_tokens": tokens_in + tokens_out},
        }
    elif api == "gemini":
        payload = {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": tokens_in, "candidatesTokenCount": tokens_out,
                              "totalTokenCount": tokens_in + tokens_out},
            "modelVersion": model,
        }
    else:
        payload = {
            "model": model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "message": {"role": "assistant", "content": text}, "done": True,
            "done_reason": "stop", "prompt_eval_count": tokens_in, "eval_count": tokens_out,
        }
    return b.status, json.dumps(payload).encode(), headers


def example(schema: dict):
    """A small instance that satisfies a JSON schema (the shapes our task schemas use)."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return example(schema[key][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example(sub) for name, sub in props.items()}
    if kind == "array":
        return [example(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "example text".ljust(schema.get("minLength", 0), "x")
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return None
