#include "mes/http/service_routes.h"

namespace cardline {

const std::string& openApiDocument() {
  static const std::string document = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "cardline MES API",
    "version": "1",
    "description": "Session routes need the cardline_session cookie set by POST /api/v1/session. Every method but GET on a session route also needs the X-CSRF-Token header equal to the csrf_token returned at login (and by GET /api/v1/me). Errors are {\"error\":{\"code\":...,\"message\":...}}."
  },
  "components": {
    "securitySchemes": {
      "session": {"type": "apiKey", "in": "cookie", "name": "cardline_session"},
      "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
    },
    "schemas": {
      "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}}},
      "User": {"type": "object", "properties": {
        "name": {"type": "string"}, "display_name": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string",
          "enum": ["operator", "supervisor", "logistics", "manager", "auditor", "admin"]}},
        "disabled": {"type": "boolean"}, "locked": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"}}},
      "AuditEntry": {"type": "object", "properties": {
        "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string"}, "action": {"type": "string"}, "subject": {"type": "string"},
        "detail": {"type": "string"}, "prev_hash": {"type": "string"}, "hash": {"type": "string"}}}
    },
    "responses": {
      "Unauthenticated": {"description": "no live session",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "role does not permit the action, or CSRF token missing",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "paths": {
    "/api/v1/session": {
      "post": {"summary": "Log in", "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "type": "object", "required": ["name", "password"], "properties": {
            "name": {"type": "string"}, "password": {"type": "string"}}}}}},
        "responses": {"200": {"description": "logged in; Set-Cookie cardline_session (HttpOnly, SameSite=Strict); body has the user and csrf_token"},
          "401": {"$ref": "#/components/responses/Unauthenticated"}}},
      "delete": {"summary": "Log out", "security": [{"session": [], "csrf": []}],
        "responses": {"200": {"description": "logged out; the cookie is cleared"},
          "401": {"$ref": "#/components/responses/Unauthenticated"}}}
    },
    "/api/v1/me": {
      "get": {"summary": "The caller: account, permitted actions, csrf_token, personal-data view",
        "security": [{"session": []}], "x-cardline-action": "account.view",
        "responses": {"200": {"description": "the caller"},
          "401": {"$ref": "#/components/responses/Unauthenticated"}}}
    },
    "/api/v1/users": {
      "get": {"summary": "List accounts", "security": [{"session": []}],
        "x-cardline-action": "user.manage",
        "responses": {"200": {"description": "{users: [User]}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}},
      "post": {"summary": "Add an account", "security": [{"session": [], "csrf": []}],
        "x-cardline-action": "user.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "type": "object", "required": ["name", "display_name", "roles", "password"]}}}},
        "responses": {"201": {"description": "the new User"}, "400": {"description": "invalid"},
          "409": {"description": "name taken"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/users/{name}/password": {
      "post": {"summary": "Change a password (own: with current_password; anyone's: user.manage)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "account.view",
        "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "changed"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/users/{name}/disable": {
      "post": {"summary": "Disable an account and end its sessions",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "user.manage",
        "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "disabled"}, "404": {"description": "no such account"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/users/{name}/enable": {
      "post": {"summary": "Enable an account and clear its lock",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "user.manage",
        "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "enabled"}, "404": {"description": "no such account"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/audit": {
      "get": {"summary": "Audit entries after a seq", "security": [{"session": []}],
        "x-cardline-action": "audit.read",
        "parameters": [
          {"name": "after", "in": "query", "schema": {"type": "integer", "default": 0}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 100, "maximum": 1000}}],
        "responses": {"200": {"description": "{entries: [AuditEntry]}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/audit/verify": {
      "post": {"summary": "Verify the hash chain; names the first altered, removed or reordered entry",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "audit.verify",
        "responses": {"200": {"description": "{intact, entries_checked, problem, first_bad_seq, message, head_hash}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/openapi.json": {
      "get": {"summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3 document"}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus text format 0.0.4", "security": [],
        "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}
    }
  }
}
)json";
  return document;
}

Status registerServiceRoutes(Router& router, MetricsRegistry& metrics) {
  CARDLINE_RETURN_IF_ERROR(router.add(
      {HttpMethod::kGet, "/api/v1/openapi.json", Effect::kReadOnly, Guard::kPublic, {},
       [](const HttpRequest&, const Caller&) {
         return HttpResponse::json(200, openApiDocument());
       }}));
  return router.add({HttpMethod::kGet, "/metrics", Effect::kReadOnly, Guard::kPublic, {},
                     [&metrics](const HttpRequest&, const Caller&) {
                       HttpResponse response;
                       response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                       response.body = metrics.render();
                       return response;
                     }});
}

}  // namespace cardline
