"""`qa-audit rules show ID`: a rule explained the way `ruff rule CODE` explains one.

What it checks (message), why (rationale), how it is configured (its keys, with lexicons
expanded to a few sample phrases), and the anti-pattern / best-practice examples that
`qa-audit rules test` runs. `rules show NAME` lists a lexicon whole: a site that removes
a phrase must write it as the lexicon does.
"""

from __future__ import annotations

from qa_audit.rules.pack import RulePack, rule_phrases
from qa_audit.rules.schema import KIND_KEYS, Example, Rule

SAMPLE = 8


def _phrases(pack: RulePack, phrases: tuple[str, ...]) -> str:
    shown = []
    for phrase in phrases:
        if phrase.startswith("@"):
            entries = pack.lexicons.get(phrase[1:], ())
            more = f" …（共 {len(entries)} 条）" if len(entries) > SAMPLE else ""
            shown.append(f"{phrase}: {'、'.join(entries[:SAMPLE])}{more}")
        else:
            shown.append(phrase)
    return "\n      ".join(shown)


def _example(example: Example) -> str:
    return example if isinstance(example, str) else " / ".join(example)


def describe(rule: Rule, pack: RulePack) -> str:
    lines = [
        f"{rule.id}  {rule.check}  ({rule.kind})",
        "",
        f"信息 Message:   {rule.message}",
        f"级别 Severity:  {rule.severity}    扣分 Weight: {rule.weight:g}"
        + (f"    单通上限 Cap: {rule.cap:g}" if rule.cap is not None else "")
        + ("    红线 Red line: 一票否决" if rule.red_line else ""),
        f"范围 Scope:     {rule.scope} turns, channels: {', '.join(rule.channels)}"
        + ("" if rule.enabled else "    [disabled]"),
        f"定义 Defined in: {rule.path}:{rule.line}",
        "",
        "为什么 Why:",
        f"  {rule.rationale}",
        "",
        "配置 Configuration:",
    ]
    for key in KIND_KEYS[rule.kind]:
        value = rule.params.get(key)
        if value in (None, (), {}, False):
            continue
        if key == "elements":
            for element in value:
                lines.append(f"  element {element.name}:\n      {_phrases(pack, element.phrases)}")
        elif isinstance(value, tuple):
            lines.append(f"  {key}:\n      {_phrases(pack, value)}")
        else:
            lines.append(f"  {key}: {value}")
    model = pack.model_of(rule)
    if model is not None:
        trained = ", ".join(f"{k}={v}" for k, v in model.trained.items())
        lines.append(f"  训练 Trained: {trained or '—'}; {len(model.weights)} weights")
    lines += ["", "反例 Fails on (anti-pattern):"]
    lines += [f"  ✗ {_example(e)}" for e in rule.fail_examples]
    lines += ["", "正例 Passes (best practice):"]
    lines += [f"  ✓ {_example(e)}" for e in rule.pass_examples]
    if rule.aliases:
        lines += ["", f"旧编号 Aliases: {', '.join(rule.aliases)}"]
    return "\n".join(lines)


def describe_lexicon(name: str, pack: RulePack) -> str:
    """Every phrase of lexicon `name`, one per line, and the rules and lexicons that use it."""
    entries = pack.lexicons[name]
    reference = f"@{name}"
    used = [rule.id for rule in pack.rules if reference in rule_phrases(rule)]
    used += [f"@{other}" for other, phrases in pack.lexicons.items() if reference in phrases]
    lines = [f"@{name}  {pack.labels.get(name, '')}".rstrip(), "", f"短语 Phrases ({len(entries)}):"]
    lines += [f"  {entry}" for entry in entries]
    lines += ["", f"使用 Used by: {', '.join(used) or '—'}"]
    return "\n".join(lines)
