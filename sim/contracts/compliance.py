"""Compliance modules: validated parameters and deployment.

Each rule a security token enforces is a module contract plugged into the token's
``Compliance``. In Python a module is described by a spec, validated when it is built
(before anything is deployed), with presets named after the rule they implement::

    modules = [
        Lockup.rule_144(reporting_issuer=False),     # 12 months, 17 CFR 230.144(d)(1)(ii)
        HolderLimit.rule_506b(),                     # 35 non-accredited purchasers
        Jurisdictions(allow=["US", "CA"]),
        InvestmentLimit.reg_cf(price_cents=1_000),   # $10 a token
    ]
    token = deploy_security_token(chain, registry=registry, admin=issuer, modules=modules)

The defaults and presets take their numbers from ``sim.rules``. A spec is also what a
scenario file's ``compliance:`` list parses into (the ``kind`` field tells which), and the
presets are there too, by ``rule``, so a scenario never restates a number a rule fixes::

    compliance:
      - lockup: {rule: rule_144, reporting_issuer: false}
      - holder_limit: {rule: 506b}
      - investment_limit: {rule: reg_cf}

Giving a field the rule fixes beside ``rule`` is refused, naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from sim import rules
from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.contracts._spec import Spec, format_validation_error
from sim.contracts.identity import ISO_3166_ALPHA_2
from sim.errors import ConfigError

UNLIMITED = 2**256 - 1
"""What the contracts read as "no limit"."""


class ModuleSpec(Spec):
    """Base of the module specs: ``kind`` names the rule, ``contract`` its Solidity contract.

    A spec with presets lists them in ``presets``: ``rule`` names one, ``_preset`` returns
    the fields it fixes from the preset's parameters (the spec's other fields), and those
    fields may not be given beside ``rule`` with other values.
    """

    contract: ClassVar[str] = ""
    presets: ClassVar[tuple[str, ...]] = ()
    kind: str

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("rule") is None or not cls.presets:
            return data
        rule = data["rule"]
        if rule not in cls.presets:
            raise ValueError(f"rule {rule!r} is not one of {', '.join(map(repr, cls.presets))}")
        fixed = cls._preset(rule, data)
        differ = sorted(k for k in fixed if k in data and data[k] != fixed[k])
        if differ:
            given = ", ".join(f"{k}: {data[k]!r}" for k in differ)
            wants = ", ".join(f"{k}: {fixed[k]!r}" for k in differ)
            raise ValueError(f"rule {rule!r} fixes {wants}; remove {given}")
        return {**data, **fixed}

    @classmethod
    def _preset(cls, rule: str, params: dict[str, Any]) -> dict[str, Any]:
        """The fields preset ``rule`` fixes, from its parameters in ``params``."""
        raise NotImplementedError

    def constructor_args(self) -> list[Any]:
        """Constructor arguments after ``(compliance, admin)``."""
        raise NotImplementedError

    def deploy(self, chain: Chain, compliance: Contract, *, admin: Any, **context: Any) -> Contract:
        """Deploy this module for ``compliance`` (which must be bound to its token);
        ``context`` gives what a module needs from the run (``exemption``: the
        ``SafeHarborRegistry`` of an exempt offering)."""
        return chain.deploy(self.contract, compliance, admin, *self.constructor_args(), sender=admin)


class Lockup(ModuleSpec):
    """Holding period by acquisition lot (``LockupModule``).

    Attributes:
        mode: ``rule144``: locked tokens cannot move at all; ``regs``: during the
            distribution compliance period locked tokens move only to non-US persons, and
            no US person may receive a mint.
        months: period in calendar months (exclusive with ``days``).
        days: period in days (exclusive with ``months``).
        rule: a preset that fixes ``mode`` and the period: ``rule_144`` (with
            ``reporting_issuer``), ``reg_s`` (with ``category``, and for category 3
            ``equity`` and, for equity, ``reporting_issuer``) or ``reg_cf_resale`` (one
            year, 17 CFR 227.501(a)).
        reporting_issuer, category, equity: the presets' parameters.
    """

    contract: ClassVar[str] = "LockupModule"
    presets: ClassVar[tuple[str, ...]] = ("rule_144", "reg_s", "reg_cf_resale")
    kind: Literal["lockup"] = "lockup"
    mode: Literal["rule144", "regs"] = "rule144"
    months: int | None = Field(default=None, gt=0, le=120)
    days: int | None = Field(default=None, gt=0, le=3660)
    rule: Literal["rule_144", "reg_s", "reg_cf_resale"] | None = None
    reporting_issuer: bool | None = None
    category: int | None = None
    equity: bool | None = None

    @classmethod
    def _preset(cls, rule: str, params: dict[str, Any]) -> dict[str, Any]:
        def needs(name: str, why: str) -> Any:
            if params.get(name) is None:
                raise ValueError(f"rule {rule!r} needs {name} ({why})")
            return params[name]

        if rule == "reg_cf_resale":
            return {"mode": "rule144", "months": rules.REG_CF_RESALE_MONTHS, "days": None}
        if rule == "rule_144":
            reporting = needs("reporting_issuer", "true: 6 months, 144(d)(1)(i); false: 1 year, 144(d)(1)(ii)")
            return cls.rule_144(reporting_issuer=reporting).model_dump(include={"mode", "months", "days"})
        category = needs("category", "2 or 3; category 1 has no distribution compliance period")
        equity = params.get("equity")
        if category == 3 and equity is None:
            needs("equity", "category 3: true for equity, false for debt")
        reporting = params.get("reporting_issuer")
        if category == 3 and equity and reporting is None:
            needs("reporting_issuer", "category 3 equity: 6 months for a reporting issuer, else 1 year")
        try:
            preset = cls.reg_s(category=category, equity=bool(equity), reporting_issuer=bool(reporting))
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix("Lockup.reg_s: ")) from None
        return preset.model_dump(include={"mode", "months", "days"})

    @model_validator(mode="after")
    def _one_period(self) -> Lockup:
        if (self.months is None) == (self.days is None):
            raise ValueError("give exactly one of months or days")
        return self

    @classmethod
    def rule_144(cls, *, reporting_issuer: bool = True) -> Lockup:
        """Rule 144(d)(1): 6 months for an issuer reporting for 90 days, else 1 year."""
        months = rules.RULE_144_MONTHS_REPORTING if reporting_issuer else rules.RULE_144_MONTHS_NON_REPORTING
        return cls(mode="rule144", months=months)

    @classmethod
    def reg_s(cls, *, category: int, equity: bool = True, reporting_issuer: bool = False) -> Lockup:
        """Regulation S distribution compliance period by category: category 2, 40 days
        (Rule 903(b)(2)(ii)); category 3 debt, 40 days (903(b)(3)(ii)(A)); category 3
        equity, one year, six months for a reporting issuer (903(b)(3)(iii)(A))."""
        if category == 1:
            raise ConfigError("Lockup.reg_s: category 1 has no distribution compliance period")
        if category == 2:
            return cls(mode="regs", days=rules.REG_S_CATEGORY_2_DAYS)
        if category == 3:
            if not equity:
                return cls(mode="regs", days=rules.REG_S_CATEGORY_3_DEBT_DAYS)
            months = (
                rules.REG_S_CATEGORY_3_EQUITY_MONTHS_REPORTING
                if reporting_issuer
                else rules.REG_S_CATEGORY_3_EQUITY_MONTHS
            )
            return cls(mode="regs", months=months)
        raise ConfigError(f"Lockup.reg_s: category must be 1, 2 or 3 (got {category!r})")

    def constructor_args(self) -> list[Any]:
        return [0 if self.mode == "rule144" else 1, self.days or 0, self.months or 0]


class HolderLimit(ModuleSpec):
    """Holder caps and the Section 12(g) flag (``HolderLimitModule``).

    Attributes:
        max_holders: cap on holders of record (investors, not wallets); None for none.
        max_non_accredited_purchasers: cap on distinct non-accredited buyers in the
            offering (mints); None for none.
        holders_threshold: holders of record at which 12(g) asks for registration (2,000).
        non_accredited_threshold: non-accredited holders at which it does (500).
        fiscal_year_end_month: the month whose last day ends the issuer's fiscal year: the
            12(g) test is at that day's end (default 12, a calendar fiscal year: a model
            choice, the issuer's fact).
        exempt_holders_excluded: the issuer meets Rule 12g-6 (Reg CF) or 12g5-1(a)(7) (Reg A
            Tier 2) conditions, so holders of these securities are not counted for 12(g).
        rule: a preset: ``506b`` fixes ``max_non_accredited_purchasers`` at 35.
    """

    contract: ClassVar[str] = "HolderLimitModule"
    presets: ClassVar[tuple[str, ...]] = ("506b",)
    kind: Literal["holder_limit"] = "holder_limit"
    rule: Literal["506b"] | None = None
    max_holders: int | None = Field(default=None, ge=1)
    max_non_accredited_purchasers: int | None = Field(default=None, ge=0)
    holders_threshold: int = Field(default=rules.SECTION_12G_HOLDERS, ge=1)
    non_accredited_threshold: int = Field(default=rules.SECTION_12G_NON_ACCREDITED_HOLDERS, ge=1)
    fiscal_year_end_month: int = Field(default=rules.FISCAL_YEAR_END_MONTH, ge=1, le=12)
    exempt_holders_excluded: bool = False

    @classmethod
    def _preset(cls, rule: str, params: dict[str, Any]) -> dict[str, Any]:
        return {"max_non_accredited_purchasers": rules.RULE_506B_MAX_NON_ACCREDITED}

    @classmethod
    def rule_506b(cls, *, max_holders: int | None = None) -> HolderLimit:
        """Rule 506(b): at most 35 non-accredited purchasers (17 CFR 230.506(b)(2)(i))."""
        return cls(max_holders=max_holders, rule="506b")

    def constructor_args(self) -> list[Any]:
        return [
            UNLIMITED if self.max_holders is None else self.max_holders,
            UNLIMITED if self.max_non_accredited_purchasers is None else self.max_non_accredited_purchasers,
            self.holders_threshold,
            self.non_accredited_threshold,
            self.fiscal_year_end_month,
            self.exempt_holders_excluded,
        ]


class Jurisdictions(ModuleSpec):
    """Recipients by jurisdiction (``JurisdictionModule``): give ``allow`` or ``block``."""

    contract: ClassVar[str] = "JurisdictionModule"
    kind: Literal["jurisdiction"] = "jurisdiction"
    allow: list[str] | None = None
    block: list[str] | None = None

    @field_validator("allow", "block")
    @classmethod
    def _iso_codes(cls, values: list[str] | None) -> list[str] | None:
        for code in values or []:
            if code not in ISO_3166_ALPHA_2:
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        return values

    @model_validator(mode="after")
    def _one_list(self) -> Jurisdictions:
        if (self.allow is None) == (self.block is None):
            raise ValueError("give exactly one of allow or block")
        return self

    def constructor_args(self) -> list[Any]:
        if self.allow is not None:
            return [0, [c.encode() for c in self.allow]]
        return [1, [c.encode() for c in self.block or []]]


class AccreditedOnly(ModuleSpec):
    """Rule 506(c): recipients must be verified accredited investors (``AccreditedOnlyModule``).

    Attributes:
        mints_only: apply to purchases in the offering only, not to resales.
    """

    contract: ClassVar[str] = "AccreditedOnlyModule"
    kind: Literal["accredited_only"] = "accredited_only"
    mints_only: bool = False

    def constructor_args(self) -> list[Any]:
        return [self.mints_only]


class MaxBalance(ModuleSpec):
    """Per-investor balance cap in token units (``MaxBalanceModule``)."""

    contract: ClassVar[str] = "MaxBalanceModule"
    kind: Literal["max_balance"] = "max_balance"
    max_balance: int = Field(gt=0, lt=2**256)

    def constructor_args(self) -> list[Any]:
        return [self.max_balance]


class SupplyLimit(ModuleSpec):
    """Total supply cap in token units (``SupplyLimitModule``)."""

    contract: ClassVar[str] = "SupplyLimitModule"
    kind: Literal["supply_limit"] = "supply_limit"
    supply_limit: int = Field(gt=0, lt=2**256)

    def constructor_args(self) -> list[Any]:
        return [self.supply_limit]


class InvestmentLimit(ModuleSpec):
    """Investment limits and offering cap (``InvestmentLimitModule``).

    A non-accredited investor's limit is the one the intermediary attests when the identity
    carries attested limits (17 CFR 227.303(b)(1)); else, with g the greater of income and
    net worth: ``max(floor, g * low_bps / 10000)`` if either is below ``threshold_usd``,
    else ``g * high_bps / 10000``; capped at ``ceiling_usd`` (0: no cap). Use the presets
    (``rule: reg_cf`` or ``rule: reg_a_tier2`` in a scenario, ``reg_cf()`` and
    ``reg_a_tier2()`` in Python).

    Attributes:
        price_cents: offering price of one whole token, in US cents; in a scenario it
            defaults to the offering's price.
        regime: ``reg_cf`` or ``reg_a_tier2``: which attested limit an identity's record
            gives, and whether purchases elsewhere may count (Reg CF only).
        listed: Reg A Tier 2 securities listed on a national securities exchange upon
            qualification: no investor limit (17 CFR 230.251(d)(2)(i)(D)).
        investor_window_months: calendar months an investor's purchase counts; 0: for the
            whole offering (Reg A Tier 2 counts per offering).
        offering_window_months: calendar months a sale counts towards the offering cap.
        offering_cap_usd: most the offering may raise in its window (None: no cap).
        rule: a preset that fixes every other field but ``price_cents`` (and, for
            ``reg_a_tier2``, ``listed``).
    """

    contract: ClassVar[str] = "InvestmentLimitModule"
    presets: ClassVar[tuple[str, ...]] = ("reg_cf", "reg_a_tier2")
    kind: Literal["investment_limit"] = "investment_limit"
    price_cents: int | None = Field(default=None, gt=0, lt=2**128)
    regime: Literal["reg_cf", "reg_a_tier2"] = "reg_cf"
    listed: bool = False
    threshold_usd: int = Field(default=rules.REG_CF_THRESHOLD_USD, ge=0, lt=2**64)
    floor_usd: int = Field(default=rules.REG_CF_FLOOR_USD, ge=0, lt=2**64)
    low_bps: int = Field(default=rules.REG_CF_LOW_BPS, ge=0, le=10_000)
    high_bps: int = Field(default=rules.REG_CF_HIGH_BPS, ge=0, le=10_000)
    ceiling_usd: int = Field(default=rules.REG_CF_CEILING_USD, ge=0, lt=2**64)
    investor_window_months: int = Field(default=rules.INVESTMENT_WINDOW_MONTHS, ge=0, le=120)
    offering_window_months: int = Field(default=rules.INVESTMENT_WINDOW_MONTHS, gt=0, le=120)
    offering_cap_usd: int | None = Field(default=None, gt=0, lt=2**128)
    rule: Literal["reg_cf", "reg_a_tier2"] | None = None

    @model_validator(mode="after")
    def _listed_is_reg_a(self) -> InvestmentLimit:
        if self.listed and self.regime != "reg_a_tier2":
            raise ValueError("listed: only Reg A Tier 2 exempts listed securities (251(d)(2)(i)(D))")
        return self

    @classmethod
    def _preset(cls, rule: str, params: dict[str, Any]) -> dict[str, Any]:
        fixed = cls._reg_cf_fields() if rule == "reg_cf" else cls._reg_a_tier2_fields()
        return {k: v for k, v in fixed.items() if k != "listed"}

    @staticmethod
    def _reg_cf_fields() -> dict[str, Any]:
        return {
            "regime": "reg_cf",
            "threshold_usd": rules.REG_CF_THRESHOLD_USD,
            "floor_usd": rules.REG_CF_FLOOR_USD,
            "low_bps": rules.REG_CF_LOW_BPS,
            "high_bps": rules.REG_CF_HIGH_BPS,
            "ceiling_usd": rules.REG_CF_CEILING_USD,
            "investor_window_months": rules.INVESTMENT_WINDOW_MONTHS,
            "offering_window_months": rules.INVESTMENT_WINDOW_MONTHS,
            "offering_cap_usd": rules.REG_CF_OFFERING_CAP_USD,
        }

    @staticmethod
    def _reg_a_tier2_fields() -> dict[str, Any]:
        return {
            "regime": "reg_a_tier2",
            "threshold_usd": 0,
            "floor_usd": 0,
            "low_bps": rules.REG_A_TIER_2_BPS,
            "high_bps": rules.REG_A_TIER_2_BPS,
            "ceiling_usd": 0,
            "investor_window_months": rules.REG_A_TIER_2_INVESTOR_WINDOW_MONTHS,
            "offering_window_months": rules.INVESTMENT_WINDOW_MONTHS,
            "offering_cap_usd": rules.REG_A_TIER_2_OFFERING_CAP_USD,
        }

    @classmethod
    def reg_cf(cls, *, price_cents: int, offering_cap_usd: int | None = rules.REG_CF_OFFERING_CAP_USD) -> InvestmentLimit:
        """Regulation Crowdfunding limits (17 CFR 227.100(a)): 12 months, across issuers."""
        return cls(**{**cls._reg_cf_fields(), "price_cents": price_cents, "offering_cap_usd": offering_cap_usd})

    @classmethod
    def reg_a_tier2(
        cls,
        *,
        price_cents: int,
        offering_cap_usd: int | None = rules.REG_A_TIER_2_OFFERING_CAP_USD,
        listed: bool = False,
    ) -> InvestmentLimit:
        """Regulation A Tier 2: 10% of the greater of income and net worth (of revenue and net
        assets for a non-natural person), per offering (Rule 251(d)(2)(i)(C)); none for
        securities listed upon qualification (251(d)(2)(i)(D))."""
        fields = {**cls._reg_a_tier2_fields(), "price_cents": price_cents, "offering_cap_usd": offering_cap_usd}
        return cls(**fields, listed=listed)

    def limit_cents(
        self,
        income_usd: int,
        net_worth_usd: int,
        *,
        accredited: bool,
        attested_cents: int | None = None,
    ) -> int | None:
        """The Python reference of the contract's ``limitOf`` (None: unlimited);
        ``attested_cents``: the identity's attested limit for this regime, if it carries one."""
        if accredited or self.listed:
            return None
        if attested_cents is not None:
            return attested_cents
        greater = max(income_usd, net_worth_usd)
        if income_usd < self.threshold_usd or net_worth_usd < self.threshold_usd:
            limit = max(self.floor_usd * 100, greater * self.low_bps // 100)
        else:
            limit = greater * self.high_bps // 100
        if self.ceiling_usd:
            limit = min(limit, self.ceiling_usd * 100)
        return limit

    def constructor_args(self) -> list[Any]:
        if self.price_cents is None:
            raise ConfigError("InvestmentLimit.price_cents: needed to deploy (a scenario takes the offering's price)")
        regime = 0 if self.regime == "reg_cf" else 1
        rule = (regime, self.listed, self.threshold_usd, self.floor_usd, self.low_bps, self.high_bps, self.ceiling_usd)
        cap_cents = 0 if self.offering_cap_usd is None else self.offering_cap_usd * 100
        return [rule, self.investor_window_months, self.offering_window_months, self.price_cents, cap_cents]


class EligibleParticipant(ModuleSpec):
    """Security-based swaps only to eligible contract participants (``EligibleParticipantModule``):
    recipients must be qualified purchasers or institutions (SEC staff statement, Jan 2026,
    on synthetic third-party tokenized securities; Exchange Act 6(l)).

    The investor type stands in for the test, a model choice: the statute asks of an
    individual more than $10 million invested on a discretionary basis, or more than $5
    million when it enters the swap to manage a risk (CEA 1a(18)(A)(xi)), which the identity
    registry does not record; a qualified purchaser ($5 million of investments) may fall
    short of it."""

    contract: ClassVar[str] = "EligibleParticipantModule"
    kind: Literal["eligible_participant"] = "eligible_participant"

    def constructor_args(self) -> list[Any]:
        return []


class ExemptionWhitelist(ModuleSpec):
    """An exemption's whitelisted participants only (``ExemptionWhitelistModule``): every
    recipient must be on the ``SafeHarborRegistry`` whitelist for the token. Deployed with
    the run's registry (``deploy(..., exemption=registry)``); taxonomy scenarios only."""

    contract: ClassVar[str] = "ExemptionWhitelistModule"
    kind: Literal["exemption_whitelist"] = "exemption_whitelist"

    def deploy(self, chain: Chain, compliance: Contract, *, admin: Any, **context: Any) -> Contract:
        exemption = context.get("exemption")
        if exemption is None:
            raise ConfigError("exemption_whitelist: needs the SafeHarborRegistry of an exempt offering (exemption=...)")
        return chain.deploy(self.contract, compliance, admin, exemption, sender=admin)


AnyModule = Annotated[
    Lockup | HolderLimit | Jurisdictions | AccreditedOnly | MaxBalance | SupplyLimit | InvestmentLimit
    | EligibleParticipant,
    Field(discriminator="kind"),
]
"""Any module spec, told apart by ``kind`` (the form scenario files use)."""

_module_adapter: TypeAdapter[Any] = TypeAdapter(AnyModule)


def kind_from_key(entry: Any) -> Any:
    """A scenario's compliance entry ``{lockup: {rule: rule_144, ...}}`` as
    ``{kind: lockup, rule: rule_144, ...}``; any other entry as it is."""
    if isinstance(entry, dict) and len(entry) == 1 and "kind" not in entry:
        ((kind, fields),) = entry.items()
        if isinstance(kind, str) and (isinstance(fields, dict) or fields is None):
            return {"kind": kind, **(fields or {})}
    return entry


def module_spec(value: ModuleSpec | dict[str, Any]) -> ModuleSpec:
    """A module spec from a spec or a plain dict with a ``kind`` field."""
    if isinstance(value, ModuleSpec):
        return value
    if not isinstance(value, dict):
        raise ConfigError(f"a compliance module is a ModuleSpec or a dict with 'kind', got {value!r}")
    try:
        return _module_adapter.validate_python(value, strict=True)
    except ValidationError as exc:
        raise ConfigError(format_validation_error("module", exc)) from None
