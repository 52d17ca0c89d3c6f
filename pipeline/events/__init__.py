"""Merging article-level mentions into real-world events (pure and deterministic).

Why this design (issue 9): mentions are the truth and events are derived. Every mention carries
*block keys* (type | participant | month of every day its date window touches); two mentions can
only merge if they share a key, so the events of a set of mentions are recomputed from the
closure of their keys alone. The clustering is a function of that set (sorted, greedy
complete-linkage, ids from each cluster's earliest mention), so the same articles in any order,
by any number of workers, give the same events with the same ids; reprocessing or deleting an
article recomputes the keys it had and leaves nothing stale. The store serializes recomputation
per key with Redis locks (``workers/store.py``).

- :mod:`pipeline.events.mention`: the :class:`Mention` type (one event in one article);
- :mod:`pipeline.events.blocking`: date windows, block keys, the compatibility predicate;
- :mod:`pipeline.events.merge`: clusters of mentions → :class:`Event`.
"""
