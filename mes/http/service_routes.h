#pragma once
// Routes every cardline server has: the OpenAPI 3 document (GET /api/v1/openapi.json) and the
// Prometheus metrics (GET /metrics, public: aggregate numbers only, no personal data).

#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"

namespace cardline {

// The OpenAPI 3.0 document of the API, as JSON text. It lists exactly the routes the server
// registers (a test compares it with Router::routes()).
const std::string& openApiDocument();

// The operations of the OpenAPI document as "METHOD /path" (method in upper case).
std::vector<std::string> documentedRoutes();

// Compares the router's routes with the OpenAPI document both ways. kInternal naming every
// route that is served but not documented, and every documented one that is not served.
// `cardline serve` refuses to start on a mismatch, so every test that starts a server checks
// the document against the real composition.
Status checkOpenApiMatches(const Router& router);

// Registers GET /api/v1/openapi.json and GET /metrics. `metrics` must outlive the router.
// Fails like Router::add.
Status registerServiceRoutes(Router& router, MetricsRegistry& metrics);

}  // namespace cardline
