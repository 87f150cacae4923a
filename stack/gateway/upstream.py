"""A deterministic stand-in for the model behind the gateway: OpenAI-shaped chat completions.

The answer is a pure function of the last user message, so a scenario can know what it will get;
`stream: true` sends it word by word as server-sent chunks ending in `data: [DONE]`, as OpenAI does.
`python -m stack.gateway.upstream --settings PATH` serves it on `settings["ports"]["upstream"]`.
"""
import argparse
import hashlib
import json
import time

from aiohttp import web

from stack.service import serve

MODEL = "stand-in-1"


def answer_for(messages):
    """Two sentences that restate the question, so sentence and token graphs both have parts."""
    question = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    words = str(question).split()
    topic = " ".join(words[:8]) if words else "nothing"
    digest = hashlib.sha256(str(question).encode()).hexdigest()[:6]
    return f"You asked about {topic}. The answer reference is {digest}."


def _completion_id(messages):
    return "chatcmpl-" + hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:12]


async def health(_request):
    return web.json_response({"status": "ok"})


async def completions(request):
    try:
        body = await request.json()
        messages = body["messages"]
    except (ValueError, KeyError, TypeError):
        return web.json_response({"error": {"message": "messages are required", "type": "invalid_request_error"}},
                                 status=400)
    text = answer_for(messages)
    created = int(time.time())
    ident = _completion_id(messages)
    model = body.get("model") or MODEL
    if not body.get("stream"):
        return web.json_response({
            "id": ident, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(str(messages).split()), "completion_tokens": len(text.split()),
                      "total_tokens": len(str(messages).split()) + len(text.split())},
        })
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    pieces = [word + " " for word in text.split(" ")]
    pieces[-1] = pieces[-1].rstrip()
    for index, piece in enumerate(pieces):
        chunk = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                 "choices": [{"index": 0, "delta": {"content": piece} if index else {"role": "assistant",
                                                                                   "content": piece},
                              "finish_reason": None}]}
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
    final = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    await response.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
    await response.write_eof()
    return response


def app():
    application = web.Application()
    application.add_routes([web.get("/health", health), web.post("/v1/chat/completions", completions)])
    return application


def main():
    parser = argparse.ArgumentParser(description="the gateway's stand-in model")
    parser.add_argument("--settings", required=True, help="the stack run's settings JSON")
    with open(parser.parse_args().settings) as handle:
        settings = json.load(handle)
    serve(app(), settings["ports"]["upstream"])


if __name__ == "__main__":
    main()
