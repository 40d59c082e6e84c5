"""bench/run.py's run with a read replica (issue 28): the default page's throughput under gunicorn with one
database server (the primary answers everything) and with two (DATABASE_REPLICA_URLS: a streaming replica of
the primary made for the run with pg_basebackup, as tests/ops/test_read_replicas.py makes it), in one run so
that the two figures share the machine's state. The replica's own counters (pg_stat_database) show that the
reads went there.

On one machine both servers share the same cores: the ratio is what routing to a replica costs or saves
here, not the capacity a second machine would add (docs/performance.md)."""

import time

import psycopg

from tests.ops.replica import StreamingReplica, query


def replica_reads(replica: StreamingReplica, database: str) -> tuple[int, int]:
    """The replica's committed transactions and rows returned in `database` so far."""
    time.sleep(1.5)  # PostgreSQL flushes a backend's statistics at most once a second
    return query(
        replica.conninfo(), "SELECT xact_commit, tup_returned FROM pg_stat_database WHERE datname = %s", database
    )


def measure_with_a_replica(args, raw_key: str, company_id, measure_throughput, target: tuple[str, str]) -> list[dict]:
    replica = StreamingReplica()
    print("  making a streaming replica (pg_basebackup) ...")
    replica.create()
    rows = []
    try:
        replica.catch_up(timeout=600)
        for servers, extra in ((1, {}), (2, {"DATABASE_REPLICA_URLS": replica.url(args.database)})):
            before = replica_reads(replica, args.database)
            measured = measure_throughput(args, raw_key, company_id, extra_env=extra, targets=[target])
            after = replica_reads(replica, args.database)
            for row in measured:
                rows.append(
                    {
                        "servers": servers,
                        **row,
                        "replica_transactions": after[0] - before[0],
                        "replica_rows": after[1] - before[1],
                    }
                )
    except psycopg.Error as error:
        raise SystemExit(f"the replica run failed: {error}\n{replica.log()}") from error
    finally:
        replica.remove()
    return rows


def replica_report(runs: list[dict]) -> list[str]:
    rows = [row for run in runs for row in run.get("replica", [])]
    if not rows:
        return []
    lines = [
        "## Throughput with a read replica",
        "",
        "Default first page under gunicorn (gunicorn.conf.py, the same workers), wrk on the same machine; 1 server: "
        "the primary answers every read; 2 servers: DATABASE_REPLICA_URLS names a streaming replica of it on "
        "this machine. The replica's committed transactions in the bench database (pg_stat_database, its state "
        "checks included: about one a second per process) show where the reads went.",
        "",
        "| run | servers | connections | req/s | ratio 2/1 | p50 ms | p99 ms | errors | replica transactions |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, run in enumerate(runs, start=1):
        single = {row["concurrency"]: row["rps"] for row in run.get("replica", []) if row["servers"] == 1}
        for row in run.get("replica", []):
            alone = single.get(row["concurrency"])
            ratio = row["rps"] / alone if row["servers"] == 2 and alone else None
            lines.append(
                f"| {number} | {row['servers']} | {row['concurrency']} | {row['rps']:.0f} | "
                f"{'' if ratio is None else f'{ratio:.2f}'} | {row['p50']:.1f} | {row['p99']:.1f} | {row['errors']} | "
                f"{row['replica_transactions']:,} |"
            )
    return [*lines, ""]
