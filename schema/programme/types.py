"""Programme settings: the operator-changeable numbers of the loyalty programme."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type
class ProgrammeSettings:
    tier_window_months: int
    login_code_ttl_minutes: int
    login_code_max_attempts: int
    login_codes_per_phone_per_hour: int
    login_code_min_interval_seconds: int
    login_codes_per_client_per_hour: int
    staff_login_max_failures: int = strawberry.field(description="Wrong passwords in a row that lock a staff account.")
    staff_lockout_minutes: int
    staff_login_failures_per_client_per_hour: int
    points_expiry_days: int
    purchase_pending_days: int
    behaviour_pending_days: int
    offline_max_age_days: int
    cash_offset_points_per_yuan: int
    cash_offset_max_percent: int
    registration_points: int
    referral_points: int
    referral_first_order_points: int
    check_in_points: int
    check_in_streak_days: int
    check_in_streak_bonus: int
    review_points: int
    behaviour_daily_cap: int
    rule_notice_days: int
    expiry_reminder_days: int

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> ProgrammeSettings:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
