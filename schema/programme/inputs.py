"""Programme inputs."""

from __future__ import annotations

import strawberry

from schema.programme.types import SETTING_DESCRIPTIONS


@strawberry.input(
    description="New values for programme settings, for `updateProgrammeSettings`; null leaves a setting as it is. "
    "A value outside its range is OUT_OF_RANGE and changes nothing."
)
class UpdateProgrammeSettingsInput:
    tier_window_months: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["tier_window_months"])
    login_code_ttl_minutes: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["login_code_ttl_minutes"])
    login_code_max_attempts: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["login_code_max_attempts"])
    login_codes_per_phone_per_hour: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["login_codes_per_phone_per_hour"])
    login_code_min_interval_seconds: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["login_code_min_interval_seconds"])
    login_codes_per_client_per_hour: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["login_codes_per_client_per_hour"])
    staff_login_max_failures: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["staff_login_max_failures"])
    staff_lockout_minutes: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["staff_lockout_minutes"])
    staff_login_failures_per_client_per_hour: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["staff_login_failures_per_client_per_hour"])
    points_expiry_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["points_expiry_days"])
    purchase_pending_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["purchase_pending_days"])
    behaviour_pending_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["behaviour_pending_days"])
    offline_max_age_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["offline_max_age_days"])
    cash_offset_points_per_yuan: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["cash_offset_points_per_yuan"])
    cash_offset_max_percent: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["cash_offset_max_percent"])
    registration_points: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["registration_points"])
    referral_points: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["referral_points"])
    referral_first_order_points: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["referral_first_order_points"])
    check_in_points: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["check_in_points"])
    check_in_streak_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["check_in_streak_days"])
    check_in_streak_bonus: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["check_in_streak_bonus"])
    review_points: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["review_points"])
    behaviour_daily_cap: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["behaviour_daily_cap"])
    rule_notice_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["rule_notice_days"])
    expiry_reminder_days: int | None = strawberry.field(default=None, description=SETTING_DESCRIPTIONS["expiry_reminder_days"])
