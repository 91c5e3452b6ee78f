"""The regulatory numbers tokensim uses as defaults, each with its source.

Every default a scenario or fixture does not set comes from here; the sources are those
of ``../shared/DOMAIN.md``. Items DOMAIN.md marks "(check)" were seen only in secondary
sources and are marked so below. Code that uses a number imports it from this module, so
the source of every default is one grep away.
"""

from __future__ import annotations

# --------------------------------------------------------------- investors

ACCREDITED_INCOME_USD = 200_000
"""Income in each of the last two years for an accredited natural person (17 CFR 230.501(a)(6))."""

ACCREDITED_JOINT_INCOME_USD = 300_000
"""Joint income with a spouse or partner (17 CFR 230.501(a)(6))."""

ACCREDITED_NET_WORTH_USD = 1_000_000
"""Net worth excluding the primary residence (17 CFR 230.501(a)(5))."""

# ----------------------------------------------------------------- Reg D

RULE_506B_MAX_NON_ACCREDITED = 35
"""At most 35 non-accredited purchasers in a Rule 506(b) offering (17 CFR 230.506(b)(2)(i))."""

# -------------------------------------------------------------- Rule 144

RULE_144_MONTHS_REPORTING = 6
"""Holding period, issuer reporting for at least 90 days: six months (17 CFR 230.144(d)(1)(i))."""

RULE_144_MONTHS_NON_REPORTING = 12
"""Holding period, non-reporting issuer: one year (17 CFR 230.144(d)(1)(ii))."""

# ----------------------------------------------------------------- Reg S

REG_S_CATEGORY_2_DAYS = 40
"""Distribution compliance period, category 2: 40 days (17 CFR 230.903(b)(2)(ii))."""

REG_S_CATEGORY_3_DEBT_DAYS = 40
"""Category 3 debt securities: 40 days (17 CFR 230.903(b)(3)(ii)(A))."""

REG_S_CATEGORY_3_EQUITY_MONTHS = 12
"""Category 3 equity securities: one year (17 CFR 230.903(b)(3)(iii)(A))."""

REG_S_CATEGORY_3_EQUITY_MONTHS_REPORTING = 6
"""Category 3 equity of a reporting issuer: six months (17 CFR 230.903(b)(3)(iii)(A), "or
six-month distribution compliance period if the issuer is a reporting issuer")."""

# ---------------------------------------------------------- Section 12(g)

SECTION_12G_HOLDERS = 2_000
"""Holders of record that trigger registration (Exchange Act 12(g)(1)(A)(i))."""

SECTION_12G_NON_ACCREDITED_HOLDERS = 500
"""Non-accredited holders of record that trigger registration (Exchange Act 12(g)(1)(A)(ii))."""

FISCAL_YEAR_END_MONTH = 12
"""Model choice: an issuer's fiscal year ends on 31 December unless a scenario says otherwise;
the Section 12(g)(1) holder test is "on the last day of its fiscal year" (Exchange Act
12(g)(1)(A))."""

SECTION_12G_TOTAL_ASSETS_USD = 10_000_000
"""Total assets above which the holder test applies (Exchange Act 12(g)(1)(A))."""

# ----------------------------------------------------------------- Reg CF

REG_CF_THRESHOLD_USD = 124_000
"""Income or net worth below which the lower Reg CF limit applies (17 CFR 227.100(a)(2)(i))."""

REG_CF_FLOOR_USD = 2_500
"""Minimum Reg CF limit under the lower rule (17 CFR 227.100(a)(2)(i))."""

REG_CF_LOW_BPS = 500
"""5% of the greater of income and net worth (17 CFR 227.100(a)(2)(i))."""

REG_CF_HIGH_BPS = 1_000
"""10% of the greater of income and net worth when both are at or above the threshold (17 CFR 227.100(a)(2)(ii))."""

REG_CF_CEILING_USD = 124_000
"""Never more than $124,000 in 12 months (17 CFR 227.100(a)(2)(ii)). The paragraph states the
ceiling with the 10% limit; the module applies it to the 5% limit too, where it binds only
when one figure is below $124,000 and the other above $2.48 million (the SEC's investor
bulletin reads the $124,000 as a ceiling regardless of income and net worth): a model choice
at that edge."""

REG_CF_RESALE_MONTHS = 12
"""Securities bought in a Reg CF offering may not be transferred for one year (17 CFR
227.501(a)); the exceptions (to the issuer, an accredited investor, a family member, in a
registered offering) are not modelled, so the lock-up is stricter than the rule: a model
choice."""

REG_CF_OFFERING_CAP_USD = 5_000_000
"""An issuer raises at most $5 million in 12 months under Reg CF (17 CFR 227.100(a)(1))."""

REG_A_TIER_2_BPS = 1_000
"""A non-accredited purchaser in a Tier 2 offering buys at most 10% of the greater of annual
income and net worth, or, a non-natural person, of annual revenue and net assets at the
most recent fiscal year end (17 CFR 230.251(d)(2)(i)(C)); not for securities listed on a
national securities exchange upon qualification (230.251(d)(2)(i)(D))."""

REG_A_TIER_2_INVESTOR_WINDOW_MONTHS = 0
"""The Tier 2 purchaser limit is per offering, not a rolling window: 0 months means a
purchase counts for the whole offering (17 CFR 230.251(d)(2)(i)(C): "in a Tier 2 offering")."""

REG_A_TIER_2_OFFERING_CAP_USD = 75_000_000
"""Tier 2 offerings: at most $75 million in 12 months (17 CFR 230.251(a)(2))."""

INVESTMENT_WINDOW_MONTHS = 12
"""The rolling window of the Reg CF investor limit (across all issuers) and of the Reg CF and
Reg A offering caps: 12 months (17 CFR 227.100(a)(1),(2); 17 CFR 230.251(a))."""

# ------------------------------------------------------------- settlement

SETTLEMENT_CYCLE_DAYS = 1
"""T+1 since 28 May 2024 (Exchange Act Rule 15c6-1)."""

REG_SHO_CLOSE_OUT_DAYS = 3
"""A fail to deliver from a long sale is closed out by the third settlement day after the
settlement date, i.e. T+4 under T+1 (Reg SHO Rule 204(a)(1))."""

CSDR_FAIL_PENALTY_BP_LIQUID_SHARES = 1.0
"""Daily cash penalty for a settlement fail in liquid shares: 1.0 basis point of the
transaction's reference price, the securities' market value, whether securities or cash are
missing (Commission Delegated Regulation (EU) 2017/389, Annex and Art. 3). The settlement
contract charges it on the instruction's cash amount (the trade's value), and charges a
cash fail at the same rate rather than at the central bank's overnight rate: both a model
choice."""

CSDR_FAIL_PENALTY_BP_SOVEREIGN_BONDS = 0.1
"""Daily cash penalty for a settlement fail in sovereign bonds: 0.1 basis point of the
reference price (Commission Delegated Regulation (EU) 2017/389, Annex)."""

# ------------------------------------------------- taxonomy, safe harbor, ATS

SAFE_HARBOR_WINDOW_MONTHS = 36
"""The relief expires three years from the filing of the notice of reliance (Peirce, Token
Safe Harbor Proposal 2.0, 2021, proposed Securities Act Rule 195(e)); the exit report is due no
later than the expiration (proposed Rule 195(f)). Counted in calendar months from the notice."""

SAFE_HARBOR_UPDATE_EVERY_MONTHS = 6
"""Disclosures are updated every six months following the filing of the notice of reliance,
until the end of the three-year period or network maturity (Token Safe Harbor Proposal 2.0,
proposed Rule 195(b)(2))."""

SAFE_HARBOR_UPDATE_GRACE_DAYS = 30
"""Each six-month update is due within 30 calendar days after the end of its period (Token
Safe Harbor Proposal 2.0, proposed Rule 195(b)(2))."""

SAFE_HARBOR_MAX_TEAM_SHARE_PCT = 20
"""A network whose initial development team holds more than 20% of the tokens cannot count
as decentralised (Token Safe Harbor Proposal 2.0, proposed Rule 195(k)(2)(i), the definition
of network maturity): the exit test's ceiling on the team's share, and its default."""

SAFE_HARBOR_REGISTRATION_DAYS = 120
"""After an exit report finding network maturity not reached, the team files a Form 10 to
register the token under Exchange Act 12(g) within 120 days of filing that report (Token Safe
Harbor Proposal 2.0, proposed Rule 195(f)(1)(iii)(C)). The proposal sets no deadline for a
window that lapses with no report; the contract then counts the 120 days from the block that
records the lapse (a modelling choice). It states the deadline, and the simulation
reclassifies the token at once (a modelling shortcut)."""

SAFE_HARBOR_PLATFORM_WIND_DOWN_MONTHS = 6
"""... and trading platforms escape exchange registration for that trading only if they stop
it within six months of the determination (Token Safe Harbor Proposal 2.0, proposed Rule
195(g)); stated by the contract, not waited for (the same shortcut)."""

ATS_FAIR_ACCESS_SHARE_BPS = 500
"""Fair access applies to an ATS that executed 5% or more of a security's average daily
trading volume ... (Reg ATS, 17 CFR 242.301(b)(5)(i); the SEC's Form ATS-N, Part 3 Item 25,
asks the same test)."""

ATS_FAIR_ACCESS_MONTHS = 4
"""... during at least 4 of the preceding 6 calendar months (Reg ATS, 17 CFR 242.301(b)(5)(i))."""

ATS_FAIR_ACCESS_LOOKBACK_MONTHS = 6
"""The months looked back over for fair access (Reg ATS, 17 CFR 242.301(b)(5)(i))."""

VENUES_BY_CLASS: dict[str, tuple[str, ...]] = {
    "tokenized_security": ("securities_exchange", "ats"),
    "equity": ("securities_exchange", "ats"),
    "government_security": ("securities_exchange", "ats"),
    "money_market_fund": ("securities_exchange", "ats"),
    "security_based_swap": ("securities_exchange",),
    "digital_commodity": ("commodity_exchange", "securities_exchange", "ats"),
    "exempt_network_token": ("unregistered", "commodity_exchange", "securities_exchange", "ats"),
    "stablecoin": ("unregistered", "commodity_exchange", "securities_exchange", "ats"),
    "collectible": ("unregistered", "commodity_exchange", "securities_exchange", "ats"),
    "tool": ("unregistered", "commodity_exchange", "securities_exchange", "ats"),
    "cash": (),
}
"""Which venue kinds may trade each class. Securities go to the SEC regime: a national
securities exchange or an ATS (Exchange Act 5; Reg ATS); security-based swaps to a
registered exchange (Exchange Act 6(l)); digital commodities to a CFTC-registered platform,
and, under the SEC's "Project Crypto" (Nov 2025), alongside securities on an exchange or ATS
(check); a token under a safe harbor trades freely while it runs (Token Safe Harbor
Proposal 2.0, proposed Rule 195(a): the Securities Act does not apply to its offers, sales
and transactions); collectibles, tools and stablecoins are not securities (SEC-CFTC joint
interpretation, Mar 2026). A scenario can override any row."""
