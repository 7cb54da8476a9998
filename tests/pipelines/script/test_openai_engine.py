"""The openai engine against a local server speaking the chat-completions protocol."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from pipelines.errors import ScriptError
from pipelines.script import ScriptOptions, write_scripts
from pipelines.script.guards import check_variants

from .products import bottle


class ChatServer:
    """A chat-completions endpoint whose answers are queued by the test; it records every request."""

    def __init__(self):
        self.answers: list = []  # str content, or (status, body) tuples
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                outer.requests.append(body)
                outer.headers.append(dict(self.headers))
                assert self.path == "/v1/chat/completions"
                answer = outer.answers.pop(0) if outer.answers else "sorry, no more answers"
                if isinstance(answer, tuple):
                    status, payload = answer
                else:
                    status, payload = 200, {
                        "id": "chatcmpl-test", "object": "chat.completion", "model": body["model"],
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": answer}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat():
    server = ChatServer()
    yield server
    server.close()


def model_answer(script) -> str:
    """What a good model writes: the schema's fields, no ids (the engine fills those)."""
    data = script.model_dump(mode="json")
    return json.dumps({k: data[k] for k in ("angle", "hook", "scenes", "cta", "caption", "hashtags", "claims")})


def good_answers(product, options):
    """Well-formed, grounded scripts for each planned variant (written here by the offline writer)."""
    return [model_answer(s) for s in write_scripts(product, options)]


def settings(chat, **extra):
    return {"base_url": chat.base_url, "api_key": "test-key", "model": "test-model", **extra}


def test_broken_json_is_retried_with_feedback_then_accepted(chat):
    product = bottle()
    options = ScriptOptions(variants=2, duration_s=20)
    good = good_answers(product, options)
    chat.answers = ['{"hook": "Coffee gone cold?", "scenes": [{"voiceover": "oops"', good[0], good[1]]
    scripts = write_scripts(product, options, engine="openai", settings=settings(chat))
    assert [s.hook for s in scripts] == [json.loads(g)["hook"] for g in good]
    assert check_variants(scripts, product, options) == []
    assert len(chat.requests) == 3
    first, retry = chat.requests[0], chat.requests[1]
    assert first["model"] == "test-model"
    assert first["response_format"]["type"] == "json_schema"
    assert "scenes" in first["response_format"]["json_schema"]["schema"]["properties"]
    assert chat.headers[0]["Authorization"] == "Bearer test-key"
    assert "not valid JSON" in retry["messages"][-1]["content"]
    facts = json.loads(first["messages"][1]["content"].split("\n", 1)[1])["product_facts"]
    assert facts["price"] == 24.99 and facts["list_price"] == 34.99
    # the second variant is told which hook is taken
    assert scripts[0].hook in chat.requests[2]["messages"][1]["content"]


def test_reads_endpoint_and_key_from_the_environment(chat, monkeypatch):
    product = bottle()
    options = ScriptOptions(variants=1, duration_s=20)
    chat.answers = good_answers(product, options)
    monkeypatch.setenv("OPENAI_BASE_URL", chat.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_MODEL", "llama3")
    [script] = write_scripts(product, options, engine="openai")
    assert chat.requests[0]["model"] == "llama3"
    assert chat.headers[0]["Authorization"] == "Bearer env-key"
    assert script.variant_id == "v1-pas"


def test_steps_down_when_the_server_lacks_structured_output(chat):
    product = bottle()
    options = ScriptOptions(variants=1, duration_s=20)
    chat.answers = [(400, {"error": {"message": "response_format json_schema is not supported"}}),
                    "```json\n" + good_answers(product, options)[0] + "\n```"]
    write_scripts(product, options, engine="openai", settings=settings(chat))
    assert chat.requests[1]["response_format"] == {"type": "json_object"}


def test_unsupported_claims_are_removed(chat):
    product = bottle()
    options = ScriptOptions(variants=1, duration_s=20)
    answer = json.loads(good_answers(product, options)[0])
    answer["scenes"][1]["voiceover"] += " The #1 bottle in America."
    chat.answers = [json.dumps(answer)]
    [script] = write_scripts(product, options, engine="openai", settings=settings(chat))
    assert "#1" not in script.voiceover and "America" not in script.voiceover
    assert len(chat.requests) == 1


def test_invalid_answers_end_in_a_clear_error(chat):
    product = bottle()
    options = ScriptOptions(variants=1, duration_s=20)
    bad = json.loads(good_answers(product, options)[0])
    bad["scenes"] = bad["scenes"][:1] + [{"role": "cta", "voiceover": "Buy now.", "on_screen_text": "",
                                          "visual": "avatar", "camera": "static"}]
    chat.answers = [json.dumps(bad)] * 2
    with pytest.raises(ScriptError) as err:
        write_scripts(product, options, engine="openai", settings=settings(chat, max_attempts=2))
    assert err.value.code == "llm_invalid_output"
    assert "after 2 attempt" in err.value.message and "20 s ad" in err.value.message
    assert "the voiceover you wrote reads in about" in chat.requests[1]["messages"][-1]["content"]


def test_falls_back_to_the_template_writer_when_configured(chat):
    product = bottle()
    options = ScriptOptions(variants=2, duration_s=20)
    chat.answers = ["no json here"] * 2
    scripts = write_scripts(product, options, engine="openai",
                            settings=settings(chat, max_attempts=1, fallback="template"))
    assert [s.model_dump() for s in scripts] == [s.model_dump() for s in write_scripts(product, options)]


def test_auth_and_unreachable_errors(chat):
    product = bottle()
    chat.answers = [(401, {"error": {"message": "bad key"}})]
    with pytest.raises(ScriptError) as err:
        write_scripts(product, ScriptOptions(variants=1), engine="openai", settings=settings(chat))
    assert err.value.code == "llm_auth" and "test-key" not in err.value.message
    chat.close()
    with pytest.raises(ScriptError) as err:
        write_scripts(product, ScriptOptions(variants=1), engine="openai",
                      settings=settings(chat, http_retries=0, timeout_s=2))
    assert err.value.code == "llm_unreachable"


def test_llm_copy_passes_the_same_angle_fit_guard(chat):
    """A model that pitches a wired lamp as cordless: the sentence goes, the rest of the ad stays."""
    from pipelines.product import Product

    lamp = Product(url="https://shop.example/p/sconce", title="Wall Sconce, Plug in Wall Lamp with 6ft Cord",
                   brand="Lumiven", price=36.99, currency="USD", images=["https://shop.example/s.jpg"],
                   features=["Black powder-coated steel shade and base resist scratches",
                             "Comes with screws and anchors for wall mounting"],
                   category=["Home", "Lighting", "Wall Lamps"], taxonomy="home")
    options = ScriptOptions(variants=1, duration_s=20)
    answer = json.loads(good_answers(lamp, options)[0])
    answer["scenes"][1]["voiceover"] += " No cords, no hunting for an outlet."
    chat.answers = [json.dumps(answer)]
    [script] = write_scripts(lamp, options, engine="openai", settings=settings(chat))
    assert "No cords" not in script.voiceover
    assert check_variants([script], lamp, options) == []
    prompt = json.loads(chat.requests[0]["messages"][1]["content"].split("\n", 1)[1])
    assert prompt["category"] == "home"
    assert "cordless" not in [a["angle"] for a in prompt["supported_angles"]]
    assert all(a["backed_by"] for a in prompt["supported_angles"])


def test_llm_is_told_to_translate_when_the_page_is_in_another_language(chat):
    from pipelines.product import Product

    kettle = Product(url="https://shop.example/p/kettle", title="暖居 304不锈钢电热水壶", brand="暖居", price=199,
                     currency="CNY", language="zh", images=["https://shop.example/k.jpg"],
                     features=["304不锈钢内胆，无异味", "1.7升大容量，全家够用"])
    options = ScriptOptions(variants=1, duration_s=20, language="en")
    chat.answers = [model_answer(s) for s in write_scripts(kettle, options)]
    [script] = write_scripts(kettle, options, engine="openai", settings=settings(chat))
    assert "translate what you use" in chat.requests[0]["messages"][0]["content"]
    assert any("openai engine translated" in w for w in script.warnings)
