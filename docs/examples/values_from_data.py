"""Consolidate figures held in a DataFrame with the owners' Excel returns, and rate a frame of
values without any file."""

from pathlib import Path

import pandas as pd

import rbwm_pmf as pmf

# Revenues and Benefits sends no return: its three indicators come from the revenues system.
# A percentage is in points: 57.9 is 57.9%.
revenues = pd.DataFrame({
    "indicator_id": ["5.2", "6.1", "6.2", "5.2", "6.1", "6.2"],
    "period": ["2017-18-Q1"] * 3 + ["2017-18-Q2"] * 3,
    "actual": [18.5, 30.1, 30.8, 20.6, 57.9, 58.6],
    "commentary": ["", "", "", "Two assessors left in July.", "", ""],
    "mitigation": ["", "", "", "Two replacement assessors started on 18 September.", "", ""],
})

# Every other owner's returns, as Excel files.
returns = [p for p in sorted(Path("sample_workbooks/returns").rglob("*.xlsx"))
           if "-REV-" not in p.name]

result = pmf.consolidate(returns, period="2017-18-Q2", values={"revenues": revenues})
print(result.summary)
print(result.table1.loc["Total"].tolist())
row = result.current.set_index("indicator_id").loc["5.2"]
print(row["actual"], row["status"], row["source_cell"])

# The same Table 1 as the Excel returns of all fourteen owners give.
everyone = pmf.consolidate("sample_workbooks/returns", period="2017-18-Q2")
print(result.table1.equals(everyone.table1))

# A problem is reported at the table's own cell, as it would be in an Excel return.
typed = revenues.astype({"actual": object})
typed.loc[4, "actual"] = "about 58"
for issue in pmf.validate(values={"revenues": typed}).records:
    print(issue.location, issue.code, issue.message)

# Rate a frame of values without any file: status, reason and direction added.
rated = pmf.rate_values(revenues)
for row in rated[rated["period"] == "2017-18-Q2"].itertuples():
    print(row.indicator_id, row.status, row.direction, "|", row.reason)
