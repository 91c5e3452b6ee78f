"""Investor identities and the identity registry.

An investor is a person or entity with one or more wallets; the registry records, per
wallet, what a verifier attested: verified or not and until when, investor type,
jurisdiction, US-person status, and what the investment limits need: exact income and
net worth (the default), the limits an intermediary attests, or, as a privacy option,
bands whose floors make every limit come out low. In Python an identity is an
``Identity`` (validated before anything touches the chain); ``Investor`` is a wallet
address (a ``str``, usable wherever an address is) that carries its identity::

    registry = deploy_identity_registry(chain, admin=issuer)
    alice = register_investor(registry, chain.new_account(), Identity(
        investor_id="alice", investor_type="accredited", jurisdiction="US",
        income_usd=250_000, net_worth_usd=1_500_000), sender=issuer)
    alice.identity.investor_type    # 'accredited'
"""

from __future__ import annotations

import bisect
from enum import IntEnum
from typing import Any, Literal

from eth_hash.auto import keccak
from pydantic import Field, field_validator, model_validator

from sim.calendar import DAY
from sim.chain.abi import address_str
from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.contracts._spec import Spec

VERIFIER_ROLE = keccak(b"VERIFIER_ROLE")

DEFAULT_BAND_FLOORS_USD: tuple[int, ...] = (
    0,
    25_000,
    50_000,
    75_000,
    100_000,
    124_000,  # Reg CF threshold and ceiling (17 CFR 227.100(a)(2))
    150_000,
    200_000,  # accredited income (17 CFR 230.501(a)(6))
    300_000,  # accredited joint income
    500_000,
    1_000_000,  # accredited net worth (17 CFR 230.501(a)(5))
    1_240_000,  # 10% of it is the Reg CF ceiling
    2_000_000,
    5_000_000,  # entity accreditation by assets (17 CFR 230.501(a)(3))
    10_000_000,
)
"""Model choice (privacy option): floors (US dollars) of the income and net-worth bands of the default registry.

Used only by identities registered with ``bands=True``: a band is recorded instead of an
exact figure, and limits computed from it use the floor, so they come out low (an investor
with $30,000 income and $105,000 net worth gets $5,000 under Reg CF instead of the $5,250
of 17 CFR 227.100(a)(2)(i)). The floors sit on the thresholds the rules use (the comments
cite them), so an investor at a threshold is in the band that starts there.
"""

DEFAULT_VALIDITY_SECONDS = 20 * 365 * DAY
"""Model choice: how long a registration stays valid when no expiry is given, 20 years, so a
test or a scenario does not see verifications lapse unless it sets an expiry itself."""


class Financials(IntEnum):
    """How a record carries what the investment limits need (``IIdentityRegistry.Financials``)."""

    EXACT = 0
    ATTESTED = 1
    BANDS = 2


class InvestorType(IntEnum):
    """Investor categories of the registry (``IIdentityRegistry.InvestorType``)."""

    UNKNOWN = 0
    RETAIL = 1
    ACCREDITED = 2
    QUALIFIED_PURCHASER = 3
    INSTITUTIONAL = 4

    @property
    def accredited(self) -> bool:
        """Accredited investor (17 CFR 230.501(a)) or above."""
        return self >= InvestorType.ACCREDITED


InvestorTypeName = Literal["retail", "accredited", "qualified_purchaser", "institutional"]

ISO_3166_ALPHA_2 = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS YE YT ZA ZM ZW""".split()
)
# ISO 3166-1 alpha-2 country codes (a standard's list, not a default).


def investor_id(label: str | bytes) -> bytes:
    """The 32-byte investor id of a label (keccak of its text), or 32 raw bytes as given."""
    if isinstance(label, bytes):
        if len(label) != 32:
            raise ValueError(f"an investor id has 32 bytes, got {len(label)}")
        return label
    return keccak(b"tokensim:investor:" + label.encode())


class Identity(Spec):
    """What a verifier attests about a wallet's owner.

    Attributes:
        investor_id: a label (hashed into the on-chain id) or 32 raw bytes; wallets of one
            person share it.
        investor_type: ``retail`` (non-accredited), ``accredited``,
            ``qualified_purchaser`` or ``institutional``.
        jurisdiction: ISO 3166-1 alpha-2 code, e.g. ``"US"``.
        us_person: US person under Regulation S (17 CFR 230.902(k)); defaults to
            ``jurisdiction == "US"``.
        income_usd: annual income in whole US dollars, recorded exactly (for a non-natural
            person, annual revenue at the latest fiscal year end, as Regulation A reads it,
            17 CFR 230.251(d)(2)(i)(C)).
        net_worth_usd: net worth excluding the primary residence (17 CFR 230.501(a)(5)),
            recorded exactly (for a non-natural person, net assets).
        bands: privacy option: record only the band of income and net worth; limits then
            use the band's floor and come out low (``DEFAULT_BAND_FLOORS_USD``).
        reg_cf_limit_cents, reg_a_limit_cents: the intermediary's attested limits, relying
            on the investor's representation (17 CFR 227.303(b)(1)); giving either records
            attested limits instead of income and net worth (the other, absent, is 0).
        counted_with: the investor id (label or 32 bytes) of the purchaser this investor
            is counted with under Rule 506(b): a relative or spouse sharing that purchaser's
            principal residence, or a trust, estate or organisation more than 50% theirs
            (17 CFR 230.501(e)(1)(i)-(iii)); None: counted as itself.
        verified: KYC passed.
        expiry: Unix time the verification lapses; None means ``DEFAULT_VALIDITY_SECONDS``
            after registration.
    """

    investor_id: str | bytes
    investor_type: InvestorTypeName = "retail"
    jurisdiction: str = "US"
    us_person: bool | None = None
    income_usd: int = Field(default=0, ge=0, lt=2**64)
    net_worth_usd: int = Field(default=0, ge=0, lt=2**64)
    bands: bool = False
    reg_cf_limit_cents: int | None = Field(default=None, ge=0, lt=2**64)
    reg_a_limit_cents: int | None = Field(default=None, ge=0, lt=2**64)
    counted_with: str | bytes | None = None
    verified: bool = True
    expiry: int | None = Field(default=None, gt=0, lt=2**64)

    @field_validator("investor_id")
    @classmethod
    def _check_id(cls, value: str | bytes) -> str | bytes:
        if isinstance(value, bytes) and len(value) != 32:
            raise ValueError(f"raw investor id must have 32 bytes, got {len(value)}")
        if isinstance(value, str) and not value:
            raise ValueError("investor id label must not be empty")
        return value

    @field_validator("jurisdiction")
    @classmethod
    def _check_jurisdiction(cls, value: str) -> str:
        if value not in ISO_3166_ALPHA_2:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value

    @model_validator(mode="after")
    def _default_us_person(self) -> Identity:
        if self.us_person is None:
            object.__setattr__(self, "us_person", self.jurisdiction == "US")
        if self.attested and self.bands:
            raise ValueError("give attested limits (reg_cf_limit_cents, reg_a_limit_cents) or bands=True, not both")
        return self

    @property
    def attested(self) -> bool:
        """The record carries the intermediary's attested limits."""
        return self.reg_cf_limit_cents is not None or self.reg_a_limit_cents is not None

    @property
    def financials(self) -> Financials:
        if self.attested:
            return Financials.ATTESTED
        return Financials.BANDS if self.bands else Financials.EXACT

    @property
    def type(self) -> InvestorType:
        return InvestorType[self.investor_type.upper()]

    @property
    def accredited(self) -> bool:
        return self.type.accredited

    def to_struct(self, now: int, band_floors: tuple[int, ...] = DEFAULT_BAND_FLOORS_USD) -> dict[str, Any]:
        """The ``IIdentityRegistry.Identity`` struct for a registration at time ``now``."""
        return {
            "investorId": investor_id(self.investor_id),
            "verified": self.verified,
            "expiry": self.expiry if self.expiry is not None else now + DEFAULT_VALIDITY_SECONDS,
            "investorType": int(self.type),
            "jurisdiction": self.jurisdiction.encode(),
            "usPerson": bool(self.us_person),
            "financials": int(self.financials),
            "incomeUsd": self.income_usd if self.financials == Financials.EXACT else 0,
            "netWorthUsd": self.net_worth_usd if self.financials == Financials.EXACT else 0,
            "incomeBand": band_of(self.income_usd, band_floors) if self.bands else 0,
            "netWorthBand": band_of(self.net_worth_usd, band_floors) if self.bands else 0,
            "regCfLimitCents": self.reg_cf_limit_cents or 0,
            "regALimitCents": self.reg_a_limit_cents or 0,
            "countedWith": b"\x00" * 32 if self.counted_with is None else investor_id(self.counted_with),
        }


def band_of(value_usd: int, band_floors: tuple[int, ...] = DEFAULT_BAND_FLOORS_USD) -> int:
    """Index of the band ``value_usd`` falls in: the last band whose floor is <= it."""
    return bisect.bisect_right(band_floors, value_usd) - 1


class Investor(str):
    """A wallet address (checksum ``str``) with the identity registered for it."""

    identity: Identity

    def __new__(cls, address: str, identity: Identity) -> Investor:
        obj = super().__new__(cls, address_str(address))
        obj.identity = identity
        return obj

    @property
    def address(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<Investor {self.identity.investor_type} {self.identity.jurisdiction} {str(self)}>"


class IdentityRegistry(Contract):
    """Handle on an ``IdentityRegistry`` with Python-side registration helpers."""

    @property
    def band_floors(self) -> tuple[int, ...]:
        cached = self.__dict__.get("_band_floors")
        if cached is None:
            cached = tuple(self.bandFloorsUsd())
            self.__dict__["_band_floors"] = cached
        return cached

    def register(self, wallet: Any, identity: Identity, *, sender: Any) -> Investor:
        """Register (or replace) the identity of ``wallet``; return it as an ``Investor``."""
        self.registerIdentity(wallet, identity.to_struct(self.chain.now(), self.band_floors), sender=sender)
        return Investor(address_str(wallet), identity)

    def register_many(
        self, wallets: list[Any], identities: list[Identity], *, sender: Any
    ) -> list[Investor]:
        """Register many identities in one transaction."""
        now = self.chain.now()
        structs = [i.to_struct(now, self.band_floors) for i in identities]
        self.batchRegisterIdentities(wallets, structs, sender=sender)
        return [Investor(address_str(w), i) for w, i in zip(wallets, identities, strict=True)]




def deploy_identity_registry(
    chain: Chain,
    *,
    admin: Any,
    verifiers: list[Any] | None = None,
    band_floors_usd: tuple[int, ...] = DEFAULT_BAND_FLOORS_USD,
) -> IdentityRegistry:
    """Deploy a registry administered by ``admin``; ``verifiers`` (default: admin) may write."""
    registry = chain.deploy("IdentityRegistry", admin, list(band_floors_usd), sender=admin)
    for verifier in verifiers if verifiers is not None else [admin]:
        registry.grantRole(VERIFIER_ROLE, verifier, sender=admin)
    return registry  # type: ignore[return-value]
