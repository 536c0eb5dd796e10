"""Personal keys: a decision recorded in someone's name without their passphrase does not
release anything and does not pass `audit verify`.

The insider here has what a terminal has (the database role, the audit key) and runs the
package's own Python in a second process: they open sessions and record sign-offs in other
people's names through the service's internals, and append events to the trail themselves.
What they lack is the other person's passphrase, which alone unlocks that person's key."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_access_side_doors import ingested_sample, release_as_bob
from test_cli_store import ALL

from reviewer.cli import main
from reviewer.domain.audit import make_event
from reviewer.domain.audit.personal import (
    KEY_ENROLLED,
    PERSONAL_ACTIONS,
    PUBLIC_KEY,
    SIGNATURE,
    KeyRecipe,
    KeysInForce,
    derive_key,
    public_text,
    sign,
    signed_bytes,
)
from reviewer.store import audit_log
from reviewer.store.crosscheck import keys_in_force
from reviewer.store.errors import UserError
from reviewer.store.service import ReviewService
from reviewer.store.service.unit import UnitOfWork

TESTS = Path(__file__).resolve().parent
PASSPHRASE = {n: f"{n}-demo-passphrase" for n in ("alice", "bob", "carol")}


def cli(url: str, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def as_insider(url: str, script: str, *args: str) -> None:
    """Run `script` in a second process with the package and the store, as a person at a
    terminal can: `url`, `args` in sys.argv; the test helpers importable (`opened_earlier`)."""
    prelude = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script), url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


# Open a session of NAME without the passphrase, back-dated an hour, and record what the gate
# asks of NAME (the sample played, the transcripts read) through it.
FORGED_SESSION = """
    import secrets
    from datetime import timedelta
    from conftest import opened_earlier
    from reviewer.store.crosscheck import passphrase_mark
    from reviewer.store.service import ReviewService, rows

    def forged_session(svc, name, vid):
        people = svc.sign_in.__self__
        with people._uow.read() as s:
            row = rows.reviewer(s, name)
        mark = passphrase_mark(row.passphrase_hash)  # what a real sign-in records
        session = people._uow.transact(
            people._open_session, row, secrets.token_urlsafe(32), mark, None
        )
        opened_earlier(svc, session, timedelta(hours=1))
        for item in svc.version_detail(vid).sample.items:
            svc.record_inspection(session, vid, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(session, vid, "viewed_transcript", item.member)
        return row
"""


def test_a_sign_off_recorded_without_its_signers_passphrase_releases_nothing(
    store_url: str, tmp_path: Path
) -> None:
    """The insider records alice's first sign-off through the service's own code, with the
    marks of her passphrase hash read from the store, but without her passphrase. bob, who
    trusts it, signs the second stage with his and releases: the release is refused, naming
    alice's sign-off, nothing reaches the outbox, and `audit verify` names the event."""
    rid = ingested_sample(store_url, tmp_path, "clean")
    as_insider(
        store_url,
        FORGED_SESSION
        + """
    from reviewer.domain.signoff import CHECKLIST_KEYS
    from reviewer.domain.states import Decision

    url, rid = sys.argv[1:3]
    with ReviewService.open(url) as svc:
        vid = svc.request_detail(rid).version_id
        alice = forged_session(svc, "alice", vid)
        signoffs = svc.sign_off.__self__
        mark = passphrase_mark(alice.passphrase_hash)
        acks = {w.key: "checked" for w in svc.gate("alice", vid).warnings}
        signoffs._uow.transact(
            signoffs._sign, "alice", vid, Decision.APPROVE, "fine",
            dict.fromkeys(CHECKLIST_KEYS, True), acks, {"was": mark, "key": mark}, None,
        )
    """,
        rid,
    )
    with ReviewService.open(store_url) as svc:
        vid = svc.request_detail(rid).version_id
        assert [s.name for s in svc.version_detail(vid).signers] == ["alice"]
        from conftest import signed_in

        bob = signed_in(svc, "bob", PASSPHRASE["bob"])
        for item in svc.version_detail(vid).sample.items:
            svc.record_inspection(bob, vid, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(bob, vid, "viewed_transcript", item.member)
        acks = {w.key: "checked" for w in svc.gate("bob", vid).warnings}
        svc.sign_off("bob", PASSPHRASE["bob"], vid, "approve", "ok", ALL, acks)

    outbox = tmp_path / "outbox"
    released = release_as_bob(store_url, rid, outbox)
    assert released.exit_code == 1
    assert "(sign-off by alice)" in released.stderr
    assert "does not carry alice's signature" in released.stderr
    assert not (outbox / rid).exists()

    verify = cli(store_url, "audit", "verify", "--json")
    assert verify.exit_code == 1
    message = json.loads(verify.stdout)["reason"]
    assert "(sign-off by alice)" in message and "does not carry alice's signature" in message


@pytest.mark.parametrize(
    ("by", "signed_with", "refusal"),
    [
        ("carol", None, "does not carry carol's signature"),
        ("bob", "bob-demo-passphrase", "bob's role (approver) does not allow it"),
    ],
    ids=["in-the-supervisors-name", "by-an-approver-with-his-own-key"],
)
def test_a_key_certified_by_anyone_but_an_active_supervisor_is_refused(
    store_url: str, tmp_path: Path, by: str, signed_with: str | None, refusal: str
) -> None:
    """The insider appends a passphrase reset of alice certifying a key of their own, and
    gives alice a hash of their passphrase: in carol's name without her key, or as bob (an
    approver) signed with his own. They can now sign in as alice and sign with the key they
    certified, but no active supervisor certified it: the release and `audit verify` refuse
    everything that rests on it."""
    rid = ingested_sample(store_url, tmp_path, "clean")
    as_insider(
        store_url,
        """
    from reviewer.domain.audit.personal import PUBLIC_KEY, derive_key, public_text
    from reviewer.store import trail
    from reviewer.store.crosscheck import passphrase_mark
    from reviewer.store.service import ReviewService, rows

    url, by, signed_with = sys.argv[1], sys.argv[2], sys.argv[3]
    insider = "an-insider-passphrase"
    with ReviewService.open(url) as svc:
        uow = svc.sign_in.__self__._uow

        def reset(s):
            now = uow.stamp(s)
            if signed_with:
                trail.sign_as(s, by, derive_key(signed_with, by, uow.recipe()))
            alice = rows.reviewer(s, "alice", lock=True)
            alice.passphrase_hash = uow.hasher.hash(insider)
            s.add(alice)
            key = public_text(derive_key(insider, "alice", uow.recipe()))
            payload = {
                "key": passphrase_mark(alice.passphrase_hash),
                PUBLIC_KEY: key,
                "account_id": alice.id,
            }
            trail.append(s, by, "user-reset-passphrase", "reviewer:alice", payload, at=now)

        uow.transact(reset)
    """,
        by,
        signed_with or "",
    )
    with ReviewService.open(store_url) as svc:
        from conftest import signed_in

        vid = svc.request_detail(rid).version_id
        for name, passphrase in (("alice", "an-insider-passphrase"), ("bob", PASSPHRASE["bob"])):
            me = signed_in(svc, name, passphrase, fresh=True)
            for item in svc.version_detail(vid).sample.items:
                svc.record_inspection(me, vid, "played", item.member, item.duration_s or 2.0)
                svc.record_inspection(me, vid, "viewed_transcript", item.member)
            acks = {w.key: "checked" for w in svc.gate(name, vid).warnings}
            svc.sign_off(name, passphrase, vid, "approve", "ok", ALL, acks)

    released = release_as_bob(store_url, rid, tmp_path / "outbox")
    assert released.exit_code == 1
    assert "personal signatures do not hold" in released.stderr
    assert f"(user-reset-passphrase by {by})" in released.stderr
    verify = cli(store_url, "audit", "verify", "--json")
    assert verify.exit_code == 1
    message = json.loads(verify.stdout)["reason"]
    assert f"(user-reset-passphrase by {by})" in message and refusal in message


def test_the_trails_own_actors_are_no_account_names(tmp_path: Path) -> None:
    """An account named after one of the trail's own actors (the first account's adder, the
    system, an unknown name) would be taken for it: such names are refused, the first
    account's too."""
    from conftest import FAST, add_people, signed_in

    with ReviewService.open(f"sqlite:///{tmp_path / 'reviewer.db'}", hasher=FAST) as svc:
        with pytest.raises(UserError, match="names the store itself"):
            svc.add_user(None, "bootstrap", "supervisor", "a-long-enough-passphrase")
        add_people(svc, [("carol", "supervisor", PASSPHRASE["carol"])])
        carol = signed_in(svc, "carol")
        for name in ("bootstrap", "system", "unknown"):
            with pytest.raises(UserError, match="names the store itself"):
                svc.add_user(carol, name, "supervisor", "a-long-enough-passphrase")


def test_every_decision_carries_its_makers_signature(store_url: str, tmp_path: Path) -> None:
    """A request reviewed, approved and released by the book, a policy changed and an account
    reset: each decision event carries its maker's signature by the key the trail certified
    (the first account's by its own), and the release and `audit verify` accept them."""
    from test_cli_store import approve_both

    rid = ingested_sample(store_url, tmp_path, "clean")
    approve_both(store_url, rid)
    assert release_as_bob(store_url, rid, tmp_path / "outbox").exit_code == 0
    with ReviewService.open(store_url) as svc:
        from conftest import signed_in

        carol = signed_in(svc, "carol", PASSPHRASE["carol"])
        svc.set_policy(carol, unlock_lapse_days=5)
        svc.reset_passphrase(carol, "alice", "alice-second-passphrase")
        svc.sign_in("alice", "alice-second-passphrase")
        with pytest.raises(Exception, match="wrong passphrase"):
            svc.sign_in("alice", PASSPHRASE["alice"])
        with svc.engine.connect() as conn:
            from sqlmodel import Session

            s = Session(bind=conn)
            every = list(audit_log.iter_events(s))
            keys = keys_in_force(s)
        recipe = svc._uow.recipe()
    assert recipe is not None
    assert keys.found is None and keys.began
    decisions = [e for e in every if e.action in PERSONAL_ACTIONS]
    assert {e.action for e in decisions} >= {
        "user-add",
        "sign-off",
        "release",
        "delivery",
        "policy-change",
        "user-reset-passphrase",
    }
    assert all(SIGNATURE in json.loads(e.payload) for e in decisions)
    [first] = [e for e in every if e.action == "user-add"][:1]
    assert first.actor == "bootstrap"
    # the reset certified the key of the new passphrase, and alice's key follows it
    reset = [e for e in every if e.action == "user-reset-passphrase"][-1]
    assert json.loads(reset.payload)[PUBLIC_KEY] == public_text(
        derive_key("alice-second-passphrase", "alice", recipe)
    )
    assert keys.keys["alice"] == json.loads(reset.payload)[PUBLIC_KEY]
    assert cli(store_url, "audit", "verify").exit_code == 0


def test_accounts_from_before_personal_keys_enroll_theirs_once(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store whose accounts were made before personal keys: the era's marker lists them,
    each enrolls the key its passphrase unlocks at its first sign-in or sign-off after it, and
    a sign-off made before the era still releases. Nobody else enrolls a key."""
    with monkeypatch.context() as m:  # a store as an earlier version left it
        m.setattr(UnitOfWork, "mark_personal_keys", lambda self: None)
        rid = ingested_sample(store_url, tmp_path, "clean")
        approve(store_url, rid, "alice")  # her sign-off is from before the era
        with ReviewService.open(store_url) as svc:
            assert svc._uow.recipe() is None
    approve(store_url, rid, "bob")  # opened by this version: the era begins, bob enrolls
    with ReviewService.open(store_url) as svc:
        from conftest import signed_in

        signed_in(svc, "alice", PASSPHRASE["alice"], fresh=True)  # and alice at her sign-in
    with ReviewService.open(store_url) as svc, svc.engine.connect() as conn:
        from sqlmodel import Session

        every = list(audit_log.iter_events(Session(bind=conn)))
    [marker] = [e for e in every if e.action == "personal-keys"]
    assert json.loads(marker.payload)["without_key"] == ["alice", "bob", "carol"]
    enrolled = [e.actor for e in every if e.action == KEY_ENROLLED]
    assert enrolled == ["bob", "alice"]
    assert release_as_bob(store_url, rid, tmp_path / "outbox").exit_code == 0
    assert cli(store_url, "audit", "verify").exit_code == 0


def approve(url: str, rid: str, name: str) -> None:
    """`name` inspects the sample of `rid`'s current version and approves it."""
    from conftest import signed_in

    with ReviewService.open(url) as svc:
        vid = svc.request_detail(rid).version_id
        me = signed_in(svc, name, PASSPHRASE[name])
        for item in svc.version_detail(vid).sample.items:
            svc.record_inspection(me, vid, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(me, vid, "viewed_transcript", item.member)
        acks = {w.key: "checked" for w in svc.gate(name, vid).warnings}
        svc.sign_off(name, PASSPHRASE[name], vid, "approve", "ok", ALL, acks)


def _event(  # type: ignore[no-untyped-def]
    seq: int, prev: str, actor: str, action: str, subject: str, payload: Any, key=None
):
    at = f"2026-12-06T10:00:{seq:02d}.000000Z"
    if key is not None:
        message = signed_bytes(seq, prev, actor, action, subject, at, payload)
        payload = {**payload, SIGNATURE: sign(key, message)}
    return make_event(seq - 1, prev, actor, action, subject, payload, at)


def test_the_rules_of_certification() -> None:
    """Only the store's first account, a supervisor, is added by nobody; only an active
    supervisor certifies another account's key; only an account the marker lists enrolls its
    own key, once, and until then certifies nothing; a certified account's decisions need its
    signature."""
    recipe = KeyRecipe.new(1, 8, 1)
    keys = {n: derive_key(f"{n}-pass", n, recipe) for n in ("sam", "ann", "eve", "old")}
    pub = {n: public_text(k) for n, k in keys.items()}
    marker = {"recipe": recipe.to_dict(), "without_key": []}

    def judged(*specs: tuple) -> str | None:  # type: ignore[type-arg]
        follower, prev = KeysInForce(), "0" * 64
        for seq, (actor, action, subject, payload, key) in enumerate(specs, start=1):
            e = _event(seq, prev, actor, action, subject, payload, key)
            follower.event(e)
            prev = e.hash
        return follower.found

    def add(by: str, name: str, role: str, key: str | None = None) -> tuple:  # type: ignore[type-arg]
        payload = {"role": role, "bootstrap": by == "bootstrap", PUBLIC_KEY: pub[name]}
        return (by, "user-add", f"reviewer:{name}", payload, keys[key or by])

    def reset(by: str, name: str, to: str) -> tuple:  # type: ignore[type-arg]
        return (by, "user-reset-passphrase", f"reviewer:{name}", {PUBLIC_KEY: pub[to]}, keys[by])

    era = ("system", "personal-keys", "audit", marker, None)
    boot = add("bootstrap", "sam", "supervisor", "sam")
    add_ann = add("sam", "ann", "reviewer")
    assert judged(era, boot, add_ann) is None
    # a second account added by nobody, even signed by its own key; a first one not a supervisor
    assert "first account" in str(judged(era, boot, add("bootstrap", "eve", "supervisor", "eve")))
    assert "first account" in str(judged(era, add("bootstrap", "eve", "reviewer", "eve")))
    # an account that calls itself the bootstrap is an account like any other
    named = ("bootstrap", "user-add", "reviewer:eve", {"role": "reviewer", PUBLIC_KEY: pub["eve"]})
    assert "bootstrap has no key" in str(judged(era, boot, (*named, keys["eve"])))
    # eve signs ann's addition in sam's name
    assert "does not carry sam's signature" in str(
        judged(era, boot, add("sam", "ann", "reviewer", "eve"))
    )
    # ann, a reviewer, certifies a key of her own for sam, signed by her own key
    assert "ann's role (reviewer) does not allow it" in str(
        judged(era, boot, add_ann, reset("ann", "sam", "eve"))
    )
    # a disabled supervisor certifies nothing
    add_eve = add("sam", "eve", "supervisor")
    disable_sam: tuple = ("eve", "user-disable", "reviewer:sam", {}, keys["eve"])  # type: ignore[type-arg]
    assert judged(era, boot, add_eve, reset("eve", "sam", "sam")) is None
    assert "sam's account was disabled" in str(
        judged(era, boot, add_eve, disable_sam, reset("sam", "eve", "ann"))
    )
    # an account the marker does not list enrolls a key
    enroll_eve = ("eve", KEY_ENROLLED, "reviewer:eve", {PUBLIC_KEY: pub["eve"]}, keys["eve"])
    assert "may not" in str(judged(era, boot, enroll_eve))
    # in a store that had accounts when the era began, each enrolls once; nobody is added by
    # nobody there; an account not yet enrolled certifies nothing, signed or not
    old_era = (
        "system",
        "personal-keys",
        "audit",
        {
            **marker,
            "without_key": ["old", "ann"],
            "roles": {"old": "supervisor", "ann": "reviewer"},
        },
        None,
    )
    enroll = ("old", KEY_ENROLLED, "reviewer:old", {PUBLIC_KEY: pub["old"]}, keys["old"])
    assert judged(old_era, enroll) is None
    assert judged(old_era, enroll, reset("old", "ann", "ann")) is None
    again = ("old", KEY_ENROLLED, "reviewer:old", {PUBLIC_KEY: pub["eve"]}, keys["eve"])
    assert "may not" in str(judged(old_era, enroll, again))
    assert "first account" in str(judged(old_era, boot))
    unkeyed = ("old", "user-reset-passphrase", "reviewer:ann", {PUBLIC_KEY: pub["eve"]}, None)
    assert "old has no key" in str(judged(old_era, unkeyed))
    # a reviewer the trail added as one is one, whatever the rows said when the era began
    # (they can be changed in SQL before the marker is written); only the roles of accounts
    # older than the trail come from the marker
    pre_add = ("carl", "user-add", "reviewer:mal", {"role": "reviewer"}, None)
    claimed = {**marker, "without_key": ["mal"], "roles": {"mal": "supervisor"}}
    mal = derive_key("mal-pass", "mal", recipe)
    enroll_mal = ("mal", KEY_ENROLLED, "reviewer:mal", {PUBLIC_KEY: public_text(mal)}, mal)
    reset_ann = ("mal", "user-reset-passphrase", "reviewer:ann", {PUBLIC_KEY: pub["eve"]}, mal)
    marker_roles = ("system", "personal-keys", "audit", claimed, None)
    assert "mal's role (reviewer) does not allow it" in str(
        judged(pre_add, marker_roles, enroll_mal, reset_ann)
    )
    # a disabled reviewer enables herself, or changes the policy, with her own key; a
    # disabled account's decisions
    nothing: dict[str, Any] = {}
    disable_ann = ("sam", "user-disable", "reviewer:ann", nothing, keys["sam"])
    enable_self = ("ann", "user-enable", "reviewer:ann", nothing, keys["ann"])
    policy = ("ann", "policy-change", "policy", {"after": nothing}, keys["ann"])
    assert "ann's account was disabled" in str(judged(era, boot, add_ann, disable_ann, enable_self))
    assert "ann's role (reviewer) does not allow it" in str(judged(era, boot, add_ann, enable_self))
    assert "ann's role (reviewer) does not allow it" in str(judged(era, boot, add_ann, policy))
    second = ("ann", "sign-off", "request:R", {"stage": "second"}, keys["ann"])
    assert "ann's role (reviewer) does not allow it" in str(judged(era, boot, add_ann, second))
    # ann's sign-off unsigned, and signed by another key
    signoff = ("ann", "sign-off", "request:R", {"stage": "first"}, None)
    assert "does not carry ann's signature" in str(judged(era, boot, add_ann, signoff))
    assert "does not carry ann's signature" in str(
        judged(era, boot, add_ann, (*signoff[:4], keys["eve"]))
    )
    assert judged(era, boot, add_ann, (*signoff[:4], keys["ann"])) is None
    # a payload changed after it was signed
    e = _event(4, "0" * 64, "ann", "sign-off", "request:R", {"stage": "first"}, keys["ann"])
    tampered = json.loads(e.payload) | {"stage": "second"}
    follower = KeysInForce()
    for x in (
        _event(1, "0" * 64, *era),
        _event(2, "0" * 64, *boot),
        _event(3, "0" * 64, *add_ann),
    ):
        follower.event(x)
    follower.event(dataclasses.replace(e, payload=json.dumps(tampered)))
    assert "does not carry ann's signature" in str(follower.found)


def test_signed_events_stand_where_they_were_made() -> None:
    """A signed event copied to another place in the chain (replayed later) no longer carries
    its maker's signature; a mark is withdrawn only by its maker; a delivery finishes its
    release with the release's key, whatever became of the account while files were written."""
    recipe = KeyRecipe.new(1, 8, 1)
    keys = {n: derive_key(f"{n}-pass", n, recipe) for n in ("sam", "bob", "eve")}
    pub = {n: public_text(k) for n, k in keys.items()}
    era = ("system", "personal-keys", "audit", {"recipe": recipe.to_dict(), "without_key": []})

    def chain(*specs: tuple[Any, ...]) -> list[Any]:
        events, prev = [], "0" * 64
        for seq, (actor, action, subject, payload, *key) in enumerate(specs, start=1):
            e = _event(seq, prev, actor, action, subject, payload, key[0] if key else None)
            events.append(e)
            prev = e.hash
        return events

    def found(events: list[Any]) -> str | None:
        follower = KeysInForce()
        for e in events:
            follower.event(e)
        return follower.found

    boot = ("bootstrap", "user-add", "reviewer:sam", {"role": "supervisor", "bootstrap": True,
            PUBLIC_KEY: pub["sam"]}, keys["sam"])  # fmt: skip
    add_bob = ("sam", "user-add", "reviewer:bob", {"role": "approver", PUBLIC_KEY: pub["bob"]},
               keys["sam"])  # fmt: skip
    add_eve = ("sam", "user-add", "reviewer:eve", {"role": "reviewer", PUBLIC_KEY: pub["eve"]},
               keys["sam"])  # fmt: skip
    nothing: dict[str, Any] = {}
    enable = ("sam", "user-enable", "reviewer:eve", nothing, keys["sam"])
    events = chain(era, boot, add_bob, add_eve, enable)
    assert found(events) is None
    # the enable, recorded again later as it was (its signature copied): not sam's any more
    replayed = make_event(
        events[-1].seq, events[-1].hash, "sam", "user-enable", "reviewer:eve",
        json.loads(events[-1].payload), events[-1].at,
    )  # fmt: skip
    assert "does not carry sam's signature" in str(found([*events, replayed]))
    # eve marks; bob, with his own key, withdraws her mark
    mark = ("eve", "mark", "request:R", {"version_id": 1, "mark_id": 7}, keys["eve"])
    withdraw = ("bob", "mark-withdrawn", "request:R", {"version_id": 1, "mark_id": 7}, keys["bob"])
    assert "a mark is withdrawn by the person who made it (mark 7 is eve's)" in str(
        found(chain(era, boot, add_bob, add_eve, mark, withdraw))
    )
    own = ("eve", "mark-withdrawn", "request:R", {"version_id": 1, "mark_id": 7}, keys["eve"])
    assert found(chain(era, boot, add_bob, add_eve, mark, own)) is None
    # bob releases, is disabled while the files are written, and the delivery is recorded
    release = ("bob", "release", "request:R", {"version_id": 1}, keys["bob"])
    disable = ("sam", "user-disable", "reviewer:bob", nothing, keys["sam"])
    delivery = ("bob", "delivery", "request:R", {"version_id": 1}, keys["bob"])
    assert found(chain(era, boot, add_bob, release, disable, delivery)) is None
    # the release's reading judges its own request's events (and the accounts'), and only
    # follows another request's: a forged sign-off on request A holds up no release of B
    forged_a = ("bob", "sign-off", "request:A", {"stage": "second"})
    bob_b = ("bob", "sign-off", "request:B", {"stage": "second"}, keys["bob"])
    for about, verdict in (("request:B", None), ("request:A", "does not carry bob's signature")):
        follower = KeysInForce(about)
        for e in chain(era, boot, add_bob, forged_a, bob_b):
            follower.event(e)
        if verdict is None:
            assert follower.found is None
        else:
            assert verdict in str(follower.found)
    # a redelivery is a decision of its own: not by a disabled account
    again = ("bob", "redelivery", "request:R", {"version_id": 1}, keys["bob"])
    assert "bob's account was disabled" in str(
        found(chain(era, boot, add_bob, release, delivery, disable, again))
    )


@pytest.mark.parametrize("what", ["reset", "disable"])
def test_a_release_racing_a_reset_or_a_disable_keeps_the_trail_whole(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """carol, at another terminal, resets bob's passphrase or disables him while his release
    re-hashes the archive (before it is recorded) or writes its files (before the delivery
    is recorded). Before it is recorded the release is refused and nothing is delivered; once
    it is recorded the delivery finishes it. Either way `audit verify` passes."""
    from test_cli_store import approve_both

    from reviewer.store.errors import ReleaseError
    from reviewer.store.service.release import Releases

    rid = ingested_sample(store_url, tmp_path, "clean")
    approve_both(store_url, rid)

    def other_terminal() -> None:
        with ReviewService.open(store_url) as other:
            carol = other.sign_in("carol", PASSPHRASE["carol"])
            if what == "reset":
                other.reset_passphrase(carol, "bob", "bob-second-passphrase")
            else:
                other.disable_user(carol, "bob")

    hook = "_record_release" if what == "reset" else "_record_delivery"
    recorded = getattr(Releases, hook)

    def raced(self: Releases, *args: Any, **kwargs: Any) -> Any:
        other_terminal()
        return recorded(self, *args, **kwargs)

    monkeypatch.setattr(Releases, hook, raced)
    outbox = tmp_path / "outbox"
    with ReviewService.open(store_url) as svc:
        bob = svc.sign_in("bob", PASSPHRASE["bob"])
        if what == "reset":
            with pytest.raises(ReleaseError, match="session was closed"):
                svc.release(bob, rid, outbox)
            assert not (outbox / rid).exists()
        else:
            svc.release(bob, rid, outbox)
            assert (outbox / rid / "export.zip").is_file()
    assert cli(store_url, "audit", "verify").exit_code == 0


def test_a_deleted_era_row_is_restored_from_the_trail(tmp_path: Path) -> None:
    """The store's row naming the key recipe deleted in SQL: the next open restores it from
    the era's marker (no second marker, which would never verify), and everyone signs in
    with the keys they had."""
    from conftest import FAST, add_people, insider_sql

    url = f"sqlite:///{tmp_path / 'reviewer.db'}"
    with ReviewService.open(url, hasher=FAST) as svc:
        add_people(svc, [("carol", "supervisor", PASSPHRASE["carol"])])
    insider_sql(url, ["DELETE FROM store_meta WHERE key = 'personal_keys'"])
    with ReviewService.open(url, hasher=FAST) as svc:
        svc.sign_in("carol", PASSPHRASE["carol"])
        markers = [e for e in svc_events(svc) if e.action == "personal-keys"]
        assert len(markers) == 1
        assert svc.audit_status().ok


def svc_events(svc: ReviewService) -> list[Any]:
    from sqlmodel import Session

    with svc.engine.connect() as conn:
        return list(audit_log.iter_events(Session(bind=conn)))
