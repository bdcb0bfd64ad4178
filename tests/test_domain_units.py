"""Unit tests of small domain rules: global IDs, cursors, rate limiting, settings, cost."""

from __future__ import annotations

from datetime import UTC

import pytest
from graphql import parse

from infra.ratelimit import RateLimiter
from infra.settings import ConfigurationError, load_settings
from schema.relay import InvalidGlobalId, decode_cursor, encode_cursor, from_global_id, pk_of, to_global_id
from schema.root import build_schema
from schema.security import query_cost


def test_global_ids_round_trip_and_reject_garbage():
    gid = to_global_id("Store", 42)
    assert from_global_id(gid) == ("Store", "42") and pk_of(gid, "Store") == 42
    for bad in ("", "!!!", to_global_id("Member", 1)):
        with pytest.raises(InvalidGlobalId):
            pk_of(bad, "Store")


def test_cursors_round_trip():
    assert decode_cursor(encode_cursor([5, "x"])) == [5, "x"]
    # Sort keys with dates and decimals come back as str() wrote them (the keys of cursors handed out before).
    from datetime import datetime
    from decimal import Decimal
    when = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor([when, Decimal("12.50"), 7])) == [str(when), "12.50", 7]
    with pytest.raises(InvalidGlobalId):
        decode_cursor("bm90IGpzb24")


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(rate_per_second=1, burst=2, now=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")


def test_production_requires_a_secret(tmp_path):
    with pytest.raises(ConfigurationError):
        load_settings({"ORCHARD_ENV": "production"})
    dev = load_settings({"ORCHARD_DATABASE_URL": f"sqlite://{tmp_path}/o.db"})
    assert dev.secret_key and (tmp_path / "orchard.secret").read_text().strip() == dev.secret_key
    assert load_settings({"ORCHARD_DATABASE_URL": f"sqlite://{tmp_path}/o.db"}).secret_key == dev.secret_key


def test_query_cost_counts_objects_and_multiplies_connections():
    schema = build_schema()._schema
    doc = parse("query { viewer { store { code } } stores(first: 10) { totalCount edges { node { code } } } }")
    assert query_cost(schema, doc, None, {}) == 2 + (2 + 2 * 10)
    fragment = parse("query { ...F } fragment F on Query { viewer { kind } }")
    assert query_cost(schema, fragment, None, {}) == 1


def test_query_cost_counts_a_fragment_once_per_spread_without_walking_it_again():
    schema = build_schema()._schema
    levels = 60  # 2**60 spreads of the last fragment: walked as expanded, this would never end
    fragments = " ".join(f"fragment L{i} on Query {{ ...L{i + 1} ...L{i + 1} }}" for i in range(levels))
    doc = parse(f"query {{ ...L0 }} {fragments} fragment L{levels} on Query {{ viewer {{ kind }} }}")
    assert query_cost(schema, doc, None, {}) == 2**levels
    cycle = parse("query { ...A } fragment A on Query { viewer { kind } ...B } fragment B on Query { ...A }")
    assert query_cost(schema, cycle, None, {}) == 1


def test_an_unreachable_database_is_told_from_contention_and_from_bugs():
    import asyncpg
    import redis

    from infra.contention import is_contention, is_unavailable

    shutdown = asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")
    assert is_unavailable(shutdown) and not is_contention(shutdown)
    try:  # a rollback that fails on the dropped connection hides the first error in its context
        try:
            raise shutdown
        except asyncpg.PostgresError:
            closed = asyncpg.InterfaceError("cannot call Transaction.rollback(): the underlying connection is closed")
            raise closed  # noqa: B904 -- asyncpg chains implicitly (__context__ only); that is what is under test
    except asyncpg.InterfaceError as masked:
        assert is_unavailable(masked)
    assert is_unavailable(asyncpg.InternalClientError("cannot perform operation: another operation is in progress"))
    assert is_unavailable(asyncpg.InterfaceError("cannot call Connection.fetch(): connection has been released back to the pool"))
    assert is_unavailable(ConnectionRefusedError(111, "Connect call failed"))
    assert is_unavailable(redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"))
    timeout = asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout")
    assert is_contention(timeout) and not is_unavailable(timeout)
    assert not is_unavailable(asyncpg.InterfaceError("the server expects 2 arguments for this query, 1 was passed"))
    assert not is_unavailable(ValueError("a bug"))
