"""The rule schema: the header every rule shares and the keys of each rule kind.

A rule file is one YAML mapping. Checks are code, rules are data: a new rule of an
existing kind is a new YAML file, never a Python edit. The closed set of kinds
(modelled on Vale's `existence`, `occurrence`, `conditional` and `metric`):

existence    phrases that must not be said (with exceptions that cancel a match)
required     elements that must be said within the first or last N turns of a speaker
conditional  a trigger phrase requires another phrase in the same turn, or in the
             same or the speaker's next turn; exceptions cancel the trigger,
             second_exceptions a satisfying phrase
metric       a number computed over the conversation must stay within a threshold,
             with per-channel overrides
classifier   a turn a trained model (`rules/ngram_model`) scores at or above a threshold,
             read only where the check's phrase rules found nothing

Validation collects every problem of a file (not just the first) as PackErrors that
name the file and the line of the offending key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qa_audit.labels import CHANNEL_NAMES, NO, SEVERITY_NAMES, YES
from qa_audit.model import CHANNELS, SEVERITIES
from qa_audit.rules.yamlio import LineDict, PackError

KINDS = ("existence", "required", "conditional", "metric", "classifier")
SCOPES = ("agent", "customer", "any")
POSITIONS = ("first", "last")
WINDOWS = ("same_turn", "next_turn")
METRICS = ("agent_talk_share",)
PHRASE_KEYS = (
    "phrases", "exceptions", "first", "second", "second_exceptions", "new_topic", "dropped", "new_question",
    "new_question_exceptions", "another_matter", "answered_nothing", "completing", "completed", "aside",
)
"""Every rule key that holds phrases: all of them enter the segmenter's dictionary."""
RULE_ID = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")
CHECK_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

COMMON_KEYS = {
    "id": "stable rule code, e.g. PRO001",
    "kind": f"one of {', '.join(KINDS)}",
    "check": "the check category the rule reports under, e.g. prohibited",
    "message": "what a supervisor reads; %s is replaced by the words found",
    "rationale": "why the rule exists, citing the service standard",
    "severity": f"one of {', '.join(SEVERITIES)}",
    "weight": "points deducted from the call's score for each finding",
    "scope": f"whose turns are read: {', '.join(SCOPES)} (default agent)",
    "channels": f"channels the rule applies to: {', '.join(CHANNELS)} (default both)",
    "red_line": "true makes any finding set the call's score to 0 (一票否决)",
    "cap": "at most this many points deducted by this rule in one call",
    "enabled": "false switches the rule off (e.g. in a site pack)",
    "aliases": "retired codes that now mean this rule",
    "examples": "fail: [...] and pass: [...], run by `qa-audit rules test`",
}
KIND_KEYS: dict[str, dict[str, str]] = {
    "existence": {
        "phrases": "phrases that must not be said (required)",
        "exceptions": "phrases that cancel an overlapping match",
        "skip_quoted": "ignore matches inside quotation marks",
    },
    "required": {
        "position": "first or last (required)",
        "turns": "how many of the speaker's first/last turns to look in (default 1)",
        "elements": "list of {name, phrases}: all must appear in one of those turns (required)",
    },
    "conditional": {
        "first": "trigger phrases (required)",
        "second": "phrases that satisfy the trigger (required)",
        "within": "same_turn, or next_turn: the same turn or the speaker's next turn (default same_turn)",
        "exceptions": "phrases that cancel an overlapping trigger",
        "second_exceptions": "phrases that cancel an overlapping satisfying phrase"
        " (an echoed question: 能不能退 does not answer with 能)",
        "new_topic": "phrases that mark the next turn as a new topic, which then cannot satisfy",
        "dropped": "phrases that, said by anyone between the trigger and the next turn, show the matter was"
        " left (the customer gives up), so the next turn cannot satisfy",
        "new_question": "phrases that, said between the trigger and the next turn, ask a new closed question"
        " (那我能不能退款？): an opening of the next turn (^可以的) then answers that question, not the trigger;"
        " an open question that names another matter (那表带在哪里买？) counts as one too",
        "new_question_exceptions": "phrases that cancel an overlapping new_question phrase: a question asking for"
        " the remedy itself (你能帮我问问吗？) is answered by 可以",
        "another_matter": "phrases that, in the trigger's sentence before it, name a matter of its own (押金的事"
        " / 手续费这个 / 能不能赔偿): when the customer asked about it and it is no detail (具体), satisfying"
        " phrases said in the turn before that clause answered something else; a time asked about"
        " (什么时候) is a detail only after a `completing` phrase (a time frame) in the turn",
        "answered_nothing": "phrases by which a turn of the speaker asks for details, announces a lookup or only"
        " greets (请提供订单号 / 我查一下 / 很高兴为您服务): a turn each of whose sentences holds one (or hardly a"
        " word), with no trigger or satisfying phrase, answered nothing, so another_matter still counts the"
        " questions asked before it",
        "completing": "satisfying phrases that still count when they run into a `completed` trigger, reaching"
        " it only with their last part: a time frame said before a deferral (一周内会有人联系您: 一周内…会 ends"
        " on the 会 of 会有人联系); any other satisfying phrase that overlaps a trigger does not count",
        "completed": "the triggers a `completing` phrase may run into (vague deferrals)",
        "aside": "phrases that, after the trigger in its own turn, turn to something else (另外跟您介绍一下):"
        " satisfying phrases said after them belong to that (an offer's 2小时内到账), not to the trigger",
        "skip_quoted": "ignore triggers inside quotation marks",
    },
    "metric": {
        "metric": f"what is measured: {', '.join(METRICS)} (required)",
        "max": "the highest allowed value (required); a finding when strictly above",
        "per_channel": "channel: max overrides, e.g. {chat: 0.5}",
        "target": "the value aimed at, which the workbooks measure averages against (optional; for the "
                  "talk share 0.30, the 3 of 说听比 7:3)",
    },
    "classifier": {
        "model": "the model's name: a file models/NAME.json of a pack, written by `qa-audit rules train` (required)",
        "threshold": "the lowest score, 0 to 1, that makes a finding (required); higher finds fewer, more surely",
        "exceptions": "phrases that take the clause they are said in out of the score: the courteous formulas the"
        " model's words can resemble (麻烦您大声一点); a false alarm is mended here, without retraining;"
        " an exception only ever lowers a score",
        "skip_quoted": "leave words inside quotation marks out of the score (the agent repeating the customer)",
    },
}
REQUIRED_COMMON = ("id", "kind", "check", "message", "rationale", "severity", "weight", "examples")
REQUIRED_KIND = {
    "existence": ("phrases",),
    "required": ("position", "elements"),
    "conditional": ("first", "second"),
    "metric": ("metric", "max"),
    "classifier": ("model", "threshold"),
}

Example = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Element:
    """A named element of a `required` rule, e.g. 问候语 with its phrases."""

    name: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One validated rule. Phrase lists still hold `@lexicon` references; the pack resolves them."""

    id: str
    kind: str
    check: str
    message: str
    rationale: str
    severity: str
    weight: float
    path: str
    line: int
    scope: str = "agent"
    channels: tuple[str, ...] = CHANNELS
    red_line: bool = False
    cap: float | None = None
    enabled: bool = True
    aliases: tuple[str, ...] = ()
    fail_examples: tuple[Example, ...] = ()
    pass_examples: tuple[Example, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def applies_to(self, channel: str) -> bool:
        return channel in self.channels


def _is_phrase_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _check_examples(raw: Any, err: Any) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if not isinstance(raw, dict):
        err("examples", "'examples' must be a mapping with 'fail' and 'pass' lists")
        return (), ()
    out: dict[str, tuple[Example, ...]] = {}
    for key in ("fail", "pass"):
        items = raw.get(key)
        if not isinstance(items, list) or not items:
            err("examples", f"'examples.{key}' must be a non-empty list")
            out[key] = ()
            continue
        examples: list[Example] = []
        for item in items:
            if isinstance(item, str) and item.strip():
                examples.append(item)
            elif isinstance(item, list) and item and all(isinstance(x, str) for x in item):
                examples.append(tuple(item))
            else:
                err("examples", f"each 'examples.{key}' entry is a sentence or a list of turns")
        out[key] = tuple(examples)
    for key in raw:
        if key not in ("fail", "pass"):
            err("examples", f"unknown key 'examples.{key}' (use fail and pass)")
    return out.get("fail", ()), out.get("pass", ())


_FOLDED_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])")


def unfold(text: str) -> str:
    """Rule text without the spaces YAML puts where it folds a long line (`>`, or a plain
    line continued): between two Chinese characters a reader sees a stray gap
    (必须有礼貌 结束语). Spaces beside Latin letters and digits are kept (得分为 0)."""
    return _FOLDED_SPACE.sub("", text.strip())


def validate_rule(data: Any, path: str) -> tuple[Rule | None, list[PackError]]:
    """Check one rule mapping against the schema; return the rule (if valid) and every error."""
    errors: list[PackError] = []
    if not isinstance(data, LineDict):
        return None, [PackError(path, None, "a rule file must hold one YAML mapping")]

    def err(key: str, message: str) -> None:
        errors.append(PackError(path, data.line_of(key), message))

    kind = data.get("kind")
    if "kind" in data and kind not in KINDS:  # `kind:` with no value is None: an error too, not "no kind"
        err("kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        kind = None
    for key in REQUIRED_COMMON:
        if key not in data:
            errors.append(PackError(path, data.line, f"missing the required '{key}' key"))
    if kind:
        for key in REQUIRED_KIND[kind]:
            if key not in data:
                errors.append(PackError(path, data.line, f"missing the required '{key}' key for kind {kind}"))
        allowed = set(COMMON_KEYS) | set(KIND_KEYS[kind])
        for key in data:
            if key not in allowed:
                err(key, f"unknown key {key!r} for kind {kind}; allowed: {', '.join(sorted(allowed))}")

    data = _as_codes(data)
    rule_id = data.get("id")
    if "id" in data and not (isinstance(rule_id, str) and RULE_ID.match(rule_id)):
        err("id", f"'id' must look like PRO001 (2-5 capitals and 3 digits), got {rule_id!r}")
    check = data.get("check")
    if "check" in data and not (isinstance(check, str) and CHECK_NAME.match(check)):
        err("check", f"'check' must be a lower-case name like prohibited, got {check!r}")
    for key in ("message", "rationale"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            err(key, f"'{key}' must be non-empty text")
    if "severity" in data and data["severity"] not in SEVERITIES:
        words = ", ".join(SEVERITY_NAMES[s] for s in SEVERITIES)
        err("severity", f"'severity' must be one of {', '.join(SEVERITIES)} ({words}), got {data['severity']!r}")
    for key in ("weight", "cap"):
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            err(key, f"'{key}' must be a number >= 0, got {value!r}")
    if "scope" in data and data["scope"] not in SCOPES:
        err("scope", f"'scope' must be one of {', '.join(SCOPES)}, got {data['scope']!r}")
    channels = data.get("channels", list(CHANNELS))
    if not (isinstance(channels, list) and channels and all(c in CHANNELS for c in channels)):
        err("channels", f"'channels' must be a list drawn from {', '.join(CHANNELS)}")
        channels = list(CHANNELS)
    for key in ("red_line", "enabled", "skip_quoted"):
        if key in data and not isinstance(data[key], bool):
            err(key, f"'{key}' must be true or false")
    aliases = data.get("aliases", [])
    if not (isinstance(aliases, list) and all(isinstance(a, str) and RULE_ID.match(a) for a in aliases)):
        err("aliases", "'aliases' must be a list of rule codes")
        aliases = []
    fail, passing = _check_examples(data.get("examples"), err) if "examples" in data else ((), ())

    params: dict[str, Any] = {}
    if kind:
        params = _validate_kind(kind, data, err)
    if errors:
        return None, errors
    return (
        Rule(
            id=rule_id,
            kind=kind,
            check=check,
            message=unfold(data["message"]),
            rationale=unfold(data["rationale"]),
            severity=data["severity"],
            weight=float(data["weight"]),
            path=path,
            line=data.line,
            scope=data.get("scope", "agent"),
            channels=tuple(channels),
            red_line=data.get("red_line", False),
            cap=float(data["cap"]) if "cap" in data else None,
            enabled=data.get("enabled", True),
            aliases=tuple(aliases),
            fail_examples=fail,
            pass_examples=passing,
            params=params,
        ),
        [],
    )


_WORDS: dict[str, dict[object, object]] = {
    "severity": {word: code for code, word in SEVERITY_NAMES.items()},
    "scope": {"坐席": "agent", "客户": "customer", "双方": "any"},
    "channels": {word: code for code, word in CHANNEL_NAMES.items()},
    **{key: {YES: True, NO: False} for key in ("enabled", "red_line", "skip_quoted")},
}
"""The words the reports show (严重, 在线, 是) for the codes a rule is written in: a QA lead
copies a value from a workbook into a pack and it means what it meant there."""


def _as_codes(data: LineDict) -> LineDict:
    """`data` with the report words of `_WORDS` turned into their codes; anything else as it was."""
    coded = LineDict(data)
    coded.line, coded.key_lines = data.line, data.key_lines
    per_channel = data.get("per_channel")
    if isinstance(per_channel, dict):
        coded["per_channel"] = {_WORDS["channels"].get(k, k) if isinstance(k, str) else k: v
                                for k, v in per_channel.items()}
    for key, codes in _WORDS.items():
        value = data.get(key)
        if isinstance(value, list):
            coded[key] = [codes.get(v, v) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            coded[key] = codes.get(value.strip(), value)
    return coded


def _validate_kind(kind: str, data: LineDict, err: Any) -> dict[str, Any]:
    """Validate the keys of one kind; return its parameters in their final types."""
    params: dict[str, Any] = {}
    for key in PHRASE_KEYS:
        if key in data and key in KIND_KEYS[kind]:
            if _is_phrase_list(data[key]):
                params[key] = tuple(data[key])
            else:
                err(key, f"'{key}' must be a non-empty list of phrases")
    params.setdefault("exceptions", ())
    params["skip_quoted"] = bool(data.get("skip_quoted", False))
    if kind == "required":
        if data.get("position") not in POSITIONS:
            err("position", f"'position' must be one of {', '.join(POSITIONS)}")
        turns = data.get("turns", 1)
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
            err("turns", "'turns' must be a whole number >= 1")
        elements = []
        raw = data.get("elements")
        if not isinstance(raw, list) or not raw:
            err("elements", "'elements' must be a non-empty list of {name, phrases}")
        else:
            for item in raw:
                if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                        and _is_phrase_list(item.get("phrases")) and set(item) <= {"name", "phrases"}):
                    where = item.line if isinstance(item, LineDict) else data.line_of("elements")
                    errors_line = "each element needs 'name' (text) and 'phrases' (a non-empty list), nothing else"
                    err("elements", f"{errors_line} (element at line {where})")
                    continue
                elements.append(Element(item["name"], tuple(item["phrases"])))
        params.update(position=data.get("position"), turns=turns, elements=tuple(elements))
    elif kind == "conditional":
        within = data.get("within", "same_turn")
        if within not in WINDOWS:
            err("within", f"'within' must be one of {', '.join(WINDOWS)}")
        params["within"] = within
    elif kind == "classifier":
        model, threshold = data.get("model"), data.get("threshold")
        if not (isinstance(model, str) and model.strip()):
            err("model", "'model' must name a model file of the pack's models/ folder, e.g. taboo")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold < 1:
            err("threshold", f"'threshold' must be a number above 0 and below 1 (0.6 for 60%), got {threshold!r}")
        params.update(model=model, threshold=threshold)
    elif kind == "metric":
        if data.get("metric") not in METRICS:
            err("metric", f"'metric' must be one of {', '.join(METRICS)}")
        params["metric"] = data.get("metric")
        per_channel = data.get("per_channel", {})
        if not isinstance(per_channel, dict):
            err("per_channel", "'per_channel' must map channels to a max, e.g. {chat: 0.5}")
            per_channel = {}
        elif not set(per_channel) <= set(CHANNELS):
            err("per_channel", f"'per_channel' keys must be channels: {', '.join(CHANNELS)}")
        limits = {"max": data.get("max"), **per_channel}
        if "target" in data:
            limits["target"] = data["target"]
        for name, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                key = name if name in ("max", "target") else "per_channel"
                err(key, f"threshold {name!r} must be a number from 0 to 1 (0.50 for 50%)")
        params["max"] = data.get("max")
        params["per_channel"] = dict(per_channel)
        params["target"] = data.get("target")
        target = limits.get("target")
        above = [name for name, value in limits.items() if name != "target" and isinstance(value, int | float)
                 and isinstance(target, int | float) and target > value]
        if above:
            err("max" if above[0] == "max" else "per_channel",
                f"'target' must not be above a limit ({', '.join(above)}): a call is flagged above it")
    return params
