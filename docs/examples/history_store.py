"""Compare with last year: past outturns into a history store, a report over several years, and
the quarter recorded for next year's."""

import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# The store is one SQLite file; this example makes a new one in a folder of its own.
store_path = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-")) / "history.sqlite"

# A register per year: by default the packaged RBWM 2017/18 and 2018/19 registers.
registers = pmf.load_registers()
print(registers.years)

# The 2016/17 outturn, kept in a spreadsheet before rbwm-pmf: checked, then recorded whole.
imported = pmf.import_history("sample_workbooks/history/2016-17-outturn.csv", store_path)
print(imported.sentence)

# Every year's returns in one folder: the 2017/18 returns give the same quarter last year.
result = pmf.consolidate("sample_workbooks/returns", period="2018-19-Q2", history=store_path)
print(result.sentences.last_year)
row = result.current.set_index("indicator_id").loc["6.3"]
print(row["actual"], row["same_quarter_last_year"], row["direction_on_last_year"])
print(row["series"])                      # the last eight quarters, oldest first
print(row["history_note"])
print(result.trend[["label", "rated", "green", "on_target_share"]].tail(3))

# Record the quarter reported once no return has errors; recording it again changes nothing.
if result.valid:
    with pmf.HistoryStore(store_path) as store:
        print(result.record(store).sentence)
        print(result.record(store).sentence)
        print(store.series("6.3")[["period", "indicator_id", "actual", "status"]])

# The annual report: the year asked for as a year, made at its fourth quarter.
annual = pmf.consolidate("sample_workbooks/returns", period="2017-18")
print(annual.sentences.year_end)
print(annual.year_end[["indicator_id", "annual_outturn", "annual_target", "met"]].head(3))
