"""`python -m rbwm_pmf` runs the command line."""

from .cli import main

main()
