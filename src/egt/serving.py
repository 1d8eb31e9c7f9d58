"""Judging through an OpenAI-compatible server (``vllm serve <model folder>``, or any other).

A folder egt trained is a plain transformers checkpoint with its processor and chat template, so
``vllm serve results/<run>/reward_model --served-model-name egt`` serves it. A client that wants egt's
judgments sends egt's judging prompt (``egt.judging.judge_prompt_text`` with the template in the
folder's ``egt_judge.json``) after the image, at temperature 0, in both presentation orders, and
reads the answer as egt does (``egt.judging.parse_judgment``). :class:`ServerJudge` does exactly that,
with the same request builder the teacher uses (``egt.data.teacher``). A server gives no
preference probability here (that needs the answer token's logprobs): it is None.
"""

from __future__ import annotations

from egt.data.teacher import ChatClient, teacher_messages
from egt.judging import parse_judgment
from egt.reward_model import combine


class ServerJudge:
    def __init__(self, base_url: str, model: str, template: str, max_new_tokens: int, api_key: str | None = None):
        self.client = ChatClient(base_url, model, api_key, temperature=0.0, max_tokens=max_new_tokens)
        self.template = template

    def judge(self, row: dict) -> dict:
        """A row (image bytes, question, response_1, response_2) judged in both orders: the same
        fields as :meth:`egt.reward_model.Verdict.as_row`."""
        texts = [
            self.client.complete(teacher_messages(row["question"], first, second, row["image"], self.template))
            for first, second in ((row["response_1"], row["response_2"]), (row["response_2"], row["response_1"]))
        ]
        original, swapped = (parse_judgment(text).answer for text in texts)
        answers = (original, None if swapped is None else 3 - swapped)
        preferred, probability, consistent = combine(answers, (None, None))
        return {
            "preferred": preferred,
            "probability": probability,
            "consistent": consistent,
            "answer_original": answers[0],
            "answer_swapped": answers[1],
            "reasoning": texts[0],
            "reasoning_swapped": texts[1],
        }
