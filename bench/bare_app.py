"""The baseline for the HTTP benchmark: Flask + gunicorn (run with the options of `diarium
serve`, see bench/http_path.py), parsing the same JSON, storing nothing."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from diarium.web.schemas.cases import RegisterCaseSchema

app = Flask(__name__)
_SAMPLE = {
    "dnr": "1338-2020",
    "title": "Förstudie av fysisk samlokalisering av verksamheter",
    "responsible_body": "RS",
    "status": "open",
    "documents": [],
    "decisions": [],
    "version": 1,
}


@app.post("/api/cases")
def register() -> Response:
    command = RegisterCaseSchema().command_of(request.get_json())
    response = jsonify({"dnr": "1-2020", "title": command.title})
    response.status_code = 201
    return response


@app.get("/api/cases/<path:dnr>")
def read(dnr: str) -> Response:
    return jsonify({**_SAMPLE, "dnr": dnr})
