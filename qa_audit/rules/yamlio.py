"""YAML reading that remembers line numbers, so every rule-pack error names file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class PackError(Exception):
    """A rule-pack problem located at a file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class LineDict(dict):
    """A mapping from YAML that knows the line of each key (1-based) and its own line."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are LineDicts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise PackError("", key_node.start_mark.line + 1, f"a key must be a name, not {type(key).__name__}")
        if key in result:
            raise PackError("", key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    """A list as SafeLoader reads it, refusing an unquoted item that runs over several lines.

    YAML folds such an item into one with a space: a phrase indented one step too far
    silently became part of the phrase above it ("找谁都没用 - 我就这态度"), so neither
    matched. Wrapped mapping values (a long rationale) are left alone.
    """
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and not item.style and item.end_mark.line > item.start_mark.line:
            raise PackError(
                "",
                item.start_mark.line + 1,
                f"this list item runs on to line {item.end_mark.line + 1}: indent the next item like this one, "
                "or quote an item that needs two lines",
            )
    return loader.construct_sequence(node, deep=True)


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader over libyaml's parser, where PyYAML was built with it: a tenth of
    the time (0.12 -> 0.014 s for the default pack). Its error messages word things
    differently, so a file it refuses is read again by `_LineLoader` for the message."""


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("'@'", 'quote a lexicon reference: "@taboo_impatient"'),
    ("'`'", "quote a value that starts with `"),
    ("expected <block end>", "check the indentation: the keys of one mapping, and the items of one list, "
                             "start in the same column"),
    ("did not find expected", "check the indentation and the brackets [ ] { } of this line"),
    ("expected ',' or ']'", "a list opened with [ needs its closing ]"),
    ("mapping values are not allowed here", "check the indentation, and quote a value that holds ': '"),
)
"""PyYAML's words for the usual slips of hand-edited packs, and what to do about each."""


def _hint(problem: str) -> str:
    return next((f"; {hint}" for words, hint in _HINTS if words in problem), "")


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; any syntax error becomes a PackError with the file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(path, None, f"cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackError(path, data[:exc.start].count(b"\n") + 1,
                        "not UTF-8 text: save the file as UTF-8 (in Notepad: 另存为, 编码 UTF-8)") from None
    try:
        return yaml.load(text, Loader=_FastLineLoader)
    except (PackError, yaml.YAMLError):
        pass
    try:
        return yaml.load(text, Loader=_LineLoader)
    except PackError as exc:
        raise PackError(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise PackError(path, line, f"YAML syntax error: {exc.problem}{_hint(exc.problem or '')}") from None
    except yaml.YAMLError as exc:
        raise PackError(path, None, f"YAML error: {exc}") from None
