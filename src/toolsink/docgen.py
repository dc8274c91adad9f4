"""Generate ``docs/rules/`` from ``rules/*.yml``: one page per rule and an index. Never edit them by hand.

    python -m toolsink.docgen [OUTPUT_DIR]      # default: docs/rules of the checkout
"""

from __future__ import annotations

import sys
from pathlib import Path

from .rules import load_rules


def pages() -> dict[str, str]:
    rules = load_rules()
    out: dict[str, str] = {}
    index = ["# toolsink rules", "", "Generated from `rules/*.yml` by `python -m toolsink.docgen`; do not edit.", "",
             "| code | name | severity | title | CWE |", "|---|---|---|---|---|"]
    for rule in rules.values():
        cwe = ", ".join(f"CWE-{c}" for c in rule.cwe)
        index.append(f"| [{rule.id}]({rule.id}.md) | `{rule.name}` | {rule.severity} | {rule.title} | {cwe} |")
        header = (f"<!-- generated from rules/{Path(rule.path).name} by `python -m toolsink.docgen`; do not edit -->\n\n"
                  f"**Severity:** {rule.severity} · **Precision:** {rule.precision} · "
                  f"**Languages:** {', '.join(rule.languages)}\n\n")
        out[f"{rule.id}.md"] = header + rule.markdown()
    out["README.md"] = "\n".join(index) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "docs" / "rules"
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages())} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
