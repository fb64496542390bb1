"""The clock: one step is one month."""

from __future__ import annotations

HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = 365.0 / 12.0
MAX_MONTHS = 180


def month_date(start_year: int, start_month: int, month: int) -> str:
    """Calendar 'YYYY-MM' of run month ``month`` (0 is the start)."""
    index = (start_month - 1) + month
    return f"{start_year + index // 12:04d}-{index % 12 + 1:02d}"


def is_quarter_start(month: int) -> bool:
    """Quarterly decisions (capex plans, belief switching) happen every third month."""
    return month % 3 == 0
