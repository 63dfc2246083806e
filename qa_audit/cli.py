"""The command line: thin click commands over the library.

Every command exits with the codes of `qa_audit.exit_codes`; `_Commands` maps failures
that escape a command onto them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qa_audit import __version__, exit_codes
from qa_audit.ingest import SUPPORTED_SUFFIXES
from qa_audit.model import IngestError, Transcript
from qa_audit.report import folder
from qa_audit.rules.pack import PackErrors, RulePack, load_pack
from qa_audit.stopping import Terminated, on_sigterm
from qa_audit.workers import BrokenProcessPool, cores

if TYPE_CHECKING:
    from qa_audit.rules.agreement import SetScore

DEFAULT_DB = "qa_audit.db"


def _explained(exc: Exception) -> str:
    """An environment failure in words a QA lead can act on."""
    if isinstance(exc, BrokenProcessPool):
        return ("a worker process died (killed, or out of memory); everything committed so far is kept "
                "and the next run takes it up: run again, with fewer --workers if memory is short")
    return str(exc)


class _Commands(click.Group):
    """Every command's failures map to the documented exit codes.

    Python's own exit code for an uncaught exception is 1, which a scheduler would read
    as "some inputs skipped, the rest audited"; a file-system failure (a folder that
    cannot be created, a full disk) is an environment problem the user must fix (2), and
    anything else is a bug (4), never mistaken for a partly successful night. A worker
    process that died (the OOM killer) is an environment problem too.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # `qa-audit check … | head`: the reader has what it wanted. Python would print
            # an error at exit while flushing stdout; point it at nothing instead.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(exit_codes.CLOSED_PIPE)
        except (OSError, BrokenProcessPool) as exc:
            click.echo(f"error: {_explained(exc)}", err=True)
            ctx.exit(exit_codes.USAGE)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:
            click.echo(f"internal error (a bug in qa-audit):\n{traceback.format_exc()}", err=True)
            ctx.exit(exit_codes.INTERNAL)


def _load(rule_paths: tuple[Path, ...], log: logging.Logger | None = None) -> RulePack:
    """The default pack plus `--rules` packs; a broken pack is a configuration error (exit 2),
    also written to `log` (a nightly run's audit.log, which cron leaves as the only trace)."""
    try:
        return load_pack(list(rule_paths))
    except PackErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
            if log is not None:
                log.error("rule pack: %s", error)
        click.echo(f"{len(exc.errors)} error(s) in the rule packs; nothing was audited.", err=True)
        sys.exit(exit_codes.USAGE)


def rules_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--rules", "rule_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
        help="A rule pack (folder or YAML file) on top of the default pack; repeatable, later ones win.",
    )(f)


def segmenter_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--segmenter", type=click.Choice(["rjieba", "jieba"]), default="rjieba", show_default=True,
        help="jieba implementation: rjieba (compiled, fast) or jieba (reference); findings are identical.",
    )(f)


def db_option(*, must_exist: bool, purpose: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--db`: the history database, $QA_AUDIT_DB or qa_audit.db by default."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path, exists=must_exist),
        default=lambda: os.environ.get("QA_AUDIT_DB", DEFAULT_DB), show_default="qa_audit.db or $QA_AUDIT_DB",
        help=purpose,
    )


def mask_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-mask", "no_mask", is_flag=True,
        help="Show phone, ID-card and bank-card numbers unmasked (masked by default).",
    )(f)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qa-audit")
def main() -> None:
    """qa-audit: quality-assurance audit of Chinese customer-service calls and chats.

    Checks every conversation against rule packs (greeting, service taboos, the
    three-don't-know non-answer, hold etiquette, courteous close, the 7:3 listening rule)
    and writes findings with their evidence, scores and Excel scorecards.
    """


@main.command()
# Not exists=True: a missing input (tonight's chat export not there yet) is a skipped input
# like any unreadable file, reported by the reader, and the other inputs are still audited.
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for calls.jsonl, findings.jsonl, the Excel workbooks and the run log.")
@rules_option
@db_option(must_exist=False, purpose="History database (SQLite).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the machine's cores).")
@click.option("--force", is_flag=True, help="Re-audit transcripts even when content and rules are unchanged.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no summary on the terminal.")
@click.option("--no-xlsx", "no_xlsx", is_flag=True, help="Write only the JSONL files, no workbooks.")
@mask_option
@segmenter_option
def audit(inputs: tuple[Path, ...], out_dir: Path, rule_paths: tuple[Path, ...], db_path: Path,
          workers: int | None, force: bool, quiet: bool, no_xlsx: bool, no_mask: bool, segmenter: str) -> None:
    """Audit every transcript in INPUTS (files or folders, recursive) into --out.

    Reads JSON Lines, JSON, CSV (and .tsv) and plain text, in UTF-8 (with or without BOM),
    GBK/GB18030 or Big5. Bad files and records, and inputs that do not exist, are reported
    with path, line and reason, skipped, and everything else is still audited. Transcripts
    already audited with the same content and rules are taken from the history database
    instead of re-audited.
    """
    from qa_audit.pipeline import RunOptions, run_audit, undated_warning
    from qa_audit.store import Store, StoreError

    _check_out_is_no_input(out_dir, inputs)
    options = RunOptions(
        inputs=list(inputs), out_dir=out_dir, db_path=db_path, rule_paths=list(rule_paths), mask=not no_mask,
        workers=workers or cores(), backend=segmenter, force=force, quiet=quiet, xlsx=not no_xlsx,
    )
    folder.prepare(out_dir)
    handler = _run_log(out_dir / "audit.log")
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        pack = _load(rule_paths, logging.getLogger("qa_audit"))
        with Store.open(db_path) as store:
            summary = run_audit(options, pack, store)
            # Still holding the history's writer lock: a second run into this folder waits,
            # so it cannot write a report file that this one then removes as stale.
            for level, note in folder.finish(out_dir, summary.outputs):
                logging.getLogger("qa_audit").log(level, "%s", note)
    except Terminated:
        _stop("stopped by SIGTERM (a time limit, a service stop or kill); everything committed is kept "
              "and the next run takes it up", exit_codes.TERMINATED)
    except (StoreError, OSError, BrokenProcessPool) as exc:
        _stop(_explained(exc), exit_codes.USAGE)
    except Exception:
        logging.getLogger("qa_audit").exception("run stopped by an internal error")
        raise
    finally:
        logging.getLogger("qa_audit").removeHandler(handler)
        handler.close()
    for error in summary.errors:
        click.echo(f"skipped: {error}", err=True)
    if summary.undated and not quiet:
        click.echo(f"warning: {undated_warning(summary.undated)}", err=True)
    if summary.audited + summary.unchanged + len(summary.errors) == 0:
        suffixes = " ".join(sorted(SUPPORTED_SUFFIXES))
        click.echo(f"error: no transcript files in {', '.join(map(str, inputs))} (looked for {suffixes})", err=True)
    if not quiet:
        click.echo(
            f"audited {summary.audited} transcript(s), {summary.unchanged} unchanged since the last run, "
            f"{len(summary.errors)} input(s) skipped; {summary.calls} call(s) and {summary.findings} finding(s) "
            f"written to {out_dir}"
        )
    sys.exit(summary.exit_code)


def _stop(message: str, code: int) -> None:
    """End a run that could not finish: the reason on stderr and, since under cron stderr
    is often read by nobody, in the run log too."""
    logging.getLogger("qa_audit").error("run stopped: %s", message)
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _check_out_is_no_input(out_dir: Path, inputs: tuple[Path, ...]) -> None:
    """Exit 2 when --out is one of the input folders.

    The reports (calls.jsonl, findings.jsonl, the workbooks) would lie among the night's
    exports and be read back as transcripts by the next run. An --out folder inside an
    input folder is fine: the reader never enters it.
    """
    out = os.path.realpath(out_dir)
    clash = next((path for path in inputs if os.path.isdir(path) and os.path.realpath(path) == out), None)
    if clash is not None:
        click.echo(f"error: --out {out_dir} is also an input folder ({clash}): the next run would read the reports "
                   "back as transcripts; write them to a folder of their own (a subfolder of it is fine)", err=True)
        sys.exit(exit_codes.USAGE)


def _run_log(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("qa_audit")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a terminal, json for tools.")
@click.option("--id", "transcript_id", help="Which transcript of a multi-transcript file (default: all).")
@click.option("--tokens", is_flag=True,
              help="Under each turn, the words the rules are matched against (normalized, segmented).")
@click.option("--why", "why_rules", multiple=True, metavar="RULE",
              help="After each conversation, why RULE found nothing where it did not (repeatable).")
@mask_option
@segmenter_option
def check(file: Path, rule_paths: tuple[Path, ...], fmt: str, transcript_id: str | None, tokens: bool,
          why_rules: tuple[str, ...], no_mask: bool, segmenter: str) -> None:
    """Audit the conversations in FILE and print each turn with its findings.

    Exit 0 when no conversation has a finding, 1 when some have or a record could not be
    read, 2 when no transcript could be read at all. --tokens shows how each turn was
    segmented: when a phrase you added does not match, this shows why. --why NAN001 says,
    turn by turn, why NAN001 did not flag a turn: the exception that cancelled its phrase,
    the remedy that satisfied it, the model's score against its threshold.
    """
    from qa_audit.engine import Auditor
    from qa_audit.ingest import read_file
    from qa_audit.mask import mask_text
    from qa_audit.records import call_row, finding_rows
    from qa_audit.report.terminal import render
    from qa_audit.text import normalize

    auditor = Auditor(_load(rule_paths), backend=segmenter)
    why_ids = [rule_id.strip().upper() for rule_id in why_rules]
    for rule_id in why_ids:
        try:
            auditor.compiled_rule(rule_id)
        except KeyError:
            raise click.BadParameter(f"no enabled rule {rule_id!r} (qa-audit rules lists them)",
                                     param_hint="--why") from None
    mask = not no_mask
    any_findings, any_error, shown = False, False, 0
    documents = []
    for item in read_file(file):
        if isinstance(item, IngestError):
            click.echo(f"skipped: {item}", err=True)
            any_error = True
            continue
        if transcript_id is not None and item.id != transcript_id:
            continue
        result = auditor.audit(item)
        call, findings = call_row(result, mask=mask), finding_rows(result, mask=mask)
        any_findings = any_findings or bool(findings)
        shown += 1
        why = {rule_id: [mask_text(line) if mask else line for line in lines]
               for rule_id, lines in auditor.why_not(item, why_ids).items()} if why_ids else {}
        if fmt == "json":
            document = {"call": call, "findings": findings, "turns": _turns_json(item, mask)}
            documents.append({**document, "why_not": why} if why else document)
        else:
            turns = [(t.speaker, mask_text(t.text) if mask else t.text, t.start) for t in item.turns]
            words = [[w.text for w in auditor.nlp(normalize(text).text)] for _, text, _ in turns] if tokens else None
            click.echo(render(call, findings, turns, colour=sys.stdout.isatty(), tokens=words))
            for rule_id, lines in why.items():
                click.echo(f"why not {rule_id}:" + "".join(f"\n  {line}" for line in lines))
            click.echo()
    if fmt == "json":
        click.echo(json.dumps(documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=2))
    if shown == 0:
        click.echo(f"error: no transcript{' ' + transcript_id if transcript_id else ''} could be read from {file}",
                   err=True)
        sys.exit(exit_codes.USAGE)
    sys.exit(exit_codes.FINDINGS if any_findings or any_error else exit_codes.OK)


def _turns_json(transcript: Transcript, mask: bool) -> list[dict[str, Any]]:
    from qa_audit.mask import mask_text

    return [{"turn": t.index, "speaker": t.speaker, "text": mask_text(t.text) if mask else t.text,
             "start": t.start, "end": t.end} for t in transcript.turns]


@main.group(invoke_without_command=True)
@rules_option
@click.pass_context
def rules(ctx: click.Context, rule_paths: tuple[Path, ...]) -> None:
    """List the loaded rules (id, check, severity, weight, message).

    Subcommands explain, validate and test rule packs.
    """
    ctx.obj = rule_paths
    if ctx.invoked_subcommand is not None:
        return
    pack = _load(rule_paths)
    click.echo(f"{'id':<8}{'check':<16}{'severity':<10}{'weight':>7}  message")
    for rule in pack.rules:
        state = "" if rule.enabled else "  [disabled]"
        red = " [红线]" if rule.red_line else ""
        click.echo(f"{rule.id:<8}{rule.check:<16}{rule.severity:<10}{rule.weight:>7g}  "
                   f"{rule.message.replace('%s', '…')}{red}{state}")


@rules.command("show")
@click.argument("rule_id", metavar="ID_OR_LEXICON")
@rules_option
@click.pass_obj
def rules_show(group_paths: tuple[Path, ...], rule_id: str, rule_paths: tuple[Path, ...]) -> None:
    """Explain one rule (message, rationale, configuration, examples), or list a lexicon's phrases.

    `--rules` may come before `show` or after the rule id: the rule as a site pack leaves it.
    """
    from qa_audit.rules.docs import describe, describe_lexicon

    pack = _load(group_paths + rule_paths)
    rule = pack.rule(rule_id.upper())
    if rule is not None:
        click.echo(describe(rule, pack))
    elif rule_id.removeprefix("@") in pack.lexicons:
        click.echo(describe_lexicon(rule_id.removeprefix("@"), pack))
    else:
        click.echo(f"error: no rule or lexicon {rule_id!r}; `qa-audit rules` lists the rules", err=True)
        sys.exit(exit_codes.USAGE)


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def rules_validate(paths: tuple[Path, ...]) -> None:
    """Check rule packs (default: the default pack) and report every error with file and line.

    Each PATH is validated on top of the default pack, as `--rules PATH` would load it.
    """
    try:
        pack = load_pack(list(paths))
    except PackErrors as exc:
        for error in exc.errors:
            click.echo(f"{error}")
        click.echo(f"{len(exc.errors)} error(s)", err=True)
        sys.exit(exit_codes.FINDINGS)
    click.echo(f"ok: {len(pack.rules)} rules, {len(pack.lexicons)} lexicons")
    for where, phrase, count in pack.wide_phrases():
        click.echo(f"warning: {where}: “{phrase}” expands into {count:,} patterns (every combination of its "
                   "alternatives), each loaded by every audit process; write part of it with a … gap or "
                   "fewer alternatives", err=True)


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule (repeatable).")
@segmenter_option
@click.pass_obj
def rules_test(rule_paths: tuple[Path, ...], paths: tuple[Path, ...], rule_ids: tuple[str, ...],
               segmenter: str) -> None:
    """Run every rule's own failing and passing examples; exit 1 if any misbehaves.

    PATHS are rule packs loaded on top of the default pack (like --rules).
    """
    from qa_audit.engine import Auditor
    from qa_audit.rules.testing import run_examples

    auditor = Auditor(_load(rule_paths + paths), backend=segmenter)
    results = run_examples(auditor, {r.upper() for r in rule_ids} or None)
    failures = [r for r in results if not r.ok]
    for r in failures:
        example = r.example if isinstance(r.example, str) else " / ".join(r.example)
        if r.expected == "fail":
            click.echo(f"FAIL {r.rule.id} ({r.rule.path}): should fire on: {example}\n     why not: {r.why}")
        else:
            owner = f" (a pass example of {r.owner})" if r.owner else ""
            click.echo(f"FAIL {r.rule.id} ({r.rule.path}): should not fire on: {example}{owner}\n"
                       f"     fired: {r.fired[0]}")
    rules_run = len({r.rule.id for r in results})
    click.echo(f"{len(results) - len(failures)} passed, {len(failures)} failed ({rules_run} rules)")
    sys.exit(exit_codes.FINDINGS if failures else exit_codes.OK)


FEW_TURNS, FEW_POSITIVES = 2000, 100
"""Below these a trained model is warned about: 60 labelled transcripts (about 500 agent
turns) made a model that flagged 120 ordinary turns of the dev set, where the default
model, trained on some 12,400 turns, flagged none."""


@rules.command("train")
@click.argument("sets", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", "check", required=True,
              help="The labelled turn check the model learns: prohibited, non_answer, hold, or a site's own.")
@click.option("--negatives", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSONL transcripts whose agent turns all pass the check (real calls a QA lead has read); "
                   "repeatable.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The model file to write, e.g. site-rules/models/taboo.json.")
@click.option("--strength", default=0.3, show_default=True, type=click.FloatRange(min=0.001),
              help="How closely the model follows the examples; lower generalizes more.")
@rules_option
@click.pass_obj
def rules_train(group_paths: tuple[Path, ...], sets: tuple[Path, ...], check: str, negatives: tuple[Path, ...],
                out: Path, strength: float, rule_paths: tuple[Path, ...]) -> None:
    """Train a classifier rule's model from labelled sets (transcripts.jsonl + labels.jsonl each).

    labels.jsonl has a line per call, {"id": "T1", "prohibited": [7], ...} (README, Tuning the
    rules; turns count from 0, system turns included); every agent turn is an example,
    labelled by whether the set marks it with CHECK. The one-sentence examples of the
    pack's phrase rules of CHECK are examples too: their fail lists are the check's, their
    pass lists the hard cases that are not (a polite 麻烦您大声一点 is no taboo). A
    `classifier` rule names the model by its file name (models/taboo.json is `model: taboo`).
    """
    from qa_audit.report.atomic import atomic_path
    from qa_audit.rules.labelled import LabelledDataError
    from qa_audit.rules.ngram_model import ModelError, train
    from qa_audit.rules.schema import CHECK_NAME
    from qa_audit.rules.training_data import all_examples

    if not CHECK_NAME.match(check):
        click.echo(f"error: --check must be a check's name, like prohibited; got {check!r}", err=True)
        sys.exit(exit_codes.USAGE)
    given = [p.resolve() for p in (*sets, *negatives)]
    if len(set(given)) < len(given):
        click.echo("error: a set or file is given twice; its turns would count twice", err=True)
        sys.exit(exit_codes.USAGE)
    try:
        examples = all_examples(sets, negatives, _load(group_paths + rule_paths), check)
    except LabelledDataError as exc:
        click.echo(f"error: nothing trained; mend the training files:\n{exc}", err=True)
        sys.exit(exit_codes.USAGE)
    positives = sum(1 for _, marked in examples if marked)
    click.echo(f"training on {len(examples)} agent turns, {positives} of them {check} ...", err=True)
    if len(examples) < FEW_TURNS or positives < FEW_POSITIVES:
        click.echo(f"warning: few examples. A model of {len(examples)} turns ({positives} {check}) learns those "
                   "sentences, not the check, and flags ordinary lines; a pack's model replaces the default "
                   "one of the same name whole. Train on thousands of turns (with --negatives: real calls that "
                   "pass), or add the site's wording to the lexicons instead.", err=True)
    try:
        model = train(examples, strength=strength)
    except ModelError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_codes.USAGE)
    model = dataclasses.replace(model, trained={
        "check": check, "turns": len(examples), "positives": positives, "strength": strength,
        "sets": [p.name for p in sets], "negatives": [p.name for p in negatives]})
    with atomic_path(out) as tmp:
        tmp.write_text(model.to_json(), encoding="utf-8")
    click.echo(f"wrote {out}: {len(model.weights)} weights")


@rules.command("score")
@click.argument("sets", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--disagreements", "disagreements_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write every turn and call where the pack and the labels disagree to this file, one per line "
                   "(kind, check, set, id, turn, text; tab-separated); - prints them. Compare the files of two "
                   "runs with diff.")
@rules_option
@segmenter_option
@mask_option
@click.pass_obj
def rules_score(group_paths: tuple[Path, ...], sets: tuple[Path, ...], disagreements_path: Path | None,
                rule_paths: tuple[Path, ...], segmenter: str, no_mask: bool) -> None:
    """How the pack's findings agree with labelled sets (transcripts.jsonl + labels.jsonl each).

    labels.jsonl has a line per call, {"id": "T1", "greeting": true, "prohibited": [7], ...}
    (README, Tuning the rules), as `rules train` reads it. For every labelled check:
    precision (the share of the pack's findings the labels confirm), recall (the share of
    labelled turns, or of calls that fail a call check, the pack finds) and F1, over all
    sets and per set. Score your own labelled calls before and after a rule edit to see
    what it gains and loses.
    """
    from qa_audit.engine import Auditor
    from qa_audit.report.atomic import atomic_path
    from qa_audit.rules.agreement import read_set, score_set
    from qa_audit.rules.labelled import LabelledDataError

    if len({p.resolve() for p in sets}) < len(sets):
        click.echo("error: a set is given twice; its calls would count twice", err=True)
        sys.exit(exit_codes.USAGE)
    writing = disagreements_path if disagreements_path is not None and str(disagreements_path) != "-" else None
    if writing is not None and any(p.exists() and not p.is_dir() for p in writing.resolve().parents):
        click.echo(f"error: --disagreements {disagreements_path}: a folder on that path is a file", err=True)
        sys.exit(exit_codes.USAGE)
    pack = _load(group_paths + rule_paths)
    checks = {rule.check for rule in pack.rules}
    read, problems = [], []
    for labelled in sets:
        try:
            read.append(read_set(labelled, checks))
        except LabelledDataError as exc:
            problems += exc.problems
    if problems:
        click.echo(f"error: nothing scored; mend the labelled sets:\n{LabelledDataError(problems)}", err=True)
        sys.exit(exit_codes.USAGE)
    names = [p.resolve().name for p in sets]
    if len(set(names)) < len(names):  # march/ of two sites: name each by its path
        names = [str(p) for p in sets]
    auditor = Auditor(pack, backend=segmenter)
    scores = [score_set(auditor, name, calls, mask=not no_mask) for name, calls in zip(names, read, strict=True)]
    click.echo("\n".join(_score_table(scores)))
    lines = [d.line() for s in scores for d in s.disagreements]
    if writing is not None:
        with atomic_path(writing) as tmp:
            tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        click.echo(f"\nwrote {len(lines)} disagreement(s) to {writing}")
    elif disagreements_path is not None:
        click.echo("\n" + "\n".join(lines) if lines else "\nno disagreements")
    else:
        click.echo(f"\n{len(lines)} disagreement(s); --disagreements FILE lists them")


def _score_table(scores: list[SetScore]) -> list[str]:
    """`rules score`'s tables: precision, recall and F1 per check over all sets, then F1 per set."""
    from qa_audit.rules.agreement import pooled

    total = pooled(scores)
    width = max(14, *(len(check) + 2 for check in total))
    out = [f"{sum(s.calls for s in scores)} labelled calls in {len(scores)} set(s)",
           f"{'check':<{width}}{'precision':>10}{'recall':>8}{'F1':>7}{'agreed':>8}{'extra':>7}{'missed':>8}"]
    out += [f"{check:<{width}}{t.precision:>10.3f}{t.recall:>8.3f}{t.f1:>7.3f}{t.agreed:>8}{t.extra:>7}{t.missed:>8}"
            for check, t in total.items()]
    if len(scores) > 1:
        first = max(14, *(len(s.name) + 2 for s in scores))
        out += ["", "F1 per set", f"{'set':<{first}}" + "".join(f"{check:>{width}}" for check in total)]
        out += [f"{s.name:<{first}}" + "".join(f"{s.tallies[c].f1:>{width}.3f}" if c in s.tallies else f"{'-':>{width}}"
                                              for c in total) for s in scores]
    return out


@main.command()
@db_option(must_exist=True, purpose="History database to read.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the rebuilt workbooks and JSONL files.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day (inclusive), YYYY-MM-DD.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (inclusive), YYYY-MM-DD.")
@click.option("--agent", "agents", multiple=True,
              help="Write only this agent's workbook and JSONL rows (repeatable); ranks and team figures "
                   "still cover everyone in the period.")
@rules_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes writing agents' workbooks (default: the machine's cores).")
@mask_option
def report(db_path: Path, out_dir: Path, date_from: Any, date_to: Any, agents: tuple[str, ...],
           rule_paths: tuple[Path, ...], workers: int | None, no_mask: bool) -> None:
    """Rebuild workbooks, calls.jsonl and findings.jsonl for a period from the history database.

    Nothing is re-audited: the rows are the ones stored by earlier runs. Personal numbers
    are masked in the rebuilt reports unless --no-mask is given, whatever the runs that
    stored the rows were asked. --agent chooses whose workbooks (and JSON Lines rows) are
    written; teams, ranks and averages are still those of everyone in the period.
    """
    from qa_audit.report.jsonl import CALLS, FINDINGS, write_jsonl
    from qa_audit.report.source import MaskedSource, ReportSource
    from qa_audit.report.standard import standard_of
    from qa_audit.report.xlsx import write_workbooks
    from qa_audit.store import Store, StoreError

    pack = _load(rule_paths)
    start: date | None = date_from.date() if date_from else None
    end: date | None = date_to.date() if date_to else None
    if start and end and start > end:
        click.echo("error: --from is after --to", err=True)
        sys.exit(exit_codes.USAGE)

    def period_of(store: Store, agent_ids: tuple[str, ...] = ()) -> ReportSource:
        source = store.period_source(start, end, list(agent_ids))
        return source if no_mask else MaskedSource(source)

    try:
        with Store.open(db_path, readonly=True) as store:
            present = set(period_of(store, agents).agent_ids())
            if not present:
                click.echo("no calls in the database for that period and agents; nothing written", err=True)
                sys.exit(exit_codes.NOTHING)
            for agent_id in sorted(set(agents) - present):
                click.echo(f"warning: no calls of agent {agent_id} in that period", err=True)
            folder.prepare(out_dir)
            calls, findings = write_jsonl(period_of(store, agents), out_dir)
            period = f"{start or '最早'} 至 {end or '最近'}" if (start or end) else None
            # The workbooks read everyone in the period: an agent is compared with the
            # whole team and centre; --agent only picks whose workbooks are written.
            books = write_workbooks(
                period_of(store), out_dir, standard=standard_of(pack), period=period, pass_mark=pack.scoring.pass_mark,
                workers=workers or cores(), reopen=lambda: period_of(Store.open(db_path, readonly=True)),
                only=set(agents) or None)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_codes.USAGE)
    # `report` keeps no run log: what tidying the folder did is said on the terminal.
    for level, note in folder.finish(out_dir, [out_dir / CALLS, out_dir / FINDINGS, *books]):
        click.echo(f"warning: {note}" if level >= logging.WARNING else note, err=level >= logging.WARNING)
    click.echo(f"{calls} call(s), {findings} finding(s), {len(books)} workbook(s) written to {out_dir}")


@main.command()
@db_option(must_exist=True, purpose="History database to prune.")
@click.option("--before", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Delete calls that started before this day (YYYY-MM-DD); the day itself is kept.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--vacuum", is_flag=True,
              help="Then shrink the file: rewrites it, taking about as long as a copy and up to twice its size "
                   "in free disk.")
def prune(db_path: Path, before: Any, dry_run: bool, vacuum: bool) -> None:
    """Delete calls older than a day from the history database, with their findings.

    Keeps a nightly history from growing without end (about 58 GB a year at 50,000 calls
    a night). Reports of the pruned days can no longer be rebuilt; later runs and reports
    are unaffected. Waits for a running audit as a second audit would.
    """
    from qa_audit.store import Store, StoreError

    day: date = before.date()
    if day > date.today():
        click.echo(f"error: --before {day} is after today: it would delete calls not yet reported", err=True)
        sys.exit(exit_codes.USAGE)
    if dry_run and vacuum:
        click.echo("error: --dry-run deletes nothing, so there is nothing to --vacuum", err=True)
        sys.exit(exit_codes.USAGE)
    try:
        # A dry run only counts: it reads alongside a running audit instead of waiting for it.
        with Store.open(db_path, readonly=dry_run) as store:
            pruned = store.prune(day, dry_run=dry_run)
            click.echo(
                f"{'would delete' if dry_run else 'deleted'} {pruned.calls} call(s) started before {day} with "
                f"their findings, and {pruned.errors} skipped-input record(s) of runs before it; "
                f"{pruned.undated_kept} call(s) without a start date kept"
            )
            if dry_run:
                return
            if not vacuum:
                click.echo(f"{pruned.free_bytes / 1e6:.1f} MB inside {db_path} now free for the next nights' calls "
                           "(--vacuum gives them back to the disk)")
                return
            size = db_path.stat().st_size
            if store.vacuum():
                click.echo(f"{db_path}: {size / 1e6:.1f} MB -> {db_path.stat().st_size / 1e6:.1f} MB")
            else:
                click.echo(f"{db_path} is being read (a report?): it shrinks once the readers finish")
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_codes.USAGE)
