"""Operator commands on the service's database (EXCHANGE_DATABASE_URL), run beside it.

    python -m app.admin keys create            # a mediator key; the token is printed once
    python -m app.admin keys list              # ids, roles, cases; never tokens
    python -m app.admin keys revoke KEY_ID
    python -m app.admin audit verify           # exit 1 when the chain is broken
    python -m app.admin purge                  # apply the retention period now

Creating the first mediator key switches authentication on for the running service.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.audit import AuditLog
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.key_store import KeyStore
from app.retention import purge_expired


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.admin", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="mediator API keys").add_subparsers(
        dest="action", required=True
    )
    keys.add_parser("create", help="create a mediator key and print its token once")
    keys.add_parser("list", help="list every key (ids, roles, cases; no tokens)")
    revoke = keys.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="action", required=True
    )
    audit.add_parser("verify", help="recompute the hash chain")
    commands.add_parser("purge", help="purge cases and plans past the retention period")
    arguments = parser.parse_args(argv)

    settings = Settings()
    engine = make_engine(settings)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        store = KeyStore(sessions)
        if arguments.command == "keys" and arguments.action == "create":
            record, token = store.issue("mediator")
            _out(f"key id: {record.id}")
            _out(f"token:  {token}")
            _out("The token is shown this once; only its SHA-256 is stored.")
            return 0
        if arguments.command == "keys" and arguments.action == "list":
            for record in store.all():
                revoked = f" revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else ""
                case = f" case {record.case_id}" if record.case_id else ""
                _out(
                    f"{record.id} {record.role}{case} created {record.created_at:%Y-%m-%d}{revoked}"
                )
            return 0
        if arguments.command == "keys" and arguments.action == "revoke":
            if not store.revoke(arguments.key_id):
                _out(f"no active key {arguments.key_id}", error=True)
                return 1
            _out(f"revoked {arguments.key_id}")
            return 0
        if arguments.command == "audit":
            check = AuditLog(sessions).verify()
            if check.first_broken is None:
                _out(f"audit chain intact: {check.entries} entries, last hash {check.last_hash}")
                return 0
            broken = check.first_broken
            _out(f"audit chain broken at entry {broken.seq}: {broken.reason}", error=True)
            return 1
        purged_cases, purged_plans = purge_expired(settings, sessions, AuditLog(sessions), engine)
        _out(f"purged {purged_cases} case(s) and {purged_plans} plan(s)")
        return 0
    finally:
        engine.dispose()


def _out(line: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(line + "\n")


if __name__ == "__main__":
    sys.exit(main())
