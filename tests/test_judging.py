import pytest

from egt.judging import completion_text, judge_messages, parse_judgment, reasoning_trace
from egt.training.rewards import accuracy_reward, format_reward


@pytest.mark.parametrize(
    "text, answer, format_ok",
    [
        ("<think>red is right</think><answer>1</answer>", 1, True),
        ("  <think>a\nb</think>\n<answer> 2 </answer>\n", 2, True),
        ("<think>no answer</think>", None, False),
        ("<answer>2</answer>", 2, False),  # answer without reasoning: readable, wrong format
        ("<think>x</think><answer>3</answer>", None, False),
        ("<think>x</think><answer>1</answer> trailing words", 1, False),
        ("<think>x</think><answer>1</answer><answer>2</answer>", None, False),  # conflicting
        ("<think><think>x</think><answer>1</answer>", 1, False),  # nested think
        ("", None, False),
        ("The answer is 1", None, False),
    ],
)
def test_parse_judgment(text, answer, format_ok):
    judgment = parse_judgment(text)
    assert judgment.answer == answer
    assert judgment.format_ok is format_ok


def test_reasoning_trace_is_well_formed_and_names_the_matching_response():
    trace = reasoning_trace("circle", "red", "blue", "red")
    assert parse_judgment(trace).format_ok
    assert parse_judgment(trace).answer == 2
    with pytest.raises(ValueError):
        reasoning_trace("circle", "green", "blue", "red")


def test_judge_messages_put_the_image_before_the_text():
    messages = judge_messages("What?", "A", "B", "egt")
    content = messages[0]["content"]
    assert content[0] == {"type": "image"}
    assert "Response 1: A" in content[1]["text"] and "Response 2: B" in content[1]["text"]


def test_completion_text_accepts_trl_conversational_completions():
    conversational = [{"role": "assistant", "content": "<think>x</think><answer>1</answer>"}]
    assert completion_text(conversational) == "<think>x</think><answer>1</answer>"
    assert completion_text("plain") == "plain"


def test_rewards():
    completions = [
        "<think>x</think><answer>1</answer>",
        "<think>x</think><answer>2</answer>",
        "<answer>1</answer>",
        "garbage",
    ]
    assert format_reward(completions) == [1.0, 1.0, 0.0, 0.0]
    assert accuracy_reward(completions, label=[1, 1, 1, 2]) == [1.0, 0.0, 1.0, 0.0]
