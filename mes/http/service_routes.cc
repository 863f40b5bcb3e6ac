#include "mes/http/service_routes.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <set>

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
    "/api/v1/boxes": {
      "get": {"summary": "Boxes in a state (default open), optionally of one receiving unit",
        "security": [{"session": []}], "x-cardline-action": "card.trace",
        "parameters": [{"name": "state", "in": "query", "required": false, "schema": {"type": "string", "enum": ["open", "packed", "handed_over", "in_transit", "delivered", "returned", "lost"]}},
          {"name": "unit", "in": "query", "required": false, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{boxes: [Box]}"}, "403": {"$ref": "#/components/responses/Forbidden"}}},
      "post": {"summary": "Open an empty box for a receiving unit",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["receiving_unit_code"], "properties": {"receiving_unit_code": {"type": "string"}, "receiving_unit_name": {"type": "string"}}}}}},
        "responses": {"201": {"description": "the Box"}, "400": {"description": "invalid"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/boxes/{id}": {
      "get": {"summary": "A box and its manifest lines (personal number masked; names masked without pii.view)",
        "security": [{"session": []}], "x-cardline-action": "card.trace",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{box, cards: [{serial, application_id, personal_number, full_name}]}"}, "404": {"description": "no such box"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/boxes/{id}/cards": {
      "post": {"summary": "Scan a good card into this box; a card of another receiving unit is refused (wrong box)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serial"], "properties": {"serial": {"type": "string"}}}}}},
        "responses": {"200": {"description": "the Box"}, "404": {"description": "no such card or box"}, "409": {"description": "wrong box, card not good, already packed, or box not open"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/boxes/{id}/close": {
      "post": {"summary": "Close and seal a box by hand",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"seal_number": {"type": "string"}}}}}},
        "responses": {"200": {"description": "the Box"}, "404": {"description": "no such box"}, "409": {"description": "not open or empty"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/boxes/{id}/delivery": {
      "post": {"summary": "The receiving unit confirms delivery of a box (through a logistics-role account of the unit); missing cards open a discrepancy",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"missing_serials": {"type": "array", "items": {"type": "string"}}, "note": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{box, delivered, discrepancy_id, shipment_delivered}"}, "400": {"description": "invalid"}, "404": {"description": "no such box"}, "409": {"description": "box not handed over or in transit"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shipments": {
      "post": {"summary": "Hand packed boxes over to a carrier (records who, when and the seal numbers)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["box_ids", "carrier", "tracking_number"], "properties": {"box_ids": {"type": "array", "items": {"type": "string"}}, "carrier": {"type": "string"}, "tracking_number": {"type": "string"}}}}}},
        "responses": {"201": {"description": "the Shipment"}, "400": {"description": "invalid"}, "409": {"description": "a box is not packed, or the tracking number is taken"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shipments/{id}/status": {
      "post": {"summary": "Move a shipment to in_transit, returned or lost",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["state"], "properties": {"state": {"type": "string", "enum": ["in_transit", "returned", "lost"]}}}}}},
        "responses": {"200": {"description": "the Shipment"}, "400": {"description": "invalid"}, "409": {"description": "not allowed from its state"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shipments/overdue": {
      "get": {"summary": "Shipments not delivered within the delivery service level",
        "security": [{"session": []}], "x-cardline-action": "card.trace",
        "responses": {"200": {"description": "{overdue: [{shipment, overdue_seconds}]}"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/discrepancies": {
      "get": {"summary": "Open discrepancies (cards reported missing by receiving units)",
        "security": [{"session": []}], "x-cardline-action": "card.trace",
        "responses": {"200": {"description": "{discrepancies: [{id, box_id, missing_serials, note, state, reported_by}]}"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/discrepancies/{id}/resolve": {
      "post": {"summary": "Resolve a discrepancy: found (cards delivered) or lost (cards spoiled, applications held for a remake)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shipment.manage",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["resolution"], "properties": {"resolution": {"type": "string", "enum": ["found", "lost"]}, "note": {"type": "string"}}}}}},
        "responses": {"200": {"description": "the discrepancy"}, "400": {"description": "invalid"}, "404": {"description": "no such discrepancy"}, "409": {"description": "already resolved"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/track": {
      "get": {"summary": "Find an application, card, box or shipment by personal number, application id, card serial, box id, tracking number or shipment id: its whole history and where it is now (personal data masked without pii.view)",
        "security": [{"session": []}], "x-cardline-action": "card.trace",
        "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{query, matched_by, location, applications, boxes, shipments, history}"}, "400": {"description": "invalid"}, "404": {"description": "nothing matches"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
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
    "/api/v1/devices": {
      "get": {"summary": "The device registry: id, station, state (idle/busy/fault/offline), jobs in flight, last heartbeat, counters; and the link's counters",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "responses": {"200": {"description": "{devices: [{id, station, state, current_job, jobs, capacity, session, fault, node_id, last_heartbeat, counters}], link: {refused_peers, bad_messages, send_blocked, send_unreachable, unsent_jobs_released}}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/queues": {
      "get": {"summary": "Station job counts per station type: ready, leased, done",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "responses": {"200": {"description": "{queues: [{station, ready, leased, done}]}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/events/stream": {
      "get": {"summary": "Live line updates as server-sent events (text/event-stream): 'line' events (seq, at, subject_type, subject_id, kind, actor; never the detail) and periodic 'snapshot' events (queues and devices); resumes after Last-Event-ID or ?after; the connection ends after 5 minutes and the client reconnects",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "parameters": [{"name": "after", "in": "query", "required": false, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "the event stream", "content": {"text/event-stream": {}}},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/line/snapshot": {
      "get": {"summary": "One snapshot of the line, as in the event stream: queues per station (ready, leased, done) and devices (store enrolment overlaid with the device link's live state)",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "responses": {"200": {"description": "{at, head_seq, queues: [{station, ready, leased, done}], devices: [{id, station, state, current_job, last_heartbeat, jobs_done, jobs_failed, source}]}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/applications": {
      "post": {"summary": "Import approved applications (one object or an array; docs/intake.md format, images inline)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "application.import",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}},
        "responses": {"200": {"description": "{accepted, rejected, duplicates, records: [{index, application_id, result, problems: [{field, message}]}]}"},
          "422": {"description": "every record was rejected (a body that is not JSON is one rejected record); same body"},
          "400": {"description": "empty body"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}}},
      "get": {"summary": "Held applications (state=held is required), personal data masked unless the caller has pii.view",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "parameters": [{"name": "state", "in": "query", "required": true, "schema": {"type": "string", "enum": ["held"]}}],
        "responses": {"200": {"description": "{applications: [{id, step, state, priority, card_model, full_name, personal_number, held_by, held_at, reason}], personal_data, truncated}"},
          "400": {"description": "invalid"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/cards/{serial}/reject": {
      "post": {"summary": "An operator rejects a card in the line by its serial (scanned or typed): the card is spoiled with the reason, the application goes back to print for a new card (limited like QA reworks); audited card.reject",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "station.confirm",
        "parameters": [{"name": "serial", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason", "station"], "properties": {"reason": {"type": "string"}, "station": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{serial, application_id, from_step, to_step, state}"},
          "400": {"description": "reason or station missing"}, "404": {"description": "no card with that serial"},
          "409": {"description": "the card is not in the line, or its application is held or ended"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/breaches": {
      "get": {"summary": "Open service-level breaches (receipt_to_print, print_to_dispatch) of applications still in the line, most overdue first; names masked unless the caller has pii.view",
        "security": [{"session": []}], "x-cardline-action": "queue.view",
        "parameters": [{"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
        "responses": {"200": {"description": "{now, breaches: [{application_id, level, due, overdue_seconds, step, state, priority, receiving_unit, full_name}], personal_data, truncated}"},
          "400": {"description": "limit out of range"}, "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/applications/{id}/hold": {
      "post": {"summary": "Hold a queued application (reason required; audited)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "application.hold",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{id, action, state}"}, "400": {"description": "invalid"}, "404": {"description": "no such application"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/applications/{id}/release": {
      "post": {"summary": "Release a held application (reason required; audited)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "application.hold",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{id, action, state}"}, "400": {"description": "invalid"}, "404": {"description": "no such application"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/applications/{id}/cancel": {
      "post": {"summary": "Cancel an application; its cards in the line are spoiled (reason required; audited)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "application.cancel",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{id, action, state}"}, "400": {"description": "invalid"}, "404": {"description": "no such application"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/applications/{id}/prioritise": {
      "post": {"summary": "Set an application's priority (normal or urgent; reason required; audited)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "application.hold",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason", "priority"], "properties": {"reason": {"type": "string"}, "priority": {"type": "string", "enum": ["normal", "urgent"]}}}}}},
        "responses": {"200": {"description": "{id, action, state}"}, "400": {"description": "invalid"}, "404": {"description": "no such application"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/devices/{id}/clear-fault": {
      "post": {"summary": "An operator cleared a device's fault: tells the device link, sets a stored fault state back to idle, audits device.clear_fault",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "device.clear_fault",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{id, state_before, state, forwarded, link_message}"}, "404": {"description": "no such device"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/audit": {
      "get": {"summary": "Audit entries: oldest first after a seq (with after), else newest first, filtered", "security": [{"session": []}],
        "x-cardline-action": "audit.read",
        "parameters": [
          {"name": "after", "in": "query", "schema": {"type": "integer"}, "description": "oldest first: entries with seq > after (no filters)"},
          {"name": "before", "in": "query", "schema": {"type": "integer"}, "description": "newest first: entries with seq < before (next_before of the previous page)"},
          {"name": "actor", "in": "query", "schema": {"type": "string"}, "description": "equal to the actor"},
          {"name": "action", "in": "query", "schema": {"type": "string"}, "description": "equal to the action, or its prefix when it ends in '.'"},
          {"name": "subject", "in": "query", "schema": {"type": "string"}, "description": "contained in the subject"},
          {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "at >= from"},
          {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "at < to"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 100, "maximum": 1000}}],
        "responses": {"200": {"description": "{entries: [AuditEntry], next_before (newest first: 0 when nothing older), scanned}"}, "400": {"description": "a malformed parameter (named)"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/audit/verify": {
      "post": {"summary": "Verify the hash chain; names the first altered, removed or reordered entry",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "audit.verify",
        "responses": {"200": {"description": "{intact, entries_checked, problem, first_bad_seq, message, head_hash}"},
          "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/lots": {
      "get": {"summary": "Blank lots",
        "security": [{"session": []}], "x-cardline-action": "report.view",
        "responses": {"200": {"description": "{lots: [BlankLot]}"}, "403": {"$ref": "#/components/responses/Forbidden"}}},
      "post": {"summary": "Receive a lot of blanks (serial range or list) into a line's vault",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["lot_id", "line", "supplier", "chip_type"], "properties": {"lot_id": {"type": "string"}, "line": {"type": "string"}, "supplier": {"type": "string"}, "chip_type": {"type": "string"}, "card_model": {"type": "string"}, "first_serial": {"type": "string"}, "last_serial": {"type": "string"}, "serials": {"type": "array", "items": {"type": "string"}}}}}}},
        "responses": {"201": {"description": "the BlankLot"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/serials/{serial}": {
      "get": {"summary": "One blank serial: state, lot, hopper",
        "security": [{"session": []}], "x-cardline-action": "report.view",
        "parameters": [{"name": "serial", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the serial"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/issue": {
      "post": {"summary": "Issue vault serials to a print device's hopper",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serials"], "properties": {"serials": {"type": "array", "items": {"type": "string"}}, "device_id": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/return": {
      "post": {"summary": "Return serials from their hopper to the vault",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serials"], "properties": {"serials": {"type": "array", "items": {"type": "string"}}, "device_id": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/return-to-supplier": {
      "post": {"summary": "Return vault serials to the supplier (reason)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serials"], "properties": {"serials": {"type": "array", "items": {"type": "string"}}, "device_id": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/samples": {
      "post": {"summary": "Take on-hand serials as samples/tests (reason)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serials"], "properties": {"serials": {"type": "array", "items": {"type": "string"}}, "device_id": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/spoil": {
      "post": {"summary": "Spoil one serial with reason and station",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "blanks.manage",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serial", "reason", "station"], "properties": {"serial": {"type": "string"}, "reason": {"type": "string"}, "station": {"type": "string"}}}}}},
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/destructions": {
      "post": {"summary": "Propose destroying spoiled serials (dual control, step 1)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "card.destroy",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["serials"], "properties": {"serials": {"type": "array", "items": {"type": "string"}}, "device_id": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"201": {"description": "{destruction_id}"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/blanks/destructions/{id}/confirm": {
      "post": {"summary": "Confirm a destruction as a second, different supervisor (dual control, step 2)",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "card.destroy",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "done"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shifts": {
      "post": {"summary": "Open a shift on a line",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shift.close",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["line"], "properties": {"line": {"type": "string"}}}}}},
        "responses": {"201": {"description": "{shift_id}"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shifts/{id}/close": {
      "post": {"summary": "Close a shift with the serials counted on hand; 409 with the reconciliation when it does not balance",
        "security": [{"session": [], "csrf": []}], "x-cardline-action": "shift.close",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["counted"], "properties": {"counted": {"type": "array", "items": {"type": "string"}}}}}}},
        "responses": {"200": {"description": "the reconciliation"}, "400": {"description": "invalid"},
          "409": {"description": "not in a state that allows it"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/shifts/{id}/reconciliation": {
      "get": {"summary": "Blank reconciliation of a shift (JSON, or CSV with format=csv)",
        "security": [{"session": []}], "x-cardline-action": "report.view",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "format", "in": "query", "required": false, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the reconciliation"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/reports/reconciliation": {
      "get": {"summary": "Blank reconciliation of a date range (JSON, or CSV with format=csv)",
        "security": [{"session": []}], "x-cardline-action": "report.view",
        "parameters": [{"name": "from", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "to", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "line", "in": "query", "required": false, "schema": {"type": "string"}}, {"name": "format", "in": "query", "required": false, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the reconciliation"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
    },
    "/api/v1/reports/throughput": {
      "get": {"summary": "Management report of a period: throughput per station/hour/shift/day, first-pass yield, reject Pareto, WIP, cycle-time percentiles against service levels, device availability; JSON (figures + chart model + tables), CSV or PDF",
        "security": [{"session": []}], "x-cardline-action": "report.view",
        "parameters": [{"name": "from", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}}, {"name": "to", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}}, {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "csv", "pdf"]}}],
        "responses": {"200": {"description": "the report", "content": {"application/json": {}, "text/csv": {}, "application/pdf": {}}}, "400": {"description": "invalid"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
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

std::vector<std::string> documentedRoutes() {
  std::vector<std::string> out;
  Poco::JSON::Parser parser;
  auto root = parser.parse(openApiDocument()).extract<Poco::JSON::Object::Ptr>();
  auto paths = root->getObject("paths");
  for (const auto& [path, item] : *paths) {
    auto operations = item.extract<Poco::JSON::Object::Ptr>();
    for (const auto& [method, operation] : *operations) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(upper + " " + path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status checkOpenApiMatches(const Router& router) {
  const std::vector<std::string> documented_list = documentedRoutes();
  const std::set<std::string> documented(documented_list.begin(), documented_list.end());
  std::set<std::string> routed;
  for (const RouteInfo& route : router.routes()) {
    routed.insert(std::string(name(route.method)) + " " + route.pattern);
  }
  std::string problems;
  for (const auto& r : routed) {
    if (!documented.count(r)) problems += " served but not documented: " + r + ";";
  }
  for (const auto& d : documented) {
    if (!routed.count(d)) problems += " documented but not served: " + d + ";";
  }
  if (problems.empty()) return Status::ok();
  return internalError("the OpenAPI document does not match the routes:" + problems);
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
