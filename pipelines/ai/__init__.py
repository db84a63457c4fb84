"""The AI orchestration pipeline: providers, routes, retries, fallback, circuit, history."""
