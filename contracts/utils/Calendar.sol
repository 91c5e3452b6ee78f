// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Calendar
/// @notice Civil-calendar arithmetic on Unix timestamps (UTC, proleptic Gregorian).
/// @dev Holding periods in securities rules are counted in calendar months ("six months
/// must elapse", 17 CFR 230.144(d)), not in fixed numbers of days: a lot acquired on
/// 31 August is released on the last day of February, six months later. `addMonths`
/// keeps the time of day and clamps the day to the end of the target month. The day
/// conversions follow the well-known "days from civil" construction (eras of 400 years,
/// years starting on 1 March). The Python twin is `sim.calendar.add_months`, and a
/// property test checks both agree.
library Calendar {
    uint256 internal constant DAY = 86_400;

    /// @notice Days since 1970-01-01 of the civil date (`year`, `month`, `day`).
    function daysFromCivil(uint256 year, uint256 month, uint256 day) internal pure returns (uint256) {
        if (month <= 2) year -= 1;
        uint256 era = year / 400;
        uint256 yoe = year - era * 400; // [0, 399]
        uint256 mp = month > 2 ? month - 3 : month + 9; // March = 0
        uint256 doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        return era * 146_097 + doe - 719_468;
    }

    /// @notice Civil date (year, month 1-12, day 1-31) of a day count since 1970-01-01.
    function civilFromDays(uint256 z) internal pure returns (uint256 year, uint256 month, uint256 day) {
        z += 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097; // [0, 146096]
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        uint256 mp = (5 * doy + 2) / 153; // [0, 11]
        day = doy - (153 * mp + 2) / 5 + 1;
        month = mp < 10 ? mp + 3 : mp - 9;
        year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    }

    function isLeapYear(uint256 year) internal pure returns (bool) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 2) return isLeapYear(year) ? 29 : 28;
        if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
        return 31;
    }

    /// @notice `timestamp` moved `months` calendar months later, same time of day, the
    /// day clamped to the last day of the target month.
    function addMonths(uint256 timestamp, uint256 months) internal pure returns (uint256) {
        uint256 secondsOfDay = timestamp % DAY;
        (uint256 year, uint256 month, uint256 day) = civilFromDays(timestamp / DAY);
        uint256 index = year * 12 + (month - 1) + months;
        uint256 newYear = index / 12;
        uint256 newMonth = index % 12 + 1;
        uint256 lastDay = daysInMonth(newYear, newMonth);
        if (day > lastDay) day = lastDay;
        return daysFromCivil(newYear, newMonth, day) * DAY + secondsOfDay;
    }
}
