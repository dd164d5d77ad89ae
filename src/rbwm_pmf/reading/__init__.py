"""Reading returns: finding the files, the guarded .xlsx reader, what each cell means, workers."""
