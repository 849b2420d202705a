/// The API's OpenAPI 3.1 document, served at /openapi.json (validated by
/// Tests/ProctorServerTests/openapi_check.py with openapi-spec-validator).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {"title": "Proctor", "version": "0.1.0",
           "description": "Run untrusted code in Linux sandboxes, grade it, and keep the record. Every route but /health and / needs a token: `Authorization: Bearer TOKEN` (or `X-Auth-Token: TOKEN`). Errors are JSON: {\"error\": {\"code\", \"message\"}}."},
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "security": [{"bearer": []}, {"authToken": []}],
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"},
      "authToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    },
    "responses": {
      "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Busy": {"description": "The queue is full; retry after the Retry-After header", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "Size": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "examples": ["256M"]}]},
      "File": {"type": "object", "required": ["path", "content"], "properties": {"path": {"type": "string"}, "content": {"type": "string"}, "encoding": {"type": "string", "enum": ["utf8", "base64"]}}},
      "ExecuteRequest": {"type": "object", "required": ["code", "language"], "properties": {
        "code": {"type": "string"}, "language": {"type": "string", "examples": ["python3", "c"]},
        "stdin": {"type": "string"}, "files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}},
        "args": {"type": "array", "items": {"type": "string"}},
        "timeout": {"type": "number", "description": "Seconds of CPU and of wall clock; capped at 60"},
        "memory": {"$ref": "#/components/schemas/Size"}}},
      "ExecuteResponse": {"type": "object", "required": ["stdout", "stderr", "execution_time", "cpu_time", "memory_peak", "status", "verdict"], "properties": {
        "stdout": {"type": "string"}, "stderr": {"type": "string"},
        "return_code": {"type": ["integer", "null"]}, "signal": {"type": ["integer", "null"]},
        "execution_time": {"type": "number", "description": "wall seconds"}, "cpu_time": {"type": "number"},
        "memory_peak": {"type": "integer", "description": "bytes"},
        "status": {"type": "string", "enum": ["exited", "signaled", "cpu-time-limit", "wall-time-limit", "memory-limit", "output-limit", "sandbox-error", "compile-error", "judge-error"]},
        "verdict": {"type": "string", "enum": ["AC", "TLE", "MLE", "OLE", "RTE", "CE", "JE"]},
        "compile_output": {"type": ["string", "null"]}, "stdout_truncated": {"type": "boolean"}, "stderr_truncated": {"type": "boolean"},
        "language": {"type": "string"}}}
    }
  },
  "paths": {
    "/health": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "ok"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Error"}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/execute": {"post": {"summary": "Compile and run a program once",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteRequest"}}}},
      "responses": {"200": {"description": "The run", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteResponse"}}}},
                    "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                    "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
                    "503": {"$ref": "#/components/responses/Busy"}}}}
  }
}
"""#
}
