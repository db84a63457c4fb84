"""Explanations: the seed's "Explain {topic} to a {grade} grader using {analogy}."."""

from __future__ import annotations

from pipelines.ai.chain import ChainFailed
from pipelines.generations.produced import GenerationFailed, Produced
from pipelines.moderation import flatten


async def produce(variables: dict, *, params: dict, run) -> Produced:
    """One call on the ``explanation`` route: title, sections, key points, the analogy used."""
    variables = {**variables, "analogy": params["analogy"]}
    try:
        answer = await run("explanation", variables)
    except ChainFailed as exc:
        raise GenerationFailed.from_chain(exc) from None
    return Produced(
        type="explanation", content_json=answer.data, model=answer.model,
        to_moderate=[("explanation", flatten(answer.data))], results=[answer],
        extra={"template_version": answer.template_version},
    )

