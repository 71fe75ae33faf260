"""Uploaded task files, by stage: reading (formats and streams), checking (rows against the
project), storing (the file kept for a background job).

A file is read twice, both times as a stream: the first pass checks every row and collects
problems (nothing is written), the second pass — only for a file without problems — inserts
the tasks in chunks inside one transaction. Holding no cleaned rows in memory between passes
keeps a 100,000-row file within a few megabytes, and the write lock is held only while
inserting.
"""
