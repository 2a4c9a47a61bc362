"""The key tables of ``config/README.md``, generated from the settings schemas.

Each settings file's keys, types, defaults and meanings are written once, in its JSON schema
(``gsbench/data/<name>.schema.yaml``; the study's problem defaults come from
:class:`gsbench.problems.ProblemOptions`). ``config/README.md`` holds, between the markers
``<!-- keys: <name> -->`` and ``<!-- /keys -->``, the table :func:`key_table` makes of schema
``<name>``; :func:`render_readme` regenerates every marked table and a test checks that the
committed file equals it. Regenerate after a schema change with::

    python -m gsbench.settings_docs config/README.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .atomic import write_text
from .settings_files import read_schema

__all__ = ["key_table", "render_readme", "schema_for_docs"]

_MARKED = re.compile(r"(<!-- keys: (?P<name>[a-z_]+)(?: (?P<section>[a-z_]+))? -->\n)(?P<body>.*?)(<!-- /keys -->)",
                     re.S)


def schema_for_docs(name: str) -> dict:
    """Schema `name` as validated (the study config's with ProblemOptions' defaults)."""
    if name == "config":
        from .study.config import schema

        return schema()
    return read_schema(name)


def _resolve(node: dict, root: dict) -> dict:
    """`node` with ``$ref`` followed and ``allOf`` parts merged (outer keys win)."""
    node = dict(node)
    while "$ref" in node:
        target = root
        for part in node.pop("$ref").lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **node}
    for part in node.pop("allOf", []):
        part = _resolve(part, root)
        node = {**part, **node, "required": part.get("required", []) + node.get("required", [])}
    return node


def _number(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _range(node: dict) -> str:
    lo = ("≥", node["minimum"]) if "minimum" in node else (
        (">", node["exclusiveMinimum"]) if "exclusiveMinimum" in node else None)
    hi = ("≤", node["maximum"]) if "maximum" in node else (
        ("<", node["exclusiveMaximum"]) if "exclusiveMaximum" in node else None)
    if lo and hi:
        left = "[" if lo[0] == "≥" else "("
        right = "]" if hi[0] == "≤" else ")"
        return f" in {left}{_number(lo[1])}, {_number(hi[1])}{right}"
    if lo or hi:
        sign, value = lo or hi
        return f" {sign} {_number(value)}"
    return ""


def type_text(node: dict, root: dict) -> str:
    """Words for the values `node` allows: ``int ≥ 1``, ``list of number ≥ 0``, ``a / b``."""
    node = _resolve(node, root)
    if "enum" in node:
        return " / ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    cond = node.get("if", {}).get("type")
    if isinstance(kind, list) and cond in kind and "enum" in node.get("then", {}):
        # {type: [a, b], if: {type: a}, then: {enum: [...]}}: the a values are the enum's
        rest = {k: v for k, v in node.items() if k not in ("if", "then")}
        return ", or ".join(type_text({"enum": node["then"]["enum"]} if k == cond else
                                      {**rest, "type": k}, root) for k in kind)
    if isinstance(kind, list):
        return ", or ".join(type_text({**node, "type": k}, root) for k in kind)
    if kind in ("integer", "number"):
        return ("int" if kind == "integer" else "number") + _range(node)
    if kind == "array":
        items = type_text(node.get("items", {}), root) if node.get("items") else "values"
        if node.get("minItems") == node.get("maxItems") == 2:
            return f"[low, high], each {items}"
        return f"list of {items}"
    return {"string": "text", "boolean": "bool", "object": "mapping", "null": "null"}.get(kind, "any")


def _default(node: dict, required: bool) -> str:
    if "default" in node:
        value = node["default"]
        return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"
    return "required" if required else "optional"


def _shared_def(node: dict) -> str | None:
    """The name of the ``$defs`` entry `node` refers to (directly or in ``allOf``), if any."""
    refs = [node.get("$ref")] + [part.get("$ref") for part in node.get("allOf", [])]
    names = [r.split("/")[-1] for r in refs if r and r.count("/") == 2 and r.startswith("#/$defs/")]
    return names[0] if names else None


def _has_keys(node: dict, root: dict) -> bool:
    """Whether `node` documents keys of its own (properties, or those of every entry)."""
    extra = node.get("additionalProperties")
    return bool(node.get("properties")) or (isinstance(extra, dict) and
                                            bool(_resolve(extra, root).get("properties")))


def _rows(node: dict, root: dict, prefix: str, required: bool, shared: dict):
    """Table rows of `node` and its keys; a key holding a shared ``$defs`` mapping (e.g. a
    problem) gets one row pointing to that mapping's rows (added once, under ``<name>``)."""
    name = _shared_def(node) if prefix else None
    node = _resolve(node, root)
    if prefix:
        text = " ".join(node.get("description", "").split())
        kind = type_text(node, root)
        pointer = bool(name) and _has_keys(node, root)
        if pointer:
            shared.setdefault(name, node)
            kind = f"mapping, keys `<{name}>.*`"
        text = text.replace("|", "\\|")
        yield f"| `{prefix}` | {kind} | {_default(node, required)} | {text} |"
        if pointer:
            return
    needed = set(node.get("required", []))
    for key, sub in node.get("properties", {}).items():
        yield from _rows(sub, root, f"{prefix}.{key}" if prefix else key, key in needed, shared)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        extra = _resolve(extra, root)
        for key, sub in extra.get("properties", {}).items():
            yield from _rows(sub, root, f"{prefix}.<label>.{key}", False, shared)


def key_table(name: str, section: str | None = None) -> str:
    """The Markdown table of schema `name` (or of its top-level `section`, as the real and
    noisy settings share one file): key, type, default (or required), meaning. Shared
    mappings (``$defs``) follow, once each, as ``<name>.key`` rows."""
    root = schema_for_docs(name)
    node = {"$defs": root.get("$defs", {}), **root[section]} if section else root
    root = node if section else root
    shared: dict[str, dict] = {}
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += list(_rows(node, root, "", True, shared))
    done: set[str] = set()
    while set(shared) - done:
        ref = next(k for k in shared if k not in done)
        done.add(ref)
        rows = list(_rows(dict(root["$defs"][ref]), root, f"<{ref}>", True, shared))
        head = rows[0].split(" | ")
        lines += [" | ".join(head[:2] + ["—"] + head[3:])] + rows[1:]
    return "\n".join(lines) + "\n"


def render_readme(text: str) -> str:
    """`text` with every marked key table regenerated from its schema."""
    def table(match: re.Match) -> str:
        return match.group(1) + key_table(match.group("name"), match.group("section")) + match.group(5)

    return _MARKED.sub(table, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the key tables of a README.")
    parser.add_argument("readme", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    old = args.readme.read_text(encoding="utf-8")
    new = render_readme(old)
    if args.check:
        if new != old:
            print(f"{args.readme}: key tables differ from the schemas; regenerate with "
                  f"python -m gsbench.settings_docs {args.readme}", file=sys.stderr)
            return 1
        return 0
    if new != old:
        write_text(args.readme, new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
