"""bench/run.py's parts: tools and processes, peers, load generators, workloads, reports."""
