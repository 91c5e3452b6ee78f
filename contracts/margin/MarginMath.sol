// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MarginMath
/// @notice Margin requirements by both methods, on chain: siloed (Regulation T and FINRA
/// 4210 on securities bought on margin, plus a scan of the derivatives alone) and
/// portfolio (one scenario scan over every position). `sim/margin/requirements.py` is the
/// same arithmetic in Python; tests hold them equal to the unit.
/// @dev Amounts are in the account currency's smallest unit (cents in the reference),
/// prices per whole token in that unit, quantities in whole tokens (negative: short).
/// Scan (CME SPAN): each underlying moves by 0, +/-1/3, +/-2/3, +/-1 of its range, plus
/// +/-2x counted at 35%; an underlying's requirement is its worst loss (never below 0);
/// underlyings add up (no inter-commodity credits). Every loss is kept as an exact
/// numerator over DENOMINATOR and rounded up once at the end, as the reference does.
library MarginMath {
    uint256 internal constant BPS = 10_000;
    /// Regulation T initial margin on securities: 50% (12 CFR 220.12).
    uint256 internal constant REG_T_INITIAL_BPS = 5_000;
    /// Maintenance margin on long securities: 25% (FINRA 4210(c)).
    uint256 internal constant MAINTENANCE_BPS = 2_500;
    /// $0.375 per token of each position (FINRA 4210(g)), as 375 / FLOOR_DIVISOR cents.
    uint256 internal constant FLOOR_PER_TOKEN_NUMERATOR = 375;
    uint256 internal constant FLOOR_DIVISOR = 10;
    /// 3 (thirds of the range) x BPS (range in basis points) x 100 (the 35% weight).
    uint256 internal constant DENOMINATOR = 3 * BPS * 100;
    uint8 internal constant SPOT = 0;
    uint8 internal constant PERP = 1;

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

    /// @notice Sum over underlyings of the worst scan loss, rounded up.
    function scanRequirement(Position[] memory positions, ScanRange[] memory ranges, bool perpsOnly)
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
            // A linear book's loss is largest at the range's ends; the 35% extreme of 2x is
            // 0.7 of the range and never exceeds them, but is computed as the method says.
            int256 worst = 0;
            for (int256 k = -3; k <= 3; ++k) {
                int256 range = int256(uint256(k > 0 ? r.upBps : r.downBps));
                int256 loss = -exposure * k * range * 100; // numerator of exposure x (k/3) x range/BPS
                if (loss > worst) worst = loss;
            }
            for (int256 sign = -1; sign <= 1; sign += 2) {
                int256 range = int256(uint256(sign > 0 ? r.upBps : r.downBps));
                int256 loss = -exposure * sign * range * 210; // 2x the range at 35%: 2 x 3 x 35
                if (loss > worst) worst = loss;
            }
            total += uint256(worst);
        }
        for (uint256 i = 0; i < positions.length; ++i) {
            if (positions[i].underlying >= ranges.length) revert MarginUnknownUnderlying(positions[i].underlying);
            if (positions[i].kind > PERP) revert MarginInvalidKind(positions[i].kind);
        }
        return _ceilDiv(total, DENOMINATOR);
    }

    /// @notice $0.375 per token of every position (of the perps only when `perpsOnly`).
    function positionFloor(Position[] memory positions, bool perpsOnly) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i = 0; i < positions.length; ++i) {
            if (perpsOnly && positions[i].kind != PERP) continue;
            int256 q = positions[i].quantity;
            tokens += uint256(q < 0 ? -q : q);
        }
        return _ceilDiv(tokens * FLOOR_PER_TOKEN_NUMERATOR, FLOOR_DIVISOR);
    }

    /// @notice Reg T / FINRA 4210 on the spot positions plus the scan of the perps alone.
    function siloed(Position[] memory positions, ScanRange[] memory ranges)
        internal
        pure
        returns (Requirement memory)
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
        uint256 derivatives;
        if (perps) {
            uint256 scanned = scanRequirement(positions, ranges, true);
            uint256 floor = positionFloor(positions, true);
            derivatives = scanned > floor ? scanned : floor;
        } else {
            scanRequirement(positions, ranges, true); // validates underlyings and kinds
        }
        return Requirement(
            _ceilDiv(market * REG_T_INITIAL_BPS, BPS) + derivatives,
            _ceilDiv(market * MAINTENANCE_BPS, BPS) + derivatives
        );
    }

    /// @notice One scan over all positions, floored per position and by `crossFloorBps`
    /// of the siloed initial requirement; the same number opens and keeps.
    function portfolio(Position[] memory positions, ScanRange[] memory ranges, uint256 crossFloorBps)
        internal
        pure
        returns (Requirement memory)
    {
        if (crossFloorBps > BPS) revert MarginInvalidCrossFloor(crossFloorBps);
        if (positions.length == 0) return Requirement(0, 0);
        uint256 scanned = scanRequirement(positions, ranges, false);
        uint256 floor = positionFloor(positions, false);
        uint256 value = scanned > floor ? scanned : floor;
        uint256 cross = _ceilDiv(siloed(positions, ranges).initial * crossFloorBps, BPS);
        if (cross > value) value = cross;
        return Requirement(value, value);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}

/// @title MarginCalculator
/// @notice `MarginMath` callable from outside: what-if requirements for a book, and the
/// on-chain side of the tests that hold it equal to the Python reference.
contract MarginCalculator {
    function scanRequirement(MarginMath.Position[] memory positions, MarginMath.ScanRange[] memory ranges)
        external
        pure
        returns (uint256)
    {
        return MarginMath.scanRequirement(positions, ranges, false);
    }

    function siloed(MarginMath.Position[] memory positions, MarginMath.ScanRange[] memory ranges)
        external
        pure
        returns (MarginMath.Requirement memory)
    {
        return MarginMath.siloed(positions, ranges);
    }

    function portfolio(
        MarginMath.Position[] memory positions,
        MarginMath.ScanRange[] memory ranges,
        uint256 crossFloorBps
    ) external pure returns (MarginMath.Requirement memory) {
        return MarginMath.portfolio(positions, ranges, crossFloorBps);
    }
}
