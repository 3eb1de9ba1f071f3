"""The ``users`` table: rows in, rows out. The rules (token format, names, roles) are ``core.users``'s."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, exists, inspect, select, update
from sqlalchemy.exc import IntegrityError

from core.ledger.schema import users
from core.models import Role


class UserRow(BaseModel):
    name: str
    role: Role
    token_hash: str
    created_at: datetime
    token_created_at: datetime
    revoked_at: datetime | None = None
    email: str | None = None


class UserTable:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def insert(self, row: UserRow) -> bool:
        """False when a user of that name (or, never in practice, that token) is already there."""
        try:
            with self.engine.begin() as db:
                db.execute(users.insert().values(row.model_dump()))
        except IntegrityError:
            return False
        return True

    def by_name(self, name: str) -> UserRow | None:
        with self.engine.connect() as db:
            row = db.execute(select(users).where(users.c.name == name)).mappings().first()
        return None if row is None else UserRow(**row)

    def by_token_hash(self, token_hash: str) -> UserRow | None:
        with self.engine.connect() as db:
            row = db.execute(select(users).where(users.c.token_hash == token_hash)).mappings().first()
        return None if row is None else UserRow(**row)

    def all(self) -> list[UserRow]:
        with self.engine.connect() as db:
            return [UserRow(**row) for row in db.execute(select(users).order_by(users.c.name)).mappings()]

    def any(self) -> bool:
        """Whether any user was ever added (revoked ones count: a team server never reopens to anyone)."""
        with self.engine.connect() as db:
            return bool(db.scalar(select(exists().select_from(users))))

    def created(self) -> bool:
        """Whether the table exists: a ledger last migrated before the user store has none (and so no users)."""
        return inspect(self.engine).has_table(users.name)

    def set_token(self, name: str, token_hash: str, at: datetime) -> bool:
        """A new token for ``name`` (the old one stops working), and the user active again; False if unknown."""
        statement = (update(users).where(users.c.name == name)
                     .values(token_hash=token_hash, token_created_at=at, revoked_at=None))
        with self.engine.begin() as db:
            return db.execute(statement).rowcount == 1

    def set_email(self, name: str, email: str | None) -> bool:
        """``name``'s notice address (None: no notices); False if unknown."""
        with self.engine.begin() as db:
            return db.execute(update(users).where(users.c.name == name).values(email=email)).rowcount == 1

    def with_email(self, roles: list[Role]) -> list[UserRow]:
        """The active users of ``roles`` who have an e-mail address, by name."""
        query = (select(users).where(users.c.role.in_([role.value for role in roles]), users.c.email.is_not(None),
                                     users.c.revoked_at.is_(None)).order_by(users.c.name))
        with self.engine.connect() as db:
            return [UserRow(**row) for row in db.execute(query).mappings()]

    def revoke(self, name: str, at: datetime) -> bool:
        """Mark ``name`` revoked (once: a second revoke keeps the first time); False if unknown."""
        with self.engine.begin() as db:
            if db.execute(update(users).where(users.c.name == name, users.c.revoked_at.is_(None))
                          .values(revoked_at=at)).rowcount == 1:
                return True
            return db.scalar(select(exists().where(users.c.name == name))) or False
