"""Rate a value against an indicator's target, as consolidation does."""

import rbwm_pmf as pmf
from rbwm_pmf.model.rating import direction_of_travel

fw = pmf.load_framework()
indicator = fw.indicator("1.4")          # % still at home 91 days after reablement, target 85%
assert indicator is not None

for actual in (86.0, 82.9, 80.75, 80.7, None):
    rating = pmf.rate(indicator, 2, actual)
    print(actual, rating.status, "|", rating.reason)

# Direction of travel: Q2 against Q1, knowing which way is better.
print(direction_of_travel(indicator, 2, 82.9, 83.9))
