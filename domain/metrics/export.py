"""The figures of a period as a table: CSV and XLSX (the CLI export and the dashboard's download)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from domain.metrics.figures import Report


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _blank(value):
    return "" if value is None else value


def sections(report: Report) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) for each part: totals, series, cohorts, tiers, items, sources and uses."""
    t = report.totals
    totals = [
        ["sales_yuan", _yuan(t.sales_fen)], ["member_sales_yuan", _yuan(t.member_sales_fen)],
        ["member_sales_share", _blank(t.member_sales_share)], ["orders", t.orders],
        ["points_issued", t.points_issued], ["points_redeemed", t.points_redeemed], ["points_expired", t.points_expired],
        ["reward_cost_yuan", _yuan(t.reward_cost_fen)], ["points_cost_rate", _blank(t.points_cost_rate)],
        ["liability_points", t.liability_points], ["liability_yuan", _yuan(report.liability_fen)],
        ["breakage", _blank(report.breakage)], ["redemptions", t.redemptions], ["new_members", t.new_members],
        ["active_members", t.active_members], ["churned_members", t.churned_members],
        ["repurchase_rate_30d", _blank(report.repurchase_rate_30d)], ["repurchase_rate_90d", _blank(report.repurchase_rate_90d)],
        ["repurchase_lift", _blank(report.repurchase_lift)],
    ]
    series = [
        [start.isoformat(), _yuan(f.sales_fen), _yuan(f.member_sales_fen), f.points_issued, f.points_redeemed,
         f.points_expired, _blank(f.points_cost_rate), f.liability_points, f.new_members, f.active_members,
         f.churned_members, f.redemptions]
        for start, f in report.series
    ]
    return [
        ("totals", ["figure", "value"], totals),
        ("series", ["period_start", "sales_yuan", "member_sales_yuan", "points_issued", "points_redeemed", "points_expired",
                    "points_cost_rate", "liability_points", "new_members", "active_members", "churned_members", "redemptions"], series),
        ("cohorts", ["month", "members", "repurchased_30d", "repurchased_90d", "rate_30d", "rate_90d"],
         [[c.month.isoformat(), c.members, c.repurchased_30d, c.repurchased_90d, _blank(c.rate_30d), _blank(c.rate_90d)]
          for c in report.cohorts]),
        ("aov_by_tier", ["tier", "orders", "average_order_value_yuan"],
         [[v.tier.code, v.orders, _yuan(v.average_fen)] for v in report.by_tier]),
        ("redemptions_by_item", ["item_id", "item", "count", "points", "cost_yuan"],
         [[f.item.id, f.item.name, f.count, f.points, _yuan(f.cost_fen)] for f in report.by_item]),
        ("points_by_source", ["source", "points"], [[k, v] for k, v in t.issued_by_source.items()]),
        ("points_by_use", ["use", "points"], [[k, v] for k, v in t.spent_by_use.items()]),
    ]


def to_csv(report: Report) -> str:
    """One CSV: each section starts with a `# title` line and its header, a blank line between sections."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["# programme metrics", report.first.isoformat(), report.last.isoformat(),
                     "chain" if report.store_id is None else f"store {report.store_id}", report.granularity.value])
    for title, header, rows in sections(report):
        writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """One workbook, a sheet per section."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sections(report):
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
