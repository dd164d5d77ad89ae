"""Consolidation: merge the accepted values, rate every indicator, count Table 1, track returns."""
