"""Every table of the reports as an Excel workbook (.xlsx), with the same numbers as the page: each
sheet is built from the report's own rows (`customer_care.reports`), never counted again.

Workbooks are written with openpyxl's write-only mode, which keeps one row in memory at a time.
Money is a number in yuan shown as ¥1,234.50; a share is a number of per cent (12.5) in a column
whose heading says (%); an average span is a number of seconds.
"""

import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from customer_care.models import Rule

MONEY = '"¥"#,##0.00;-"¥"#,##0.00'
PERCENT = "0.0"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    money: set[int] = field(default_factory=set)  # the columns (from 0) that hold yuan
    percent: set[int] = field(default_factory=set)  # the columns that hold a share in per cent


def response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    """The workbook as a download named `filename` (ASCII, e.g. awards-2026-11.xlsx)."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write(book, sheet)
    content = io.BytesIO()
    book.save(content)
    answer = HttpResponse(content.getvalue(), content_type=XLSX)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer


def _write(book: Workbook, sheet: Sheet) -> None:
    table = book.create_sheet(title=sheet.title[:31])  # Excel's limit for a sheet's name
    for index in range(len(sheet.headers)):
        letter = _column_letter(index)
        table.column_dimensions[letter].width = 18 if index == 0 else 13
    table.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in sheet.headers:
        cell = WriteOnlyCell(table, value=str(text))
        cell.font = bold
        header.append(cell)
    table.append(header)
    for row in sheet.rows:
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(table, value=str(value) if isinstance(value, Promise) else value)
            if index in sheet.money:
                cell.number_format = MONEY
            elif index in sheet.percent:
                cell.number_format = PERCENT
            cells.append(cell)
        table.append(cells)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- One builder per report ---------------------------------------------------------------------------------


def award_sheets(report: dict) -> list[Sheet]:
    rules = [Rule(value) for value in Rule.values]
    ranking = Sheet(
        title=_("Ranking"),
        headers=[
            _("Rank"),
            _("Person"),
            _("Praises"),
            _("Very satisfied"),
            *[rule.label for rule in rules],
            *([] if report["closed"] else [_("To be posted at close")]),  # a closed month's are in its rules
            _("Total"),
            _("Orders settled"),
            _("Rated average, poor or not asked"),
            _("Weak ratings (%)"),
            _("Jobs passed"),
            _("Rework"),
            _("Rework rate (%)"),
            _("Missed complaint deadlines"),
            _("Complaints at our fault"),
        ],
    )
    first_money = 4
    money_columns = len(rules) + (1 if report["closed"] else 2)
    ranking.money = set(range(first_money, first_money + money_columns))
    after = first_money + money_columns
    ranking.percent = {after + 2, after + 5}
    for row in report["rows"]:
        ranking.rows.append(
            [
                row["rank"],
                row["name"],
                row["praises"],
                row["very_satisfied"],
                *[row["rule_amounts"][rule.value] for rule in rules],
                *([] if report["closed"] else [row["coming"]]),
                row["total"],
                row["settled"],
                row["weak_ratings"],
                row["weak_share"],
                row["jobs"],
                row["reworks"] if row["jobs"] is not None else None,
                row["rework_rate"],
                row["breaches"],
                row["faults"],
            ]
        )
    prizes = Sheet(
        title=_("Awards"),
        headers=[_("Award"), _("Winner"), _("Count"), _("Amount"), _("State")],
        money={3},
    )
    state = _("Posted") if report["closed"] else _("Preview")
    for award in report["awards"]:
        prizes.rows.append([award["label"], award["name"] or "—", award["count"], award["amount"], state])
    prizes.rows.append([_("Tie rule"), report["tie_rule"], None, None, None])
    return [ranking, prizes]


def weekly_sheets(report: dict) -> list[Sheet]:
    sheet = Sheet(
        title=_("Weekly figures"),
        headers=[
            _("Advisor"),
            _("Orders settled"),
            _("Output"),
            *[rating.label for rating in report["ratings"]],
            _("Praises"),
            _("Complaints"),
        ],
        money={2},
    )
    for row in report["rows"]:
        sheet.rows.append(
            [row["name"], row["orders"], row["output"], *row["ratings"], row["praises"], row["complaints"]]
        )
    totals = report["totals"]
    sheet.rows.append(
        [_("Total"), totals["orders"], totals["output"], *totals["ratings"], totals["praises"], totals["complaints"]]
    )
    return [sheet]


def rework_sheets(report: dict) -> list[Sheet]:
    headers = [_("Jobs passed"), _("Internal rework"), _("External rework"), _("Rework rate (%)")]
    people = Sheet(title=_("Technicians"), headers=[_("Technician"), _("Team"), *headers], percent={5})
    for row in report["technicians"]:
        people.rows.append([row["name"], row["team_name"], row["jobs"], row["internal"], row["external"], row["rate"]])
    totals = report["totals"]
    people.rows.append([_("Total"), "", totals["jobs"], totals["internal"], totals["external"], totals["rate"]])
    teams = Sheet(title=_("Teams"), headers=[_("Team"), *headers], percent={4})
    for team in report["teams"]:
        teams.rows.append([team["team"], team["jobs"], team["internal"], team["external"], team["rate"]])
    return [people, teams]


def complaint_sheets(report: dict) -> list[Sheet]:
    headers = [_("Deadlines due"), _("Kept"), _("Missed"), _("Kept (%)")]
    stages = Sheet(title=_("By stage"), headers=[_("Stage"), *headers], percent={4})
    for row in report["stages"]:
        stages.rows.append([row["label"], row["due"], row["on_time"], row["late"], row["share"]])
    total = report["total"]
    stages.rows.append([_("Total"), total["due"], total["on_time"], total["late"], total["share"]])
    advisors = Sheet(title=_("By advisor"), headers=[_("Advisor"), _("Complaints"), *headers], percent={5})
    for row in report["advisors"]:
        advisors.rows.append([row["name"], row["complaints"], row["due"], row["on_time"], row["late"], row["share"]])
    return [stages, advisors]


def reception_sheets(report: dict) -> list[Sheet]:
    policy = report["policy"]
    sheet = Sheet(
        title=_("Reception timing"),
        headers=[
            _("Advisor"),
            _("Cars arrived"),
            _("Average to greeting (s)"),
            _("Average to a work bay (s)"),
            _("Greeted within %(s)d s") % {"s": policy.greet_within_s},
            _("Greeted in time (%)"),
            _("In a bay within %(s)d s") % {"s": policy.in_bay_within_s},
            _("In a bay in time (%)"),
        ],
        percent={5, 7},
    )
    for row in report["advisors"]:
        sheet.rows.append(
            [
                row["name"],
                row["arrived"],
                row["greet_s"],
                row["bay_s"],
                row["greeted_in_time"],
                row["greeted_share"],
                row["in_bay_in_time"],
                row["in_bay_share"],
            ]
        )
    total = report["total"]
    sheet.rows.append(
        [
            _("Total"),
            total["arrived"],
            None,
            None,
            total["greeted_in_time"],
            total["greeted_share"],
            total["in_bay_in_time"],
            total["in_bay_share"],
        ]
    )
    return [sheet]
