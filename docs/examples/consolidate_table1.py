"""Consolidate a year's returns, read Table 1 and the summary, and find the exceptions."""

import rbwm_pmf as pmf

# A folder with a subfolder per quarter; the period is the quarter to report.
result = pmf.consolidate("sample_workbooks/returns", period="2017-18-Q2")

print(result.summary)
print(result.table1)                     # priority x Green, Amber, Red, Total
print(result.shares)                     # whole percent of rated indicators
print(result.table1.loc["Total", "Green"])

# One row per indicator for the reporting quarter: actual, target, status, reason, ...
current = result.current
exceptions = current[current["status"].isin(["Amber", "Red"])]
for row in exceptions.itertuples():
    print(row.indicator_id, row.status, row.reason)

# The chase list: who has sent what.
print(result.tracker[["owner_id", "returns_received", "returns_valid", "status"]])
