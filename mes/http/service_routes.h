#pragma once
// Routes every cardline server has: the OpenAPI 3 document (GET /api/v1/openapi.json) and the
// Prometheus metrics (GET /metrics, public: aggregate numbers only, no personal data).

#include <string>

#include "mes/base/status.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"

namespace cardline {

// The OpenAPI 3.0 document of the API, as JSON text. It lists exactly the routes the server
// registers (a test compares it with Router::routes()).
const std::string& openApiDocument();

// Registers GET /api/v1/openapi.json and GET /metrics. `metrics` must outlive the router.
// Fails like Router::add.
Status registerServiceRoutes(Router& router, MetricsRegistry& metrics);

}  // namespace cardline
