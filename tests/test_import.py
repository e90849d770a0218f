"""`diarium import`: a legacy diary (CSV, XLSX) taken over with its old dnrs and real dates,
every row checked before anything is written, a re-run adding nothing (docs/import.md)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from diarium.cases.application import Diarium
from diarium.web.cli.main import main
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.files_support import pdf_bytes

EXAMPLE = Path(__file__).parent.parent / "docs" / "import" / "legacy-diary.csv"
HEADING = "dnr,title,registered_on,body,officer,status,closed_on,documents,decisions"
GOOD = "1-2021,Ett bra ärende,2021-02-01,RS,,pågående,,,"
# row (as a spreadsheet numbers it: the heading is 1, GOOD is 2) → (its text, the column
# at fault, a word of the reason); row 11 is good too
FAULTY = {
    3: ("2-2021,Framtida,2999-01-01,RS,,pågående,,,", "registered_on", "no-future-date"),
    4: ("3-2021,Okänd nämnd,2021-02-01,XX,,pågående,,,", "body", "XX"),
    5: ("RS 2021/4,Fel format,2021-02-01,RS,,pågående,,,", "dnr", "dnr-format"),
    6: ("5-2021,Vilande,2021-02-01,RS,,vilande,,,", "status", "vilande"),
    7: ("6-2021,Fil saknas,2021-02-01,RS,,pågående,,2021-02-01|in|A|Brev|saknas.pdf,",
        "documents", "saknas.pdf"),
    8: ("7-2021,Avslutad före,2021-02-01,RS,,avslutat,2021-01-01,,", "closed_on", "före"),
    9: ("1-2021,Dubblett,2021-02-01,RS,,pågående,,,", "dnr", "mer än en rad"),
    10: ("9-2021,Okänd punkt,2021-02-01,RS,,pågående,,,2021-03-01|Regiondirektören|9.9|Beslut",
        "decisions", "delegation-point-unknown"),
    11: ("10-2021,Paragraf,2021-02-01,RS,,pågående,,,2021-03-01|RS|5|Beslut", "", ""),
    12: ("11-2021,Samma paragraf,2021-02-01,RS,,pågående,,,2021-03-02|RS|5|Beslut",
         "decisions", "paragraph-taken"),
    13: ("12-2021,Beslut efter,2021-02-01,RS,,avslutat,2021-02-02,,2021-03-02|RS|6|Beslut",
         "decisions", "efter avslutet"),
    14: ("13-2021,Fil utanför,2021-02-01,RS,,pågående,,2021-02-01|in|A|Brev|../../etc/passwd,",
         "documents", "utanför"),
}


def run(database_url: str, *args: str) -> int:
    try:
        main(["--database-url", database_url, "import", *args])
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The documented example diary, with the PDF its first case's document names."""
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    (tmp_path / "filer").mkdir()
    (tmp_path / "filer" / "remiss-1310-2019.pdf").write_bytes(pdf_bytes("Remiss avfallsplan"))
    return tmp_path / EXAMPLE.name


def test_faulty_rows_are_each_reported_and_nothing_is_written(
    diarium: Diarium, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("\n".join([HEADING, GOOD, *(r for r, *_ in FAULTY.values())]) + "\n")
    before = diarium.recorder.max_notification_id()

    assert run(database_url, str(legacy)) == 1

    out = capsys.readouterr().out
    faults = [line for line in out.splitlines() if line.startswith("fel: ")]
    at_fault = {row: fault for row, fault in FAULTY.items() if fault[1]}
    assert len(faults) == len(at_fault), out
    for row, (_, column, reason) in at_fault.items():
        assert any(f.startswith(f"fel: rad {row}, {column}: ") and reason in f
                   for f in faults), (row, out)
    assert "inget importerades" in out
    assert diarium.recorder.max_notification_id() == before


def test_dry_run_reports_and_writes_nothing(
    diarium: Diarium, database_url: str, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = diarium.recorder.max_notification_id()
    assert run(database_url, str(example), "--dry-run") == 0
    shown = capsys.readouterr()
    assert "4 nya ärenden" in shown.out and "inget skrevs" in shown.out
    # progress on stderr: plain lines when not a terminal (web/cli/progress.py)
    assert "diarium: kontrollerar: 4 rader in " in shown.err
    assert diarium.recorder.max_notification_id() == before


def assert_imported(diarium: Diarium) -> None:
    """The example's cases, with their old dnrs, documents, file, decisions and dates."""
    closed = diarium.get_case("1310-2019")
    assert closed.migrated and closed.migrated_source == "legacy-diary.csv dnr 1310-2019"
    assert (closed.registered_on, closed.status, closed.closed_on) == (
        date(2019, 3, 4), "closed", date(2019, 6, 20))
    assert [d.description for d in closed.documents] == [
        "Remiss om regional avfallsplan", "Yttrande över remissen"]
    assert closed.documents[0].date == date(2019, 3, 4)
    version, data = diarium.files.read("1310-2019", 1, 1, _admin())
    assert version.media_type == "application/pdf" and data.read().startswith(b"%PDF")
    [decision] = closed.decisions
    assert (decision.body, decision.paragraph, decision.decided_on) == (
        "RS", 112, date(2019, 5, 8))
    assert decision.historical_source == "legacy-diary.csv dnr 1310-2019"
    assert diarium.bodies.paragraph_year("RS", 2019).historical[112] == "1310-2019"

    open_case = diarium.get_case("1311-2019")
    assert (open_case.status, open_case.officer) == ("open", "Per Lind")
    [delegated] = open_case.decisions
    assert (delegated.delegate, delegated.delegation_point) == ("Regiondirektören", "2.3.8")
    assert diarium.bodies.delegated_decisions("HSN")[-1].dnr == "1311-2019"

    cancelled = diarium.get_case("12-2020")
    assert (cancelled.status, cancelled.cancelled_on) == ("cancelled", date(2020, 1, 9))

    secret = diarium.get_case("13-2020")  # marked secret in the write that registers it
    assert (secret.public_title, secret.secrecy.statute) == ("Orosanmälan", "OSL 26:1")
    assert secret.secrecy.marked_on == date(2020, 1, 10)


def _admin():  # type: ignore[no-untyped-def]
    from diarium.domain.actor import Actor

    return Actor("tester", roles=("admin", "registrar", "archivist"))


def test_import_keeps_old_dnrs_and_dates_and_a_rerun_adds_nothing(
    diarium: Diarium, database_url: str, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, str(example)) == 0
    assert "4 ärenden importerade" in capsys.readouterr().out
    assert_imported(diarium)
    after = diarium.recorder.max_notification_id()

    assert run(database_url, str(example)) == 0
    out = capsys.readouterr().out
    assert "0 nya ärenden, 4 redan importerade" in out
    assert diarium.recorder.max_notification_id() == after

    changed = example.with_name("changed.csv")
    changed.write_text(example.read_text().replace("Felregistrerad", "Annan"))
    assert run(database_url, str(changed)) == 1
    assert "rad 4, dnr: 12-2020 är redan registrerat med andra uppgifter" in (
        capsys.readouterr().out)


def test_a_new_number_of_the_year_passes_the_imported_ones(
    diarium: Diarium, database_url: str, example: Path
) -> None:
    from diarium.domain.actor import Actor
    from diarium.domain.case.lifecycle import RegisterCase

    assert run(database_url, str(example)) == 0
    by = Actor("tester", roles=("registrar",))
    given = [
        diarium.handle(RegisterCase(f"Nytt {n}", "SN", registered_on=date(2020, 2, 1)), by).dnr
        for n in range(14)
    ]
    # the series hands out 1–11, then passes the imported 12-2020 and 13-2020
    assert given == [f"{n}-2020" for n in (*range(1, 12), 14, 15, 16)]


def test_xlsx_and_semicolon_csv_are_read_alike(
    diarium: Diarium, database_url: str, example: Path
) -> None:
    from openpyxl import Workbook

    with example.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    for row in rows[:2]:  # 1310-2019 in XLSX, with a real date cell
        book.active.append([date(2019, 3, 4) if v == "2019-03-04" else v for v in row])
    book.save(example.with_suffix(".xlsx"))
    semicolon = example.with_name("semikolon.csv")
    with semicolon.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([rows[0], *rows[2:]])

    assert run(database_url, str(example.with_suffix(".xlsx")), "--source",
               "legacy-diary.csv") == 0
    assert run(database_url, str(semicolon), "--source", "legacy-diary.csv") == 0
    assert_imported(diarium)


def test_imported_cases_reach_the_public_diary_with_their_dates_and_secrecy(
    app, client_as, database_url: str, example: Path  # type: ignore[no-untyped-def]
) -> None:
    assert run(database_url, str(example)) == 0
    app.extensions["diarium_projector"].catch_up()
    public = client_as(None)  # no token: the public

    listed = public.get("/diarium?from=2019-03-01&to=2019-03-31").get_data(as_text=True)
    assert "1310-2019" in listed and "1311-2019" in listed and "13-2020" not in listed
    page = public.get("/diarium/1310-2019").get_data(as_text=True)
    assert "Regional avfallsplan" in page and "2019-03-04" in page
    for path in ("/diarium?q=Orosanmälan", "/diarium/13-2020"):
        shown = public.get(path).get_data(as_text=True)
        assert "Orosanmälan" in shown and "Kim Andersson" not in shown, path
