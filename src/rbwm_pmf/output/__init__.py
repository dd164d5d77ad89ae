"""Outputs: the consolidated workbook, owners' feedback copies and the accessibility check."""
