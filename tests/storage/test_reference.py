"""Shipped reference data: loaded once, audited, idempotent; unit versions and the 2025 map."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cannngheo_desktop.core.errors import FileFormatError, ValidationError
from cannngheo_desktop.paths import resource_path
from cannngheo_desktop.storage import reference


def _counts(store) -> tuple[int, int]:
    return store.scalar("SELECT count(*) FROM audit_log"), store.scalar("SELECT count(*) FROM changes")


def test_first_load_inserts_everything_audited(fresh_store) -> None:
    inserted = reference.load_reference(fresh_store)
    shipped = reference.shipped_rows()
    assert inserted == {table: len(rows) for table, rows in shipped.items()}
    assert inserted["units"] == 31 and inserted["bodies"] == 13
    assert 25 <= inserted["support_measures"] <= 32
    total = sum(inserted.values())
    assert _counts(fresh_store) == (total, total)  # one audit entry and one change per row
    owners = {r[0] for r in fresh_store.query("SELECT DISTINCT unit_code FROM units")}
    assert owners == {"*"}


def test_second_load_writes_nothing(fresh_store) -> None:
    reference.load_reference(fresh_store)
    before = _counts(fresh_store)
    assert set(reference.load_reference(fresh_store).values()) == {0}
    assert _counts(fresh_store) == before


def test_user_edits_and_deletions_survive_a_reload(fresh_store) -> None:
    from cannngheo_desktop.storage import repo

    reference.load_reference(fresh_store)
    repo.update(fresh_store, "support_measures", reference.measure_id("qua_tet"), {"default_amount": 500000})
    repo.soft_delete(fresh_store, "bodies", reference.body_id("noivu"))
    reference.load_reference(fresh_store)
    assert fresh_store.scalar("SELECT default_amount FROM support_measures WHERE code = 'qua_tet'") == 500000
    assert fresh_store.scalar("SELECT deleted FROM bodies WHERE code = 'noivu'") == 1


def test_unit_ids_are_unique_and_codes_reused_across_the_reform(fresh_store) -> None:
    reference.load_reference(fresh_store)
    rows = fresh_store.query("SELECT id, code, valid_from FROM units")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(r["id"] == f"{r['code']}@{r['valid_from']}" for r in rows)
    assert reference.get_unit(fresh_store, "00640", "2023-01-01")["name"] == "Thị trấn Văn Điển"
    assert reference.get_unit(fresh_store, "00640", "2025-07-01")["name"] == "Xã Thanh Trì"
    assert reference.get_unit(fresh_store, "00640")["name"] == "Xã Thanh Trì"  # newest version
    assert reference.get_unit(fresh_store, "00646", "2026-01-01") is None  # Thanh Liệt commune is gone


def test_thanh_tri_units_and_area_types(fresh_store) -> None:
    reference.load_reference(fresh_store)
    old = reference.list_units(fresh_store, on="2023-01-01", parent_code="020")
    assert len(old) == 16
    assert {u["kind"] for u in old} == {"town", "commune"}
    town = [u for u in old if u["kind"] == "town"]
    assert [u["code"] for u in town] == ["00640"] and town[0]["area"] == "urban"
    assert all(u["area"] == "rural" for u in old if u["kind"] == "commune")
    new = {u["name"] for u in reference.list_units(fresh_store, on="01/07/2025", kinds=["commune", "ward"])}
    assert {"Xã Thanh Trì", "Xã Đại Thanh", "Xã Ngọc Hồi", "Xã Nam Phù", "Phường Thanh Liệt",
            "Phường Hoàng Liệt", "Phường Yên Sở", "Phường Định Công", "Phường Khương Đình",
            "Phường Hà Đông", "Phường Phú Lương", "Xã Hồng Vân", "Xã Thường Tín"} == new


def test_every_former_unit_has_a_successor_that_resolves(fresh_store) -> None:
    reference.load_reference(fresh_store)
    for unit in reference.list_units(fresh_store, on="2023-01-01", parent_code="020"):
        successors = reference.successors_of(fresh_store, unit["code"], on="2023-01-01")
        assert successors, unit["name"]
        for s in successors:
            assert reference.get_unit(fresh_store, s["code"], "2025-07-01")["id"] == s["unit_id"]
            assert s["share"] in ("whole", "part")
    dong_my = reference.successors_of(fresh_store, "00685", on="2023-01-01")
    assert [(s["name"], s["share"], s["confirmed"]) for s in dong_my] == [("Xã Nam Phù", "whole", False)]


def test_successor_map_is_editable(fresh_store) -> None:
    reference.load_reference(fresh_store)
    old, new = "00685@2004-01-01", "00685@2025-07-01"
    reference.set_successor(fresh_store, old, new, "whole", confirmed=True, note="Đã đối chiếu NQ 1656")
    (s,) = reference.successors_of(fresh_store, "00685", on="2023-01-01")
    assert s["confirmed"] is True and s["note"] == "Đã đối chiếu NQ 1656"
    with pytest.raises(ValidationError):
        reference.set_successor(fresh_store, old, "99999@2025-07-01", "part")


def test_catalogue_rows_name_known_bodies(fresh_store) -> None:
    reference.load_reference(fresh_store)
    bodies = {b["code"] for b in reference.list_bodies(fresh_store)}
    assert {"ldtbxh", "kinhte", "yte", "giaoduc", "nhcsxh", "taichinh", "bhxh", "tuphap", "vhtt", "noivu",
            "tuyengiao", "mttq", "ubnd_xa"} <= bodies
    measures = reference.list_measures(fresh_store)
    assert all(m["body_code"] in bodies for m in measures)
    by_code = {m["code"]: m for m in measures}
    assert by_code["tro_cap_xa_hoi"]["default_amount"] == 360000
    assert by_code["bhyt_ho_trung_binh"]["default_amount"] == 30
    assert by_code["hoc_phi"]["default_amount"] is None  # unknown amounts stay unknown


def test_add_unit_validates_and_audits(fresh_store) -> None:
    reference.load_reference(fresh_store)
    row = reference.add_unit(fresh_store, code="00700", name="Xã Thử Nghiệm", kind="commune",
                             parent_code="01", valid_from="01/07/2025")
    assert row["id"] == "00700@2025-07-01" and row["area"] == "rural"
    assert reference.get_unit(fresh_store, "00700")["name"] == "Xã Thử Nghiệm"
    assert fresh_store.scalar("SELECT count(*) FROM audit_log WHERE row_id = '00700@2025-07-01'") == 1
    for bad, field in ((dict(code="abc"), "code"), (dict(kind="village"), "kind"), (dict(name=" "), "name"),
                       (dict(valid_to="2020-01-01"), "valid_to"), (dict(parent_code="777"), "parent_code"),
                       (dict(code="00700"), "code")):
        args = dict(code="00701", name="Phường Mới", kind="ward", parent_code="01", valid_from="2025-07-01")
        with pytest.raises(ValidationError) as err:
            reference.add_unit(fresh_store, **{**args, **bad})
        assert err.value.field == field


def test_damaged_reference_file_is_reported(tmp_path: Path, fresh_store) -> None:
    folder = tmp_path / "ref"
    shutil.copytree(resource_path("reference"), folder)
    (folder / "bodies.json").write_text("{ không phải json", encoding="utf-8")
    with pytest.raises(FileFormatError, match="bodies.json"):
        reference.load_reference(fresh_store, folder)
    assert fresh_store.scalar("SELECT count(*) FROM units") == 0  # nothing half-written


def test_shipped_reference_files_hold_consistent_rows() -> None:
    """Every shipped file parses into rows with unique ids, and every reference between them
    (a successor's units, a unit's parent, a measure's responsible body) lands on a shipped row."""
    rows = reference.shipped_rows()
    assert all(rows[table] for table in ("units", "unit_successors", "bodies", "support_measures"))
    ids = {table: [r["id"] for r in found] for table, found in rows.items()}
    assert {table: len(set(v)) for table, v in ids.items()} == {table: len(v) for table, v in ids.items()}
    units, codes = set(ids["units"]), {u["code"] for u in rows["units"]}
    assert [s["id"] for s in rows["unit_successors"]
            if s["old_unit_id"] not in units or s["new_unit_id"] not in units] == []
    assert {u["parent_code"] for u in rows["units"] if u["parent_code"]} <= codes
    assert {m["body_code"] for m in rows["support_measures"] if m["body_code"]} <= {b["code"] for b in rows["bodies"]}
    assert {u["kind"] for u in rows["units"]} <= {"province", "district", "commune", "ward", "town"}
    assert {u["area"] for u in rows["units"]} <= {"rural", "urban", None}


def test_every_unit_finds_its_province(fresh_store) -> None:
    reference.load_reference(fresh_store)
    assert reference.province_code(fresh_store, "00649") == "01"  # xã Tả Thanh Oai → huyện → Hà Nội
    assert reference.province_code(fresh_store, "00679") == "01"  # re-used code, new commune
    assert reference.province_code(fresh_store, "01") == "01"
    assert reference.province_code(fresh_store, "99999") is None


def test_an_office_covers_the_successors_after_the_reform(fresh_store) -> None:
    from datetime import date

    reference.load_reference(fresh_store)
    before = reference.units_covered(fresh_store, "020", date(2023, 1, 1))
    assert len(before) == 16 and {u["parent_code"] for u in before} == {"020"}
    after = reference.units_covered(fresh_store, "020", date(2026, 1, 1))
    # the five units that took former Thanh Trì communes whole or kept their codes; edge wards
    # that took only a part (Hà Đông, Định Công…) are not the office's
    assert sorted(u["code"] for u in after) == ["00640", "00643", "00664", "00679", "00685"]
    assert all(u["valid_from"] <= "2026-01-01" for u in after)


def test_units_for_installation_keeps_the_units_this_copy_works_with(fresh_store) -> None:
    from datetime import date
    from types import SimpleNamespace

    reference.load_reference(fresh_store)
    office = SimpleNamespace(unit_code="020", role="aggregator")
    units = reference.units_for_installation(fresh_store, office, date(2026, 1, 1))
    ids = [u["id"] for u in units]
    assert len(ids) == len(set(ids))
    codes = {u["code"] for u in units}
    # the sixteen former Thanh Trì units and the five that took them over; no other district's wards
    assert len(units) == 16 + 5 and len(codes) == 16
    assert not {"09556", "00364", "00316", "020"} & codes
    assert {u["kind"] for u in units} <= {"commune", "ward", "town"}

    kept = SimpleNamespace(unit_code="00640", role="commune")
    assert sorted(u["id"] for u in reference.units_for_installation(fresh_store, kept, "2026-01-01")) == [
        "00640@2004-01-01", "00640@2025-07-01"]
    ended = SimpleNamespace(unit_code="00646", role="commune")
    taken_over = {u["code"] for u in reference.units_for_installation(fresh_store, ended, "2026-01-01")}
    assert taken_over == {"00646"} | {s["code"] for s in reference.successors_of(fresh_store, "00646")}
    assert "00643" in taken_over and "09556" not in taken_over
    # before the reform the commune had not ended: only its own unit
    assert {u["code"] for u in reference.units_for_installation(fresh_store, ended, "2025-01-01")} == {"00646"}
