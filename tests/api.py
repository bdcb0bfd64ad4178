"""A frontend's view of Orchard for tests: post operations, sign in, build the usual fixtures."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from domain.access import StaffRole
from domain.stores import passwords
from domain.stores.models import StaffUser, Store
from infra.settings import Settings
from tests.differential import DifferentialRunner

_serial = itertools.count(1)


@dataclass
class Api:
    http: httpx.AsyncClient
    settings: Settings
    clock: Any
    tokens: dict[str, str] = field(default_factory=dict)
    differential: DifferentialRunner | None = None  # both executors answer, see tests/differential.py

    async def post(self, query: str, variables: dict | None = None, *, token: str | None = None,
                   operation_name: str | None = None) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        response = await self.http.post("/graphql", json=body, headers=headers)
        self.check_executors_agreed()
        return response

    def check_executors_agreed(self) -> None:
        """Raise the differences between the two executors' answers found so far (once)."""
        if self.differential is not None and self.differential.mismatches:
            mismatches, self.differential.mismatches[:] = list(self.differential.mismatches), []
            raise AssertionError("\n\n".join(mismatches))

    async def gql(self, query: str, variables: dict | None = None, *, token: str | None = None,
                  operation_name: str | None = None) -> dict[str, Any]:
        response = await self.post(query, variables, token=token, operation_name=operation_name)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict[str, Any]:
        """The `data` of an operation that must not carry top-level errors."""
        body = await self.gql(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    async def login(self, email: str, password: str) -> str:
        data = await self.data(
            "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }",
            {"i": {"email": email, "password": password}},
        )
        assert data["staffLogin"]["errors"] == [], data
        return data["staffLogin"]["token"]

    async def make_store(self, code: str | None = None) -> Store:
        n = next(_serial)
        return await Store.create(code=code or f"ST-{n}", name=f"Store {n}")

    async def make_staff(self, role: StaffRole, store: Store | None = None, password: str = "correct horse") -> tuple[StaffUser, str]:
        """A staff account and a signed-in token for it."""
        n = next(_serial)
        staff = await StaffUser.create(
            email=f"staff{n}@test.orchard", name=f"Staff {n}", role=role.value, store=store,
            password_hash=passwords.hash_password(password, self.settings.password_profile),
        )
        return staff, await self.login(staff.email, password)

    async def admin_token(self) -> str:
        return (await self.make_staff(StaffRole.CHAIN_ADMIN))[1]
