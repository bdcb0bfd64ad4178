"""Programme settings: the operator-changeable numbers of the loyalty programme."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.programme.service import DEFAULTS, LIMITS

# What each setting means; its range and default are the domain's, appended below.
_MEANINGS: dict[str, str] = {
    "tier_window_months": "Months of activity (points earned, purchases) that count for a tier: the rolling window.",
    "login_code_ttl_minutes": "Minutes a member's login code stays valid.",
    "login_code_max_attempts": "Wrong guesses after which a login code stops working.",
    "login_codes_per_phone_per_hour": "Login codes one phone may be sent per hour.",
    "login_code_min_interval_seconds": "Seconds that must pass between two login codes to one phone.",
    "login_codes_per_client_per_hour": "Login codes one client address may ask for per hour.",
    "staff_login_max_failures": "Wrong passwords in a row that lock a staff account.",
    "staff_lockout_minutes": "Minutes a locked staff account takes no sign-ins.",
    "staff_login_failures_per_client_per_hour": "Failed staff sign-ins per client address per hour, whatever the emails.",
    "points_expiry_days": "Days earned points stay valid before they expire.",
    "purchase_pending_days": "Days points earned by a purchase stay pending before they can be spent.",
    "behaviour_pending_days": "Days behaviour points (check-ins, reviews, referrals) stay pending before use.",
    "offline_max_age_days": (
        "An offline purchase recorded more than this many days after it happened is held for review, without points."
    ),
    "cash_offset_points_per_yuan": "Points that pay for one yuan of an order (`pointsToRedeem`).",
    "cash_offset_max_percent": "The largest share of an order, in percent, that points may pay.",
    "registration_points": "Points a new member gets on registration.",
    "referral_points": "Points the referrer and the friend each get when the friend registers.",
    "referral_first_order_points": "Points the referrer gets on the friend's first order.",
    "referral_held_until_first_purchase": (
        "1: both referral bonuses wait for the friend's first purchase (against sign-up farming); 0: paid at sign-up."
    ),
    "referrals_rewarded_per_referrer_per_day": (
        "Referred sign-ups a referrer is rewarded for per day; more still register, without the bonus."
    ),
    "check_in_points": "Points for a daily check-in.",
    "check_in_streak_days": "Every this-many-th day of a check-in streak earns the streak bonus.",
    "check_in_streak_bonus": "Extra points on a streak day.",
    "review_points": "Points for reviewing a purchased line.",
    "behaviour_daily_cap": "The most behaviour points (check-ins, reviews, referrals) a member earns a day.",
    "rule_notice_days": "Days of notice before a cut in what members earn may apply.",
    "expiry_reminder_days": "Members with points expiring within this many days get one reminder.",
}
if _MEANINGS.keys() != DEFAULTS.keys():
    raise RuntimeError(f"Describe exactly the programme settings: {sorted(_MEANINGS.keys() ^ DEFAULTS.keys())}")
SETTING_DESCRIPTIONS: dict[str, str] = {
    key: f"{meaning} {LIMITS[key][0]:,} to {LIMITS[key][1]:,}; default {DEFAULTS[key]:,}."
    for key, meaning in _MEANINGS.items()
}


def setting_field(key: str, **options: Any) -> Any:
    """The field of a setting, described with its meaning, range and default."""
    return strawberry.field(description=SETTING_DESCRIPTIONS[key], **options)


@strawberry.type(
    description="The programme's operator-changeable numbers; staff may read them, chain admins change them."
)
class ProgrammeSettings:
    tier_window_months: int = setting_field("tier_window_months")
    login_code_ttl_minutes: int = setting_field("login_code_ttl_minutes")
    login_code_max_attempts: int = setting_field("login_code_max_attempts")
    login_codes_per_phone_per_hour: int = setting_field("login_codes_per_phone_per_hour")
    login_code_min_interval_seconds: int = setting_field("login_code_min_interval_seconds")
    login_codes_per_client_per_hour: int = setting_field("login_codes_per_client_per_hour")
    staff_login_max_failures: int = setting_field("staff_login_max_failures")
    staff_lockout_minutes: int = setting_field("staff_lockout_minutes")
    staff_login_failures_per_client_per_hour: int = setting_field("staff_login_failures_per_client_per_hour")
    points_expiry_days: int = setting_field("points_expiry_days")
    purchase_pending_days: int = setting_field("purchase_pending_days")
    behaviour_pending_days: int = setting_field("behaviour_pending_days")
    offline_max_age_days: int = setting_field("offline_max_age_days")
    cash_offset_points_per_yuan: int = setting_field("cash_offset_points_per_yuan")
    cash_offset_max_percent: int = setting_field("cash_offset_max_percent")
    registration_points: int = setting_field("registration_points")
    referral_points: int = setting_field("referral_points")
    referral_first_order_points: int = setting_field("referral_first_order_points")
    referral_held_until_first_purchase: int = setting_field("referral_held_until_first_purchase")
    referrals_rewarded_per_referrer_per_day: int = setting_field("referrals_rewarded_per_referrer_per_day")
    check_in_points: int = setting_field("check_in_points")
    check_in_streak_days: int = setting_field("check_in_streak_days")
    check_in_streak_bonus: int = setting_field("check_in_streak_bonus")
    review_points: int = setting_field("review_points")
    behaviour_daily_cap: int = setting_field("behaviour_daily_cap")
    rule_notice_days: int = setting_field("rule_notice_days")
    expiry_reminder_days: int = setting_field("expiry_reminder_days")

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> ProgrammeSettings:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
