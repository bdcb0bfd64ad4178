"""Starlette routes of the dashboard: GET /dashboard, its static files, GET /dashboard/export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from domain.errors import AccessDenied, DomainError
from domain.metrics import export, figures
from domain.stores.services import authenticate
from infra.clock import Clock
from infra.settings import Settings
from resolvers.global_ids import InvalidGlobalId, pk_of

HERE = Path(__file__).resolve().parent
STATIC = {
    "uPlot.iife.min.js": "text/javascript",
    "uPlot.min.css": "text/css",
    "uPlot.LICENSE": "text/plain",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
}
# Scripts and styles from the app itself only: the page works without internet access.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def routes(settings: Settings, clock: Clock) -> list[Route]:
    async def page(_request: Request) -> Response:
        html = (HERE / "page.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"content-security-policy": CSP, "cache-control": "no-store"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", 404)
        return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers={"cache-control": "public, max-age=3600"})

    async def download(request: Request) -> Response:
        """The figures as CSV or XLSX, for the caller of the bearer token (managers: their store)."""
        header = request.headers.get("authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        viewer = await authenticate(bearer, settings=settings, clock=clock) if bearer else None
        if viewer is None or viewer.is_anonymous:
            return _error(401, "UNAUTHENTICATED", "Sign in first.")
        q = request.query_params
        try:
            first, last = date.fromisoformat(q.get("from", "")), date.fromisoformat(q.get("to", ""))
            granularity = figures.Granularity(q.get("granularity", "MONTH"))
            store = q.get("storeId") or None
            store_pk = None
            if store:
                try:
                    store_pk = pk_of(store, "Store")
                except InvalidGlobalId:
                    return _error(400, "BAD_USER_INPUT", "No such store.")
        except ValueError:
            return _error(400, "BAD_USER_INPUT", "Give from and to as YYYY-MM-DD and granularity DAY, WEEK or MONTH.")
        fmt = q.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            return _error(400, "BAD_USER_INPUT", "format is csv or xlsx.")
        try:
            report = await figures.report(viewer, first, last, store_pk, granularity)
        except AccessDenied as exc:
            return _error(403, "FORBIDDEN", str(exc))
        except DomainError as exc:
            return _error(400, "BAD_USER_INPUT", exc.message)
        name = f"programme-metrics-{first}-{last}.{fmt}"
        headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
        if fmt == "csv":
            return Response(export.to_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
        return Response(export.to_xlsx(report), headers=headers,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    return [
        Route("/dashboard", page),
        Route("/dashboard/static/{name}", static),
        Route("/dashboard/export", download),
    ]
