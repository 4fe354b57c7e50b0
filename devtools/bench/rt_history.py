"""Benchmark: a customer's whole cross-ticket history from the store, versus asking RT REST2 for it."""

from __future__ import annotations

import asyncio
import json
import time

from oncall_tui.store import queries


async def bench_history(store, rt_connector, customer_id: str) -> dict:
    """Time a customer's whole cross-ticket history from the store vs from RT REST2.

    RT side: search the customer's tickets by requestor address, then history
    and attachments of each (what a screen without a local store would do).
    Returns seconds for both, the event ids each found and the speed-up.
    """
    started = time.perf_counter()
    local = [dict(r) for r in queries.customer_history(store, customer_id)]
    store_seconds = time.perf_counter() - started

    row = queries.get_customer(store, customer_id)
    emails = json.loads(row["emails"]) if row else []
    domains = [d for d, cid in rt_connector.config.customer_domains.items() if cid == customer_id]
    clauses = [f"Requestor.EmailAddress = '{e}'" for e in emails] + \
              [f"Requestor.EmailAddress LIKE '@{d}'" for d in domains]
    if not clauses:
        raise ValueError(f"customer {customer_id!r}: no email address or mapped domain to search RT with")
    queues = " OR ".join(f"Queue = '{q}'" for q in rt_connector.config.queues)
    started = time.perf_counter()
    tickets = await rt_connector.collect("/tickets", {
        "query": f"({queues}) AND ({' OR '.join(clauses)})", "orderby": "Created", "order": "ASC",
        "fields": "Subject,Status,Created,LastUpdated,Owner,Requestor,Queue",
        "fields[Requestor]": "EmailAddress,Name", "fields[Owner]": "Name"})
    cases = await asyncio.gather(*(rt_connector.one_case(t) for t in tickets))
    remote = sorted((ev for p in cases for ev in p.case["events"]), key=lambda e: (e["at"], e["id"]))
    rt_seconds = time.perf_counter() - started
    return {"store_seconds": store_seconds, "rt_seconds": rt_seconds,
            "speedup": rt_seconds / store_seconds if store_seconds else float("inf"),
            "store_events": [e["id"] for e in local], "rt_events": [e["id"] for e in remote],
            "tickets": len(tickets)}
