"""Staff sign-in under password guessing: a per-account lockout counted in the database, and a
per-client-address limit (issue #27, item 7: 120 wrong passwords in 15 s, then the right one worked)."""

from __future__ import annotations

from datetime import timedelta

from domain.access import StaffRole
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres

LOGIN = "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token lockedUntil errors { code field message } } }"
SETTINGS = "mutation($i: UpdateProgrammeSettingsInput!) { updateProgrammeSettings(input: $i) { errors { code field } } }"
RIGHT = "correct horse"


async def sign_in(api, email: str, password: str) -> dict:
    return (await api.data(LOGIN, {"i": {"email": email, "password": password}}))["staffLogin"]


def codes(answers: list[dict]) -> list[str]:
    return [a["errors"][0]["code"] if a["errors"] else "OK" for a in answers]


async def configure(api, **values) -> None:
    assert (await api.data(SETTINGS, {"i": values}, token=await api.admin_token()))["updateProgrammeSettings"]["errors"] == []


async def test_five_wrong_passwords_lock_the_account_until_the_lockout_ends(api, clock):
    await configure(api, staffLoginFailuresPerClientPerHour=1000)
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    answers = [await sign_in(api, staff.email, f"guess-{i}") for i in range(120)]
    assert codes(answers) == ["INVALID_CREDENTIALS"] * 5 + ["LOCKED_OUT"] * 115
    assert all(a["token"] is None for a in answers)

    locked = await sign_in(api, staff.email, RIGHT)
    until = clock.now() + timedelta(minutes=15)
    assert locked["token"] is None and codes([locked]) == ["LOCKED_OUT"]
    assert locked["lockedUntil"] is not None and locked["lockedUntil"].startswith(until.strftime("%Y-%m-%dT%H:%M"))
    assert "locked" in locked["errors"][0]["message"]

    clock.advance(timedelta(minutes=15))
    opened = await sign_in(api, staff.email, RIGHT)
    assert opened["errors"] == [] and opened["token"]


async def test_a_success_resets_the_count_and_the_lockout_is_a_programme_setting(api, clock):
    await configure(api, staffLoginMaxFailures=3, staffLockoutMinutes=60)
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    for _ in range(2):
        await sign_in(api, staff.email, "wrong-one")
    assert (await sign_in(api, staff.email, RIGHT))["errors"] == []
    answers = [await sign_in(api, staff.email, "wrong-two") for _ in range(4)]
    assert codes(answers) == ["INVALID_CREDENTIALS"] * 3 + ["LOCKED_OUT"]
    clock.advance(timedelta(minutes=59))
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["LOCKED_OUT"]
    clock.advance(timedelta(minutes=1))
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["OK"]


async def test_failed_sign_ins_are_limited_per_client_address(api, clock):
    await configure(api, staffLoginFailuresPerClientPerHour=3)
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    assert codes([await sign_in(api, f"nobody{i}@test.orchard", "whatever1") for i in range(3)]) == ["INVALID_CREDENTIALS"] * 3
    refused = await sign_in(api, staff.email, RIGHT)
    assert refused["token"] is None and codes([refused]) == ["RATE_LIMITED"]
    clock.advance(timedelta(hours=1, seconds=1))
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["OK"]
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["OK"]  # successes do not use the allowance up


@requires_postgres()
async def test_concurrent_wrong_passwords_are_each_counted(api, clock):
    await configure(api, staffLoginMaxFailures=10)
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    burst = await all_at_once(*(sign_in(api, staff.email, f"guess-{i}") for i in range(8)))
    assert codes(burst) == ["INVALID_CREDENTIALS"] * 8
    # 8 counted: the 9th and 10th failures are the last before the lock.
    assert codes([await sign_in(api, staff.email, "guess-9"), await sign_in(api, staff.email, "guess-10")]) == ["INVALID_CREDENTIALS"] * 2
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["LOCKED_OUT"]


@requires_postgres()
async def test_a_burst_past_the_limit_gets_no_more_guesses_than_the_limit(api, clock):
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    burst = await all_at_once(*(sign_in(api, staff.email, f"guess-{i}") for i in range(8)))
    assert sorted(codes(burst)) == ["INVALID_CREDENTIALS"] * 5 + ["LOCKED_OUT"] * 3
    assert codes([await sign_in(api, staff.email, RIGHT)]) == ["LOCKED_OUT"]
