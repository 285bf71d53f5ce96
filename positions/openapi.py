"""OpenAPI 3.1 description of the read-only positions API."""

STRING_LIST = {"type": "array", "items": {"type": "string"}}

CODE_OR_NULL = {"type": ["string", "null"]}
PERCENT = {
    "type": ["number", "null"],
    "exclusiveMinimum": 0,
    "maximum": 100,
    "description": "percent, two decimals at most",
}

POSITION_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "岗位编号, unique"},
        "title": {"type": "string", "description": "岗位名称"},
        "department": {**CODE_OR_NULL, "description": "Department code"},
        "department_name": {**CODE_OR_NULL, "description": "Department name (read-only)"},
        "reports_to": {**CODE_OR_NULL, "description": "直接上级: the superior's code"},
        "dotted_reports_to": {**STRING_LIST, "description": "虚线上级: codes of dotted-line superiors"},
        "direct_reports": {**STRING_LIST, "description": "直接下级: codes, in chart order (read-only)"},
        "dotted_reports": {**STRING_LIST, "description": "虚线下级: codes (read-only)"},
        "job_family": {**CODE_OR_NULL, "description": "职种: job family code"},
        "job_family_name": {**CODE_OR_NULL, "description": "read-only"},
        "job_category": {**CODE_OR_NULL, "description": "职类: the family's category code (read-only)"},
        "job_category_name": {**CODE_OR_NULL, "description": "read-only"},
        "grade": {**CODE_OR_NULL, "description": "职级: grade code"},
        "grade_name": {**CODE_OR_NULL, "description": "read-only"},
        "headcount": {"type": "integer", "minimum": 0, "description": "编制"},
        "status": {"type": "string", "enum": ["draft", "published"]},
        "has_description": {"type": "boolean", "description": "False for posts known only from a reporting line"},
        "purpose": {"type": "string", "description": "岗位目的"},
        "internal_relations": {**STRING_LIST, "description": "内部协调, in order"},
        "external_relations": {**STRING_LIST, "description": "外部联系, in order"},
        "duties": {
            "type": "array",
            "description": "岗位职责, in order",
            "items": {
                "type": "object",
                "required": ["text", "share"],
                "properties": {"text": {"type": "string"}, "share": {**PERCENT, "description": "时间占比"}},
            },
        },
        "authorities": {**STRING_LIST, "description": "工作权限, in order"},
        "qualifications": {**STRING_LIST, "description": "任职条件 (knowledge, skills, qualities), in order"},
        "education": {
            "type": "string",
            "enum": ["", "any", "secondary", "associate", "bachelor", "master", "doctor"],
            "description": "最低学历: 不限, 高中/中专, 大专, 本科, 硕士, 博士; empty when not given",
        },
        "major": {"type": "string", "description": "专业"},
        "experience_years": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": 60,
            "description": "工作经验 (years)",
        },
        "training": {**STRING_LIST, "description": "培训要求, in order"},
        "work_environment": {"type": "string", "description": "工作环境"},
        "career": {
            "type": "object",
            "description": "职业发展",
            "required": ["promotes_to", "rotates_with"],
            "properties": {"promotes_to": STRING_LIST, "rotates_with": STRING_LIST},
        },
        "kpis": {
            "type": "array",
            "description": "考核标准, in order",
            "items": {
                "type": "object",
                "required": ["responsibility", "weight", "standard", "cycle"],
                "properties": {
                    "responsibility": {"type": "string", "description": "关键职责"},
                    "weight": {**PERCENT, "description": "权重 in percent; null where unknown"},
                    "standard": {"type": "string", "description": "绩效标准"},
                    "cycle": {
                        "type": "string",
                        "enum": ["", "monthly", "quarterly", "half-yearly", "yearly"],
                        "description": "考核周期",
                    },
                },
            },
        },
        "holders": {
            "type": "array",
            "description": "People holding the post (read-only)",
            "items": {
                "type": "object",
                "required": ["employee_number", "name", "kind"],
                "properties": {
                    "employee_number": {"type": "string", "description": "工号"},
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["primary", "concurrent"], "description": "主岗 or 兼岗"},
                },
            },
        },
        "filled": {"type": "integer", "description": "在岗: primary holders (read-only)"},
        "version": {"type": "integer", "description": "Bumped by every change (read-only)"},
        "duty_share_total": {"type": ["number", "null"], "description": "Sum of the time shares; null when none"},
        "kpi_weight_total": {"type": "number", "description": "Sum of the known weights, in percent"},
        "complete": {"type": "boolean", "description": "True when the JD template's rules find nothing missing"},
        "problems": {**STRING_LIST, "description": "Why the description is incomplete, in the user's language"},
    },
}
POSITION_SCHEMA["required"] = list(POSITION_SCHEMA["properties"])

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
