"""``egt``: judge pairs and rank candidates with a trained reward model, from the command line.

    egt judge --model results/toy/reward_model --pairs pairs.jsonl --out judged.jsonl
    egt judge --server http://127.0.0.1:8000/v1 --served-model egt --template egt --pairs pairs.jsonl --out judged.jsonl
    egt rank  --model results/toy/reward_model --items items.jsonl --out ranked.jsonl [--scheme knockout]

Input: a ``.jsonl`` or ``.parquet`` file, one row per pair (``image``, ``question``, ``response_1``,
``response_2``, optionally ``id``) or per ranking item (``image``, ``question``, ``candidates``: a list
of strings). ``image`` is a path (relative to the input file's folder), raw bytes, base64 text or a
data URL. Output: one JSON line per row, appended as batches finish, so a killed run continues where
it stopped (rows whose ``id`` is already in the output are not judged again). Every row that cannot
be used is listed with its reason in ``<out>.rejected.jsonl`` and left out; none is dropped silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PAIR_FIELDS = ("image", "question", "response_1", "response_2")
ITEM_FIELDS = ("image", "question", "candidates")


def read_rows(path: str | Path) -> list[dict]:
    """Rows of a .jsonl or .parquet file; a malformed JSON line is an error naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"egt: {path}: no such file")
    if path.suffix == ".parquet":
        import polars as pl

        return pl.read_parquet(path).to_dicts()
    if path.suffix not in (".jsonl", ".json"):
        raise SystemExit(f"egt: {path}: expected a .jsonl or .parquet file")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise SystemExit(f"egt: {path}, line {number}: not JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise SystemExit(f"egt: {path}, line {number}: a JSON object was expected")
        rows.append(row)
    return rows


def usable(rows: list[dict], fields: tuple[str, ...], root: Path) -> tuple[list[dict], list[dict]]:
    """(rows ready to judge, with ``id`` and decoded image bytes; rejected rows with their reasons)."""
    from egt.reward_model import image_bytes

    ready, rejected = [], []
    for index, row in enumerate(rows):
        identity = str(row.get("id", index))
        missing = [f for f in fields if row.get(f) in (None, "")]
        reason = f"missing {', '.join(missing)}" if missing else None
        if reason is None:
            texts = [row[f] for f in fields if f not in ("image", "candidates")]
            if not all(isinstance(t, str) and t.strip() for t in texts):
                reason = "question and responses must be non-empty text"
            elif "candidates" in fields and (
                not isinstance(row["candidates"], list) or len(row["candidates"]) < 2
                or not all(isinstance(c, str) and c.strip() for c in row["candidates"])
            ):  # fmt: skip
                reason = "candidates must be a list of at least two non-empty texts"
        if reason is None:
            try:
                image = image_bytes(row["image"], root)
            except ValueError as error:
                reason = str(error)
        if reason is not None:
            rejected.append({"row": index, "id": identity, "reason": reason})
            continue
        ready.append({**{f: row[f] for f in fields}, "id": identity, "image": image})
    return ready, rejected


def done_ids(out: Path) -> set[str]:
    """Ids already written to ``out``. A last line cut off by a kill is removed (its row is judged
    again), so what is appended next starts on a line of its own."""
    if not out.is_file():
        return set()
    text = out.read_text()
    if text and not text.endswith("\n"):
        out.write_text(text[: text.rfind("\n") + 1])
    ids = set()
    for line in out.read_text().splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError):
            continue
    return ids


def _prepare(args, fields) -> tuple[list[dict], Path]:
    source = Path(args.pairs if fields == PAIR_FIELDS else args.items)
    rows = read_rows(source)
    ready, rejected = usable(rows, fields, source.parent)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rejected_path = out.with_name(out.name + ".rejected.jsonl")
    rejected_path.write_text("".join(json.dumps(r) + "\n" for r in rejected))
    seen = done_ids(out)
    todo = [r for r in ready if r["id"] not in seen]
    print(
        f"egt: {len(rows)} rows in {source}: {len(rejected)} rejected (reasons in {rejected_path}), "
        f"{len(ready) - len(todo)} already in {out}, {len(todo)} to do",
        file=sys.stderr,
    )
    return todo, out


def judge_command(args) -> int:
    from tqdm.auto import tqdm

    todo, out = _prepare(args, PAIR_FIELDS)
    judge, step = _server_judge(args) if args.server else _model_judge(args)
    with open(out, "a") as sink, tqdm(total=len(todo), desc="judging", unit="pair") as progress:
        for start in range(0, len(todo), step):
            batch = todo[start : start + step]
            for row, verdict in zip(batch, judge(batch), strict=True):
                sink.write(json.dumps({"id": row["id"], **verdict}) + "\n")
            sink.flush()
            progress.update(len(batch))
    return 0


def _model_judge(args):
    from egt.reward_model import RewardModel

    model = RewardModel.load(args.model, args.device, args.batch_size, args.template, args.max_new_tokens)
    return (lambda batch: [v.as_row() for v in model.judge_many(batch)]), model.batch_size


def _server_judge(args):
    from egt.serving import ServerJudge

    judge = ServerJudge(args.server, args.served_model, args.template or "egt", args.max_new_tokens or 1024)
    return (lambda batch: [judge.judge(row) for row in batch]), args.batch_size or 8


def rank_command(args) -> int:
    from tqdm.auto import tqdm

    from egt.reward_model import RewardModel

    todo, out = _prepare(args, ITEM_FIELDS)
    model = RewardModel.load(args.model, args.device, args.batch_size, args.template, args.max_new_tokens)
    with open(out, "a") as sink, tqdm(total=len(todo), desc="ranking", unit="item") as progress:
        for row in todo:
            ranking = model.rank(row["image"], row["question"], row["candidates"], args.scheme)
            line = {"id": row["id"], "order": ranking.order, "scheme": ranking.scheme}
            line |= {"judgments": ranking.judgments, "wins": ranking.wins}
            sink.write(json.dumps(line) + "\n")
            sink.flush()
            progress.update(1)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="egt", description="Use a reward model egt trained.")
    commands = top.add_subparsers(dest="command", required=True)
    judge = commands.add_parser("judge", help="judge pairs of responses (both presentation orders)")
    rank = commands.add_parser("rank", help="rank candidate responses by pairwise judgments")
    for command, source in ((judge, "--pairs"), (rank, "--items")):
        command.add_argument(source, required=True, help="a .jsonl or .parquet file")
        command.add_argument("--out", required=True, help="a .jsonl file, appended to (resumable)")
        command.add_argument("--model", help="a model folder egt trained (with egt_judge.json)")
        command.add_argument("--device", default="cpu")
        command.add_argument("--batch-size", type=int, help="pairs per batch (default: the evaluation's)")
        command.add_argument("--template", choices=["egt", "r1_reward"], help="override the folder's template")
        command.add_argument("--max-new-tokens", type=int, help="override the folder's judgment length")
    judge.add_argument("--server", help="an OpenAI-compatible endpoint (…/v1) serving the model instead")
    judge.add_argument("--served-model", default="egt", help="the model name the server knows")
    rank.add_argument("--scheme", choices=["round_robin", "knockout"], default="round_robin")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "judge" and bool(args.model) == bool(args.server):
        raise SystemExit("egt judge: give --model DIR or --server URL (one of them)")
    if args.command == "rank" and not args.model:
        raise SystemExit("egt rank: --model DIR is required")
    return judge_command(args) if args.command == "judge" else rank_command(args)


if __name__ == "__main__":
    sys.exit(main())
