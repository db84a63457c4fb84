"""The baseline: a bare FastAPI app on the same server settings as StudyForge's API."""

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/hello")
async def hello() -> dict:
    return {"ok": True}


@app.post("/hello")
async def hello_post(request: Request) -> dict:
    body = await request.json()
    return {"ok": True, "keys": len(body)}
