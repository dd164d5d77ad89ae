"""Validate a folder of returns and look at the problems as a DataFrame."""

import rbwm_pmf as pmf

report = pmf.validate("sample_workbooks/with_mistakes", period="2017-18-Q2")

print(report.valid)                      # False: at least one return has an error
print(len(report.errors), "errors,", len(report.warnings), "warnings")

issues = report.issues                   # one row per problem
print(list(issues.columns))

# Every error, with where it is and what to do about it.
errors = issues[issues["severity"] == "error"]
for row in errors.itertuples():
    print(f"{row.sheet}!{row.cell} [{row.code}] {row.message}")

# How each return fared: status, rows read, accepted and rejected.
for outcome in report.files:
    print(outcome.owner_id, outcome.status, outcome.rows_accepted, "of", outcome.rows_read)

# Files in the folder that are not returns (lock files, hidden files, notes).
for skipped in report.skipped:
    print("skipped:", skipped.path, "-", skipped.reason)
