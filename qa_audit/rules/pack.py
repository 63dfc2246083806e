"""Loading rule packs: the default pack, then each `--rules PATH` on top of it.

A pack is a folder of YAML files (or a single file):
- `pack.yaml`: the pack's name, its scoring settings (start score, pass mark) and the
  names the reports show for checks a site adds (`checks: {welcome: 欢迎语}`);
- lexicon files, with a top-level `lexicons:` mapping of name -> {description, phrases};
- `models/NAME.json`: models `classifier` rules score turns with (`ngram_model`), by name;
  a later pack's model of the same name replaces the earlier one;
- every other file is one rule.

Later packs override earlier ones by id. A rule file with the id of an existing rule and
no `kind` changes only the keys it names (`{id: PRO001, weight: 5}`, `{id: HLD001,
enabled: false}`); with a `kind` it replaces the rule whole. A lexicon of an existing
name is replaced by `phrases`, or edited with `add` and `remove`.

Every problem in every file is collected and raised together (`PackErrors`), each with
its file and line, so `qa-audit rules validate` reports them all at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_audit.longlived import building
from qa_audit.rules.ngram_model import ModelError, NgramModel, load_model
from qa_audit.rules.phrases import Pattern, PhraseError, expand
from qa_audit.rules.schema import CHECK_NAME, PHRASE_KEYS, RULE_ID, Rule, validate_rule
from qa_audit.rules.yamlio import LineDict, PackError, load_yaml

DEFAULT_PACK = Path(__file__).resolve().parents[2] / "rules" / "default"
MODELS = "models"
"""The folder of a pack that holds its models (NAME.json, `ngram_model`)."""
YAML_SUFFIXES = (".yaml", ".yml")
_SAVED_AS_TEXT = re.compile(r"\.ya?ml\.txt$", re.IGNORECASE)
_DEFINES_LEXICONS = re.compile(r"^lexicons\s*:", re.MULTILINE)


class UnknownLexicon(PhraseError):
    """A reference to a lexicon no pack defines: a typo, or a lexicon file that could not be read."""


class PackErrors(Exception):
    """Every error found while loading rule packs."""

    def __init__(self, errors: Sequence[PackError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Scoring:
    """How findings become a call score (see README, "Scoring")."""

    start: float = 100.0
    pass_mark: float = 80.0


WIDE_PHRASE = 10_000
"""More patterns than a sensible phrase expands into. Every combination of a phrase's
alternatives is a pattern, a word the segmenter loads and an automaton entry, in every
process: three phrases written with many optional parts took the default pack from 84,000
to 138,000 patterns on 2026-12-01 (start-up 1.5 s -> 2.2 s, peak memory +50 MiB). A `…` gap
or fewer optional words say the same with far fewer."""


@dataclass
class RulePack:
    """The merged, validated rules of all packs, with lexicons resolved into patterns."""

    rules: tuple[Rule, ...]
    lexicons: dict[str, tuple[str, ...]]
    scoring: Scoring
    sources: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    check_names: dict[str, str] = field(default_factory=dict)
    """A site's Chinese names of the checks its rules report under (pack.yaml `checks:`):
    the column headers a supervisor reads for a check the built-in names do not know."""
    models: dict[str, NgramModel] = field(default_factory=dict)
    _patterns: dict[str, tuple[Pattern, ...]] = field(default_factory=dict, repr=False)

    def label(self, phrase: str) -> str:
        """How evidence names where a phrase came from: the lexicon's short label, or its @name."""
        return self.labels.get(phrase[1:], phrase) if phrase.startswith("@") else ""

    def model_of(self, rule: Rule) -> NgramModel | None:
        """The model a `classifier` rule scores with (None for other kinds)."""
        return self.models.get(rule.params.get("model", ""))

    @property
    def enabled(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    def rule(self, rule_id: str) -> Rule | None:
        """A rule by its id or one of its retired aliases."""
        for r in self.rules:
            if r.id == rule_id or rule_id in r.aliases:
                return r
        return None

    def patterns(self, phrases: Iterable[str]) -> tuple[Pattern, ...]:
        """The match patterns of a phrase list, lexicon references resolved."""
        out: list[Pattern] = []
        for phrase in phrases:
            if phrase not in self._patterns:
                self._patterns[phrase] = tuple(self._resolve(phrase, ()))
            out.extend(self._patterns[phrase])
        return tuple(dict.fromkeys(out))

    def _resolve(self, phrase: str, seen: tuple[str, ...]) -> tuple[Pattern, ...]:
        """A phrase's patterns, each phrase expanded once however many lexicons and rules use it."""
        if not phrase.startswith("@"):
            if phrase not in self._patterns:
                self._patterns[phrase] = tuple(expand(phrase))
            return self._patterns[phrase]
        name = phrase[1:]
        if name in seen:
            raise PhraseError(f"lexicon cycle: {' -> '.join((*seen, name))}")
        if name not in self.lexicons:
            raise UnknownLexicon(f"unknown lexicon @{name}")
        return tuple(p for entry in self.lexicons[name] for p in self._resolve(entry, (*seen, name)))

    def all_patterns(self) -> tuple[Pattern, ...]:
        """Every pattern any enabled rule can match: what the segmenter must know."""
        return self.patterns(phrase for rule in self.enabled for phrase in rule_phrases(rule))

    def wide_phrases(self, limit: int = WIDE_PHRASE) -> list[tuple[str, str, int]]:
        """(where, phrase, patterns) for every phrase, in a lexicon (`@name`) or a rule (its
        id), whose alternatives multiply into more than `limit` patterns."""
        entries = [(f"@{name}", phrase) for name, phrases in self.lexicons.items() for phrase in phrases]
        entries += [(rule.id, phrase) for rule in self.rules for phrase in rule_phrases(rule)]
        wide = []
        for where, phrase in entries:
            if phrase.startswith("@"):
                continue
            count = len(self._resolve(phrase, ()))
            if count > limit:
                wide.append((where, phrase, count))
        return wide

    def digest(self) -> str:
        """A hash of everything that decides findings and scores, for incremental reruns."""
        payload = {
            "rules": [
                [r.id, r.kind, r.check, r.message, r.severity, r.weight, r.scope, r.channels,
                 r.red_line, r.cap, r.enabled, _jsonable(r.params)]
                for r in sorted(self.rules, key=lambda r: r.id)
            ],
            "lexicons": {k: list(v) for k, v in sorted(self.lexicons.items())},
            "scoring": [self.scoring.start, self.scoring.pass_mark],
            "models": {name: model.digest for name, model in sorted(self.models.items())},
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(raw).hexdigest()[:16]


def rule_phrases(rule: Rule) -> list[str]:
    """Every phrase entry a rule mentions, in any of its keys."""
    p = rule.params
    phrases = [phrase for key in PHRASE_KEYS for phrase in p.get(key, ())]
    for element in p.get("elements", ()):
        phrases.extend(element.phrases)
    return phrases


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    return value


def _yaml_files(pack: Path, errors: list[PackError]) -> list[Path]:
    """The pack's YAML files: the file itself, or a folder's, walked recursively.

    Notepad saves GRT003.yaml.txt and a rename makes GRT003.YAML; a file the loader passed
    over would leave its rule out of the night's audit without a word, so such a name is
    an error, and so is a folder without one rule file or model (the wrong folder given),
    and a model (.json) anywhere but in the pack's models/ folder. An editor's backup
    (GRT003.yaml.bak, GRT003.yaml~) is passed over on purpose.
    """
    if pack.is_file():
        return [pack]
    files = []
    has_models = False
    for path in sorted(pack.rglob("*")):
        parts = path.relative_to(pack).parts
        if any(part.startswith(".") for part in parts) or not path.is_file():
            continue
        if path.suffix.lower() in YAML_SUFFIXES:
            files.append(path)
        elif _SAVED_AS_TEXT.search(path.name):
            errors.append(PackError(path, None, "not read: a rule pack file's name must end in .yaml; rename it"))
        elif path.suffix.lower() == ".json" and parts[:-1] == (MODELS,):
            has_models = True
        elif path.suffix.lower() == ".json":
            errors.append(PackError(path, None, f"not read: a model goes in the pack's {MODELS}/ folder "
                                                f"({pack / MODELS / path.name})"))
    if not files and not has_models:
        errors.append(PackError(pack, None, "no rule files (.yaml) or models (models/*.json) in this folder"))
    return files


def _defines_lexicons(file: Path) -> bool:
    """Whether an unreadable file looks like a lexicon file (a top-level `lexicons:` line)."""
    try:
        return bool(_DEFINES_LEXICONS.search(file.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


@building()
def load_pack(extra: Sequence[Path] = ()) -> RulePack:
    """Load the default pack and each extra pack on top, in order.

    A lexicon file that cannot be read (a YAML syntax error) hides the lexicons it
    defines, and every rule using them would report "unknown lexicon" too: a dozen errors
    for one missing quote. Those are left out while such a file is unreadable; its own
    error, with file and line, says what to mend.
    """
    paths = [DEFAULT_PACK, *extra]
    errors: list[PackError] = []
    unreadable = False
    raw_rules: dict[str, tuple[LineDict, str]] = {}
    lexicons: dict[str, tuple[str, ...]] = {}
    lexicon_where: dict[str, tuple[str, int]] = {}
    labels: dict[str, str] = {}
    check_names: dict[str, tuple[str, Path, int]] = {}
    scoring = Scoring()
    models: dict[str, NgramModel] = {}
    for pack in paths:
        if not pack.exists():
            errors.append(PackError(pack, None, "rule pack not found"))
            continue
        _read_models(pack, models, errors)
        set_here: dict[str, Path] = {}
        lexicons_here: dict[str, Path] = {}
        for file in _yaml_files(pack, errors):
            try:
                data = load_yaml(file)
            except PackError as exc:
                errors.append(exc)
                unreadable = unreadable or _defines_lexicons(file)
                continue
            if isinstance(data, LineDict) and isinstance(data.get("id"), str):
                # `rules show pro007` finds PRO007; a file that says `id: pro007` means it too
                data["id"] = data["id"].strip().upper()
            rule_id = data.get("id") if isinstance(data, LineDict) and file.name != "pack.yaml" else None
            if isinstance(rule_id, str) and not _first_in_pack("rule", f"rule {rule_id}", rule_id, file,
                                                               data.line_of("id"), set_here, errors):
                continue
            if file.name == "pack.yaml":
                scoring = _read_settings(data, file, scoring, errors)
                _read_check_names(data, file, check_names, errors)
            elif isinstance(data, LineDict) and "lexicons" in data:
                _read_lexicons(data, file, lexicons, lexicon_where, labels, errors, lexicons_here)
            elif isinstance(data, LineDict) and isinstance(data.get("id"), str) and data["id"] in raw_rules:
                base, _ = raw_rules[data["id"]]
                raw_rules[data["id"]] = (data if "kind" in data else _merge(base, data), str(file))
            elif isinstance(data, LineDict) and _changes_a_rule(data):
                errors.append(PackError(file, data.line_of("id"), _no_such_rule(data["id"], raw_rules)))
            elif isinstance(data, LineDict) and isinstance(data.get("id"), str):
                raw_rules[data["id"]] = (data, str(file))
            else:
                errors.extend(validate_rule(data, str(file))[1])
    rules = []
    for data, file in raw_rules.values():
        rule, problems = validate_rule(data, file)
        errors.extend(problems)
        if rule is not None:
            rules.append(rule)
    pack = RulePack(tuple(sorted(rules, key=lambda r: r.id)), lexicons, scoring, tuple(map(str, paths)), labels,
                    {check: name for check, (name, _, _) in check_names.items()}, models)
    used = {rule.check for rule in pack.rules}
    for check, (_, file, line) in check_names.items():
        if check not in used:
            close = difflib.get_close_matches(check, sorted(used), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            errors.append(PackError(file, line, f"checks: no rule reports under {check!r}{hint}"))
    for rule in pack.rules:
        model = rule.params.get("model")
        if rule.kind == "classifier" and model not in models:
            known = f" (the packs have: {', '.join(sorted(models))})" if models else ""
            errors.append(PackError(rule.path, rule.line, f"rule {rule.id}: no model {model!r} in a models/ folder"
                                                          f"{known}; write one with `qa-audit rules train`"))
        for phrase in rule_phrases(rule):
            if phrase.startswith("@") and phrase[1:] in lexicons:
                continue  # its entries are checked with the lexicon, the file to mend
            try:
                pack.patterns([phrase])
            except PhraseError as exc:
                if not (unreadable and isinstance(exc, UnknownLexicon)):
                    errors.append(PackError(rule.path, rule.line, f"rule {rule.id}: {exc}"))
    for name, entries in lexicons.items():
        for entry in entries:
            try:
                pack.patterns([entry])
            except PhraseError as exc:
                if not (unreadable and isinstance(exc, UnknownLexicon)):
                    errors.append(PackError(*lexicon_where[name], f"lexicon {name!r}: {exc}"))
    if errors:
        raise PackErrors(_unique(errors))
    return pack


def _read_models(pack: Path, models: dict[str, NgramModel], errors: list[PackError]) -> None:
    """A pack folder's models (models/NAME.json) into `models`, replacing earlier packs' of the same name."""
    folder = pack / MODELS
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json" and not p.name.startswith(".")):
        try:
            models[path.stem] = load_model(path)
        except ModelError as exc:
            errors.append(PackError(path, None, str(exc)))


def _first_in_pack(kind: str, what: str, name: str, file: Path, line: int, set_here: dict[str, Path],
                   errors: list[PackError]) -> bool:
    """Whether `file` is the first of its pack to set the rule or lexicon `name` (`what`, as
    errors name it), recorded in `set_here`; else the error. Set in two files (a copy,
    'TLK001 - 副本.yaml'), the last file loaded would win without a word."""
    if name in set_here:
        errors.append(PackError(file, line, f"{what} is also set in {set_here[name]}: a pack sets each {kind} "
                                            "in one file"))
        return False
    set_here[name] = file
    return True


def _entry_of(phrase: str, entries: Sequence[str], lexicon: str) -> str:
    """The entry of `entries` that `remove: [phrase]` means, written as in the lexicon or
    in another script or punctuation width (磨嘰 for 磨叽): the same patterns.

    PhraseError when there is none: a `remove` that removed nothing would leave the phrase
    flagged every night while its author believes it gone. A phrase that is one form of
    an entry with alternatives (大声点 of 大声(一点|点)) is named with that entry.
    """
    if phrase in entries:
        return phrase
    forms = _forms(phrase)
    for entry in entries:
        if not entry.startswith("@") and _forms(entry) == forms:
            return entry
    for entry in entries:
        if not entry.startswith("@") and forms < _forms(entry):
            raise PhraseError(f"lexicon {lexicon!r}: {phrase!r} is one form of its phrase {entry!r}; remove "
                              f"{entry!r} and add back the forms to keep")
    close = difflib.get_close_matches(phrase, [e for e in entries if not e.startswith("@")], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PhraseError(f"lexicon {lexicon!r} has no phrase {phrase!r} to remove{hint}")


def _forms(phrase: str) -> frozenset[tuple[tuple[str, ...], tuple[int, ...], bool, frozenset[str]]]:
    return frozenset((p.parts, p.gaps, p.anchored, p.then) for p in expand(phrase))


def _changes_a_rule(data: LineDict) -> bool:
    """A file with a well-formed id and no kind: it can only change an existing rule."""
    return isinstance(data.get("id"), str) and bool(RULE_ID.match(data["id"])) and "kind" not in data


def _no_such_rule(rule_id: str, known: Mapping[str, object]) -> str:
    """A file that changes a few keys of a rule whose id matches none loaded before: a
    typo far more often than a new rule (which would need kind, check, message …)."""
    close = difflib.get_close_matches(rule_id, list(known), n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return (f"no rule {rule_id} in the packs loaded before this one to change; {hint}"
            "(a new rule needs 'kind' and the other required keys)")


def _unique(errors: list[PackError]) -> list[PackError]:
    return list({str(e): e for e in errors}.values())


def _merge(base: LineDict, override: LineDict) -> LineDict:
    """`base` with the keys `override` names replaced, except `examples`, which add to the
    rule's own: the sentence that motivated a site's change joins the default examples
    `rules test` runs instead of dropping them. A sentence the site lists the other way
    (a default fail example in its pass list) replaces the default's."""
    merged = LineDict({**base, **override})
    old, new = base.get("examples"), override.get("examples")
    if isinstance(old, dict) and isinstance(new, dict):
        both = {**old, **new}
        for key, other in (("fail", "pass"), ("pass", "fail")):
            mine, moved = old.get(key), new.get(other)
            if isinstance(mine, list):
                # A site that made a default fail example pass (it removed the phrase) says so
                # in its own pass list; the default's contrary example goes.
                both[key] = [e for e in mine if not (isinstance(moved, list) and e in moved)]
            if isinstance(mine, list) and isinstance(new.get(key), list):
                both[key] = [*both[key], *new[key]]
        merged["examples"] = LineDict(both)
        merged["examples"].line = getattr(new, "line", 0)
        merged["examples"].key_lines = getattr(new, "key_lines", {})
    merged.line = override.line
    merged.key_lines = {**base.key_lines, **override.key_lines}
    return merged


def _read_settings(data: Any, file: Path, scoring: Scoring, errors: list[PackError]) -> Scoring:
    if not isinstance(data, LineDict):
        errors.append(PackError(file, None, "pack.yaml must hold a mapping"))
        return scoring
    unknown = set(data) - {"name", "description", "scoring", "checks"}
    for key in sorted(unknown):
        errors.append(PackError(file, data.line_of(key), f"unknown key {key!r} in pack.yaml"))
    raw = data.get("scoring", {})
    if not isinstance(raw, dict):
        errors.append(PackError(file, data.line_of("scoring"), "'scoring' must be a mapping"))
        return scoring
    values = {"start": scoring.start, "pass_mark": scoring.pass_mark}
    for key, value in raw.items():
        if key not in values:
            errors.append(PackError(file, data.line_of("scoring"), f"unknown scoring key {key!r}"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            errors.append(PackError(file, data.line_of("scoring"), f"scoring.{key} must be a number >= 0"))
        else:
            values[key] = float(value)
    line = data.line_of("scoring")
    if values["pass_mark"] > values["start"]:
        errors.append(PackError(file, line, f"scoring.pass_mark {values['pass_mark']:g} is above the start score "
                                            f"{values['start']:g}: no call could pass"))
    elif 0 < values["pass_mark"] < 1:
        errors.append(PackError(file, line, f"scoring.pass_mark {values['pass_mark']:g} looks like a share; "
                                            "the pass mark is in points, e.g. 85"))
    return Scoring(**values)


def _read_check_names(data: Any, file: Path, names: dict[str, tuple[str, Path, int]], errors: list[PackError]) -> None:
    """pack.yaml `checks: {welcome: 欢迎语}`: check -> (name, file, line); later packs win."""
    if not isinstance(data, LineDict) or "checks" not in data:
        return
    raw, line = data["checks"], data.line_of("checks")
    if not isinstance(raw, dict):
        errors.append(PackError(file, line, "'checks' must map check names to their Chinese names, "
                                            "e.g. {welcome: 欢迎语}"))
        return
    for check, name in raw.items():
        at = raw.line_of(str(check)) if isinstance(raw, LineDict) else line
        if not isinstance(check, str) or not CHECK_NAME.match(check) or not isinstance(name, str) or not name.strip():
            errors.append(PackError(file, at, f"checks: {check!r} must be a check's lower-case name given a "
                                              "name to show, e.g. welcome: 欢迎语"))
        else:
            names[check] = (name.strip(), file, at)


def _read_lexicons(
    data: LineDict,
    file: Path,
    lexicons: dict[str, tuple[str, ...]],
    where: dict[str, tuple[str, int]],
    labels: dict[str, str],
    errors: list[PackError],
    set_here: dict[str, Path],
) -> None:
    """The lexicons of one file into `lexicons`; `set_here` holds the pack's lexicons so far,
    each of which one file may set (two would leave the last file's alone, silently)."""
    body = data["lexicons"]
    if not isinstance(body, LineDict):
        errors.append(PackError(file, data.line_of("lexicons"), "'lexicons' must map names to lexicons"))
        return
    for name, entry in body.items():
        line = body.line_of(name)
        if not _first_in_pack("lexicon", f"lexicon {name!r}", name, file, line, set_here, errors):
            continue
        if not isinstance(entry, dict) or not set(entry) <= {"description", "phrases", "add", "remove"}:
            errors.append(PackError(file, line, f"lexicon {name!r} takes description, phrases, add, remove"))
            continue
        lists = {k: entry.get(k) for k in ("phrases", "add", "remove") if k in entry}
        bad = [k for k, v in lists.items() if not (isinstance(v, list) and all(isinstance(x, str) for x in v))]
        if bad:
            errors.append(PackError(file, line, f"lexicon {name!r}: {', '.join(bad)} must be lists of phrases"))
            continue
        if "phrases" in lists:
            phrases = list(lists["phrases"])
        elif name in lexicons:
            phrases = list(lexicons[name])
        else:
            close = difflib.get_close_matches(name, list(lexicons), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(PackError(file, line, f"lexicon {name!r} has no 'phrases' and extends nothing{hint}"))
            continue
        phrases += [p for p in lists.get("add", []) if p not in phrases]
        for phrase in lists.get("remove", []):
            try:
                phrases.remove(_entry_of(phrase, phrases, name))
            except PhraseError as exc:
                errors.append(PackError(file, line, str(exc)))
        if not phrases:
            errors.append(PackError(file, line, f"lexicon {name!r} has no phrases left; to stop the rules "
                                                "that use it, set enabled: false on them"))
        lexicons[name] = tuple(phrases)
        if isinstance(entry.get("description"), str):
            # "不知其然 — professed ignorance …": the words before the dash name the lexicon in evidence
            labels[name] = entry["description"].split("—")[0].strip()
        where[name] = (str(file), line)
