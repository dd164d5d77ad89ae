"""The return template: its layout declared once, and the workbooks sent to owners."""
