"""A scenario: the world's section and the parts it plays.

A scenario names its world (``name``, ``seed``, ``start``, ``duration_days``, how often the
metrics are sampled, the ``faults`` it injects) and the sections of the parts it runs;
which parts run follows from which sections are present:

| part | sections |
|---|---|
| securities lifecycle | ``security`` (with ``offering``), and ``investors``, ``cash``, ``oracle``, ``trading``, ``clearing``, ``custodians``, ``dividends`` |
| collateral and margin | ``margin`` |
| taxonomy | ``taxonomy`` |

A file may hold several, one world: the margin section can name the security token as one
of its assets (``token: security``) and open accounts for the lifecycle's investors::

    name: fund_and_margin
    duration_days: 30
    security: {name: Acme Fund, symbol: ACME, compliance: [{kind: accredited_only}]}
    offering: {closes_day: 2, price: 10.0, shares: 10000}
    investors: [{name: inv, count: 20, subscription_usd: {kind: fixed, value: 5000}}]
    margin:
      assets: [{symbol: ACME, token: security, name: Acme Fund, asset_class: tokenized_security,
                tradable: {scan_class: equity}}]
      accounts: [{name: acme-long, investor: inv-0001, cash_usd: 20000,
                  orders: [{at_day: 5, asset: ACME, quantity: 100}]}]

Files of the earlier formats keep loading: ``kind: margin`` and ``kind: taxonomy`` files held
their part's fields at the top level; ``legacy()`` moves them into their section (the
margin engine's ``margin`` into ``margin.rules``, its ``oracle`` into ``margin.oracle``,
``metrics_every_days`` into ``metrics_every_hours``), and errors still name the fields as
the file spells them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, model_validator

from sim.scenario.base import MAX_DAYS, MAX_HOURS, Invalid, Model, Start
from sim.scenario.faults import SECURITIES_FAULTS, Fault
from sim.scenario.margin import MarginSection
from sim.scenario.securities import (
    Cash,
    Clearing,
    Custodian,
    Dividends,
    Offering,
    Oracle,
    Population,
    Security,
    Trading,
)
from sim.scenario.taxonomy import TaxonomySection

TREX_VERSION = "4.1.6"  # sim.contracts.trex.TREX_VERSION (not imported: loading stays light)

ERC3643_RULES = ("jurisdiction", "max_balance", "supply_limit")
"""The compliance kinds a T-REX token plays (CountryAllow/RestrictModule, MaxBalanceModule,
SupplyLimitModule)."""

ERC3643_MISSING = {
    "lockup": "holding periods (lock-ups: Rule 144, Reg S distribution compliance periods)",
    "holder_limit": "holder counts (Rule 506(b) purchasers, Section 12(g) holders of record)",
    "accredited_only": "accredited-investor status (Rule 506(c))",
    "investment_limit": "investment limits (Reg CF, Reg A Tier 2)",
    "eligible_participant": "eligible contract participant status",
    "exemption_whitelist": "exemption whitelists (the safe harbor)",
}
"""What each refused kind enforces, for the load-time message."""

PARTS = ("securities", "margin", "taxonomy")
"""The parts a scenario may play, in the order they are set up."""

SAMPLE_HOURS = {"securities": 24.0, "margin": 12.0, "taxonomy": 30 * 24.0}
"""Each part's default sampling interval; a world samples at the shortest of its parts'."""

SECURITIES_SECTIONS = ("offering", "investors", "cash", "oracle", "trading", "clearing", "custodians", "dividends")
"""Sections that belong to the securities lifecycle (meaningless without its ``security``)."""

SECTIONS = ("security", "offering", "trading", "dividends", "margin", "taxonomy")
"""Sections that may be absent (``None``). In a file, one given empty (``offering:`` with
nothing under it) is refused as empty rather than read as absent (``sim.scenario.load``)."""

MAX_SAMPLES = 1_000_000
"""Rows of ``metrics.csv`` a run may take (``duration_days`` over ``metrics_every_hours``)."""

UINT256 = 2**256
"""The contracts' widest integer: a compliance module's parameter must be below it."""


class Scenario(Model):
    """One run's world and the sections of the parts it plays.

    Attributes:
        name: short identifier, used for the run directory.
        seed: seed of the run's random numbers (``--seed`` overrides it).
        start: the moment the simulation (and the chain's clock) starts, within
            ``sim.scenario.base.START_RANGE`` (1970-01-02 to 2200-01-01).
        duration_days: how long the simulation runs.
        metrics_every_hours: interval of the ``metrics.csv`` samples (default: 24 with the
            securities lifecycle, 12 with margin, 720 for a taxonomy alone; the shortest of
            the parts present).
        faults: failures injected at their time (``sim.scenario.faults``), before the end.
        security, offering, investors, cash, oracle, trading, clearing, custodians,
            dividends: the securities lifecycle (``sim.scenario.securities``).
        margin: the collateral and margin part (``sim.scenario.margin``).
        taxonomy: the taxonomy part (``sim.scenario.taxonomy``).
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    description: str = ""
    seed: int = Field(default=0, ge=0, lt=2**63)
    start: Start = Field(default_factory=lambda: datetime(2026, 1, 5, 14, 0, tzinfo=UTC))
    duration_days: float = Field(gt=0, le=MAX_DAYS)
    metrics_every_hours: float | None = Field(default=None, gt=0, le=MAX_HOURS)
    faults: list[Fault] = Field(default_factory=list)
    security: Security | None = None
    offering: Offering | None = None
    investors: list[Population] = Field(default_factory=list)
    cash: Cash = Field(default_factory=Cash)
    oracle: Oracle = Field(default_factory=Oracle)
    trading: Trading | None = None
    clearing: Clearing = Field(default_factory=Clearing)
    custodians: list[Custodian] = Field(default_factory=list)
    dividends: Dividends | None = None
    margin: MarginSection | None = None
    taxonomy: TaxonomySection | None = None

    def _given(self, name: str) -> bool:
        """Whether the scenario says something in section ``name`` (other than its default)."""
        return getattr(self, name) != type(self).model_fields[name].get_default(call_default_factory=True)

    @model_validator(mode="after")
    def _world(self) -> Scenario:
        self._timing()
        if self.security is None and self.margin is None and self.taxonomy is None:
            if any(self._given(name) for name in SECURITIES_SECTIONS):
                raise Invalid(("security",), "Field required")
            raise Invalid((), "a scenario needs at least one part: a security (with its offering), a margin or a taxonomy section")
        if self.security is None:
            for name in SECURITIES_SECTIONS:
                if self._given(name):
                    raise Invalid((name,), f"{name} belongs to the securities lifecycle: give its security section too")
            for i, fault in enumerate(self.faults):
                if fault.kind in SECURITIES_FAULTS:
                    raise Invalid(("faults", i, "kind"), f"a {fault.kind} fault needs the securities lifecycle (a security section)")
        else:
            self._securities()
        if self.margin is not None:
            self._margin(self.margin)
        if self.taxonomy is not None:
            self._taxonomy()
        self._fault_targets()
        return self

    def _timing(self) -> None:
        """What happens at a day happens before the end; samples are countable."""
        end = self.duration_days
        for i, fault in enumerate(self.faults):
            if fault.at_day >= end:
                raise Invalid(("faults", i, "at_day"),
                              f"a {fault.kind} fault must happen before the end (day {end:g})", fault.at_day)
        if self.metrics_every_hours is not None:
            samples = end * 24 / self.metrics_every_hours
            if samples > MAX_SAMPLES:
                raise Invalid(("metrics_every_hours",), f"{samples:,.0f} samples over {end:g} days: at most "
                              f"{MAX_SAMPLES:,} (sample less often)", self.metrics_every_hours)

    def _modules(self, modules: list[Any], at: tuple[str | int, ...]) -> None:
        """A compliance module's integers fit the contracts' ``uint256``."""
        for i, module in enumerate(modules):
            for field, value in module:
                if isinstance(value, int) and not isinstance(value, bool) and value >= UINT256:
                    raise Invalid((*at, i, module.kind, field),
                                  "Input should be less than 2**256 (a uint256 on chain)", value)

    def _securities(self) -> None:
        if self.offering is None:
            raise Invalid(("offering",), "Field required")
        if not self.investors:
            raise Invalid(("investors",), "List should have at least 1 item after validation, not 0")
        self._modules(self.security.compliance, ("security", "compliance"))  # type: ignore[union-attr]
        if self.security.standard == "erc3643":  # type: ignore[union-attr]
            self._erc3643()
        for section, names in (("custodians", [c.name for c in self.custodians]),
                               ("investors", [p.name for p in self.investors])):
            kind = "custodian" if section == "custodians" else "population"
            for j, name in enumerate(names):
                if name in names[:j]:
                    raise Invalid((section, j, "name"),
                                  f"{kind} names must be unique: {section}.{names.index(name)} is {name!r} too", name)
        reg_cf = any(getattr(m, "kind", "") == "investment_limit" and m.regime == "reg_cf"
                     for m in self.security.compliance)  # type: ignore[union-attr]
        regimes = {getattr(m, "regime", "") for m in self.security.compliance  # type: ignore[union-attr]
                   if getattr(m, "kind", "") == "investment_limit"}
        for i, population in enumerate(self.investors):
            for field, regime, rule in (("reg_cf_limit_usd", "reg_cf", "Reg CF"), ("reg_a_limit_usd", "reg_a_tier2", "Reg A")):
                attested = getattr(population, field)
                if attested is None:
                    continue
                if population.bands:
                    raise Invalid(("investors", i, field),
                                  "an attested limit replaces income and net worth: give it or bands: true, not both",
                                  Invalid.NOTHING)
                if regime not in regimes:
                    raise Invalid(("investors", i, field),
                                  f"an attested {rule} limit counts only towards a {rule} investment limit: add "
                                  f"{{investment_limit: {{rule: {regime}}}}} to security.compliance", Invalid.NOTHING)
            if population.reg_cf_elsewhere_usd is not None and not reg_cf:
                raise Invalid(("investors", i, "reg_cf_elsewhere_usd"),
                              "purchases in other Reg CF offerings count only towards a Reg CF limit: add "
                              "{investment_limit: {rule: reg_cf}} to security.compliance", Invalid.NOTHING)
        sizes = {p.name: p.count for p in self.investors}
        for i, population in enumerate(self.investors):
            other = population.counted_with
            if other is None:
                continue
            if other not in sizes or other == population.name:
                raise Invalid(("investors", i, "counted_with"),
                              f"counted_with names another population ({', '.join(sorted(sizes))})", other)
            if population.count > sizes[other]:
                raise Invalid(("investors", i, "counted_with"),
                              f"population {population.name!r} has {population.count} investors, more than "
                              f"{other!r} ({sizes[other]}): each is counted with one of them", other)
        custodians = {c.name for c in self.custodians}
        for i, population in enumerate(self.investors):
            if population.custody != "self" and population.custody not in custodians:
                raise Invalid(
                    ("investors", i, "custody"),
                    f"population {population.name!r}: custody {population.custody!r} is not 'self' "
                    f"nor a custodian ({', '.join(sorted(custodians)) or 'none defined'})",
                )
        for i, fault in enumerate(self.faults):
            target = getattr(fault, "custodian", None)
            if target is not None and target not in custodians:
                raise Invalid(("faults", i, "custodian"), f"fault {fault.kind!r}: no custodian named {target!r}")
        if self.offering.closes_day >= self.duration_days:
            raise Invalid(
                ("offering", "closes_day"),
                f"offering closes on day {self.offering.closes_day}, not before the end (day {self.duration_days:g})",
            )
        bond = self.security.bond  # type: ignore[union-attr]
        if bond is not None and bond.maturity_day > self.duration_days:
            raise Invalid(
                ("security", "bond", "maturity_day"),
                f"bond matures on day {bond.maturity_day}, after the end (day {self.duration_days:g})",
            )

    def _erc3643(self) -> None:
        """What a T-REX token cannot play is refused here, naming the rule and the standard."""
        for i, module in enumerate(self.security.compliance):  # type: ignore[union-attr]
            if module.kind not in ERC3643_RULES:
                raise Invalid(("security", "compliance", i, module.kind),
                              f"standard erc3643 (T-REX {TREX_VERSION}) has no compliance module for "
                              f"{ERC3643_MISSING.get(module.kind, module.kind)}: it takes "
                              f"{', '.join(ERC3643_RULES)} (or use standard: tokensim)", Invalid.NOTHING)
        for i, custodian in enumerate(self.custodians):
            if custodian.mode == "omnibus":
                raise Invalid(("custodians", i, "mode"),
                              "standard erc3643: omnibus custody vaults run on tokensim's token only "
                              "(use segregated custody or standard: tokensim)", custodian.mode)

    def _margin(self, margin: MarginSection) -> None:
        for i, asset in enumerate(margin.assets):
            if asset.token != "security":
                continue
            if self.security is None:
                raise Invalid(("margin", "assets", i, "token"),
                              "token: security names the scenario's security token: give a security section")
            if self.security.standard == "erc3643":
                raise Invalid(("margin", "assets", i, "token"),
                              "standard erc3643: the margin engine takes tokensim's own security token as "
                              "collateral (its holds and lock-ups); give standard: tokensim", asset.token)
            if asset.symbol != self.security.symbol:
                raise Invalid(("margin", "assets", i, "symbol"),
                              f"the security token's symbol is {self.security.symbol!r} (got {asset.symbol!r})")
            if "decimals" in asset.model_fields_set and asset.decimals != self.security.decimals:
                raise Invalid(("margin", "assets", i, "decimals"),
                              f"the security token has {self.security.decimals} decimals (got {asset.decimals})")
        counts = {p.name: p.count for p in self.investors}
        for i, account in enumerate(margin.accounts):
            if account.investor is not None:
                population, _, number = account.investor.rpartition("-")
                if counts.get(population, 0) < int(number) or int(number) == 0:
                    known = ", ".join(f"{name}-0001..{name}-{count:04d}" for name, count in counts.items()) or "none"
                    raise Invalid(("margin", "accounts", i, "investor"),
                                  f"no investor {account.investor!r} (the scenario's investors: {known})")
            if account.pledges:
                self._pledger(i, account)
            for j, order in enumerate(account.orders):
                if order.at_day >= self.duration_days:
                    raise Invalid(("margin", "accounts", i, "orders", j, "at_day"),
                                  f"account {account.name!r}: order at day {order.at_day:g} is not before the end")
        for i, shock in enumerate(margin.shocks):
            if shock.at_day >= self.duration_days:
                raise Invalid(("margin", "shocks", i, "at_day"),
                              f"a shock must happen before the end (day {self.duration_days:g})", shock.at_day)

    def _pledger(self, i: int, account: Any) -> None:
        """An account that pledges the security token is an investor's who holds it in its
        own wallet (or a segregated one): an omnibus custodian's vault holds its clients'
        tokens, so they cannot be pledged from the client's wallet."""
        if self.trading is None:
            raise Invalid(("margin", "accounts", i, "pledges"),
                          f"account {account.name!r} pledges the security token: give a trading section (the "
                          "liquidator sells foreclosed tokens on the venue)")
        population = account.investor.rpartition("-")[0]
        group = next(p for p in self.investors if p.name == population)
        custodian = next((c for c in self.custodians if c.name == group.custody), None)
        if custodian is not None and custodian.mode == "omnibus":
            raise Invalid(("margin", "accounts", i, "investor"),
                          f"account {account.name!r} pledges the security token, but investor {account.investor!r} "
                          f"holds it at the omnibus custodian {custodian.name!r}: a pledger holds in its own wallet "
                          "(custody: self) or at a segregated custodian", account.investor)
        for j, pledge in enumerate(account.pledges):
            if pledge.at_day >= self.duration_days:
                raise Invalid(("margin", "accounts", i, "pledges", j, "at_day"),
                              f"account {account.name!r}: pledge at day {pledge.at_day:g} is not before the end",
                              pledge.at_day)
            self._on_schedule(("margin", "accounts", i, "pledges", j, "asset"), pledge.asset, pledge.at_day)

    def _on_schedule(self, where: tuple, symbol: str, at_day: float) -> None:
        """The pledged asset has a class on the margin section's haircut schedule at that day
        (or a haircut set for it): the Python reference of ``CollateralRegistry``."""
        from sim.contracts.collateral import Schedule
        from sim.reference.collateral import NotOnSchedule, schedule_haircut

        margin = self.margin
        start = self.start_timestamp
        assets = {a.symbol: a.record(start=start, issuer=a.issuer, holdings=tuple(a.holding_symbols))
                  for a in margin.assets}
        set_haircuts = {a.symbol: round(a.haircut_pct * 100) for a in margin.assets if a.haircut_pct is not None}
        if symbol in set_haircuts:
            return
        schedule = margin.rules.haircut_schedule
        try:
            schedule_haircut(symbol, assets, start + round(at_day * 86_400), set_haircuts, Schedule[schedule.upper()])
        except NotOnSchedule as refused:
            raise Invalid(where, f"{symbol} has no class on the {schedule} haircut schedule ({refused}): give it a "
                          "haircut_pct, or choose a schedule that has one", symbol) from None

    def _fault_targets(self) -> None:
        """What a fault names exists and can be played: a spike's asset, a defaulting
        participant, an omnibus custodian; a participant defaults and a custodian fails
        once; a lifecycle investor's default and a custodian's failure come after the
        offering has closed (its allocation is paid and booked)."""
        security = self.security.symbol if self.security is not None else None
        margin = [a.symbol for a in self.margin.assets] if self.margin is not None else []
        symbols = ([security] if security else []) + [s for s in margin if s != security]
        investors = {p.name: p.count for p in self.investors}
        accounts = []
        if self.margin is not None:
            for account in self.margin.accounts:
                accounts += [account.name] if account.count == 1 else [f"{account.name}-{k + 1}" for k in range(account.count)]
        closes = self.offering.closes_day if self.offering is not None else None
        first: dict[tuple[str, str], int] = {}
        for i, fault in enumerate(self.faults):
            at = ("faults", i)
            if fault.kind == "oracle_spike":
                if fault.asset is None and security is None:
                    raise Invalid((*at, "asset"), "Field required: without a security token an oracle_spike names "
                                  f"its asset (the margin assets: {', '.join(symbols) or 'none'})")
                if fault.asset is not None and fault.asset not in symbols:
                    raise Invalid((*at, "asset"), f"fault 'oracle_spike': no asset {fault.asset!r} "
                                  f"(the scenario's: {', '.join(symbols) or 'none'})")
                continue
            if fault.kind == "participant_default":
                label = fault.participant
                population, _, number = label.rpartition("-")
                investor = (number.isdigit() and label == f"{population}-{int(number):04d}"
                            and 0 < int(number) <= investors.get(population, 0))
                if not investor and label not in accounts:
                    known = [f"{name}-0001..{name}-{count:04d}" for name, count in investors.items()] + accounts
                    raise Invalid((*at, "participant"), f"fault 'participant_default': no investor or margin account "
                                  f"{label!r} (the scenario's: {', '.join(known) or 'none'})")
                target, late = ("participant", label), investor
            elif fault.kind == "custodian_failure":
                custodian = next(c for c in self.custodians if c.name == fault.custodian)
                if custodian.mode != "omnibus":
                    raise Invalid((*at, "custodian"), f"fault 'custodian_failure': custodian {custodian.name!r} is "
                                  f"{custodian.mode}; only an omnibus custodian's failure is played (its clients "
                                  "hold segregated wallets of their own)")
                target, late = ("custodian", fault.custodian), True
            else:
                continue
            if target in first:
                raise Invalid((*at, target[0]), f"{target[0]} {target[1]!r} already "
                              f"{'defaults' if target[0] == 'participant' else 'fails'} in faults.{first[target]}")
            first[target] = i
            if late and closes is not None and fault.at_day <= closes:
                raise Invalid((*at, "at_day"), f"a {fault.kind} fault must happen after the offering closes "
                              f"(day {closes})", fault.at_day)

    def _taxonomy(self) -> None:
        section = self.taxonomy
        assert section is not None
        for name, modules in section.rules.items():
            self._modules(modules, ("taxonomy", "rules", name))
        end = self.duration_days
        for i, ruling in enumerate(section.reclassifications):
            if ruling.day >= end:
                raise Invalid(("taxonomy", "reclassifications", i, "day"),
                              f"a reclassification must happen before the end (day {end:g})", ruling.day)
        if section.safe_harbor is not None:
            for i, sale in enumerate(section.safe_harbor.rounds):
                if sale.day >= end:
                    raise Invalid(("taxonomy", "safe_harbor", "rounds", i, "day"),
                                  f"a sale round must happen before the end (day {end:g})", sale.day)

    # ------------------------------------------------------------------ derived

    @property
    def start_timestamp(self) -> int:
        return int(self.start.timestamp())

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts this scenario plays, in set-up order (``PARTS``)."""
        present = {"securities": self.security is not None, "margin": self.margin is not None,
                   "taxonomy": self.taxonomy is not None}
        return tuple(name for name in PARTS if present[name])

    @property
    def sample_seconds(self) -> float:
        """Interval of the metrics samples, in seconds."""
        hours = self.metrics_every_hours
        if hours is None:
            hours = min(SAMPLE_HOURS[name] for name in self.parts)
        return hours * 3600


# ------------------------------------------------------------------ earlier formats

_WORLD_KEYS = ("kind", "name", "description", "seed", "start", "duration_days", "metrics_every_hours")
_LEGACY_STARTS = {"margin": "2026-03-02T14:00:00Z", "taxonomy": "2027-01-04T14:00:00Z"}
_RENAMED = {"margin": {"margin": "rules"}, "taxonomy": {}}
"""Top-level keys of the earlier formats that have another name in their section."""

Loc = tuple[Any, ...]


def legacy(data: dict[str, Any]) -> tuple[dict[str, Any], Callable[[Loc], Loc]]:
    """A scenario dict of the earlier ``kind: margin`` / ``kind: taxonomy`` formats as a
    scenario of this one, and the translation of a field path back to the file's spelling.

    Any other dict is returned as is (``kind: lifecycle`` dropped: it was the default).
    """
    kind = data.get("kind")
    if kind not in _RENAMED:
        return {k: v for k, v in data.items() if not (k == "kind" and v == "lifecycle")}, lambda loc: loc
    renamed = _RENAMED[kind]
    world: dict[str, Any] = {"start": _LEGACY_STARTS[kind]}
    section: dict[str, Any] = {}
    for key, value in data.items():
        if key == "kind":
            continue
        if kind == "margin" and key == "faults":
            world["faults"] = value
        elif kind == "taxonomy" and key == "metrics_every_days":
            number = isinstance(value, int | float) and not isinstance(value, bool)
            world["metrics_every_hours"] = value * 24 if number else value
        elif key in _WORLD_KEYS:
            world[key] = value
        else:
            section[renamed.get(key, key)] = value
    back = {new: old for old, new in renamed.items()}

    def translate(loc: Loc) -> Loc:
        if loc[:1] == (kind,):
            rest = loc[1:]
            if rest and rest[0] in back:
                return (back[rest[0]], *rest[1:])
            return rest
        if kind == "taxonomy" and loc[:1] == ("metrics_every_hours",):
            return ("metrics_every_days", *loc[1:])
        return loc

    return {**world, kind: section}, translate


__all__ = ["PARTS", "SECTIONS", "Scenario", "legacy"]
