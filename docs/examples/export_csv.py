"""Export the consolidated results as tidy CSV and JSON for BI tools."""

import json
import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# Everything this example writes goes into a new folder of its own; use a folder of yours.
out = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-"))

result = pmf.consolidate("sample_workbooks/returns", period="2017-18-Q2")

# data.csv, table1.csv, issues.csv, tracker.csv and sources.csv
for path in result.to_csv(out / "csv"):
    print(path)

# The long table: one row per indicator and quarter of the year to date.
print(result.data[["period", "indicator_id", "actual", "target", "status"]].head())

# Everything as one JSON document (what `rbwm-pmf consolidate --format json` prints).
with open(out / "q2.json", "w", encoding="utf-8") as f:
    json.dump(result.to_dict(), f, ensure_ascii=False, indent=2, default=str)
print(sorted(result.to_dict()))
