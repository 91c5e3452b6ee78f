// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MarginMath
/// @notice Margin requirements by both methods, on chain: siloed (Regulation T and FINRA
/// 4210 on securities bought on margin, plus a scan of the derivatives alone) and
/// portfolio (one scan over every position), each scan by one of two published methods.
/// `sim/reference/requirements.py` is the same arithmetic in Python; tests hold them equal
/// to the unit.
/// @dev Amounts are in the account currency's smallest unit (cents in the reference),
/// prices per whole token in that unit, quantities in whole tokens (negative: short).
/// Scan methods (`ScanMethod`):
/// - `Span` (CME SPAN): each underlying moves by 0, +/-1/3, +/-2/3, +/-1 of its range, plus
///   +/-2x counted at 35%; no per-contract minimum.
/// - `Finra` (FINRA 4210(g)): ten equidistant valuation points across the range, five up
///   and five down (+/-1/5 ... +/-1 of it); at least $0.375 per derivative contract (the
///   rule's minimum for listed options, unlisted derivatives and security futures, times
///   the multiplier: one token per perpetual here), not on plain long stock; and a
///   portfolio margin account needs $100,000 of equity to open positions (4210(g)(8)).
/// Under both, an underlying's requirement is its worst loss (never below 0) and
/// underlyings add up (no inter-commodity credits). Every loss is kept as an exact numerator
/// over DENOMINATOR and rounded up once at the end, as the reference does.
/// Siloed accounts holding securities need $2,000 of equity to open (FINRA 4210(b)(4)),
/// but never more than the securities cost.
library MarginMath {
    uint256 internal constant BPS = 10_000;
    /// Regulation T initial margin on securities: 50% (12 CFR 220.12).
    uint256 internal constant REG_T_INITIAL_BPS = 5_000;
    /// Maintenance margin on long securities: 25% (FINRA 4210(c)).
    uint256 internal constant MAINTENANCE_BPS = 2_500;
    /// $0.375 per derivative contract (FINRA 4210(g)), as 375 / FLOOR_DIVISOR cents.
    uint256 internal constant FLOOR_PER_TOKEN_NUMERATOR = 375;
    uint256 internal constant FLOOR_DIVISOR = 10;
    /// Equity a margin account with securities needs to open: $2,000 (FINRA 4210(b)(4)), in cents.
    uint256 internal constant SILOED_MIN_EQUITY = 200_000;
    /// Equity a portfolio margin account needs to open: $100,000 (FINRA 4210(g)), in cents.
    uint256 internal constant PORTFOLIO_MIN_EQUITY = 10_000_000;
    /// Moves are numerators over MOVE_DENOMINATOR (15: thirds and fifths; x 100: the 35% weight).
    uint256 internal constant MOVE_DENOMINATOR = 1_500;
    uint256 internal constant DENOMINATOR = MOVE_DENOMINATOR * BPS;
    uint8 internal constant SPOT = 0;
    uint8 internal constant PERP = 1;

    enum ScanMethod {
        Span,
        Finra
    }

    struct Position {
        uint32 underlying; // index into the ranges
        int256 quantity;
        uint256 price;
        uint8 kind; // SPOT or PERP
    }

    struct ScanRange {
        uint16 upBps;
        uint16 downBps;
    }

    struct Requirement {
        uint256 initial;
        uint256 maintenance;
    }

    error MarginInvalidScanRange(uint32 underlying, uint16 upBps, uint16 downBps);
    error MarginUnknownUnderlying(uint32 underlying);
    error MarginShortSpot(uint32 underlying, int256 quantity);
    error MarginInvalidKind(uint8 kind);
    error MarginInvalidCrossFloor(uint256 crossFloorBps);

    /// @notice Sum over underlyings of the worst scan loss by `method`, rounded up.
    function scanRequirement(Position[] memory positions, ScanRange[] memory ranges, bool perpsOnly, ScanMethod method)
        internal
        pure
        returns (uint256)
    {
        uint256 total; // numerator over DENOMINATOR
        for (uint32 u = 0; u < ranges.length; ++u) {
            int256 exposure; // sum of quantity x price on this underlying
            bool any;
            for (uint256 i = 0; i < positions.length; ++i) {
                Position memory p = positions[i];
                if (p.underlying != u || (perpsOnly && p.kind != PERP)) continue;
                any = true;
                exposure += p.quantity * int256(p.price);
            }
            if (!any) continue;
            ScanRange memory r = ranges[u];
            if (r.upBps == 0 || r.downBps == 0 || r.upBps > BPS || r.downBps > BPS) {
                revert MarginInvalidScanRange(u, r.upBps, r.downBps);
            }
            total += uint256(method == ScanMethod.Span ? _spanWorst(exposure, r) : _finraWorst(exposure, r));
        }
        for (uint256 i = 0; i < positions.length; ++i) {
            if (positions[i].underlying >= ranges.length) revert MarginUnknownUnderlying(positions[i].underlying);
            if (positions[i].kind > PERP) revert MarginInvalidKind(positions[i].kind);
        }
        return _ceilDiv(total, DENOMINATOR);
    }

    /// @dev SPAN: 0, +/-1/3, +/-2/3, +/-1 of the range, and +/-2x at 35%. A linear book's loss
    /// is largest at the range's ends; the 35% extreme (0.7 of the range) never exceeds them,
    /// but is computed as the method says.
    function _spanWorst(int256 exposure, ScanRange memory r) private pure returns (int256 worst) {
        for (int256 k = -3; k <= 3; ++k) {
            int256 range = int256(uint256(k > 0 ? r.upBps : r.downBps));
            int256 loss = -exposure * k * 500 * range; // k/3 = 500k/1500
            if (loss > worst) worst = loss;
        }
        for (int256 sign = -1; sign <= 1; sign += 2) {
            int256 range = int256(uint256(sign > 0 ? r.upBps : r.downBps));
            int256 loss = -exposure * sign * 1_050 * range; // 2 x 35% = 0.7 = 1050/1500
            if (loss > worst) worst = loss;
        }
    }

    /// @dev FINRA 4210(g): ten equidistant points, five up to the up range, five down to the down one.
    function _finraWorst(int256 exposure, ScanRange memory r) private pure returns (int256 worst) {
        for (int256 j = -5; j <= 5; ++j) {
            if (j == 0) continue;
            int256 range = int256(uint256(j > 0 ? r.upBps : r.downBps));
            int256 loss = -exposure * j * 300 * range; // j/5 = 300j/1500
            if (loss > worst) worst = loss;
        }
    }

    /// @notice $0.375 per derivative contract (FINRA 4210(g)); plain long stock has none.
    function positionFloor(Position[] memory positions) internal pure returns (uint256) {
        uint256 contracts;
        for (uint256 i = 0; i < positions.length; ++i) {
            if (positions[i].kind != PERP) continue;
            int256 q = positions[i].quantity;
            contracts += uint256(q < 0 ? -q : q);
        }
        return _ceilDiv(contracts * FLOOR_PER_TOKEN_NUMERATOR, FLOOR_DIVISOR);
    }

    /// @notice Reg T / FINRA 4210 on the spot positions plus the scan of the perps alone;
    /// with securities, at least $2,000 (never more than their cost) to open.
    function siloed(Position[] memory positions, ScanRange[] memory ranges, ScanMethod method)
        internal
        pure
        returns (Requirement memory req)
    {
        uint256 market;
        bool perps;
        for (uint256 i = 0; i < positions.length; ++i) {
            Position memory p = positions[i];
            if (p.kind == SPOT) {
                if (p.quantity < 0) revert MarginShortSpot(p.underlying, p.quantity);
                market += uint256(p.quantity) * p.price;
            } else {
                perps = true;
            }
        }
        uint256 derivatives = scanRequirement(positions, ranges, true, method); // also validates
        if (perps && method == ScanMethod.Finra) {
            uint256 floor = positionFloor(positions);
            if (floor > derivatives) derivatives = floor;
        }
        req = Requirement(
            _ceilDiv(market * REG_T_INITIAL_BPS, BPS) + derivatives,
            _ceilDiv(market * MAINTENANCE_BPS, BPS) + derivatives
        );
        uint256 minimum = market < SILOED_MIN_EQUITY ? market : SILOED_MIN_EQUITY;
        if (minimum > req.initial) req.initial = minimum;
    }

    /// @notice One scan over all positions (FINRA: floored per derivative contract), and at
    /// least `crossFloorBps` of the siloed initial requirement when a scenario sets such a
    /// floor (no rule does: a model choice, default none). The same number keeps a position;
    /// under FINRA one needs $100,000 of equity to open.
    function portfolio(
        Position[] memory positions,
        ScanRange[] memory ranges,
        uint256 crossFloorBps,
        ScanMethod method
    ) internal pure returns (Requirement memory) {
        if (crossFloorBps > BPS) revert MarginInvalidCrossFloor(crossFloorBps);
        if (positions.length == 0) return Requirement(0, 0);
        uint256 value = scanRequirement(positions, ranges, false, method);
        if (method == ScanMethod.Finra) {
            uint256 floor = positionFloor(positions);
            if (floor > value) value = floor;
        }
        if (crossFloorBps != 0) {
            uint256 cross = _ceilDiv(siloed(positions, ranges, method).initial * crossFloorBps, BPS);
            if (cross > value) value = cross;
        }
        uint256 initial = value;
        if (method == ScanMethod.Finra && initial < PORTFOLIO_MIN_EQUITY) initial = PORTFOLIO_MIN_EQUITY;
        return Requirement(initial, value);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}

/// @title MarginCalculator
/// @notice `MarginMath` callable from outside: what-if requirements for a book, and the
/// on-chain side of the tests that hold it equal to the Python reference.
contract MarginCalculator {
    function scanRequirement(
        MarginMath.Position[] memory positions,
        MarginMath.ScanRange[] memory ranges,
        MarginMath.ScanMethod method
    ) external pure returns (uint256) {
        return MarginMath.scanRequirement(positions, ranges, false, method);
    }

    function siloed(
        MarginMath.Position[] memory positions,
        MarginMath.ScanRange[] memory ranges,
        MarginMath.ScanMethod method
    ) external pure returns (MarginMath.Requirement memory) {
        return MarginMath.siloed(positions, ranges, method);
    }

    function portfolio(
        MarginMath.Position[] memory positions,
        MarginMath.ScanRange[] memory ranges,
        uint256 crossFloorBps,
        MarginMath.ScanMethod method
    ) external pure returns (MarginMath.Requirement memory) {
        return MarginMath.portfolio(positions, ranges, crossFloorBps, method);
    }
}
