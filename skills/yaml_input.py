"""YAML that users write (scenarios, survey mappings): parser errors told in plain words, never the parser's internals."""

from __future__ import annotations

import yaml


def describe_yaml_error(error: yaml.YAMLError) -> str:
    """Where and why a YAML text does not parse, e.g. ``at line 3, column 7: expected ',' or ']', but got the end of the text``.

    PyYAML's own text names ``"<unicode string>"`` and ``'<stream end>'``; a reader does not know those.
    """
    if isinstance(error, yaml.reader.ReaderError):
        shown = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        return f"because it contains the character {shown} at position {error.position + 1}, which YAML text may not hold"
    mark = getattr(error, "problem_mark", None)
    where = f"at line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    reason = getattr(error, "problem", None) or " ".join(str(error).split())
    reason = reason.replace("'<stream end>'", "the end of the text").replace("<stream end>", "the end of the text")
    reason = reason.replace('in "<unicode string>", ', "").replace('"<unicode string>"', "the text")
    return where + reason
