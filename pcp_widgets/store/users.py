"""The people who sign in: their role and the services they work in.

Names are kept in lower case because that is how JupyterHub gives them (its authenticators
normalise user names to lower case), so ``pcp users add Sam`` and the Hub's ``sam`` are one person.
Every change is written with an access-log entry in the same transaction ("changed a role"), so the
log cannot miss one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from pcp_widgets.access import role_key
from pcp_widgets.errors import NotFound, PcpError
from pcp_widgets.store import access_log
from pcp_widgets.store.people import clean_service, one_line
from pcp_widgets.store.tables import user_services, users, utc_now

MAX_NAME = 120


@dataclass(frozen=True)
class User:
    name: str
    role: str
    services: tuple[str, ...]
    added_at: dt.datetime
    added_by: str

    def describe(self) -> str:
        where = ", ".join(self.services) if self.services else "no services"
        return f"{self.name}: {self.role} ({where})"


def user_key(name: str) -> str:
    """A sign-in name as stored and compared, or one sentence why it cannot be one."""
    return one_line(name, MAX_NAME, "A sign-in name", "A user needs a sign-in name.").lower()


def clean_services(services) -> tuple[str, ...]:
    """Service names without stray spaces or repeats, in the order given."""
    cleaned = []
    for service in services or ():
        name = clean_service(service, "A service needs a name.")
        if name not in cleaned:
            cleaned.append(name)
    return tuple(cleaned)


def get(connection, name: str) -> User:
    key = user_key(name)
    row = connection.execute(sa.select(users).where(users.c.name == key)).mappings().first()
    if row is None:
        raise NotFound(f"{key} is not a pcp user; an admin adds people with pcp users add.")
    return _user(connection, row)


def find(connection, name: str) -> User | None:
    try:
        return get(connection, name)
    except NotFound:
        return None


def list_all(connection) -> list[User]:
    rows = connection.execute(sa.select(users).order_by(users.c.name)).mappings().all()
    return [_user(connection, row) for row in rows]


def add(connection, name: str, role: str, services, by: str) -> User:
    key, role, services = user_key(name), role_key(role), clean_services(services)
    existing = find(connection, key)
    if existing is not None:
        raise PcpError(f"{key} is already a pcp user ({existing.role}); change their role with "
                       "pcp users set-role and their services with pcp users set-services.")
    user_id = connection.execute(users.insert().values(name=key, role=role, added_at=utc_now(), added_by=by)
                                 ).inserted_primary_key[0]
    _write_services(connection, user_id, services)
    access_log.append(connection, by, "changed a role", detail=f"added {key} as {role}{_in(services)}")
    return get(connection, key)


def set_role(connection, name: str, role: str, by: str) -> User:
    user, role = get(connection, name), role_key(role)
    if user.role == "admin" and role != "admin" and _admins(connection) == 1:
        raise PcpError(f"{user.name} is the only admin; make someone else an admin first.")
    connection.execute(users.update().where(users.c.name == user.name).values(role=role))
    access_log.append(connection, by, "changed a role", detail=f"{user.name}: {user.role} to {role}")
    return get(connection, user.name)


def set_services(connection, name: str, services, by: str) -> User:
    user, services = get(connection, name), clean_services(services)
    user_id = connection.execute(sa.select(users.c.id).where(users.c.name == user.name)).scalar_one()
    connection.execute(user_services.delete().where(user_services.c.user_id == user_id))
    _write_services(connection, user_id, services)
    access_log.append(connection, by, "changed a role",
                      detail=f"{user.name}'s services: {', '.join(services) or 'none'}")
    return get(connection, user.name)


def _in(services) -> str:
    return f" in {', '.join(services)}" if services else ""


def _admins(connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(users).where(users.c.role == "admin")).scalar()


def _write_services(connection, user_id: int, services) -> None:
    if services:
        connection.execute(user_services.insert(), [{"user_id": user_id, "service": s} for s in services])


def _user(connection, row) -> User:
    services = connection.execute(
        sa.select(user_services.c.service).where(user_services.c.user_id == row["id"]).order_by(user_services.c.service)
    ).scalars().all()
    return User(row["name"], row["role"], tuple(services), row["added_at"], row["added_by"])
