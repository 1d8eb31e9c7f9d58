"""Phase-1 reasoning traces distilled from a teacher behind any OpenAI-compatible chat endpoint.

Each pair is sent with the judging prompt; a trace is kept only when it is in the answer
format and names the labelled response (the fidelity filter). A pair gets up to ``attempts``
tries; pairs that never match are dropped and counted. Every answer is appended to an on-disk
cache, so a killed run resumes without paying twice. The API key comes from an environment
variable and is never written anywhere.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from tqdm.auto import tqdm

from egt.data.images import image_format
from egt.judging import judge_prompt_text, parse_judgment

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


class TeacherError(RuntimeError):
    pass


@dataclass
class ChatClient:
    base_url: str
    model: str
    api_key: str | None
    temperature: float = 1.0
    max_tokens: int = 1024
    timeout_s: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0

    def complete(self, messages: list[dict]) -> str:
        """One chat completion, retried with exponential backoff on transient failures."""
        body = json.dumps(
            {"model": self.model, "messages": messages, "temperature": self.temperature, "max_tokens": self.max_tokens}
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        for attempt in range(self.retries + 1):
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read())["choices"][0]["message"]["content"] or ""
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUS or attempt == self.retries:
                    raise TeacherError(f"{url}: HTTP {error.code}") from None
            except (urllib.error.URLError, TimeoutError) as error:
                if attempt == self.retries:
                    raise TeacherError(f"{url}: {type(error).__name__}") from None
            time.sleep(self.backoff_s * 2**attempt)
        raise AssertionError("unreachable")


def teacher_messages(question: str, response_1: str, response_2: str, image: bytes, template: str) -> list:
    """The judging prompt with the image as a data URL of its own encoding (PNG, JPEG, …)."""
    data_url = f"data:image/{image_format(image) or 'png'};base64," + base64.b64encode(image).decode()
    return [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": data_url}},
                {"type": "text", "text": judge_prompt_text(question, response_1, response_2, template)},
            ],
        }
    ]


class AnswerCache:
    """Teacher answers keyed by ``pair_id:attempt``, appended to a JSONL file as they arrive."""

    def __init__(self, path: str | Path):
        self.path, self.lock, self.answers = Path(path), threading.Lock(), {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a kill
                    continue
                self.answers[entry["key"]] = entry["content"]
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> str | None:
        return self.answers.get(key)

    def put(self, key: str, content: str) -> None:
        with self.lock:
            self.answers[key] = content
            with open(self.path, "a") as sink:
                sink.write(json.dumps({"key": key, "content": content}) + "\n")


def distill_pair(
    row: dict, client: ChatClient, cache: AnswerCache, attempts: int, template: str
) -> tuple[str | None, int]:
    """The first trace that passes the fidelity filter, and how many attempts it took."""
    messages = None
    for attempt in range(attempts):
        key = f"{row['pair_id']}:{attempt}"
        content = cache.get(key)
        if content is None:
            messages = messages or teacher_messages(
                row["question"], row["response_1"], row["response_2"], row["image"], template
            )
            content = client.complete(messages)
            cache.put(key, content)
        judgment = parse_judgment(content)
        if judgment.format_ok and judgment.answer == row["label"]:
            return content.strip(), attempt + 1
    return None, attempts


def distill_traces(
    pairs: pl.DataFrame,
    client: ChatClient,
    cache_path: str | Path,
    attempts: int,
    concurrency: int,
    template: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs with a ``reasoning`` column, dropped pairs with the reason); pairs in = kept + dropped."""
    cache = AnswerCache(cache_path)
    rows = pairs.to_dicts()
    with ThreadPoolExecutor(max_workers=concurrency) as pool, tqdm(total=len(rows), desc="teacher", unit="pair") as bar:
        futures = [pool.submit(distill_pair, row, client, cache, attempts, template) for row in rows]
        results = []
        for future in futures:
            results.append(future.result())
            bar.update(1)
    kept = [{**row, "reasoning": trace} for row, (trace, _) in zip(rows, results, strict=True) if trace is not None]
    dropped = [
        {"pair_id": row["pair_id"], "reason": f"no trace matched the label in {tries} attempts"}
        for row, (trace, tries) in zip(rows, results, strict=True)
        if trace is None
    ]
    schema = {**pairs.schema, "reasoning": pl.String}
    return (
        pl.DataFrame(kept, schema=schema),
        pl.DataFrame(dropped, schema={"pair_id": pl.String, "reason": pl.String}),
    )
