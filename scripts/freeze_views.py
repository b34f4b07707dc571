"""Copy sql/analytics/*.sql into an unreleased migration's VIEWS list (its frozen copy).

    .venv/bin/python scripts/freeze_views.py migrations/versions/0003_more_analytics_views.py

Only for a migration that has not been released: a released migration is never edited; a
changed view gets a new migration. The views listed in ORDER (dependency order) whose .sql file
exists are frozen; tests/analytics/test_views.py checks every file is frozen as it is. Kinds:
materialized (data in mart, a plain view of it in analytics), internal (a materialized view in
mart that only other views read), plain (a view in analytics).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = {
    "0002": [
        ("category_bits", "materialized"),
        ("category_tree", "materialized"),
        ("order_facts", "internal"),
        ("order_line_facts", "internal"),
        ("sales_daily", "materialized"),
        ("orders_daily", "materialized"),
        ("sales_periods", "materialized"),
        ("order_periods", "materialized"),
        ("customer_summary", "materialized"),
        ("kpi_monthly", "materialized"),
        ("customer_rfm", "materialized"),
        ("rfm_segment_summary", "materialized"),
        ("countries", "plain"),
        ("rfm_segments", "plain"),
        ("data_freshness", "plain"),
    ],
    "0003": [
        ("cohort_retention", "materialized"),
        ("product_sales_periods", "materialized"),
        ("product_performance", "materialized"),
        ("category_performance", "materialized"),
        ("basket_pairs", "materialized"),
        ("geo_sales", "materialized"),
        ("geo_top_cities", "materialized"),
        ("channel_performance", "materialized"),
        ("seasonality_weekday_hour", "materialized"),
        ("seasonality_month", "materialized"),
        ("traffic_daily", "materialized"),
        ("order_customers", "materialized"),
    ],
    "0008": [
        ("order_line_facts", "internal"),
        ("product_sales_periods", "materialized"),
        ("sales_daily", "materialized"),
        ("geo_sales", "materialized"),
        ("kpi_monthly", "materialized"),
        ("product_performance", "materialized"),
        ("sales_periods", "materialized"),
        ("seasonality_month", "materialized"),
        ("basket_pairs", "materialized"),
        ("category_performance", "materialized"),
    ],
    "0010": [
        ("sales_periods", "materialized"),
        ("order_periods", "materialized"),
    ],
    "0011": [
        ("sales_periods", "materialized"),
        ("order_periods", "materialized"),
        ("product_sales_periods", "materialized"),
    ],
    "0013": [
        ("sales_daily", "materialized"),
        ("orders_daily", "materialized"),
        ("order_customers", "materialized"),
        ("sales_periods", "materialized"),
        ("order_periods", "materialized"),
        ("product_sales_periods", "materialized"),
        ("geo_top_cities", "materialized"),
    ],
    "0014": [
        ("sales_daily", "materialized"),
        ("orders_daily", "materialized"),
        ("sales_periods", "materialized"),
        ("order_periods", "materialized"),
    ],
    "0015": [
        ("active_customer_days", "materialized"),
    ],
    "0016": [
        ("product_sales_running", "materialized"),
    ],
    "0017": [
        ("customers_at_risk", "plain"),
        ("clv_bands", "plain"),
        ("customer_segment_profiles", "plain"),
    ],
    "0018": [
        ("order_customers", "materialized"),
    ],
    "0019": [
        ("order_facts", "internal"),
        ("cohort_retention", "materialized"),
        ("customer_summary", "materialized"),
        ("geo_top_cities", "materialized"),
        ("order_customers", "materialized"),
        ("orders_daily", "materialized"),
        ("seasonality_weekday_hour", "materialized"),
        ("active_customer_days", "materialized"),
        ("channel_performance", "materialized"),
        ("customer_base", "materialized"),
        ("customer_rfm", "materialized"),
        ("geo_sales", "materialized"),
        ("kpi_monthly", "materialized"),
        ("order_periods", "materialized"),
        ("product_performance", "materialized"),
        ("seasonality_month", "materialized"),
        ("basket_pairs", "materialized"),
        ("category_performance", "materialized"),
        ("rfm_segment_summary", "materialized"),
    ],
    "0020": [
        ("order_line_facts", "internal"),
        ("product_sales_periods", "materialized"),
        ("sales_daily", "materialized"),
        ("geo_sales", "materialized"),
        ("kpi_monthly", "materialized"),
        ("product_performance", "materialized"),
        ("product_sales_running", "materialized"),
        ("sales_periods", "materialized"),
        ("seasonality_month", "materialized"),
        ("basket_pairs", "materialized"),
        ("category_performance", "materialized"),
    ],
    "0021": [
        ("order_periods", "materialized"),
    ],
    "0022": [
        ("order_customers", "materialized"),
        ("active_customer_days", "materialized"),
        ("customer_rfm", "materialized"),
        ("rfm_segment_summary", "materialized"),
        ("cohort_retention", "materialized"),
    ],
    "0023": [
        ("order_line_facts", "internal"),
        ("product_sales_periods", "materialized"),
        ("sales_daily", "materialized"),
        ("geo_sales", "materialized"),
        ("kpi_monthly", "materialized"),
        ("product_performance", "materialized"),
        ("product_sales_running", "materialized"),
        ("sales_periods", "materialized"),
        ("seasonality_month", "materialized"),
        ("basket_pairs", "materialized"),
        ("category_performance", "materialized"),
    ],
    "0024": [
        ("kpi_monthly", "materialized"),
    ],
    "0025": [
        ("seasonality_month", "materialized"),
    ],
    "0009": [
        ("channel_performance", "materialized"),
        ("customer_base", "materialized"),
    ],
    "0006": [
        ("sales_periods", "materialized"),
        ("category_performance", "materialized"),
        ("basket_pairs", "materialized"),
        ("data_freshness", "plain"),
    ],
    "0005": [
        ("model_metrics", "plain"),
        ("sales_forecast", "plain"),
        ("forecast_backtests", "plain"),
        ("customer_scores", "plain"),
        ("anomalies", "plain"),
        ("customer_segments", "plain"),
        ("product_segments", "plain"),
    ],
}


def main(path: str) -> None:
    migration = Path(path)
    revision = migration.name.split("_")[0]
    text = migration.read_text()
    block = re.search(r"^VIEWS = \[(?:\]|\n.*?^\])\n", text, flags=re.M | re.S)
    entries = []
    for name, kind in ORDER[revision]:
        sql_file = ROOT / "sql" / "analytics" / f"{name}.sql"
        if sql_file.exists():
            entries.append(f"    ({name!r}, {kind!r}, {sql_file.read_text()!r}),\n")
    frozen = "VIEWS = [\n" + "".join(entries) + "]\n"
    migration.write_text(text[: block.start()] + frozen + text[block.end() :])
    # Format as CI's `ruff format --check` expects, so freezing never breaks the lint step.
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(migration)], check=True)
    print(f"froze {len(entries)} views into {migration.name}")


if __name__ == "__main__":
    main(sys.argv[1])
