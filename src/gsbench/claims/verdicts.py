"""A claim's finding: the verdicts a claim can get, the rule and multiplicity heading its
criterion, and the setting text."""

from __future__ import annotations

import re

from ..verdict import Finding


#: The verdicts a claim can get.
VERDICTS = ("agrees", "partly", "disagrees", "inconclusive")


def claim_finding(*, rule: str, multiplicity: str, **fields) -> Finding:
    """A claim's :class:`gsbench.verdict.Finding` (fields by name: ``claim``, ``source``,
    ``statement``, ``setting``, ``quantity``, ``measured``, ``criterion``, ``verdict``,
    ``reason``, ``runs``, ``files``). ``rule`` names the rule in words (its logical form,
    e.g. "equivalence within ±25%") and ``multiplicity`` how many comparisons the verdict
    combines; both head the criterion as ``"Rule: ...; multiplicity: .... "``
    (:func:`rule_of` reads them back). Raises ``ValueError`` naming a verdict not in
    :data:`VERDICTS`."""
    if fields.get("verdict") not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {fields.get('verdict')!r}")
    fields["criterion"] = f"Rule: {rule}; multiplicity: {multiplicity}. {fields.get('criterion', '')}".strip()
    return Finding(**fields)


_RULE = re.compile(r"^Rule: (?P<rule>.*?); multiplicity: (?P<multiplicity>.*?)\. ")


def rule_of(finding: Finding) -> tuple[str, str]:
    """``(rule, multiplicity)`` written by :func:`claim_finding` (empty strings if absent)."""
    m = _RULE.match(finding.criterion + " ")
    return (m["rule"], m["multiplicity"]) if m else ("", "")

#: No early termination (claims that need whole paths or the final iterate): ``patience``


def fmt_setting(problem: dict) -> str:
    keys = ("n", "p", "group_size", "active_groups", "sigma", "design", "rho")
    return ", ".join(f"{k}={problem[k]}" for k in keys if k in problem)
