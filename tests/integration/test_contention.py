"""A team dialling from one pool, with real threads against the DynamoDB server: counts, never times."""

from __future__ import annotations

from bench.contention import run_contention


def test_sixteen_agents_racing_over_twenty_numbers_never_share_one_and_spread_over_the_pool(local_stack):
    # Each agent holds its number, on average, twice as long as its call path took (then releases it).
    result = run_contention(
        local_stack.stack.table_name, local_stack.dynamodb, agents=16, pool=20, calls_per_agent=60, hold=2.0
    )
    assert result.grants + result.refused == 16 * 60
    assert result.double_grants == 0 and result.lease_mismatches == 0
    assert result.refused == 0
    # One BatchGetItem and one TransactWriteItems (the lock and the call record) per call, plus a write per number
    # a racing agent took first (and a read after every three of those).
    assert result.requests_per_call <= 2.5, result.requests_per_call
    # Read units as DynamoDB bills them (``local.capacity``): the call path reads a window of the pool's phone items,
    # eventually consistent; the strongly consistent re-reads after refusals are counted in.
    assert result.read_units_per_call <= 12, result.read_units


def test_thirty_two_agents_on_forty_numbers_average_at_most_two_and_a_half_requests_per_call(local_stack):
    # PRODUCT.md, "Scale": the call path's read is a window of 19 of the 40 phone items (12 read units), sampled
    # afresh by each request, and 32 agents dialling from one 40-number pool still average at most 2.5 requests.
    result = run_contention(
        local_stack.stack.table_name, local_stack.dynamodb, agents=32, pool=40, calls_per_agent=30, hold=2.0
    )
    assert result.grants == 32 * 30 and result.refused == 0
    assert result.double_grants == 0 and result.lease_mismatches == 0
    assert result.requests_per_call <= 2.5, result.requests_per_call
    assert result.read_units_per_call <= 12, result.read_units
