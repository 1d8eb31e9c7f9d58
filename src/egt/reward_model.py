"""Using a reward model egt trained: judge a pair, get a preference probability, rank candidates.

    from egt.reward_model import RewardModel
    rm = RewardModel.load("results/toy/reward_model")
    verdict = rm.judge("cat.png", "What colour is the shape?", "It is red.", "It is blue.")
    verdict.preferred, verdict.probability, verdict.consistent, verdict.reasoning

The judging prompt, the image budget and the judgment length are the ones the model was trained and
evaluated with, read from the model folder's ``egt_judge.json`` (written with every model egt
trains), so a judgment here is exactly what egt's evaluation rule makes: greedy decoding, in both
presentation orders (:func:`egt.generation.judge.judge_batch`).

**Preference probability.** After the model's own greedy reasoning, at the position where it names
the better response (the token after ``<answer>``), the probabilities it gives "1" and "2" are read
teacher-forced and renormalised over the two. In the swapped order "2" names the first response, so
``probability`` (that response 1 is better) is the mean of P("1") in the original order and P("2")
in the swapped one: a habit of naming one position cancels. An order whose judgment names no answer
contributes nothing; with neither, the probability is None.

**Ranking** (:meth:`RewardModel.rank`): ``round_robin`` judges every pair of candidates (N(N-1)/2
pairs, N(N-1) judgments) and orders them by their summed preference probability against the others
(the win matrix holds each pair's probability); ``knockout`` judges N-1 pairs (2(N-1) judgments) in
a single-elimination bracket, enough to name the best candidate (the rest are ordered by the round
they fell in).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import torch

from egt.data.images import decode_image
from egt.generation.entropy import generated_token_mask
from egt.generation.inputs import gather_rows, images_per_row
from egt.generation.judge import judgment_rows, prompts_and_images
from egt.generation.sampling import Sampling
from egt.judging import judge_settings, read_judge_settings
from egt.modeling import load_model, load_processor, vision_token_ids


def image_bytes(image, root: str | Path = ".") -> bytes:
    """Encoded image bytes from a PIL image, raw bytes, base64 text or a data URL, or a path
    (relative paths under ``root``)."""
    if hasattr(image, "save") and hasattr(image, "mode"):  # a PIL image
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        return buffer.getvalue()
    if isinstance(image, Path):
        image = str(image)
    data, problem = decode_image(image, [Path(root)])
    if data is None:
        raise ValueError(f"image: {problem}")
    return data


@dataclass(frozen=True)
class Verdict:
    """One pair judged in both presentation orders, in the caller's terms (response 1, response 2)."""

    preferred: int | None  # 1 or 2; None when neither order names a response
    probability: float | None  # P(response 1 is better), both orders averaged
    consistent: bool  # both orders name the same response
    reasoning: str  # the judgment with the responses in the caller's order
    reasoning_swapped: str  # the judgment with them swapped
    answers: tuple[int | None, int | None]  # each order's answer, mapped to the caller's numbering

    def as_row(self) -> dict:
        return {
            "preferred": self.preferred,
            "probability": self.probability,
            "consistent": self.consistent,
            "answer_original": self.answers[0],
            "answer_swapped": self.answers[1],
            "reasoning": self.reasoning,
            "reasoning_swapped": self.reasoning_swapped,
        }


@dataclass(frozen=True)
class Ranking:
    order: list[int]  # candidate indices, best first
    wins: list[list[float | None]]  # wins[i][j]: P(candidate i beats j); None where not judged
    scheme: str
    judgments: int  # generations spent (two per pair)
    verdicts: dict[tuple[int, int], Verdict] = field(default_factory=dict)


def combine(answers: tuple[int | None, int | None], probabilities: tuple[float | None, float | None]) -> tuple:
    """(preferred, probability, consistent) from each order's answer and P(its answer names response
    1), both already in the caller's numbering."""
    known = [p for p in probabilities if p is not None]
    probability = sum(known) / len(known) if known else None
    named = [a for a in answers if a is not None]
    consistent = len(named) == 2 and named[0] == named[1]
    if consistent:
        preferred = named[0]
    elif probability is not None and probability != 0.5:
        preferred = 1 if probability > 0.5 else 2
    else:
        preferred = named[0] if named else None
    return preferred, probability, consistent


def answer_position(token_texts: list[str]) -> int | None:
    """Index of the token naming the answer: the first "1" or "2" token right after ``<answer>``
    (whitespace between them allowed), or None."""
    text = ""
    for index, piece in enumerate(token_texts):
        if piece.strip() in ("1", "2") and text.rstrip().endswith("<answer>"):
            return index
        text += piece
    return None


class RewardModel:
    """A trained egt reward model, ready to judge (see the module's docstring)."""

    def __init__(self, model, processor, settings: dict, batch_size: int = 8):
        self.model, self.processor, self.settings, self.batch_size = model, processor, settings, batch_size
        self.sampling = Sampling(max_new_tokens=settings["max_new_tokens"])
        tokenizer = processor.tokenizer
        self.answer_ids = (tokenizer.convert_tokens_to_ids("1"), tokenizer.convert_tokens_to_ids("2"))

    @classmethod
    def load(
        cls,
        path: str | Path,
        device: str = "cpu",
        batch_size: int | None = None,
        template: str | None = None,
        max_new_tokens: int | None = None,
        trust_remote_code: bool = False,
    ) -> RewardModel:
        """The model in ``path`` with the judging settings it was trained with (``egt_judge.json``);
        ``template`` and ``max_new_tokens`` override them, or stand in for a folder without one."""
        try:
            settings = read_judge_settings(path)
        except FileNotFoundError:
            if template is None or max_new_tokens is None:
                raise
            settings = judge_settings(template, None, max_new_tokens)
        settings = {
            **settings,
            **({"template": template} if template else {}),
            **({"max_new_tokens": max_new_tokens} if max_new_tokens else {}),
        }
        model = load_model(str(path), trust_remote_code).to(device)
        model.eval()
        processor = load_processor(str(path), trust_remote_code, settings.get("pixels") or None)
        return cls(model, processor, settings, batch_size or settings.get("batch_size", 8))

    # --- judging ---------------------------------------------------------------------------------

    def judge(self, image, question: str, response_1: str, response_2: str) -> Verdict:
        """One pair, both orders; ``image`` is a PIL image, a path, bytes or base64 text."""
        pair = {"image": image, "question": question, "response_1": response_1, "response_2": response_2}
        return self.judge_many([pair])[0]

    def judge_many(self, pairs: list[dict], progress=None) -> list[Verdict]:
        """Pairs (dicts with image, question, response_1, response_2), ``batch_size`` at a time;
        ``progress`` (a callable taking a count) is told after each batch."""
        rows = [
            {**pair, "pair_id": str(index), "image": image_bytes(pair["image"])} for index, pair in enumerate(pairs)
        ]
        verdicts = []
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            original = self._judge_order(batch, swap=False)
            swapped = self._judge_order(batch, swap=True)
            for (text_1, answer_1, p_1), (text_2, answer_2, p_2) in zip(original, swapped, strict=True):
                # swapped order: its "1" is the caller's response 2
                answers = (answer_1, None if answer_2 is None else 3 - answer_2)
                probabilities = (p_1, None if p_2 is None else 1.0 - p_2)
                preferred, probability, consistent = combine(answers, probabilities)
                verdicts.append(Verdict(preferred, probability, consistent, text_1, text_2, answers))
            if progress is not None:
                progress(len(batch))
        return verdicts

    @torch.no_grad()
    def _judge_order(self, batch: list[dict], swap: bool) -> list[tuple[str, int | None, float | None]]:
        """(judgment text, answer, P("1") at the answer position) per pair, in one presentation order:
        the evaluation rule's greedy judgment (:func:`egt.generation.judge.judge_batch`'s steps)."""
        template = self.settings["template"]
        texts, images = prompts_and_images(self.processor, batch, template, swap)
        inputs = self.processor(text=texts, images=images, return_tensors="pt", padding=True).to(self.model.device)
        generated = self.model.generate(**inputs, **self.sampling.hf_kwargs(vision_token_ids(self.processor)))
        generated = generated[:, inputs["input_ids"].shape[1] :]
        rows = judgment_rows(self.model, self.processor, batch, inputs, generated, self.sampling)
        eos = self.model.generation_config.eos_token_id
        mask = generated_token_mask(generated, [eos] if isinstance(eos, int) else list(eos))
        tokenizer = self.processor.tokenizer
        completions = [ids[: int(m.sum())].tolist() for ids, m in zip(generated, mask, strict=True)]
        positions = [answer_position([tokenizer.decode([t]) for t in ids]) for ids in completions]
        probabilities = self._answer_probabilities(inputs, completions, positions)
        return [(row["text"], row["answer"], p) for row, p in zip(rows, probabilities, strict=True)]

    def _answer_probabilities(self, inputs: dict, completions, positions) -> list[float | None]:
        """P("1") / (P("1") + P("2")) at each completion's answer position, teacher-forced over the
        prompt and the model's own reasoning up to that position."""
        out: list[float | None] = [None] * len(completions)
        todo = [i for i, position in enumerate(positions) if position is not None]
        if not todo:
            return out
        prefixes = [completions[i][: positions[i]] for i in todo]
        width = max(len(p) for p in prefixes)
        pad = self.processor.tokenizer.pad_token_id or 0
        device = self.model.device
        part = gather_rows(inputs, todo, images_per_row([{}] * len(completions)))
        # right-pad the reasoning prefixes: the last real token of each row predicts the answer
        ids = torch.tensor([p + [pad] * (width - len(p)) for p in prefixes], device=device, dtype=torch.long)
        mask = torch.tensor([[1] * len(p) + [0] * (width - len(p)) for p in prefixes], device=device)
        prompt_len = part["input_ids"].shape[1]
        full = dict(part)
        full["input_ids"] = torch.cat([part["input_ids"], ids], dim=1)
        full["attention_mask"] = torch.cat([part["attention_mask"], mask.to(part["attention_mask"].dtype)], dim=1)
        if "mm_token_type_ids" in full:
            pad_types = torch.zeros_like(ids, dtype=full["mm_token_type_ids"].dtype)
            full["mm_token_type_ids"] = torch.cat([full["mm_token_type_ids"], pad_types], dim=1)
        hidden = self.model.model(**full, use_cache=False).last_hidden_state
        last = torch.tensor([prompt_len - 1 + len(p) for p in prefixes], device=hidden.device)
        logits = self.model.get_output_embeddings()(hidden[torch.arange(len(todo), device=hidden.device), last])
        pair = torch.softmax(logits.float()[:, list(self.answer_ids)], dim=-1)
        for row, value in zip(todo, pair[:, 0].tolist(), strict=True):
            out[row] = value
        return out

    # --- ranking ---------------------------------------------------------------------------------

    def rank(self, image, question: str, candidates: list[str], scheme: str = "round_robin") -> Ranking:
        """Order ``candidates`` (answers to ``question`` about ``image``) by pairwise judgments."""
        if scheme == "round_robin":
            return self.rank_many([{"image": image, "question": question, "candidates": candidates}])[0]
        if scheme != "knockout":
            raise ValueError(f"scheme {scheme!r} is not round_robin or knockout")
        n = _check_candidates(candidates)
        wins: list[list[float | None]] = [[None] * n for _ in range(n)]
        verdicts: dict[tuple[int, int], Verdict] = {}
        alive, fell = list(range(n)), {}
        round_ = 0
        while len(alive) > 1:
            matches = [(alive[k], alive[k + 1]) for k in range(0, len(alive) - 1, 2)]
            pairs = [_match(image, question, candidates, i, j) for i, j in matches]
            for (i, j), verdict in zip(matches, self.judge_many(pairs), strict=True):
                verdicts[(i, j)] = verdict
                wins[i][j], wins[j][i] = _win_probabilities(verdict)
            survivors = [i if (wins[i][j] or 0.0) >= 0.5 else j for i, j in matches]
            for i, j in matches:
                fell[j if (wins[i][j] or 0.0) >= 0.5 else i] = round_
            alive = survivors + ([alive[-1]] if len(alive) % 2 else [])
            round_ += 1
        order = alive + sorted(fell, key=lambda i: (-fell[i], i))
        return Ranking(order, wins, scheme, 2 * len(verdicts), verdicts)

    def rank_many(self, items: list[dict], progress=None) -> list[Ranking]:
        """Round robin over each item's candidates (dicts with image, question, candidates), every
        item's pairs judged together, ``batch_size`` at a time."""
        matches = [
            (k, i, j)
            for k, item in enumerate(items)
            for i in range(_check_candidates(item["candidates"]))
            for j in range(i + 1, len(item["candidates"]))
        ]
        pairs = [_match(items[k]["image"], items[k]["question"], items[k]["candidates"], i, j) for k, i, j in matches]
        wins = [[[None] * len(item["candidates"]) for _ in item["candidates"]] for item in items]
        verdicts: list[dict] = [{} for _ in items]
        for (k, i, j), verdict in zip(matches, self.judge_many(pairs, progress), strict=True):
            verdicts[k][(i, j)] = verdict
            wins[k][i][j], wins[k][j][i] = _win_probabilities(verdict)
        return [
            Ranking(round_robin_order(w), w, "round_robin", 2 * len(v), v) for w, v in zip(wins, verdicts, strict=True)
        ]


def round_robin_order(wins: list[list[float | None]]) -> list[int]:
    """Candidates best first by their summed probability of beating the others (ties: lower index)."""
    score = [sum(w for w in row if w is not None) for row in wins]
    return sorted(range(len(wins)), key=lambda i: (-score[i], i))


def _check_candidates(candidates: list[str]) -> int:
    if len(candidates) < 2:
        raise ValueError("rank needs at least two candidates")
    return len(candidates)


def _match(image, question: str, candidates: list[str], i: int, j: int) -> dict:
    return {"image": image, "question": question, "response_1": candidates[i], "response_2": candidates[j]}


def _win_probabilities(verdict: Verdict) -> tuple[float | None, float | None]:
    """(P(first beats second), its complement): the preference probability, else 1 or 0 from the
    named answer, else unknown."""
    p = verdict.probability if verdict.probability is not None else {1: 1.0, 2: 0.0}.get(verdict.preferred)
    return p, None if p is None else 1.0 - p


class TRLReward:
    """A TRL reward function (``trl.GRPOTrainer(reward_funcs=[TRLReward(model)])``) that scores each
    completion of a policy against the dataset's ``reference`` response with an egt reward model: the
    probability that the completion is the better of the two (both presentation orders; 1 or 0 from
    the named answer where no probability can be read, 0.5 where neither order names one).

    The dataset needs an ``image`` (or ``images``) column and a ``reference`` column; the question
    comes from a ``question`` column, else from the text of the prompt's last user turn.
    """

    def __init__(self, model: RewardModel | str | Path, **load_kwargs):
        self.model = model if isinstance(model, RewardModel) else RewardModel.load(model, **load_kwargs)
        self.__name__ = "egt_reward"  # TRL names the logged reward after the function

    def __call__(self, prompts, completions, reference, image=None, images=None, question=None, **kwargs):
        from egt.judging import completion_text

        pictures = image if image is not None else [found[0] for found in images]
        questions = question if question is not None else [prompt_question(p) for p in prompts]
        pairs = [
            {"image": picture, "question": q, "response_1": completion_text(c), "response_2": ref}
            for picture, q, c, ref in zip(pictures, questions, completions, reference, strict=True)
        ]
        scores = []
        for verdict in self.model.judge_many(pairs):
            if verdict.probability is not None:
                scores.append(verdict.probability)
            else:
                scores.append({1: 1.0, 2: 0.0}.get(verdict.preferred, 0.5))
        return scores


def prompt_question(prompt) -> str:
    """The text of a prompt's last user turn (conversational prompts), or the prompt itself."""
    if isinstance(prompt, str):
        return prompt
    user = [turn for turn in prompt if turn.get("role") == "user"][-1]
    content = user["content"]
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if block.get("type") == "text")
