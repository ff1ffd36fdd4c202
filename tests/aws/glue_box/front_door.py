"""One endpoint for every AWS service the tests call: Glue sessions, job runs and Athena are
answered here, the rest is forwarded to moto unchanged (AWS's JSON protocols name the
operation in the X-Amz-Target header; S3 and the query protocols go to moto as they are)."""

import json
from collections.abc import Callable

import requests
from werkzeug.wrappers import Request, Response

from .sessions import GlueError

Handler = Callable[[str, dict], dict]
# Glue calls that change the catalog: Spark attaches what they wrote before its next statement
CATALOG_WRITES = {
    "CreateDatabase", "UpdateDatabase", "DeleteDatabase", "CreateTable", "UpdateTable",
    "DeleteTable", "BatchDeleteTable",
}  # fmt: skip
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "content-encoding"}


class FrontDoor:
    def __init__(self, moto: str, handlers: dict[str, tuple[set[str], Handler]], on_catalog_write):
        self.moto = moto.rstrip("/")
        self.handlers = handlers  # target prefix -> (operations, handler)
        self.on_catalog_write = on_catalog_write
        self.http = requests.Session()

    def __call__(self, environ, start_response):
        request = Request(environ)
        service, _, operation = request.headers.get("X-Amz-Target", "").partition(".")
        operations, handler = self.handlers.get(service, (set(), None))
        if handler and operation in operations:
            response = self._answer(handler, operation, request)
        else:
            response = self._forward(request)
            if service == "AWSGlue" and operation in CATALOG_WRITES:
                self.on_catalog_write()
        return response(environ, start_response)

    @staticmethod
    def _answer(handler: Handler, operation: str, request: Request) -> Response:
        try:
            body = handler(operation, json.loads(request.get_data() or b"{}"))
            status = 200
        except GlueError as e:
            body, status = {"__type": e.code, "message": str(e)}, e.status
        return Response(
            json.dumps(body, default=str), status, content_type="application/x-amz-json-1.1"
        )

    def _forward(self, request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        upstream = self.http.request(
            request.method,
            self.moto + request.full_path.rstrip("?"),
            headers=headers,
            data=request.get_data(),
            allow_redirects=False,
        )
        kept = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
        return Response(upstream.content, upstream.status_code, headers=kept)
