"""OpenAPI 3.1 description of the read-only positions API."""

STRING_LIST = {"type": "array", "items": {"type": "string"}}

POSITION_SCHEMA = {
    "type": "object",
    "required": [
        "code",
        "title",
        "department",
        "reports_to",
        "direct_reports",
        "headcount",
        "holders",
        "status",
        "has_description",
        "duties",
        "qualifications",
        "training",
        "kpis",
        "kpi_weight_total",
        "complete",
        "problems",
    ],
    "properties": {
        "code": {"type": "string", "description": "岗位编号, unique"},
        "title": {"type": "string", "description": "岗位名称"},
        "department": {"type": ["string", "null"], "description": "Department name"},
        "reports_to": {"type": ["string", "null"], "description": "直接上级: the superior's code"},
        "direct_reports": {**STRING_LIST, "description": "直接下级: codes, in chart order"},
        "headcount": {"type": "integer", "minimum": 0},
        "holders": {"type": "integer", "minimum": 0, "description": "People holding the position"},
        "status": {"type": "string", "enum": ["draft", "published"]},
        "has_description": {"type": "boolean", "description": "False for posts known only from a reporting line"},
        "duties": {**STRING_LIST, "description": "岗位职责, in order"},
        "qualifications": {**STRING_LIST, "description": "任职条件, in order"},
        "training": {**STRING_LIST, "description": "培训要求, in order"},
        "kpis": {
            "type": "array",
            "description": "考核标准, in order",
            "items": {
                "type": "object",
                "required": ["responsibility", "weight", "standard"],
                "properties": {
                    "responsibility": {"type": "string", "description": "关键职责"},
                    "weight": {"type": ["number", "null"], "description": "权重 in percent; null where unknown"},
                    "standard": {"type": "string", "description": "绩效标准"},
                },
            },
        },
        "kpi_weight_total": {"type": "number", "description": "Sum of the known weights, in percent"},
        "complete": {"type": "boolean", "description": "True when nothing is missing and weights total 100"},
        "problems": {**STRING_LIST, "description": "Why the description is incomplete, in the user's language"},
    },
}

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": STRING_LIST},
}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def openapi_document(server_url):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Job-description portal API",
            "version": "1.0",
            "description": "Read-only. Authenticate by logging in (session cookie); every call needs the permission to read positions.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/positions/": {
                "get": {
                    "summary": "List positions in chart order",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Substring of code, title or any job-description text",
                        },
                        {
                            "name": "department",
                            "in": "query",
                            "schema": {"type": "integer"},
                            "description": "Department id; includes sub-departments",
                        },
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["draft", "published"]}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {
                            "name": "page_size",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of positions",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["count", "page", "pages", "results"],
                                        "properties": {
                                            "count": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "pages": {"type": "integer"},
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Position"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("A filter or paging parameter is malformed"),
                        "401": _error("Not logged in"),
                        "403": _error("No permission to read positions"),
                        "404": _error("No such page"),
                    },
                }
            },
            "/api/positions/{code}/": {
                "get": {
                    "summary": "One position's job description",
                    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "The position",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Position"}}},
                        },
                        "401": _error("Not logged in"),
                        "403": _error("No permission to read positions"),
                        "404": _error("No such position, or a draft you may not see"),
                    },
                }
            },
        },
        "components": {"schemas": {"Position": POSITION_SCHEMA, "Errors": ERRORS}},
    }
