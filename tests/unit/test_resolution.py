from __future__ import annotations

import pytest

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable
from callerid.domain.geography import place_of_e164
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock, PhoneState
from callerid.domain.numbers import Candidate
from callerid.domain.phone import destination
from callerid.domain.reputation import Guard, ReputationLimits, Usage, day_of
from callerid.domain.resolution import Reason, ResolutionRequest, plan_from_number
from tests.unit.factories import ACCOUNT, ALICE, BOB

SF, NY, CHI, TOLL = "+14155550100", "+12125550100", "+13125550100", "+18335550100"
TO_US = destination("+14155552671")


NOW = 1_800_000_000.0


def candidate(phone, *, countries=(), assigned=False):
    return Candidate(phone, ACCOUNT, assigned=assigned, outbound_countries=countries, place=place_of_e164(phone))


def used_at(when, *, calls=1, rate=None, cooling_until=None):
    usage = Usage(last_used=when, day=day_of(NOW), calls=calls, recent_rate=rate, cooling_until=cooling_until)
    return PhoneState(None, usage)


def held_by(worker):
    return PhoneState(CallerIdLock("+1", worker, "lease", NOW - 10, NOW + 290), Usage())


def choices(pool=(), worker=ALICE, **kwargs):
    kwargs.setdefault("now", NOW)
    request = ResolutionRequest(worker=worker, destination=kwargs.pop("to", TO_US), pool=tuple(pool), **kwargs)
    return plan_from_number(request)


def plan(pool=(), worker=ALICE, **kwargs):
    return [(c.phone_number, c.reason) for c in choices(pool, worker, **kwargs)]


def first(pool=(), **kwargs):
    return plan(pool, **kwargs)[0]


def test_selection_comes_before_primary_and_fallback():
    assert plan([candidate(SF)], selection=CHI, primary=NY) == [
        (CHI, Reason.WORKER_SELECTION),
        (NY, Reason.PRIMARY),
        (SF, Reason.FALLBACK),
    ]


def test_a_number_is_offered_once_by_its_first_step():
    assert plan([candidate(NY), candidate(SF)], selection=NY, primary=NY)[:2] == [
        (NY, Reason.WORKER_SELECTION),
        (SF, Reason.FALLBACK),
    ]


def test_fallback_prefers_numbers_without_an_assignment():
    assert [p for p, _ in plan([candidate(CHI, assigned=True), candidate(SF), candidate(NY)])][-1] == CHI


def test_racing_requests_start_at_different_places_among_the_least_recently_used():
    pool = [candidate(f"+1206555{n:04d}") for n in range(40)]
    used = {c.phone_number: used_at(NOW - 1000 + n) for n, c in enumerate(pool)}
    # Four other agents are on calls from this team's numbers: racing requests spread over nine.
    on_calls = {f"+1312555{n:04d}": held_by(BOB) for n in range(4)}
    pool += [candidate(p) for p in on_calls]
    firsts = [plan(pool, spread=n, phones={**used, **on_calls}, now=NOW)[0][0] for n in range(40)]
    assert set(firsts) == {f"+1206555{n:04d}" for n in range(9)}
    assert sorted(p for p, _ in plan(pool, spread=3)) == sorted(c.phone_number for c in pool)


def test_an_agent_dialling_alone_takes_the_least_recently_used_whatever_the_spread():
    pool = [candidate(f"+1206555{n:04d}") for n in range(10)]
    used = {c.phone_number: used_at(NOW - 1000 + n) for n, c in enumerate(pool)}
    assert {plan(pool, spread=n, phones=used)[0][0] for n in range(20)} == {"+12065550000"}


def test_a_request_never_starts_at_a_number_whose_state_it_did_not_read():
    # The call path reads a window of the pool's phone items: of 40, these 10 (the rest were not read).
    pool = [candidate(f"+1206555{n:04d}") for n in range(40)]
    read = {c.phone_number: used_at(NOW - 1000 + n) for n, c in enumerate(pool[:10])}
    firsts = {plan(pool, spread=n, phones=read, racing=30)[0][0] for n in range(60)}
    assert firsts == set(read)
    # Numbers not read still come, after the read ones.
    assert [p for p, _ in plan(pool, spread=0, phones=read)][10:] == [c.phone_number for c in pool[10:]]


def test_agents_known_on_calls_beyond_the_read_widen_the_spread():
    pool = [candidate(f"+1206555{n:04d}") for n in range(20)]
    read = {c.phone_number: used_at(NOW - 1000 + n) for n, c in enumerate(pool)}
    assert {plan(pool, spread=n, phones=read)[0][0] for n in range(40)} == {"+12065550000"}
    widened = {plan(pool, spread=n, phones=read, racing=2)[0][0] for n in range(40)}
    assert widened == {f"+1206555{n:04d}" for n in range(5)}


def test_destination_outside_every_allowed_country_is_refused():
    pool = [candidate(SF, countries=("US",)), candidate(NY, countries=("CA", "US"))]
    with pytest.raises(DestinationNotAllowed):
        plan(pool, to=destination("+442079460958"))


def test_destination_filter_keeps_numbers_without_restrictions():
    pool = [candidate(SF, countries=("US",)), candidate(NY)]
    assert plan(pool, to=destination("+442079460958")) == [(NY, Reason.FALLBACK)]


def test_a_selection_or_primary_is_tried_whatever_the_pool_says():
    """The lock's condition judges them (their records are not read on the call path)."""
    pool = [candidate(SF, countries=("US",))]
    assert plan(pool, selection=NY, to=destination("+442079460958")) == [(NY, Reason.WORKER_SELECTION)]


def test_a_workspace_without_numbers_has_no_caller_id():
    with pytest.raises(NoCallerIdAvailable):
        plan([])


def test_verified_caller_ids_are_candidates_too():
    assert plan([candidate(TOLL)]) == [(TOLL, Reason.FALLBACK)]


# ----- step 2: local presence ------------------------------------------------------------------------------------

NY_646, NY_917, BOSTON, DENVER = "+16465550100", "+19175550100", "+16175550100", "+13035550100"
LONDON, MANCHESTER = "+442079460000", "+441612345000"


def presence(*phones, to, **kwargs):
    return first([candidate(p) for p in phones], local_presence=True, to=destination(to), **kwargs)


def test_local_presence_prefers_the_same_area_code():
    assert presence(SF, NY, NY_646, to="+16465552671") == (NY_646, Reason.LOCAL_PRESENCE_AREA_CODE)


def test_an_overlay_code_counts_as_the_same_locality():
    # 646, 212 and 332 are all New York, NY; 917 (no exchange data) is the same state.
    assert presence(SF, NY, to="+16465552671") == (NY, Reason.LOCAL_PRESENCE_LOCALITY)
    assert presence(SF, NY, to="+13325552671") == (NY, Reason.LOCAL_PRESENCE_LOCALITY)
    assert presence(SF, NY_646, to="+19175552671") == (NY_646, Reason.LOCAL_PRESENCE_LOCALITY)


def test_the_same_locality_beats_the_same_state():
    albany = "+15185550100"
    assert presence(albany, NY_646, to="+12125552671") == (NY_646, Reason.LOCAL_PRESENCE_LOCALITY)
    assert presence(albany, SF, to="+12125552671") == (albany, Reason.LOCAL_PRESENCE_LOCALITY)


def test_then_the_same_time_zone():
    # Boston and New York: other states, one time zone.
    assert presence(SF, NY, to=BOSTON) == (NY, Reason.LOCAL_PRESENCE_TIMEZONE)


def test_then_the_same_country():
    assert presence(NY, to=DENVER) == (NY, Reason.LOCAL_PRESENCE_COUNTRY)


def test_a_non_nanp_number_matches_its_geographic_prefix():
    assert presence(MANCHESTER, LONDON, NY, to="+442071234567") == (LONDON, Reason.LOCAL_PRESENCE_AREA_CODE)
    assert presence(LONDON, MANCHESTER, to="+441619876543") == (MANCHESTER, Reason.LOCAL_PRESENCE_AREA_CODE)
    # London and Manchester: another prefix, one time zone.
    assert presence(LONDON, NY, to="+441619876543") == (LONDON, Reason.LOCAL_PRESENCE_TIMEZONE)


def test_no_close_number_falls_through_to_the_other_steps():
    assert presence(NY, to="+442071234567") == (NY, Reason.FALLBACK)


def test_local_presence_only_when_the_worker_wants_it():
    assert first([candidate(SF), candidate(NY)], to=destination("+16465552671"))[1] is Reason.FALLBACK


def test_local_presence_comes_before_the_selection():
    assert presence(SF, NY, to="+16465552671", selection=SF) == (NY, Reason.LOCAL_PRESENCE_LOCALITY)


def test_presence_pools_add_candidates_beyond_the_head_pool():
    found = first([candidate(SF)], local_presence=True, presence=(candidate(NY_646),), to=destination("+16465552671"))
    assert found == (NY_646, Reason.LOCAL_PRESENCE_AREA_CODE)


def test_among_equally_close_numbers_the_better_answer_rate_then_the_least_recently_used():
    a, b, c = "+12125550101", "+12125550102", "+12125550103"
    rates = {a: used_at(NOW - 10, rate=0.2), b: used_at(NOW - 5, rate=0.6), c: used_at(NOW - 50, rate=0.6)}
    assert presence(a, b, c, to="+12125552671", phones=rates)[0] == c
    rates[c] = used_at(NOW - 50, rate=0.3)
    assert presence(a, b, c, to="+12125552671", phones=rates)[0] == b


def test_local_presence_skips_a_number_another_worker_holds():
    a, b = "+12125550101", "+12125550102"
    assert presence(a, b, to="+12125552671", phones={a: held_by(BOB)}) == (b, Reason.LOCAL_PRESENCE_AREA_CODE)


# ----- step 4: assignment ----------------------------------------------------------------------------------------

WORKER_NUMBER, TEAM_NUMBER, QUEUE_NUMBER = "+13125550101", "+13125550102", "+13125550103"


def assigned(*groups):
    return tuple(tuple(candidate(p, assigned=True) for p in group) for group in groups)


def test_assignment_names_the_worker_then_its_team_then_the_queue():
    found = plan([candidate(SF)], assigned=assigned([WORKER_NUMBER], [TEAM_NUMBER], [QUEUE_NUMBER]), primary=NY)
    assert found == [
        (WORKER_NUMBER, Reason.ASSIGNMENT),
        (TEAM_NUMBER, Reason.ASSIGNMENT),
        (QUEUE_NUMBER, Reason.ASSIGNMENT),
        (NY, Reason.PRIMARY),
        (SF, Reason.FALLBACK),
    ]


def test_assignment_comes_after_the_selection():
    assert plan([], selection=SF, assigned=assigned([], [TEAM_NUMBER]))[:2] == [
        (SF, Reason.WORKER_SELECTION),
        (TEAM_NUMBER, Reason.ASSIGNMENT),
    ]


def test_an_assigned_number_that_may_not_call_the_destination_is_skipped():
    group = ((Candidate(WORKER_NUMBER, ACCOUNT, assigned=True, outbound_countries=("CA",)),),)
    assert plan([candidate(SF)], assigned=group) == [(SF, Reason.FALLBACK)]


# ----- rotation and the reputation guard -------------------------------------------------------------------------

CAP = ReputationLimits(daily_call_cap=3)
SPACING = ReputationLimits(min_seconds_between_calls=60)
COOLING = ReputationLimits(min_answer_rate=0.2)


def test_fallback_takes_the_least_recently_used_first():
    pool = [candidate(p) for p in (SF, NY, CHI)]
    used = {SF: used_at(NOW - 10), NY: used_at(NOW - 30), CHI: used_at(NOW - 20)}
    assert [p for p, _ in plan(pool, phones=used)] == [NY, CHI, SF]


def test_a_capped_number_rests_while_another_is_free():
    pool = [candidate(SF), candidate(NY)]
    found = choices(pool, phones={SF: used_at(NOW - 900, calls=3), NY: used_at(NOW - 10)}, limits=CAP)
    assert [(c.phone_number, c.guard, c.within_limits) for c in found] == [
        (NY, None, True),
        (SF, Guard.CAPPED, False),
    ]


def test_yesterdays_calls_do_not_count_against_the_cap():
    yesterday = PhoneState(None, Usage(last_used=NOW - 86_400, day=day_of(NOW) - 1, calls=9))
    assert choices([candidate(SF)], phones={SF: yesterday}, limits=CAP)[0].guard is None


def test_a_number_used_a_moment_ago_rests_for_the_spacing():
    pool = [candidate(SF), candidate(NY)]
    found = choices(pool, phones={SF: used_at(NOW - 5), NY: used_at(NOW - 61)}, limits=SPACING)
    assert [(c.phone_number, c.guard) for c in found] == [(NY, None), (SF, Guard.SPACING)]


def test_a_cooling_number_rests_until_its_cooldown_ends():
    pool = [candidate(SF), candidate(NY)]
    cooling = {SF: used_at(NOW - 900, cooling_until=NOW + 10), NY: used_at(NOW - 10)}
    assert [(c.phone_number, c.guard) for c in choices(pool, phones=cooling, limits=COOLING)] == [
        (NY, None),
        (SF, Guard.COOLING),
    ]
    ended = {SF: used_at(NOW - 900, cooling_until=NOW - 1), NY: used_at(NOW - 10)}
    assert [c.guard for c in choices(pool, phones=ended, limits=COOLING)] == [None, None]


def test_a_resting_selection_gives_way_to_a_free_number():
    found = choices([candidate(NY)], selection=SF, phones={SF: used_at(NOW - 1, calls=3)}, limits=CAP)
    assert [(c.phone_number, c.reason, c.guard) for c in found] == [
        (NY, Reason.FALLBACK, None),
        (SF, Reason.WORKER_SELECTION, Guard.CAPPED),
    ]


def test_when_every_number_rests_the_least_used_goes_first():
    pool = [candidate(p) for p in (SF, NY, CHI)]
    used = {SF: used_at(NOW - 100, calls=5), NY: used_at(NOW - 50, calls=3), CHI: used_at(NOW - 200, calls=3)}
    found = choices(pool, phones=used, limits=CAP)
    assert [(c.phone_number, c.within_limits) for c in found] == [(CHI, False), (NY, False), (SF, False)]
    assert {c.guard for c in found} == {Guard.CAPPED}


def test_limits_of_zero_turn_the_rules_off():
    used = {SF: used_at(NOW - 1, calls=10_000, cooling_until=NOW + 100)}
    assert choices([candidate(SF)], phones=used, limits=ReputationLimits())[0].guard is None


def test_a_number_another_worker_holds_is_tried_last():
    pool = [candidate(SF), candidate(NY)]
    assert [p for p, _ in plan(pool, phones={NY: used_at(NOW - 999), SF: held_by(BOB)})] == [NY, SF]


def test_the_workers_own_lock_does_not_make_a_number_held():
    mine = held_by(WorkerRef(ALICE.account_sid, ALICE.worker_sid))
    assert plan([candidate(SF)], selection=SF, phones={SF: mine})[0] == (SF, Reason.WORKER_SELECTION)
