"""The hostile-bundle test (issue 15): at least 1,000 randomized variants of real bundles, from a
fixed seed, against two real database copies. For every case, importing either

- raises the app's own error (AppError/BundleError, whose message names the file), and then both
  databases are exactly as before and no receipt was written; or
- returns a result, and then: ``applied``/``acknowledged`` ⇒ the receiver equals a clean import
  of the real bundle the case was made from (only the receiver's clock and fresh receipt ids may
  differ: hostile_world.VOLATILE); ``duplicate`` ⇒ nothing changed; ``waiting`` ⇒ nothing but
  the waiting file was recorded. A forgery beyond the sender's authority is never accepted.

Any other exception is a traceback and fails the test. Run ``pytest -s`` for the table of
outcomes by family. Environment: CANNNGHEO_FUZZ_SEED and CANNNGHEO_FUZZ_CASES change the seed and
the count, CANNNGHEO_FUZZ_ONLY=i re-runs case i alone, CANNNGHEO_FUZZ_CLI_CASES sizes the command
line run (docs/security.md). The generators are in hostile.py and hostile_payloads.py, the world
and its clean imports in hostile_world.py.
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cannngheo_desktop.core.errors import AppError
from cannngheo_desktop.exchange import importer
from cannngheo_desktop.storage.db import Store
from tests.exchange import hostile as H
from tests.exchange import hostile_payloads as P
from tests.exchange.bundle_helpers import PASS, dump
from tests.exchange.hostile_world import World, build_world, content, memory_ceiling, patched

SEED = int(os.environ.get("CANNNGHEO_FUZZ_SEED", "20261204"))
CASES = int(os.environ.get("CANNNGHEO_FUZZ_CASES", "1000"))
MEMORY_HEADROOM = 1 << 30   # an import may not grow the address space by more than 1 GiB here
TARGETS = {"B1": "duplicate", "B2": "B2", "B3": "B3", "R1": "R1", "RC1": "RC1"}  # as sent, in the base state


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build_world(tmp_path_factory.mktemp("hostile"))
    try:
        yield w
    finally:
        w.close()


# --- case families (each: world, rng → Case) -------------------------------------------------------
class Gen:
    """The case families; ``make_cases`` picks one per case with its weight in FAMILIES."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.bomb_raw = H.bomb()
        self.bomb_zlib = H.bomb(raw=False)
        assert world.facts is not None
        self.facts = world.facts
        office_doc = world.sources["R1"].manifest
        self.office_key_id = office_doc["sender"]["key_id"]

    def target(self, rng: random.Random) -> H.Source:
        return self.w.sources[rng.choice(list(TARGETS))]

    def _case(self, src: H.Source, family: str, label: str, data: bytes, expect: str | None = None,
              **kw: Any) -> H.Case:
        return H.case_of(src, family, label, data, TARGETS[src.key] if expect is None else expect, **kw)

    def bit_flips(self, rng: random.Random) -> H.Case:
        src = self.target(rng)
        data, label = H.bit_flips(src.data, rng, rng.randint(1, 8))
        return self._case(src, "bit flips", f"{src.key} {label}", data)

    def truncation(self, rng: random.Random) -> H.Case:
        src = self.target(rng)
        data, label = H.truncated(src.data, rng)
        return self._case(src, "truncation", f"{src.key} {label}", data)

    def garbage(self, rng: random.Random) -> H.Case:
        src = self.target(rng)
        data, label = H.appended(src.data, rng)
        return self._case(src, "appended garbage", f"{src.key} {label}", data)

    def zip_lies(self, rng: random.Random) -> H.Case:
        src = self.target(rng)
        trick = rng.choice(H.ZIP_TRICKS)
        data, label = H.zip_trick(src, trick, rng, self.bomb_raw)
        # re-laying the members differently (deflated payload, stored manifest) changes nothing signed
        # Re-laying the members differently (deflated payload, stored manifest) changes nothing
        # signed; nor does a NUL after a member's name (zip readers end the name there).
        benign = trick in ("deflated payload", "stored manifest") or "\\x00" in label
        return self._case(src, "zip lies", f"{src.key} {label}", data, None if benign else H.REFUSE)

    def manifest_lies(self, rng: random.Random) -> H.Case:
        src = self.target(rng)
        other_unit = self.facts.other
        other_key = self.office_key_id if src.receiver == "office" else src.manifest["recipient"]["key_id"]
        if rng.random() < 0.2:  # text-level lies, signed verbatim
            label, raw = rng.choice(H.raw_manifest_edits(src))
            return self._case(src, "manifest lies (re-signed)", f"{src.key} {label}", H.resign(src, raw), H.REFUSE)
        label, edit = rng.choice(H.manifest_edits(src, other_unit, other_key))
        data = H.forge(src, edit=edit)
        expect = H.REFUSE
        if label in ("sequence=2147483648", "sequence=9223372036854775807") and src.key in ("B2", "B3"):
            expect = "waiting"  # a key holder may number ahead: kept waiting at most, never applied
        if src.key == "B3" and (label.startswith("prev_sha256='0") or label == "prev hash of nothing"):
            expect = "waiting"  # the link is checked when bundle 2 has arrived, not before
        return self._case(src, "manifest lies (re-signed)", f"{src.key} {label}", data, expect)

    def payload_forgeries(self, rng: random.Random) -> H.Case:
        s = self.w.sources
        pick = rng.random()
        if pick < 0.55:
            src, edits = s["B2"], P.upward_edits(s["B2"], self.facts, rng, self.bomb_zlib)
        elif pick < 0.65:
            src, edits = s["B2"], P.reference_from_commune(s["B2"], self.facts)
        elif pick < 0.85:
            src, edits = s["R1"], P.downward_edits(s["R1"], self.facts, rng, self.bomb_zlib)
        else:
            sent_in = s["B1"].manifest["payload"][0]["sha256"]
            src, edits = s["RC1"], P.receipt_edits(s["RC1"], self.facts, sent_in, rng, self.bomb_zlib)
        e = rng.choice(edits)
        data = H.forge(src, lines=e.lines, plain=e.plain, compressed=e.compressed, edit=e.manifest)
        return self._case(src, "payload forgeries (re-signed)", f"{src.key} {e.label}", data, e.expect,
                          patch=e.patch or {})

    def replays(self, rng: random.Random) -> H.Case:
        key = rng.choice(("B1", "B2", "R1", "RC1"))
        src = self.w.sources[key]
        data = src.data if rng.random() < 0.5 else H.zip_trick(src, "deflated payload", rng, b"")[0]
        pre = () if key == "B1" else (key,)
        return self._case(src, "replays", f"{key} again", data, "duplicate", pre=pre)

    def forks(self, rng: random.Random) -> H.Case:
        s = self.w.sources
        kind = rng.randrange(4)
        pre: tuple[str, ...] = ()
        if kind == 0:   # bundle 1 again, new id and content, same number
            src = s["B1"]
            data = H.forge(src, lines=P._changed(src.lines, "households", 0, village="Thôn rẽ nhánh",
                                                  version=9), bundle_id=str(uuid.uuid4()))
            label = "B1 same number, other content"
        elif kind == 1:  # B1's content re-sent under a fresh bundle id
            src = s["B1"]
            data, label = H.forge(src, bundle_id=str(uuid.uuid4())), "B1 replayed as a new bundle"
        elif kind == 2:  # bundle 2 applied, then another bundle 2
            src, pre = s["B2"], ("B2",)
            data = H.forge(src, lines=P._changed(src.lines, "households", 1, village="Thôn rẽ nhánh"),
                           bundle_id=str(uuid.uuid4()))
            label = "B2 applied, another B2"
        else:           # bundle 2 whose link to bundle 1 is broken
            src = s["B2"]
            data = H.forge(src, edit=lambda d: d.update(prev_sha256="0" * 64))
            label = "B2 with a broken link"
        return self._case(src, "forks", label, data, H.REFUSE, pre=pre)

    def out_of_order(self, rng: random.Random) -> H.Case:
        s = self.w.sources
        if rng.random() < 0.5:
            return self._case(s["B3"], "out of order", "B3 before B2", s["B3"].data, "B3")
        return self._case(s["B2"], "out of order", "B2 after B3 waited", s["B2"].data, "B3+B2", pre=("B3",))

    def misdelivered(self, rng: random.Random) -> H.Case:
        """A real bundle carried to the wrong copy (the commune's report back to the commune,
        the office's reference or receipt to the office itself)."""
        src = self.target(rng)
        wrong = self.w.other(src.receiver)
        data = src.data if rng.random() < 0.7 else H.forge(src, edit=lambda d: d["recipient"].update(
            unit=self.facts.commune if wrong == "commune" else self.facts.office))
        return H.Case("misdelivered", f"{src.key} to the {wrong}", wrong, data, src.name, H.REFUSE)

    def impersonation(self, rng: random.Random) -> H.Case:
        """The other commune (00643, trusted by the office) signs as, or writes for, 00640."""
        src, f, w = self.w.sources["B2"], self.facts, self.w
        variant = rng.randrange(4)
        if variant == 0:    # 00640's manifest, 00643's signature
            data, label = H.forge(src, signer=w.other_signer), "signed by 00643 as 00640"
        elif variant == 1:  # 00643's key named in a manifest that says 00640
            data = H.forge(src, signer=w.other_signer, edit=lambda d: d["sender"].update(key_id=w.other_key_id))
            label = "00643's key id, sender 00640"
        else:               # honestly 00643, but carrying 00640's rows (or a mix)
            lines = src.lines if variant == 2 else [
                *P._changed(src.lines, "households", 0, unit_code=f.other)[:1], *src.lines[1:]]

            def as_other(d: dict[str, Any]) -> None:
                d["sender"].update(unit=f.other, key_id=w.other_key_id)
                d.update(sequence=2, prev_sha256=w.other_head)  # the next in 00643's own chain
            data = H.forge(src, lines=lines, signer=w.other_signer, edit=as_other)
            label = "00643 sends 00640's rows" if variant == 2 else "00643 sends a mix of rows"
        return self._case(src, "impersonation (other commune's key)", label, data, H.REFUSE)

    def poisoned_successor(self, rng: random.Random) -> H.Case:
        """A forged bundle 3 arrives first (it may be left waiting), then the real bundle 2:
        applying 2 pulls 3 out of the database, which must then be refused, not applied."""
        s = self.w.sources
        edits = [e for e in P.upward_edits(s["B3"], self.facts, rng, self.bomb_zlib) if e.expect == H.REFUSE]
        e = rng.choice(edits)
        forged = H.forge(s["B3"], lines=e.lines, plain=e.plain, compressed=e.compressed, edit=e.manifest)
        return self._case(s["B2"], "poisoned successor", f"B3 {e.label}, then B2", s["B2"].data, "B2",
                          first=((s["B3"].name, forged),))

    def file_names(self, rng: random.Random) -> H.Case:
        """A real bundle under a hostile file name: imported as under its own name, or refused
        with a message that names it."""
        src = self.w.sources[rng.choice(("B2", "R1", "B3"))]
        name = rng.choice(HOSTILE_NAMES)
        return H.Case("file names", f"{src.key} as {name!r}", src.receiver, src.data, name, TARGETS[src.key])

    def control(self, rng: random.Random) -> H.Case:
        """Re-sealed without any change: must be ACCEPTED and equal the clean import (if this
        failed, the forging path would be broken and every re-signed family would test nothing)."""
        src = self.w.sources[rng.choice(("B2", "R1", "RC1"))]
        return self._case(src, "control (re-signed, unchanged)", src.key, H.forge(src, indent=rng.choice((1, None))))


HOSTILE_NAMES: tuple[str, ...] = (
    "gói tháng 2 (bản sao).cnb", "-rf .cnb", "%s%n{0}{}.cnb", " khoảng trắng .cnb", "không-đuôi", "ĐÃ NHẬP.CNB",
    "\u202egnp.cnb", "'; DROP TABLE bundles; --.cnb")
if sys.platform != "win32":  # names Windows cannot create (control characters, devices, long paths)
    HOSTILE_NAMES += ("x\nTraceback (most recent call last).cnb", "tab\there.cnb", "CON.cnb", "a" * 200 + ".cnb")
FAMILIES: list[tuple[str, float]] = [
    ("bit_flips", 18), ("truncation", 7), ("garbage", 5), ("zip_lies", 12), ("manifest_lies", 20),
    ("payload_forgeries", 22), ("replays", 5), ("forks", 4), ("out_of_order", 2), ("misdelivered", 2),
    ("impersonation", 3), ("poisoned_successor", 3), ("file_names", 2), ("control", 3)]


def make_cases(gen: Gen, seed: int, count: int) -> Iterator[tuple[int, H.Case]]:
    """Case ``i`` draws from its own generator seeded by (seed, i): the same seed gives the same
    families and edits in the same order, and one case can be re-run alone (CANNNGHEO_FUZZ_ONLY)."""
    names, weights = zip(*FAMILIES, strict=True)
    only = os.environ.get("CANNNGHEO_FUZZ_ONLY")
    for number in range(count):
        if only is not None and number != int(only):
            continue
        rng = random.Random(f"{seed}:{number}")
        method: Callable[[random.Random], H.Case] = getattr(gen, rng.choices(names, weights)[0])
        yield number, method(rng)


# --- the oracle ------------------------------------------------------------------------------------
class Before:
    """A database as it was before the import. ``same()`` is cheap when nothing at all was
    written — sqlite3's total_changes counts every row this connection wrote, even if rolled back,
    and PRAGMA data_version moves when any other connection (a writer thread) commits — and
    falls back to comparing every row of every table otherwise."""

    def __init__(self, store: Store, rows: dict[str, list[Any]] | None) -> None:
        self.store, self.marks = store, self._marks(store)
        self.rows = rows if rows is not None else dump(store)

    @staticmethod
    def _marks(store: Store) -> tuple[int, int]:
        return store.conn.total_changes, store.conn.execute("PRAGMA data_version").fetchone()[0]

    def same(self) -> bool:
        return self._marks(self.store) == self.marks or dump(self.store) == self.rows

    def changed_tables(self) -> set[str]:
        now = dump(self.store)
        return {t for t in self.rows if now.get(t) != self.rows[t]}


def judge(w: World, case: H.Case, *, inspect_first: bool = False) -> tuple[str, str | None]:
    """(outcome, problem or None) of importing ``case`` into its receiver (after a dry run
    — inspect_bundle, which must write nothing — when ``inspect_first``)."""
    w.reset()
    for key in case.pre:
        w.apply_clean(key)
    for name, data in case.first:
        (w.work / name).write_bytes(data)
        w.dirty = True
        try:
            early = importer.apply_bundle(w.stores[case.receiver], w.work / name, PASS, receipt_dir=w.receipts,
                                          make_backup=False)
        except AppError:
            continue
        except Exception:  # noqa: BLE001
            return "TRACEBACK", "(delivered first) " + traceback.format_exc(limit=-3)
        if early.status != "waiting":
            return early.status, f"ACCEPTED a forgery delivered first ({early.status}): {early.message}"
    names = (case.receiver, w.other(case.receiver))
    recv, other = (Before(w.stores[n], None if case.pre or case.first else w.base_rows[n]) for n in names)
    receipts_before = sorted(w.receipts.iterdir())
    path = w.work / case.name
    path.write_bytes(case.data)
    if inspect_first:
        try:
            with memory_ceiling(MEMORY_HEADROOM):
                importer.inspect_bundle(recv.store, path, PASS)
        except AppError:
            pass
        except Exception:  # noqa: BLE001
            w.dirty = True
            return "TRACEBACK", "(dry run) " + traceback.format_exc(limit=-3)
        if not (recv.same() and other.same()):
            w.dirty = True
            return "dry run wrote", "the dry run (inspect_bundle) changed a database"
    try:
        with memory_ceiling(MEMORY_HEADROOM):
            result = importer.apply_bundle(recv.store, path, PASS, receipt_dir=w.receipts, make_backup=False)
    except AppError as err:
        problem = None
        if not (recv.same() and other.same()):
            problem = "PARTIAL WRITE: refused, but a database changed"
        elif sorted(w.receipts.iterdir()) != receipts_before:
            problem = "refused, but a receipt file was written"
        elif not isinstance(err.message, str) or case.name not in err.message:
            problem = f"refusal does not name the file: {err.message!r}"
        elif case.family.startswith("control"):
            problem = f"the unchanged re-sealed bundle was refused: {err.message}"
        w.dirty = bool(case.pre)
        return "refused", problem
    except Exception:  # noqa: BLE001 — anything but the app's own error is the bug this test hunts
        w.dirty = True
        partial = "and a PARTIAL WRITE: " if not (recv.same() and other.same()) else ""
        return "TRACEBACK", partial + traceback.format_exc(limit=-3)
    w.dirty = True
    status = result.status
    if not other.same():
        return status, "the other database changed"
    if case.expect == H.REFUSE:
        return status, f"ACCEPTED a forgery ({status}): {result.message}"
    if case.expect == "duplicate" or status == "duplicate":
        ok = status == case.expect == "duplicate" and recv.same()
        return status, None if ok else f"{status}, expected {case.expect}; changed {sorted(recv.changed_tables())}"
    if case.expect == "waiting" or status == "waiting":
        changed = recv.changed_tables() - HELD
        ok = status == "waiting" and case.expect in ("waiting", "B3") and not changed
        return status, None if ok else f"{status}, expected {case.expect!r}; changed {sorted(changed)}"
    want_status, strict, loose = w.clean[case.expect]
    if status != want_status:
        return status, f"status {status}, the clean import gave {want_status}"
    if case.first:  # the outcome says whether the forged successor had waited (and was refused now)
        waited = any(sub.status == "refused" for sub in result.also_applied)
        return status + (" (+3 refused)" if waited else ""), poisoned_successor(w, case, result, strict)
    resealed = case.family.startswith(("control", "payload"))
    got = content(recv.store, resealed=resealed)
    if case.name != w.sources[case.expect.split("+")[-1]].name:  # the file name is recorded as given
        was, now = (json.dumps(n)[1:-1] for n in (case.name, w.sources[case.expect.split("+")[-1]].name))
        got = {t: sorted(r.replace(was, now) for r in rows) for t, rows in got.items()}
    want = patched(loose if resealed else strict, case.patch)
    if got != want:
        diff = sorted(t for t in want if got.get(t) != want[t])
        return status, f"ACCEPTED, but differs from the clean import in {diff}"
    return status, None


# A bundle left waiting is recorded in bundles and its file kept in bundle_pieces (migration 0009).
HELD = {"bundles", "bundle_pieces"}


@pytest.fixture(scope="module")
def gen(world: World) -> Gen:
    return Gen(world)


def poisoned_successor(w: World, case: H.Case, result: importer.ImportResult,
                       clean: dict[str, list[str]]) -> str | None:
    """Bundle 2 applied after a forged bundle 3 was left waiting: bundle 2 exactly as its clean
    import, the forgery refused now (reported beside the success) and still not applied."""
    got = content(w.stores[case.receiver])
    diff = sorted(t for t in clean if t not in HELD and got.get(t) != clean[t])
    extra = [json.loads(r) for r in set(got["bundles"]) - set(clean["bundles"])]
    if diff or any(r["status"] != "waiting" for r in extra) or len(extra) > len(case.first):
        return f"after the forged successor: tables {diff} differ, bundles added {[r['status'] for r in extra]}"
    if extra and not any(sub.status == "refused" for sub in result.also_applied):
        return "the forged successor was left waiting without a word"
    return None


def test_hostile_bundles(world: World, gen: Gen) -> None:
    outcomes: Counter[tuple[str, str]] = Counter()
    failures: list[str] = []
    for number, case in make_cases(gen, SEED, CASES):
        outcome, problem = judge(world, case, inspect_first=number % 4 == 0)
        outcomes[(case.family, outcome)] += 1
        if problem:
            failures.append(f"#{number} [{case.family}] {case.label[:120]}: {problem}")
    print(summary(outcomes, failures))
    print("\n".join(failures))
    assert sum(outcomes.values()) == (1 if os.environ.get("CANNNGHEO_FUZZ_ONLY") else CASES)
    assert not failures, f"{len(failures)} of {CASES} cases failed (seed {SEED}):\n" + "\n".join(failures[:40])


def summary(outcomes: Counter[tuple[str, str]], failures: list[str]) -> str:
    families = sorted({f for f, _ in outcomes})
    columns = sorted({o for _, o in outcomes})
    lines = [f"\nhostile bundles: seed {SEED}, {sum(outcomes.values())} cases, {len(failures)} failures",
             f"{'family':36}" + "".join(f"{c:>{len(c) + 2}}" for c in columns)]
    for fam in families:
        lines.append(f"{fam:36}" + "".join(f"{outcomes.get((fam, c), 0):>{len(c) + 2}}" for c in columns))
    return "\n".join(lines)


CLI_CASES = int(os.environ.get("CANNNGHEO_FUZZ_CLI_CASES", "40"))
EXIT_OK, EXIT_WAITING, EXIT_REFUSED = 0, 3, 4   # docs/bundle-format.md: cannngheo bundle import


def test_hostile_bundles_through_the_command_line(world: World, gen: Gen, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The same generator through ``cannngheo bundle import`` (half of them ``--dry-run``) and
    ``cannngheo bundle verify``: only the documented exit codes, never a traceback, nothing
    written when refused, dry or verifying."""
    from cannngheo_desktop import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bundle",))
    secret = world.folder / "pass.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    failures = []
    codes: Counter[int] = Counter()
    verify_codes: Counter[int] = Counter()
    for number, case in make_cases(gen, SEED + 1, CLI_CASES):
        world.reset()
        for key in case.pre:
            world.apply_clean(key)
        store = world.stores[case.receiver]
        before = {n: dump(s) for n, s in world.stores.items()}
        path = world.work / case.name
        path.write_bytes(case.data)
        dry = number % 2 == 1
        argv = ["bundle", "import", "--db", str(store.path), str(path), "--passphrase-file", str(secret),
                "--receipt-dir", str(world.receipts), *(["--dry-run"] if dry else [])]
        code = cli.main(argv)
        out = capsys.readouterr()
        world.dirty = True
        codes[code] += 1
        unchanged = all(dump(s) == before[n] for n, s in world.stores.items())
        problem = None
        if code not in (EXIT_OK, EXIT_WAITING, EXIT_REFUSED) or "Traceback" in out.out + out.err:
            problem = f"exit {code}: {(out.out + out.err)[-400:]}"
        elif (code == EXIT_REFUSED or dry) and not unchanged:
            problem = f"exit {code}{' (dry run)' if dry else ''}, but a database changed"
        elif code != EXIT_REFUSED and not dry and case.expect == H.REFUSE:
            problem = f"ACCEPTED a forgery (exit {code}): {out.out[-300:]}"
        elif code == EXIT_REFUSED and case.name not in out.out + out.err:
            problem = f"refusal does not name the file: {(out.out + out.err)[-300:]}"
        if problem:
            failures.append(f"#{number} [{case.family}] {case.label[:100]}{' --dry-run' if dry else ''}: {problem}")
        # `bundle verify` reads the same hostile file (signature checked against the roster)
        before = {n: dump(s) for n, s in world.stores.items()}
        code = cli.main(["bundle", "verify", str(path), "--db", str(store.path)])
        out = capsys.readouterr()
        verify_codes[code] += 1
        if code not in (EXIT_OK, EXIT_REFUSED) or "Traceback" in out.out + out.err:
            failures.append(f"#{number} [{case.family}] {case.label[:100]} (verify): exit {code}: {out.err[-300:]}")
        elif not all(dump(s) == before[n] for n, s in world.stores.items()):
            failures.append(f"#{number} [{case.family}] {case.label[:100]} (verify): a database changed")
    print(f"\nCLI: seed {SEED + 1}, {CLI_CASES} cases, import exit codes {dict(sorted(codes.items()))}, "
          f"verify exit codes {dict(sorted(verify_codes.items()))}")
    assert not failures, "\n".join(failures)


# --- reproducers: what the generator found, each as a named minimal case --------------------------
# A receipt is signed by the office with its real key; these lie in the signed manifest about what
# the receipt holds (docs/bundle-format.md: its rows are counted like any bundle's, its ``sequence``
# is the acknowledged bundle's number and its ``prev_sha256`` that bundle's hash).
RECEIPT_LIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "rows: 0 acknowledgements": lambda d: d["payload"][0]["rows"].update(_receipt=0),
    "rows: 2 acknowledgements for 1": lambda d: d["payload"][0]["rows"].update(_receipt=2),
    "rows: a table it does not carry": lambda d: d["payload"][0]["rows"].update(households=1),
    "prev_sha256: not the acknowledged bundle": lambda d: d.update(prev_sha256="0" * 64),
    "sequence: not the acknowledged bundle's": lambda d: d.update(sequence=7),
}


def test_the_receipt_re_sealed_unchanged_is_accepted(world: World) -> None:
    """The forging path itself is sound: without a lie the re-sealed receipt is acknowledged."""
    src = world.sources["RC1"]
    case = H.Case("control", "RC1", src.receiver, H.forge(src), src.name, "RC1")
    assert judge(world, case) == ("acknowledged", None)


@pytest.mark.parametrize("lie", sorted(RECEIPT_LIES))
def test_a_receipt_whose_manifest_contradicts_its_content_is_refused(world: World, lie: str) -> None:
    src = world.sources["RC1"]
    case = H.Case("reproducer", lie, src.receiver, H.forge(src, edit=RECEIPT_LIES[lie]), src.name, H.REFUSE)
    outcome, problem = judge(world, case)
    assert (outcome, problem) == ("refused", None), problem


# What the generator found on the code before issue 15 (923db48), now fixed: each as a fixed case,
# so a regression fails by name and not only when a seed happens to draw it.
def _row_forgery(source: str, label: str) -> Callable[[World, Gen], H.Case]:
    def build(w: World, g: Gen) -> H.Case:
        src = w.sources[source]
        rng = random.Random(0)
        if source == "R1":
            edits = P.downward_edits(src, g.facts, rng, b"")
        else:
            edits = P.upward_edits(src, g.facts, rng, b"") + P.reference_from_commune(src, g.facts)
        e = next(e for e in edits if e.label == label)
        return H.case_of(src, "regression", label, H.forge(src, lines=e.lines, edit=e.manifest), H.REFUSE)
    return build


def _changed_row(source: str, table: str, **changes: Any) -> Callable[[World, Gen], H.Case]:
    def build(w: World, g: Gen) -> H.Case:
        src = w.sources[source]
        known = {r["id"] for r in w.sources["B1"].rows(table)} if source == "B2" else set()
        index = next(i for i, r in enumerate(src.rows(table)) if r["id"] not in known)  # a row new here
        lines = P._changed(src.lines, table, index, **changes)
        return H.case_of(src, "regression", f"{table} {changes!r}", H.forge(src, lines=lines), H.REFUSE)
    return build


def _manifest(source: str, **fields: Any) -> Callable[[World, Gen], H.Case]:
    def build(w: World, g: Gen) -> H.Case:
        src = w.sources[source]
        return H.case_of(src, "regression", repr(fields), H.forge(src, edit=lambda d: d.update(fields)), H.REFUSE)
    return build


REGRESSIONS: dict[str, Callable[[World, Gen], H.Case]] = {
    "plan_units into the office plan (accepted)": _row_forgery("B2", "plan_units into the office plan"),
    "member into another unit's household (accepted)": _row_forgery("B2", "member into another unit's household"),
    "reference from a commune: ruleset (accepted)": _row_forgery("B2", "reference from a commune: ruleset"),
    "reference from a commune: fake unit (accepted)": _row_forgery("B2", "reference from a commune: fake unit"),
    "reference from a commune: plan_units (accepted)": _row_forgery("B2", "reference from a commune: plan_units"),
    "report kind sent by the office (accepted)": _row_forgery("R1", "wrong direction: report kind from the office"),
    "receipt lines in a report (ignored, report accepted)": _row_forgery("B2", "receipt lines in a report"),
    "audit action 'drop' (accepted)": _row_forgery("B2", "audit action not allowed"),
    "audit id 2**63 (OverflowError)": _row_forgery("B2", "audit id huge"),
    "households.income_month -Infinity (accepted)": _changed_row("B2", "households", income_month=float("-inf")),
    "plan_units.target_reduction NaN (accepted)": _changed_row("R1", "plan_units", target_reduction=float("nan")),
    "households.version 2**63 (OverflowError)": _changed_row("B2", "households", version=2**63),
    "plans.year 2**64 (OverflowError)": _changed_row("R1", "plans", year=2**64),
    "households.floor_area_m2 2**63 (OverflowError)": _changed_row("B2", "households", floor_area_m2=2**63),
    "sequence 2**63 (OverflowError)": _manifest("B2", sequence=2**63),
    "sequence 10**30 (OverflowError)": _manifest("R1", sequence=10**30),
    "sequence 2**63-1 at the receiver of bundle 1 (MemoryError listing the gap)": _manifest("B1", sequence=2**63 - 1),
    "bundle id not ASCII (UnicodeEncodeError)": _manifest("B2", bundle_id="gói-☃"),
    "schema_version -1 (accepted)": _manifest("R1", schema_version=-1),
    "format_version 0 (accepted)": _manifest("B3", format_version=0),
}


@pytest.mark.parametrize("found", sorted(REGRESSIONS))
def test_what_the_generator_found_before_issue_15_stays_refused(world: World, gen: Gen, found: str) -> None:
    case = REGRESSIONS[found](world, gen)
    outcome, problem = judge(world, case)
    assert (outcome, problem) == ("refused", None), problem


@pytest.mark.parametrize("label", ["duplicate key: kind", "duplicate key: sequence"])
@pytest.mark.parametrize("source", ["B2", "R1"])
def test_a_manifest_with_a_duplicate_key_is_refused(world: World, source: str, label: str) -> None:
    """Signed bytes must mean one thing: with a key twice, Python keeps the last value, other
    readers the first or an error (RFC 8259 §4: names SHOULD be unique; I-JSON: MUST)."""
    src = world.sources[source]
    raw = dict(H.raw_manifest_edits(src))[label]
    case = H.Case("reproducer", label, src.receiver, H.resign(src, raw), src.name, H.REFUSE)
    outcome, problem = judge(world, case)
    assert (outcome, problem) == ("refused", None), problem
