"""The rules a run enforced, with their sources, as its files record them.

A run's files say which rules were in force: the securities lifecycle's ``deploy`` record
lists its compliance modules with their settings and its clearing terms, the margin part's ``setup`` record and
its metrics name the haircut schedule, the scan method and the retail regime, and the
taxonomy's metrics give which modules apply to each class (``routes``) and the exit
report's thresholds. ``SOURCES`` says where each rule comes from; the defaults' own numbers
and citations are in docs/rules.md (``sim.sources``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.report.run_files import RunFiles

SOURCES: dict[str, str] = {
    "lockup:rule144": "Rule 144(d) holding period (17 CFR 230.144(d))",
    "lockup:regs": "Reg S distribution compliance period (17 CFR 230.903(b))",
    "holder_limit": "Rule 506(b)(2)(i) purchaser cap (17 CFR 230.506(b)(2)(i)); Exchange Act 12(g)(1)(A) holder flag",
    "jurisdiction": "the offering's terms: who may hold by country (Reg S offshore offers, 17 CFR 230.903)",
    "accredited_only": "Rule 506(c) accredited purchasers (17 CFR 230.506(c); 230.501(a))",
    "max_balance": "the issuer's terms (a balance cap per investor)",
    "supply_limit": "the issuer's terms (a cap on supply)",
    "investment_limit": "Reg CF (17 CFR 227.100(a)) or Reg A Tier 2 (17 CFR 230.251(d)(2)(i)(C)) limits",
    "eligible_participant": "Exchange Act 6(l); CEA 1a(18) eligible contract participants",
    "exemption_whitelist": "Token Safe Harbor Proposal 2.0 (whitelisted participants while the exemption runs)",
    "settlement_cycle": "Exchange Act Rule 15c6-1 (T+1 since 28 May 2024)",
    "fail_penalty": "CSDR cash penalties, Commission Delegated Regulation (EU) 2017/389",
    "buy_in": "Reg SHO Rule 204(a)(1) close-out (the third settlement day after settlement)",
    "haircut_schedule:cftc_23_156": "17 CFR 23.156(a)(3) haircut schedule",
    "haircut_schedule:us_capital_217_132": "12 CFR 217.132 Table 1 haircuts",
    "haircut_schedule:basel_ii": "Basel II supervisory haircuts (rating-based)",
    "scan_method:span": "CME SPAN scenario scan",
    "scan_method:finra": "FINRA Rule 4210(g) portfolio margin",
    "retail_regime:esma": "ESMA Decision (EU) 2018/796 retail leverage caps and 50% close-out",
    "retail_regime:us_retail_forex": "17 CFR 5.9 retail forex security deposits",
    "min_cross_margin_pct": "model choice: a floor on cross-margined requirements (0: none)",
    "exit": "Token Safe Harbor Proposal 2.0 exit report (network maturity tests)",
}
"""Where each rule comes from, by kind (``kind:mode`` or ``setting:value`` where the choice matters)."""


@dataclass(frozen=True)
class RuleInForce:
    """One rule: the part that enforced it, its name, its settings as recorded, its source."""

    part: str
    rule: str
    settings: str
    source: str


def rules_in_force(files: RunFiles) -> list[RuleInForce]:
    """Every rule the run's files say was in force, part by part."""
    found: list[RuleInForce] = []
    parts = files.parts
    if "securities" in parts:
        found += _securities(files)
    if "margin" in parts:
        found += _margin(files)
    if "taxonomy" in parts:
        found += _taxonomy(files)
    return found


def _settings(spec: dict[str, Any], leave_out: tuple[str, ...] = ("kind",)) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in spec.items() if k not in leave_out) or "-"


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _securities(files: RunFiles) -> list[RuleInForce]:
    deploy = next((e for e in files.events.where(acts={"deploy"}) if e["actor"] == "simulation"), None)
    if deploy is None:
        return []
    specs = deploy.get("compliance")
    if specs is None:  # a run written before the settings were recorded: the modules' names
        specs = [{"kind": name.replace("-", "_")} for name in deploy.get("modules", [])]
    rules = []
    for spec in specs:
        kind = spec["kind"]
        key = f"{kind}:{spec['mode']}" if "mode" in spec else kind
        rules.append(RuleInForce("securities", kind, _settings(spec), SOURCES.get(key, SOURCES.get(kind, "-"))))
    clearing = deploy.get("clearing")
    if clearing is not None:
        rules += [
            RuleInForce("securities", "settlement cycle", f"T+{clearing['settlement_days']}, "
                        f"{'netted' if clearing['netting'] else 'gross'}, cycle at {clearing['cutoff_hour_utc']}:00 UTC",
                        SOURCES["settlement_cycle"]),
            RuleInForce("securities", "fail penalty", f"{clearing['fail_penalty_bp']:g} bp a day of the cash amount",
                        SOURCES["fail_penalty"]),
            RuleInForce("securities", "buy-in", f"after {clearing['buy_in_after_days']} days of fail",
                        SOURCES["buy_in"]),
        ]
    return rules


def _margin(files: RunFiles) -> list[RuleInForce]:
    metrics = files.part_metrics("margin")
    rules = []
    for setting in ("haircut_schedule", "scan_method", "retail_regime"):
        if setting in metrics:
            value = metrics[setting]
            rules.append(RuleInForce("margin", setting, str(value), SOURCES.get(f"{setting}:{value}", "-")))
    if "min_cross_margin_pct" in metrics:
        rules.append(RuleInForce("margin", "min_cross_margin_pct", str(metrics["min_cross_margin_pct"]),
                                 SOURCES["min_cross_margin_pct"]))
    setup = next((e for e in files.events.where(acts={"setup"}) if "rules" in e), None)
    if setup is not None:
        shown = {k: v for k, v in setup["rules"].items() if k not in ("haircut_schedule", "scan_method",
                                                                     "retail_regime", "min_cross_margin_pct")}
        rules.append(RuleInForce("margin", "engine parameters", _settings(shown, ()),
                                 "model choices and their sources: docs/rules.md"))
    return rules


def _taxonomy(files: RunFiles) -> list[RuleInForce]:
    metrics = files.part_metrics("taxonomy")
    rules = []
    for asset_class, kinds in (metrics.get("routes") or {}).items():
        for kind in kinds:
            rules.append(RuleInForce("taxonomy", kind, f"applies while the class is {asset_class}",
                                     SOURCES.get(kind, "-")))
    exit_report = metrics.get("exit")
    if exit_report:
        limits = ", ".join(f"{name} {test['limit']}" for name, test in exit_report["tests"].items())
        rules.append(RuleInForce("taxonomy", "exit report", limits, SOURCES["exit"]))
    fair_access = next((e["rule"] for e in files.events.where(acts={"assess_fair_access"}) if "rule" in e), None)
    if fair_access is not None:
        rules.append(RuleInForce("taxonomy", "ATS fair access", _settings(fair_access, ()), "Reg ATS, 17 CFR 242.301(b)(5)(i)"))
    return rules


__all__ = ["SOURCES", "RuleInForce", "rules_in_force"]
