"""CI fetches nothing of its own to decide what to run: the dependency audit runs only where PIP_AUDIT=1 asks."""

import re
from pathlib import Path

CI_RUN = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_ci_names_no_web_address():
    script = CI_RUN.read_text()
    assert re.findall(r"https?://\S*", script) == []
    assert not re.search(r"\b(curl|wget)\b", script)


def test_the_dependency_audit_runs_only_where_pip_audit_is_set_and_says_so_elsewhere():
    script = CI_RUN.read_text()
    guarded = re.search(r'if \[ "\$\{PIP_AUDIT:-\}" = "1" \]; then\n(.*?)\nelse\n(.*?)\nfi', script, re.S)
    assert guarded, "the audit is not behind PIP_AUDIT=1"
    audit, otherwise = guarded.groups()
    assert "pip install --quiet pip-audit" in audit
    assert "pip-audit -r constraints.txt --strict" in audit
    assert "pip-audit NOT RUN: set PIP_AUDIT=1 on a machine that reaches advisory data" in otherwise
    assert script.count("pip-audit -r") == 1  # nowhere else, unguarded
