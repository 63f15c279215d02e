"""Writes of the parcels module: pushing batches, running the analysis, acting on early warnings.

Pages, the API, the task and the commands all call these; they check permissions and scope here.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from parcel_audit import AuditConfig, Finding, ParcelAuditError, SchemaError, analyze, ingest

from parcelguard.accounts.models import Jurisdiction
from parcelguard.accounts.roles import Perm, Role
from parcelguard.accounts.scoping import get_for, require
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, DomainError, Forbidden, Invalid
from parcelguard.parcels import store
from parcelguard.parcels.flow import WARNING_FLOW
from parcelguard.parcels.models import (
    AnalysisRun,
    BatchSource,
    BatchStatus,
    EarlyWarning,
    OutletDayMetric,
    OutletRisk,
    ParcelBatch,
    ParcelSettings,
    RunStatus,
    WarningStatus,
)
from parcelguard.registry.models import Site, XrayMachine
from parcelguard.trail.services import trail_append

log = logging.getLogger(__name__)

MAX_BATCH_ROWS = 5000
MAX_FILE_ROWS = 500_000
MAX_FILE_BYTES = 256 * 2**20  # a CSV of 500,000 full rows is about 230 MB
MAX_ERRORS_KEPT = 200
CONFIG = AuditConfig()
RAW_ID = re.compile(r"^\s*(\d{17}[\dXx]|\d{15})\s*$")
_RAW_ID_SENTINEL = "<raw-id-number>"  # fails the library's hash check, so the row is rejected and redacted

# The hazard type a warning becomes (events taxonomy codes). SENDER_SPREAD is a sender's behaviour, not a
# site's hazard: it stays a warning for the bureau to pass on.
HAZARD_OF_KIND = {
    "SCREENED_WHILE_DOWN": "forged_screening",
    "OVER_CAPACITY": "forged_screening",
    "SCREENED_BEFORE_ACCEPTED": "forged_screening",
    "UNKNOWN_MACHINE": "xray_not_done",
    "LOW_SCREENING": "xray_not_done",
    "LOW_REALNAME": "realname_not_done",
    "LOW_INSPECTION": "inspection_not_done",
}


# ---- pushing records ------------------------------------------------------------------------------------

def _clean(value: str | None) -> str | None:
    return None if value is None else value.replace("\x00", "")


def _check_outlets(user: Any, table: pa.Table) -> None:
    """Every outlet the batch names must be one of the pushing enterprise's registered outlets."""
    named = {v for v in table.column("outlet_id").to_pylist() if v is not None and v.strip()}
    clean = {v.strip() for v in named if "\x00" not in v and len(v) <= 40}
    own = set(Site.objects.filter(enterprise_id=user.enterprise_id, code__in=clean).values_list("code", flat=True))
    refused = sorted(_clean(v.strip()) or "" for v in named if v.strip() not in own)
    if refused:
        raise Forbidden(_("The batch names outlets that are not registered to your enterprise; nothing was "
                          "stored. Register the outlets first or correct their codes."),
                        code="outlet_not_allowed", details={"outlets": refused[:50]})


def _redact_raw_ids(table: pa.Table) -> tuple[pa.Table, set[int]]:
    """Sender values that look like raw ID numbers are replaced before anything is written; their rows are
    kept with an empty sender hash and reported with the code raw_id_number."""
    column = table.column("sender_id_hash")
    mask = pc.fill_null(pc.match_substring_regex(column, RAW_ID.pattern), False)
    rows = {i + 1 for i, hit in enumerate(mask.to_pylist()) if hit}
    if not rows:
        return table, rows
    redacted = pc.if_else(mask, pa.scalar(_RAW_ID_SENTINEL), column)
    return table.set_column(table.schema.get_field_index("sender_id_hash"), "sender_id_hash", redacted), rows


def _row_errors(path: Path, raw_rows: set[int], issues_path: Path | None = None) -> list[dict[str, Any]]:
    """Row-level problems: the rejected rows (reject file), then the rows KEPT with a malformed optional
    field emptied (parcel_audit's field-issues file; their codes: `bad_sender_hash` → `raw_id_number`
    for a raw ID number, `bad_timestamp:screened_at`, `bad_screening_result`, `bad_county_code`)."""
    errors: list[dict[str, Any]] = []
    for where, column in ((path, "reject_reason"), (issues_path, "nulled_fields")):
        if where is not None and where.exists() and len(errors) < MAX_ERRORS_KEPT:
            _read_row_errors(where, column, raw_rows, errors)
    return sorted(errors, key=lambda e: e["row"])


def _read_row_errors(path: Path, column: str, raw_rows: set[int], errors: list[dict[str, Any]]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            number = int(row["source_row"])
            codes = [c for c in row[column].split(";") if c]
            if number in raw_rows:
                codes = ["raw_id_number" if c == "bad_sender_hash" else c for c in codes]
            errors.append({"row": number, "waybill_no": _clean(row.get("waybill_no") or None), "codes": codes})
            if len(errors) >= MAX_ERRORS_KEPT:
                break


def _push(*, user: Any, table: pa.Table, source: str, filename: str = "") -> ParcelBatch:
    require(user, Perm.PARCELS_PUSH)
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise Forbidden(_("Only an enterprise account pushes parcel records."), code="not_an_enterprise")
    now = clock.now()
    batch = ParcelBatch(enterprise_id=user.enterprise_id, submitted_by=user, submitted_at=now, source=source,
                        filename=filename.replace("\x00", "")[:200], rows=table.num_rows)
    try:
        _check_outlets(user, table)
    except Forbidden as exc:
        batch.status, batch.error_code = BatchStatus.REFUSED, exc.code
        batch.save()
        raise
    table, raw_rows = _redact_raw_ids(table)
    reject_path = store.rejects_dir() / f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.csv"
    try:
        report = ingest(table, store.store_dir(), reject_path=reject_path, config=CONFIG)
    except SchemaError as exc:
        batch.status, batch.error_code = BatchStatus.REFUSED, "missing_columns"
        batch.save()
        raise Invalid(_("The file lacks required columns: %(cols)s.") % {"cols": ", ".join(exc.missing)},
                      code="missing_columns", details={"missing": exc.missing}) from exc
    except ParcelAuditError as exc:
        batch.status, batch.error_code = BatchStatus.REFUSED, "unreadable"
        batch.save()
        raise Invalid(_("The records could not be read."), code="unreadable") from exc
    batch.status = BatchStatus.ACCEPTED
    batch.rows, batch.accepted = report.rows_read, report.rows_written
    batch.duplicates, batch.rejected = report.rows_already_present, report.rows_rejected
    batch.errors = _row_errors(reject_path, raw_rows, report.field_issues_path)
    batch.dates = [d.isoformat() for d in report.dates]
    with transaction.atomic():
        batch.save()
        trail_append(actor=user, action="parcels.push", subject=f"parcel_batch:{batch.pk}",
                     payload={"rows": batch.rows, "accepted": batch.accepted, "duplicates": batch.duplicates,
                              "rejected": batch.rejected, "source": source})
    return batch


def batch_push(*, user: Any, records: Sequence[Any]) -> ParcelBatch:
    """An enterprise system's batch of contract records (section 1). Idempotent by waybill number: a
    waybill already stored is counted as a duplicate and nothing is added. A batch naming an outlet that
    is not the enterprise's own is refused whole (Forbidden, code outlet_not_allowed)."""
    require(user, Perm.PARCELS_PUSH)
    if len(records) > MAX_BATCH_ROWS:
        raise Invalid(_("A batch holds at most %(n)d records; split it.") % {"n": MAX_BATCH_ROWS},
                      code="batch_too_large", details={"max": MAX_BATCH_ROWS, "got": len(records)})
    if not records:
        raise Invalid(_("The batch is empty."), code="empty_batch")
    return _push(user=user, table=store.records_table(records), source=BatchSource.API)


def _file_table(path: Path) -> pa.Table:
    name = path.name.lower()
    conn = duckdb.connect(":memory:")
    try:
        quoted = "'" + str(path).replace("'", "''") + "'"
        if name.endswith(".parquet"):
            table = conn.sql(f"SELECT * FROM read_parquet({quoted})").to_arrow_table()
        elif name.endswith(".csv"):
            table = conn.sql(f"SELECT * FROM read_csv({quoted}, header = true, all_varchar = true)"
                                 ).to_arrow_table()
        else:
            raise Invalid(_("Send a .csv or .parquet file."), code="unknown_format")
    except duckdb.Error as exc:
        raise Invalid(_("The file could not be read."), code="unreadable") from exc
    finally:
        conn.close()
    if table.num_rows > MAX_FILE_ROWS:
        raise Invalid(_("A file holds at most %(n)d records; split it.") % {"n": MAX_FILE_ROWS},
                      code="batch_too_large")
    for column in ("outlet_id", "sender_id_hash"):
        if column in table.column_names:
            table = table.set_column(table.schema.get_field_index(column), column,
                                     pc.cast(table.column(column), pa.string()))
        elif column == "sender_id_hash":
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    if "outlet_id" not in table.column_names:
        raise Invalid(_("The file lacks required columns: %(cols)s.") % {"cols": "outlet_id"},
                      code="missing_columns", details={"missing": ["outlet_id"]})
    return table


def batch_upload(*, user: Any, upload: Any) -> ParcelBatch:
    """A CSV or Parquet file of contract records uploaded on the page; the same rules as the API."""
    require(user, Perm.PARCELS_PUSH)
    name = Path(getattr(upload, "name", "") or "records.csv").name
    suffix = ".parquet" if name.lower().endswith(".parquet") else ".csv" if name.lower().endswith(".csv") else ""
    if not suffix:
        raise Invalid(_("Send a .csv or .parquet file."), code="unknown_format")
    if (getattr(upload, "size", 0) or 0) > MAX_FILE_BYTES:
        raise Invalid(_("A file holds at most %(n)d MB; split it.") % {"n": MAX_FILE_BYTES // 2**20},
                      code="file_too_large")
    store.parcels_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.parcels_dir()) as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        table = _file_table(path)
    return _push(user=user, table=table, source=BatchSource.UPLOAD, filename=name)


# ---- the analysis ---------------------------------------------------------------------------------------

def _finding_key(f: Finding) -> str:
    start = f.window_start.isoformat(timespec="seconds") if f.window_start else ""
    return f"{f.kind}|{f.subject_type}|{f.subject_id}|{start}"[:200]


def _outlets_of_waybills(view: Path, waybills: set[str]) -> dict[str, str]:
    partitions = [p for p in sorted(view.glob("accept_date=*"))]
    if not waybills or not partitions:
        return {}
    files = ", ".join("'" + str(p / "*.parquet").replace("'", "''") + "'" for p in partitions)
    conn = duckdb.connect(":memory:")
    try:
        conn.register("wanted", pa.table({"w": pa.array(sorted(waybills), pa.string())}))
        rows = conn.execute(f"SELECT waybill_no, outlet_id FROM read_parquet([{files}], hive_partitioning = false) "
                            "WHERE waybill_no IN (SELECT w FROM wanted)").fetchall()
    finally:
        conn.close()
    return dict(rows)


def _common_path(paths: list[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) + "/" if common else ""


class _Places:
    """Where a finding belongs: the site (and machine) it is about, its county and jurisdiction path."""

    def __init__(self, view: Path, findings: list[Finding]) -> None:
        self.sites = {s.code: s for s in Site.objects.select_related("county", "enterprise")}
        self.site_by_pk = {s.pk: s for s in self.sites.values()}
        self.machines = {m.code: m for m in XrayMachine.objects.all()}
        self.root = Jurisdiction.objects.filter(parent__isnull=True).order_by("pk").first()
        loose = {w for f in findings if not self._direct(f) for w in f.waybills}
        self.outlet_of = _outlets_of_waybills(view, loose)

    def _direct(self, f: Finding) -> Site | None:
        if f.subject_type == "outlet":
            return self.sites.get(f.subject_id)
        machine = self.machines.get(f.subject_id) if f.subject_type == "machine" else None
        return self.site_by_pk.get(machine.site_id) if machine else None

    def of(self, f: Finding) -> dict[str, Any]:
        machine = self.machines.get(f.subject_id) if f.subject_type == "machine" else None
        site = self._direct(f)
        sites = [site] if site else sorted(
            {self.sites[c] for w in f.waybills if (c := self.outlet_of.get(w)) in self.sites}, key=lambda s: s.code)
        place: dict[str, Any] = {"machine": machine, "site": sites[0] if len(sites) == 1 else None}
        if not sites:
            return {**place, "enterprise": None, "county": None, "jurisdiction_path": self.root.path if self.root else ""}
        counties = {s.county_id for s in sites}
        enterprises = {s.enterprise_id for s in sites}
        return {**place, "county": sites[0].county if len(counties) == 1 else None,
                "enterprise": sites[0].enterprise if len(enterprises) == 1 else None,
                "jurisdiction_path": _common_path([s.jurisdiction_path for s in sites])}


def _complete_down_windows(findings: list[Finding], analysed: list[dt.date], regs: dict[str, pa.Table]
                           ) -> list[Finding]:
    """A down-window can be longer than the days analysed: count its screenings over every day it covers."""
    available = store.store_days()
    done: list[Finding] = []
    for f in findings:
        if f.kind != "SCREENED_WHILE_DOWN" or f.window_start is None:
            done.append(f)
            continue
        first = f.window_start.date() - dt.timedelta(days=1)
        last = f.window_end.date() if f.window_end else max(available)
        span = [d for d in available if first <= d <= last]
        if set(span) <= set(analysed):
            done.append(f)
            continue
        with store.store_view(span) as view:
            again = analyze(view, machines=regs["machines"], machine_status=regs["machine_status"],
                            outlets=regs["outlets"], config=CONFIG, kinds=["SCREENED_WHILE_DOWN"])
        match = [g for g in again.findings if _finding_key(g) == _finding_key(f)]
        done.append(match[0] if match else f)
    return done


def _risk_points(result: Any) -> dict[tuple[str, str, Any], float]:
    return {(c.kind, c.subject_id, c.window_start): c.points for r in result.risk for c in r.contributions}


def _save_warnings(run: AnalysisRun, findings: list[Finding], places: _Places,
                   points: dict[tuple[str, str, Any], float]) -> list[EarlyWarning]:
    now = clock.now()
    created: list[EarlyWarning] = []
    for f in findings:
        values = {
            "count": f.count, "severity": f.severity, "waybills": list(f.waybills),
            "window_end": store.aware(f.window_end),
            "risk_points": points.get((f.kind, f.subject_id, f.window_start), 0.0),
            "last_seen_at": now, "last_run": run,
        }
        key = _finding_key(f)
        if EarlyWarning.objects.filter(key=key).update(**values):
            continue
        try:
            with transaction.atomic():  # a run at the same moment may have created it: then update it
                warning = EarlyWarning.objects.create(
                    key=key, kind=f.kind, subject_type=f.subject_type, subject_id=f.subject_id[:100],
                    window_start=store.aware(f.window_start) or now, first_seen_at=now, first_run=run,
                    **places.of(f), **values)
        except IntegrityError:
            EarlyWarning.objects.filter(key=key).update(**values)
            continue
        created.append(warning)
    return created


def _save_metrics(result: Any, days: list[dt.date], sites: dict[str, Site]) -> None:
    rows = [OutletDayMetric(site=sites[m.outlet_id], day=m.day, parcels=m.parcels, realname_rate=m.realname_rate,
                            inspection_rate=m.inspection_rate, screening_rate=m.screening_rate,
                            suspect_count=m.suspect_count)
            for m in result.metrics if m.outlet_id in sites]
    OutletDayMetric.objects.filter(day__in=days).delete()
    OutletDayMetric.objects.bulk_create(rows, batch_size=2000)


def _save_risk(result: Any, days: list[dt.date], sites: dict[str, Site]) -> None:
    now = clock.now()
    for r in result.risk:
        site = sites.get(r.outlet_id)
        if site is None:
            continue
        OutletRisk.objects.update_or_create(site=site, defaults={
            "score": r.score, "first_day": days[0], "last_day": days[-1], "computed_at": now,
            "contributions": [{"kind": c.kind, "subject_id": c.subject_id, "severity": c.severity,
                               "window_start": c.window_start.isoformat() if c.window_start else None,
                               "points": c.points} for c in r.contributions]})


def _days_to_analyse(pending: list[list[str]], all_days: bool) -> list[dt.date]:
    available = store.store_days()
    wanted = set(available) if all_days else {dt.date.fromisoformat(d) for dates in pending for d in dates}
    if not wanted:
        return []
    # One day either side: screenings after midnight and machine runs across it.
    first, last = min(wanted) - dt.timedelta(days=1), max(wanted) + dt.timedelta(days=1)
    return [d for d in sorted(available) if first <= d <= last]


def analysis_run(*, trigger: str, user: Any = None, all_days: bool = False) -> AnalysisRun:
    """Analyse the days that received records since the last run (or every day with ``all_days``), turn
    findings into early warnings (once: a warning is keyed by kind, subject and window), store the
    outlet-day metrics and risk scores, and convert new high-severity warnings when the bureau has
    switched that on. Safe to run again: the same data gives the same warnings, no duplicates."""
    if user is not None:
        require(user, Perm.PARCELS_ANALYZE)
    pending = list(ParcelBatch.objects.filter(status=BatchStatus.ACCEPTED, analysed_at__isnull=True)
                   .values_list("pk", "dates"))
    days = _days_to_analyse([d for _pk, d in pending], all_days)
    run = AnalysisRun.objects.create(trigger=trigger[:20], requested_by=user, started_at=clock.now(),
                                     first_day=days[0] if days else None, last_day=days[-1] if days else None)
    try:
        if days:
            _analyse(run, days)
        else:
            run.status = RunStatus.NOTHING
    except Exception as exc:  # the run is recorded as failed; the error is logged for the operator
        log.exception("parcel analysis run %s failed", run.pk)
        run.status, run.message = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        ParcelBatch.objects.filter(pk__in=[pk for pk, _d in pending]).update(analysed_at=clock.now())
    run.finished_at = clock.now()
    run.save()
    return run


def analysis_request(*, user: Any, all_days: bool = False) -> None:
    """A user asks for the analysis now: checked here, run in the background once the request commits."""
    require(user, Perm.PARCELS_ANALYZE)
    from parcelguard.parcels.tasks import analyze_parcels_task

    user_id = user.pk
    transaction.on_commit(lambda: analyze_parcels_task.enqueue(trigger="on_demand", user_id=user_id,
                                                               all_days=all_days))


def _analyse(run: AnalysisRun, days: list[dt.date]) -> None:
    regs = store.registries()
    with store.store_view(days) as view:
        result = analyze(view, machines=regs["machines"], machine_status=regs["machine_status"],
                         outlets=regs["outlets"], config=CONFIG)
        findings = _complete_down_windows(list(result.findings), days, regs)
        places = _Places(view, findings)
    with transaction.atomic():
        created = _save_warnings(run, findings, places, _risk_points(result))
        _save_metrics(result, days, places.sites)
        _save_risk(result, days, places.sites)
    run.findings, run.warnings_new, run.status = len(findings), len(created), RunStatus.DONE
    run.converted = _auto_convert(run, created)


def _auto_convert(run: AnalysisRun, created: list[EarlyWarning]) -> int:
    switch = ParcelSettings.current()
    if not switch.auto_convert_high or switch.changed_by is None:
        return 0
    converted = 0
    for warning in created:
        if warning.severity != "high" or warning.kind not in HAZARD_OF_KIND or warning.site_id is None:
            continue
        try:
            warning_convert(user=switch.changed_by, warning_id=warning.pk, automatic=True)
            converted += 1
        except DomainError as exc:  # e.g. the user who switched it on has left: the warning stays new
            run.message += f"warning {warning.pk} not converted: {exc.code}\n"
    return converted


# ---- acting on warnings ---------------------------------------------------------------------------------

def _warning_data(warning: EarlyWarning) -> dict[str, Any]:
    return {"kind": warning.kind, "subject": warning.subject_id}


def _step(user: Any, warning: EarlyWarning, action: str, reason: str = "",
          extra: dict[str, Any] | None = None) -> EarlyWarning:
    """One step through the engine (WARNING_FLOW): the claim on (status, version) seen, one status change
    "warning:N", one trail entry."""
    moved: EarlyWarning = workflow.transition(
        WARNING_FLOW, user=user, pk=warning.pk, action=action, version=warning.version, reason=reason,
        changes={"status_reason": reason[:300], "status_by": user, "status_at": clock.now(), **(extra or {})},
        data=_warning_data(warning) | {k: getattr(v, "pk", v) for k, v in (extra or {}).items()})
    return moved


def _open_warning(user: Any, warning_id: int) -> EarlyWarning:
    require(user, Perm.WARNINGS_ACT)
    warning = get_for(user, EarlyWarning.objects.select_related("site", "machine"), pk=warning_id)
    if not WARNING_FLOW.is_open(warning.status):
        raise Conflict(_("This warning is already %(status)s.") % {"status": warning.get_status_display()},
                       code="warning_closed")
    return warning


def warning_acknowledge(*, user: Any, warning_id: int) -> EarlyWarning:
    warning = _open_warning(user, warning_id)
    if warning.status != WarningStatus.NEW:
        raise Conflict(_("This warning is already acknowledged."), code="warning_closed")
    return _step(user, warning, "acknowledge")


def warning_dismiss(*, user: Any, warning_id: int, reason: str) -> EarlyWarning:
    warning = _open_warning(user, warning_id)
    if len((reason or "").strip()) < 2:
        raise Invalid(_("Say why the warning is dismissed."), code="reason_required")
    return _step(user, warning, "dismiss", reason.strip())


def warning_convert(*, user: Any, warning_id: int, automatic: bool = False) -> EarlyWarning:
    """Turn a warning into a hazard event for the county centre of its site (source parcel_analysis),
    with the warning's evidence as a PDF attached. The event and the warning's step are one transaction."""
    from parcelguard.events.services import event_report

    warning = _open_warning(user, warning_id)
    hazard = HAZARD_OF_KIND.get(warning.kind)
    if hazard is None:
        raise Conflict(_("A warning of this kind does not become a hazard event."), code="not_convertible")
    if warning.site_id is None:
        raise Conflict(_("This warning concerns several sites; report the hazard at the right one by hand."),
                       code="no_single_site")
    pdf = ContentFile(evidence_pdf(warning), name=f"预警证据-{warning.pk}.pdf")
    with transaction.atomic():
        event = event_report(user=user, site_id=warning.site_id, hazard_type=hazard,
                             description=event_description(warning), severity=warning.severity,
                             source="parcel_analysis", uploads=[pdf])
        return _step(user, warning, "convert", _("automatic (high severity)") if automatic else "",
                     extra={"event": event})


def settings_set_auto_convert(*, user: Any, enabled: bool) -> ParcelSettings:
    require(user, Perm.PARCELS_ANALYZE)
    switch = ParcelSettings.current()
    with transaction.atomic():
        ParcelSettings.objects.filter(pk=switch.pk).update(auto_convert_high=enabled, changed_by=user,
                                                           changed_at=clock.now())
        trail_append(actor=user, action="parcels.auto_convert", subject="parcel_settings:1",
                     payload={"enabled": enabled})
    switch.refresh_from_db()
    return switch


# ---- the event's text and evidence ----------------------------------------------------------------------

def _t(value: dt.datetime | None) -> str:
    return "至今" if value is None else value.astimezone(store.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def event_description(w: EarlyWarning) -> str:
    """The hazard event's description, in Chinese: it is the record the county centre works from."""
    where = w.site.name if w.site else w.subject_id
    examples = "、".join(w.waybills[:5])
    texts = {
        "SCREENED_WHILE_DOWN": f"安检机 {w.subject_id} 自 {_t(w.window_start)} "
                               f"{'起至今' if w.window_end is None else '至 ' + _t(w.window_end)} 处于停用/故障状态，"
                               f"期间仍有 {w.count} 件快件记录为已过机安检，疑似伪造安检记录",
        "OVER_CAPACITY": f"安检机 {w.subject_id} 在 {_t(w.window_start)} 至 {_t(w.window_end)} 的过机记录 {w.count} 件，"
                         f"超过设备每分钟处理能力，疑似伪造安检记录",
        "SCREENED_BEFORE_ACCEPTED": f"{where} {_t(w.window_start)[:10]} 有 {w.count} 件快件的过机时间早于收寄时间",
        "UNKNOWN_MACHINE": f"{where} 的 {w.count} 件快件记录在未登记的安检机 {w.subject_id} 上过机",
        "LOW_REALNAME": f"{where} {_t(w.window_start)[:10]} 有 {w.count} 件快件未落实实名收寄",
        "LOW_INSPECTION": f"{where} {_t(w.window_start)[:10]} 有 {w.count} 件快件未落实收寄验视",
        "LOW_SCREENING": f"{where} {_t(w.window_start)[:10]} 有 {w.count} 件快件未过机安检",
    }
    text = texts.get(w.kind, f"{w.get_kind_display()}：{w.subject_id}，{w.count} 件")
    return f"【寄递数据分析预警】{text}。示例运单：{examples}。"


def evidence_pdf(w: EarlyWarning) -> bytes:
    from parcelguard.documents.services import render_pdf

    windows = list(w.machine.status_windows.all()[:10]) if w.machine_id else []
    context = {"w": w, "description": event_description(w), "windows": windows, "generated_at": clock.now()}
    return render_pdf("parcels/evidence_pdf.html", context)
