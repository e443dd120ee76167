"""jq on a document: a program runs in a worker process of its own, and its outputs become a new document.

`run.run_program` starts `worker.py` as a new Python interpreter (never a fork of the viewer) with an
empty environment, feeds it the program and the served text, and reads back the outputs as libjq wrote them.
"""
