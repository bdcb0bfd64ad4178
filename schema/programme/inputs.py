"""Programme inputs."""

from __future__ import annotations

import strawberry

from schema.programme.types import setting_field


@strawberry.input(
    description="New values for programme settings, for `updateProgrammeSettings`; null leaves a setting as it is. "
    "A value outside its range is OUT_OF_RANGE and changes nothing."
)
class UpdateProgrammeSettingsInput:
    tier_window_months: int | None = setting_field("tier_window_months", default=None)
    login_code_ttl_minutes: int | None = setting_field("login_code_ttl_minutes", default=None)
    login_code_max_attempts: int | None = setting_field("login_code_max_attempts", default=None)
    login_codes_per_phone_per_hour: int | None = setting_field("login_codes_per_phone_per_hour", default=None)
    login_code_min_interval_seconds: int | None = setting_field("login_code_min_interval_seconds", default=None)
    login_codes_per_client_per_hour: int | None = setting_field("login_codes_per_client_per_hour", default=None)
    staff_login_max_failures: int | None = setting_field("staff_login_max_failures", default=None)
    staff_lockout_minutes: int | None = setting_field("staff_lockout_minutes", default=None)
    staff_login_failures_per_client_per_hour: int | None = setting_field(
        "staff_login_failures_per_client_per_hour", default=None
    )
    points_expiry_days: int | None = setting_field("points_expiry_days", default=None)
    purchase_pending_days: int | None = setting_field("purchase_pending_days", default=None)
    behaviour_pending_days: int | None = setting_field("behaviour_pending_days", default=None)
    offline_max_age_days: int | None = setting_field("offline_max_age_days", default=None)
    cash_offset_points_per_yuan: int | None = setting_field("cash_offset_points_per_yuan", default=None)
    cash_offset_max_percent: int | None = setting_field("cash_offset_max_percent", default=None)
    registration_points: int | None = setting_field("registration_points", default=None)
    referral_points: int | None = setting_field("referral_points", default=None)
    referral_first_order_points: int | None = setting_field("referral_first_order_points", default=None)
    referral_held_until_first_purchase: int | None = setting_field("referral_held_until_first_purchase", default=None)
    referrals_rewarded_per_referrer_per_day: int | None = setting_field("referrals_rewarded_per_referrer_per_day", default=None)
    check_in_points: int | None = setting_field("check_in_points", default=None)
    check_in_streak_days: int | None = setting_field("check_in_streak_days", default=None)
    check_in_streak_bonus: int | None = setting_field("check_in_streak_bonus", default=None)
    review_points: int | None = setting_field("review_points", default=None)
    behaviour_daily_cap: int | None = setting_field("behaviour_daily_cap", default=None)
    rule_notice_days: int | None = setting_field("rule_notice_days", default=None)
    expiry_reminder_days: int | None = setting_field("expiry_reminder_days", default=None)
