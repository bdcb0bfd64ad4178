"""Programme inputs."""

from __future__ import annotations

import strawberry


@strawberry.input
class UpdateProgrammeSettingsInput:
    tier_window_months: int | None = None
    login_code_ttl_minutes: int | None = None
    login_code_max_attempts: int | None = None
    login_codes_per_phone_per_hour: int | None = None
    login_code_min_interval_seconds: int | None = None
    login_codes_per_client_per_hour: int | None = None
    staff_login_max_failures: int | None = None
    staff_lockout_minutes: int | None = None
    staff_login_failures_per_client_per_hour: int | None = None
    points_expiry_days: int | None = None
    purchase_pending_days: int | None = None
    behaviour_pending_days: int | None = None
    offline_max_age_days: int | None = None
    cash_offset_points_per_yuan: int | None = None
    cash_offset_max_percent: int | None = None
    registration_points: int | None = None
    referral_points: int | None = None
    referral_first_order_points: int | None = None
    check_in_points: int | None = None
    check_in_streak_days: int | None = None
    check_in_streak_bonus: int | None = None
    review_points: int | None = None
    behaviour_daily_cap: int | None = None
    rule_notice_days: int | None = None
    expiry_reminder_days: int | None = None
